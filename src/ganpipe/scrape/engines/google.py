"""Google Images through Selenium and headless Chromium: the brittle option.

Google serves image results only to a browser running its JavaScript, and its class names
change every few months. This engine scrolls the result grid (infinite scroll, plus the
"show more results" button), clicks each thumbnail and reads the full-size URL from the
preview panel. When Google changes its markup, update the selector tuples below; a run that
finds no thumbnail at all fails loudly rather than returning an empty class. The result page's
robots.txt is checked through the shared fetcher before the browser opens it (Google's own
disallows /search, so this engine needs ``respect_robots: false``); the images themselves go
through the downloader like every other source.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from urllib.parse import urlencode

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from ganpipe.params import ScrapeParams, Source
from ganpipe.scrape.engines.base import Candidate, Engine, EngineError
from ganpipe.scrape.fetch import Fetcher

BASE_URL = "https://www.google.com"
THUMBS = ("img.YQ4gaf", "img.Q4LuWd", "img.rg_i")  # result-grid thumbnails, newest first
FULL = ("img.sFlh5c", "img.iPVvYb", "img.n3VNCb", "img[jsname='kn3ccd']")  # preview image
MORE = ("input.mye4qd", "div.LZ4I")  # "show more results"
SIZES = {"large": "isz:l", "medium": "isz:m", "small": "isz:i"}
TYPES = {
    "photo": "itp:photo",
    "clipart": "itp:clipart",
    "line": "itp:lineart",
    "transparent": "ic:trans",
}
PREVIEW_JS = """
for (const selector of arguments[0]) {
  const found = [...document.querySelectorAll(selector)].map(e => e.src).filter(Boolean);
  if (found.length) return found;
}
return [];
"""
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


def _full_size(src: str | None) -> bool:
    """A real image address, not a data: URI or Google's thumbnail cache."""
    return bool(src) and src.startswith(("http://", "https://")) and "encrypted-tbn" not in src


class Google(Engine):
    """Google image results for a query, read by a headless browser."""

    name = "google"
    default_base = BASE_URL

    def __init__(self, source: Source, params: ScrapeParams, fetcher: Fetcher) -> None:
        super().__init__(source, params, fetcher)
        self._driver: WebDriver | None = None
        self._profile = ""

    def page_url(self, query: str) -> str:
        args = {"q": query, "tbm": "isch", "safe": "active" if self._p.safe_search else "off"}
        tbs = [
            f
            for f in (SIZES.get(self._p.image_size_filter), TYPES.get(self._p.image_type_filter))
            if f
        ]
        if tbs:
            args["tbs"] = ",".join(tbs)
        return f"{self._base}/search?{urlencode(args)}"

    def _browser(self) -> WebDriver:
        if self._driver is None:
            self._profile = tempfile.mkdtemp(prefix="ganpipe-chromium-")
            options = webdriver.ChromeOptions()
            options.binary_location = self._p.chromium
            for flag in (
                *CHROME_FLAGS,
                f"--user-data-dir={self._profile}",
                f"--user-agent={self._p.user_agent}",
            ):
                options.add_argument(flag)
            self._driver = webdriver.Chrome(options=options, service=Service(self._p.chromedriver))
            self._driver.set_page_load_timeout(self._p.total_timeout)
        return self._driver

    def _wait(self) -> WebDriverWait:
        return WebDriverWait(self._browser(), self._p.read_timeout, poll_frequency=0.05)

    def _find(self, selectors: tuple[str, ...]) -> list[WebElement]:
        for selector in selectors:
            found = self._browser().find_elements(By.CSS_SELECTOR, selector)
            if found:
                return found
        return []

    def candidates(self, label: str, query: str) -> Iterator[Candidate]:
        url = self.page_url(query)
        if not self._fetcher.allowed(url):
            raise EngineError(
                f"google: {url}: robots: disallowed by robots.txt "
                "(scrape.respect_robots: false overrides)"
            )
        try:
            self._browser().get(url)
        except WebDriverException as err:
            raise EngineError(f"google: {url}: {err.msg}") from err
        done = 0
        for _ in range(self._p.max_pages):
            thumbs = self._find(THUMBS)
            if not thumbs and not done:
                raise EngineError(f"google: {url}: no thumbnails found (markup changed?)")
            for thumb in thumbs[done:]:
                full = self._open(thumb)
                if full:
                    yield Candidate(label, full, query, self.name, url)
            done = len(thumbs)
            if not self._more(done):
                return

    def _preview(self) -> str:
        """The preview panel's full-size URL, read in one browser round trip."""
        sources = self._browser().execute_script(PREVIEW_JS, list(FULL)) or []
        return next((str(s) for s in sources if _full_size(s)), "")

    def _open(self, thumb: WebElement) -> str:
        """Click a thumbnail and wait for the preview to show a new full-size URL."""
        before = self._preview()
        self._browser().execute_script(
            "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", thumb
        )
        try:
            return str(self._wait().until(lambda _: (p := self._preview()) != before and p))
        except TimeoutException:
            return ""

    def _more(self, count: int) -> bool:
        """Scroll to the bottom (and press "more results") until the grid grows."""
        browser = self._browser()
        browser.execute_script("window.scrollTo(0, document.body.scrollHeight);")
        for button in self._find(MORE):
            if button.is_displayed():
                browser.execute_script("arguments[0].click();", button)
        try:
            self._wait().until(lambda _: len(self._find(THUMBS)) > count)
        except TimeoutException:
            return False
        return True

    def close(self) -> None:
        if self._driver is not None:
            self._driver.quit()
            self._driver = None
        if self._profile:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = ""

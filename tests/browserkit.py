"""Drive ``ganpipe review`` in real headless Chromium (Debian's chromium + chromium-driver).

Shared by the unit browser test and the README walk-through: start the server as the user would
(a subprocess, ``--port 0``, the URL read from its first line), open the page, click, press keys.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="install Debian's chromium and chromium-driver (.ci/run does)",
)
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
)
IN_VIEW_LOADED = """
return [...document.images]
  .filter(i => i.getBoundingClientRect().top < window.innerHeight)
  .every(i => i.complete && i.naturalWidth > 0);
"""


@contextmanager
def review_server(
    cwd: Path, env: dict[str, str], command: list[str] | None = None
) -> Iterator[str]:
    """``ganpipe review --port 0`` (or ``command`` with ``--port 0``) running in ``cwd``; yields
    its URL."""
    command = command or [sys.executable, "-m", "ganpipe.cli", "review"]
    proc = subprocess.Popen(
        [*command, "--port", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # the first line names the URL, or says what failed
        assert "http://127.0.0.1:" in line, line + proc.stdout.read()
        yield line.split(" at ", 1)[1].split()[0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[WebDriver]:
    """A headless Chromium with a throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="ganpipe-review-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--window-size={width},{height}")
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console, for CSP
        driver = webdriver.Chrome(
            options=options, service=Service(executable_path=str(CHROMEDRIVER))
        )
        try:
            yield driver
        finally:
            driver.quit()


def open_page(driver: WebDriver, url: str) -> list[WebElement]:
    """Load the page; its tiles in page order, once the thumbnails in view have loaded (those
    below load lazily, as they scroll in)."""
    driver.get(url)
    wait = WebDriverWait(driver, 30)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".tile"))
    wait.until(lambda d: d.execute_script(IN_VIEW_LOADED))
    return driver.find_elements(By.CSS_SELECTOR, ".tile")


def tile(driver: WebDriver, key: str) -> WebElement:
    """The tile of ``class/id`` (found by value: a class name may hold quotes)."""
    found = driver.execute_script(
        "return [...document.querySelectorAll('.tile')].find(t => t.dataset.key === arguments[0])",
        key,
    )
    assert found is not None, f"no tile for {key}"
    return found


def wait_rejected(driver: WebDriver, key: str, rejected: bool = True) -> None:
    """Until the page shows ``key`` (``class/id``) as rejected, or as kept."""
    want = "true" if rejected else "false"
    WebDriverWait(driver, 10).until(
        lambda d: tile(d, key).get_attribute("aria-pressed") == want,
        f"{key} never showed rejected={rejected}",
    )


def console_errors(driver: WebDriver) -> list[str]:
    """The page's console messages at level SEVERE since the last call (CSP refusals are)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def page_env(src: Path) -> dict[str, str]:
    """The environment for the server: ``src`` importable, no proxy for 127.0.0.1."""
    return {
        **os.environ,
        "PYTHONPATH": str(src),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }

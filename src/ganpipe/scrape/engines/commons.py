"""Wikimedia Commons through the MediaWiki API: freely licensed files, searched by name.

One request per page: ``generator=search`` over the File namespace (6) with
``prop=imageinfo&iiprop=url|extmetadata|mime|size``, in ``formatversion=2`` (pages as a list,
``index`` giving the search rank). ``extmetadata`` holds the licence (``LicenseShortName``,
``LicenseUrl``) and the author (``Artist``, HTML, hence stripped to text; ``Credit`` when there
is no artist). The answer's ``continue`` object is sent back as is for the next page. SVG files
come as the PNG rendering Commons makes at ``iiurlwidth`` (Pillow cannot read SVG); other files
at full size. Commons has no safe-search or size filter, so those params do not apply here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urljoin

from bs4 import BeautifulSoup

from ganpipe.scrape.engines.api import JsonApi, PageFailure
from ganpipe.scrape.engines.base import Candidate, Credit, with_args

BASE_URL = "https://commons.wikimedia.org/w/api.php"
PAGE_SIZE = 50
RENDER_WIDTH = 1024  # width of the PNG that stands in for an SVG file
FIELDS = "ObjectName|Artist|Credit|LicenseShortName|LicenseUrl|AttributionRequired|UsageTerms"


def html_text(html: str, base: str) -> tuple[str, str]:
    """(plain text, first link made absolute) of an ``extmetadata`` HTML value."""
    soup = BeautifulSoup(html, "html.parser")
    link = soup.find("a", href=True)
    href = urljoin(base, str(link["href"])) if link else ""
    return " ".join(soup.get_text(" ").split()), href


def credit(page: dict[str, Any], info: dict[str, Any]) -> Credit:
    meta = {k: str(v.get("value", "")) for k, v in info.get("extmetadata", {}).items()}
    landing = str(info.get("descriptionurl", ""))
    creator, creator_url = html_text(meta.get("Artist") or meta.get("Credit", ""), landing)
    title = html_text(meta.get("ObjectName", ""), landing)[0]
    return Credit(
        title=title or str(page["title"]).removeprefix("File:"),
        creator=creator,
        creator_url=creator_url,
        license=html_text(meta.get("LicenseShortName", ""), landing)[0],
        license_url=meta.get("LicenseUrl", ""),
        landing_url=landing,
    )


class Commons(JsonApi):
    """Paginated Wikimedia Commons file-search results for a query."""

    name = "commons"
    default_base = BASE_URL

    def first_url(self, query: str) -> str:
        args = {
            "action": "query",
            "format": "json",
            "formatversion": 2,
            "generator": "search",
            "gsrsearch": query,
            "gsrnamespace": 6,
            "gsrlimit": PAGE_SIZE,
            "prop": "imageinfo",
            "iiprop": "url|extmetadata|mime|size",
            "iiextmetadatafilter": FIELDS,
            "iiurlwidth": RENDER_WIDTH,
        }
        return f"{self._base}?{urlencode(args)}"

    def read_page(self, label: str, query: str, url: str, data: Any) -> tuple[list[Candidate], str]:
        if "error" in data:
            error = data["error"]
            raise PageFailure("api_error", f"{error.get('code')}: {error.get('info')}")
        pages = sorted(data.get("query", {}).get("pages", []), key=lambda p: p.get("index", 0))
        found = []
        for page in pages:
            info = (page.get("imageinfo") or [{}])[0]
            mime = str(info.get("mime", ""))
            if not mime.startswith("image/"):
                continue  # a PDF, video or sound file, or imageinfo still to come
            image = info["thumburl"] if mime == "image/svg+xml" else info["url"]
            found.append(Candidate(label, str(image), query, self.name, url, credit(page, info)))
        following = data.get("continue")
        return found, with_args(url, following) if following else ""

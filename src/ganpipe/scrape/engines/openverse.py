"""Openverse: openly licensed images (Creative Commons and public domain) through its API.

``GET /v1/images/?q=...&page=N&page_size=...`` answers ``result_count``, ``page_count`` and
``results``; each result has the image ``url``, ``license`` (``by-sa``, ``cc0``, ``pdm``...),
``license_version``, ``license_url``, ``creator``, ``creator_url``, ``title`` and the
``foreign_landing_url`` of the work. SVG files come as Openverse's raster ``thumbnail`` (Pillow
cannot read SVG), everything else at full size. Anonymous use needs no key but is throttled and
capped at 20 results a page; pages past ``page_count`` are refused, so pagination stops there.
Safe search is ``mature=false``; ``license_type`` (``commercial``, ``modification``...) narrows
the licences.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ganpipe.scrape.engines.api import JsonApi
from ganpipe.scrape.engines.base import Candidate, Credit, url_args, with_args

BASE_URL = "https://api.openverse.org"
PAGE_SIZE = 20  # the most an anonymous client may ask for (more is answered 401)
SIZES = {"large": "large", "medium": "medium", "small": "small"}
CATEGORIES = {"photo": "photograph", "clipart": "illustration"}
NAMES = {"cc0": "CC0", "pdm": "Public Domain Mark"}


def license_name(code: str, version: str) -> str:
    """Openverse's licence code as people write it: ``by-sa`` 2.0 -> ``CC BY-SA 2.0``."""
    name = NAMES.get(code, f"CC {code.upper()}")
    return f"{name} {version}".strip()


def credit(result: dict[str, Any]) -> Credit:
    return Credit(
        title=str(result.get("title") or ""),
        creator=str(result.get("creator") or ""),
        creator_url=str(result.get("creator_url") or ""),
        license=license_name(str(result["license"]), str(result.get("license_version") or "")),
        license_url=str(result.get("license_url") or ""),
        landing_url=str(result.get("foreign_landing_url") or ""),
    )


def image_url(result: dict[str, Any]) -> str:
    svg = result.get("filetype") == "svg" and result.get("thumbnail")
    return str(result["thumbnail"] if svg else result["url"])


class Openverse(JsonApi):
    """Paginated Openverse image results for a query."""

    name = "openverse"
    default_base = BASE_URL

    def first_url(self, query: str) -> str:
        args = {
            "q": query,
            "page": 1,
            "page_size": PAGE_SIZE,
            "mature": "false" if self._p.safe_search else "true",
        }
        optional = {
            "license_type": ",".join(self._source.license_type),
            "size": SIZES.get(self._p.image_size_filter),
            "category": CATEGORIES.get(self._p.image_type_filter),
        }
        args.update({k: v for k, v in optional.items() if v})
        return f"{self._base}/v1/images/?{urlencode(args)}"

    def read_page(self, label: str, query: str, url: str, data: Any) -> tuple[list[Candidate], str]:
        found = [
            Candidate(label, image_url(r), query, self.name, url, credit(r))
            for r in data["results"]
            if r.get("url")
        ]
        page = int(url_args(url)["page"])
        more = found and page < int(data["page_count"])
        return found, with_args(url, {"page": page + 1}) if more else ""

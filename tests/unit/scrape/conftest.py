"""A real local web site on 127.0.0.1 for the scrape tests: engines, images, hostile answers."""

from __future__ import annotations

import contextlib
import io
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from PIL import Image

from ganpipe.params import ScrapeParams

FORMATS = ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"]
CTYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
CLASSES = {"cat": "cat photo", "dog": "dog photo", "fox": "fox photo"}
PER_CLASS = 50
PAGE = 20  # results per engine page on the local site
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
VQD = "4-31415926535897932384626433832795"


def make_image(index: int, fmt: str, size: int = 16) -> bytes:
    """A small image whose pixels (hence bytes) are unique to ``index``."""
    image = Image.new("RGB", (size, size), (index * 7 % 256, index * 13 % 256, index % 251))
    image.putpixel((index % size, (index // size) % size), (255, 255 - index % 256, 0))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@dataclass
class Site:
    """What the local server serves, and a log of what it was asked."""

    base: str = ""
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    results: dict[str, list[str]] = field(default_factory=dict)  # query -> image URLs
    requests: list[str] = field(default_factory=list)
    agents: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)
    bing_next: set[str] = field(default_factory=set)  # queries whose pages carry data-nextUrl
    traps: dict[tuple[str, int], str] = field(default_factory=dict)  # (query, page) -> trap
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, prefix: str) -> list[str]:
        with self.lock:
            return [p for p in self.requests if p.startswith(prefix)]

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.agents.clear()
            self.counters.clear()
            self.traps.clear()

    def count(self, path: str) -> int:
        with self.lock:
            self.counters[path] = self.counters.get(path, 0) + 1
            return self.counters[path]


class Handler(BaseHTTPRequestHandler):
    """Routes: /img/*, /h/* (hostile), bing, duckduckgo and google result pages."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers + body wait on delayed ACKs (40 ms each)
    site: Site

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def send(
        self,
        status: int,
        body: bytes = b"",
        ctype: str = "text/html",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.site.lock:
            self.site.requests.append(self.path)
            self.site.agents.add(self.headers.get("User-Agent", ""))
        route = ROUTES.get(parts.path) or next(
            (fn for prefix, fn in PREFIXES if parts.path.startswith(prefix)), None
        )
        if route is None:
            self.send(404, b"not found")
        else:
            route(self, parts.path, query)


def _file(h: Handler, path: str, q: dict[str, str]) -> None:
    if path not in h.site.files:
        h.send(404, b"no such file")
        return
    body, ctype = h.site.files[path]
    h.send(200, body, ctype)


def _robots(h: Handler, path: str, q: dict[str, str]) -> None:
    h.send(200, ROBOTS, "text/plain")


def _trap(h: Handler, query: str, page: int) -> bool:
    """Answer a trapped API page (429, malformed or unexpected JSON); True when answered."""
    trap = h.site.traps.get((query, page), "")
    if trap == "429-once" and h.site.count(f"{query}#{page}") > 1:
        return False
    if trap in ("429", "429-once"):
        h.send(429, b'{"detail": "throttled"}', "application/json", {"Retry-After": "1"})
    elif trap == "bad-json":
        h.send(200, b'{"result_count": 50, "results": [{"url": ', "application/json")
    elif trap == "wrong-shape":
        h.send(200, b'{"detail": "Invalid page"}', "application/json")
    elif trap == "api-error":
        error = {"error": {"code": "maxlag", "info": "Waiting for a database server"}}
        h.send(200, json.dumps(error).encode(), "application/json")
    return bool(trap)


def _bing(h: Handler, path: str, q: dict[str, str]) -> None:
    urls = h.site.results.get(q.get("q", ""), [])
    first = max(int(q.get("first", "1")) - 1, 0)
    if _trap(h, q.get("q", ""), first // PAGE + 1):
        return
    page = urls[first : first + PAGE] or urls[-PAGE:]  # like Bing: past the end, the tail again
    following = ""
    if q.get("q") in h.site.bing_next:  # Bing's own link: overlaps 3 results, no adlt
        args = urlencode({"q": q["q"], "first": first + PAGE - 2, "count": 35, "mmasync": 1})
        following = f'<div id="mmComponent_images_1" data-nextUrl="/images/async?{args}'
        following += '&amp;dgState=x*193_y*1525_i*36"></div>'
    thumb, source = h.site.url("/thumb/t.jpg"), h.site.url("/page")
    items = "".join(
        '<li><div class="imgpt"><a class="iusc" href="/images/search?view=detail" '
        f"""m='{json.dumps({"murl": u, "purl": source, "turl": thumb})}'>"""
        f'<img class="mimg" src="{thumb}"></a></div></li>'
        for u in page
    )
    page_html = f'<ul class="dgControl_list">{items}</ul>{following}'
    h.send(200, f"<html><body>{page_html}</body></html>".encode())


def _ddg_page(h: Handler, path: str, q: dict[str, str]) -> None:
    h.send(
        200,
        f"<html><script>DDG.deep.initialize('/d.js?q=x&vqd=\"{VQD}\"');"
        f'vqd="{VQD}"</script></html>'.encode(),
    )


def _ddg_json(h: Handler, path: str, q: dict[str, str]) -> None:
    if q.get("vqd") != VQD:
        h.send(403, b"{}", "application/json")
        return
    urls = h.site.results.get(q.get("q", ""), [])
    start = int(q.get("s", "0"))
    if _trap(h, q.get("q", ""), start // PAGE + 1):
        return
    data: dict[str, object] = {
        "results": [
            {
                "image": u,
                "thumbnail": h.site.url("/thumb/t.jpg"),
                "url": h.site.url("/page"),
                "width": 16,
                "height": 16,
            }
            for u in urls[start : start + PAGE]
        ]
    }
    if start + PAGE < len(urls):
        data["next"] = f"i.js?q={q['q']}&o=json&p={q.get('p', '')}&s={start + PAGE}&l=wt-wt"
    h.send(200, json.dumps(data).encode(), "application/json")


GOOGLE_PAGE = """<!doctype html><html><head><style>
 .tile {width: 120px; height: 140px; display: block; margin: 4px}
 .YQ4gaf {width: 120px; height: 120px; background: #ccc}
 .mye4qd {display: none} #preview {position: fixed; right: 0; top: 0}
</style></head><body><div id="grid"></div>
<input class="mye4qd" type="button" value="Show more results">
<div id="preview"><img class="sFlh5c" src="" alt=""></div>
<script>
const FULL = __FULL__;
const BATCH = 20;
let loaded = 0, unlocked = 40;
const grid = document.getElementById('grid');
const more = document.querySelector('.mye4qd');
function load() {
  const end = Math.min(loaded + BATCH, FULL.length, unlocked);
  for (let i = loaded; i < end; i++) {
    const tile = document.createElement('div');
    tile.className = 'tile';
    const img = document.createElement('img');
    img.className = 'YQ4gaf';
    img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    img.addEventListener('click', () => setTimeout(() => {
      document.querySelector('#preview img').src = FULL[i];
    }, 20));
    tile.appendChild(img);
    grid.appendChild(tile);
  }
  loaded = end;
  more.style.display = (loaded === unlocked && loaded < FULL.length) ? 'inline' : 'none';
}
more.addEventListener('click', () => { unlocked = FULL.length; load(); });
window.addEventListener('scroll', () => {
  if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 50) load();
});
load();
</script></body></html>"""


def _google(h: Handler, path: str, q: dict[str, str]) -> None:
    if q.get("tbm") != "isch":
        h.send(400, b"not an image search")
        return
    urls = h.site.results.get(q.get("q", ""), [])
    h.send(200, GOOGLE_PAGE.replace("__FULL__", json.dumps(urls)).encode())


def _hostile(h: Handler, path: str, q: dict[str, str]) -> None:
    name = path.removeprefix("/h/")
    if name.startswith("once-429"):  # 429 the first time, then an image
        if h.site.count(path) == 1:
            h.send(429, b"slow down", headers={"Retry-After": "1"})
        else:
            h.send(200, make_image(900, "PNG"), "image/png")
    elif name == "always-429":
        h.send(429, b"slow down", headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    elif name == "always-500":
        h.send(500, b"oops")
    elif name == "once-503":
        if h.site.count(path) == 1:
            h.send(503, b"busy")
        else:
            h.send(200, make_image(901, "JPEG"), "image/jpeg")
    elif name == "stall":  # headers, then silence longer than the read timeout
        h.send_response(200)
        h.send_header("Content-Type", "image/png")
        h.send_header("Content-Length", "1000")
        h.end_headers()
        h.wfile.flush()
        time.sleep(1.0)
        h.close_connection = True
    elif name == "trickle":  # one byte at a time, each within the read timeout
        h.send_response(200)
        h.send_header("Content-Type", "image/png")
        h.send_header("Content-Length", "3000")  # under the byte cap
        h.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(60):
                h.wfile.write(b"\x89")
                h.wfile.flush()
                time.sleep(0.05)
        h.close_connection = True
    elif name in ("loop-a", "loop-b"):
        other = "loop-b" if name == "loop-a" else "loop-a"
        h.send(302, b"", headers={"Location": f"/h/{other}"})
    elif name == "to-file":
        h.send(302, b"", headers={"Location": "file:///etc/passwd"})
    elif name == "to-image":
        h.send(301, b"", headers={"Location": "/img/redirected.png"})
    elif name == "html-as-jpeg":
        h.send(200, b"<!doctype html><html><body>404 Not Found</body></html>", "image/jpeg")
    elif name == "big-declared":
        body = make_image(902, "BMP", size=64)  # ~12 kB, declared honestly
        h.send(200, body, "image/bmp")
    elif name == "big-undeclared":  # no Content-Length: only streaming can catch it
        h.send_response(200)
        h.send_header("Content-Type", "image/png")
        h.send_header("Connection", "close")
        h.end_headers()
        with contextlib.suppress(OSError):
            h.wfile.write(b"\x89PNG\r\n\x1a\n" + b"\0" * 50_000)
        h.close_connection = True
    elif name == "truncated":  # declares 2,000 bytes, sends 500, hangs up
        h.send_response(200)
        h.send_header("Content-Type", "image/png")
        h.send_header("Content-Length", "2000")
        h.end_headers()
        h.wfile.write(make_image(903, "PNG", size=64)[:500])
        h.close_connection = True
    elif name == "corrupt-png":  # a complete answer whose bytes are half a PNG
        whole = make_image(904, "PNG", size=64)
        h.send(200, whole[: len(whole) // 2], "image/png")
    else:
        h.send(404, b"no such trap")


API_PAGE = 20  # most results per page either API stand-in gives
LICENSES = [("by", "2.0"), ("by-sa", "4.0"), ("cc0", "1.0"), ("pdm", "1.0")]


def openverse_result(site: Site, url: str, i: int) -> dict[str, object]:
    """One result in the documented shape of Openverse's ``/v1/images/``."""
    code, version = LICENSES[i % len(LICENSES)]
    return {
        "id": f"0000-{i:04d}",
        "title": f"Picture [{i}]",
        "foreign_landing_url": site.url(f"/photos/{i}"),
        "url": url,
        "creator": f"Creator {i}",
        "creator_url": site.url(f"/people/{i}"),
        "license": code,
        "license_version": version,
        "license_url": f"https://creativecommons.org/licenses/{code}/{version}/",
        "provider": "flickr",
        "source": "flickr",
        "filetype": url.rsplit(".", 1)[-1],
        "mature": False,
        "thumbnail": site.url(f"/thumb/{i}.jpg"),
    }


def _openverse(h: Handler, path: str, q: dict[str, str]) -> None:
    query, page, size = q.get("q", ""), int(q.get("page", "1")), int(q.get("page_size", "20"))
    if size > API_PAGE:  # like Openverse for anonymous clients
        h.send(401, b'{"detail": "page_size over 20 needs a key"}', "application/json")
        return
    urls = h.site.results.get(query, [])
    pages = -(-len(urls) // size)
    if page > max(pages, 1):
        h.send(400, b'{"detail": "Invalid page"}', "application/json")
        return
    if _trap(h, query, page):
        return
    start = (page - 1) * size
    data = {
        "result_count": len(urls),
        "page_count": pages,
        "page_size": size,
        "page": page,
        "results": [
            openverse_result(h.site, u, start + i) for i, u in enumerate(urls[start : start + size])
        ],
    }
    h.send(200, json.dumps(data).encode(), "application/json")


def render_path(query: str) -> str:
    """Where the Commons stand-in serves the PNG rendering of the query's SVG file."""
    return f"/img/render/{query.replace(' ', '-')}.png"


def commons_page(site: Site, url: str, i: int, mime: str = "") -> dict[str, object]:
    """One page of a ``generator=search&prop=imageinfo`` answer (formatversion=2)."""
    name = f"Picture {i}.{url.rsplit('.', 1)[-1]}"
    meta = {
        "ObjectName": f"Picture <i>{i}</i>",
        "Artist": f'<a href="//people.example/wiki/User:A{i}">Artist <b>{i}</b></a>',
        "LicenseShortName": "CC BY-SA 4.0",
        "LicenseUrl": "https://creativecommons.org/licenses/by-sa/4.0",
        "AttributionRequired": "true",
        "UsageTerms": "Creative Commons Attribution-Share Alike 4.0",
    }
    info = {
        "url": url,
        "descriptionurl": site.url(f"/wiki/File:{name.replace(' ', '_')}"),
        "mime": mime or CTYPES.get(url.rsplit(".", 1)[-1].upper(), ""),
        "width": 16,
        "height": 16,
        "thumburl": site.url(f"/thumb/{i}.png"),
        "extmetadata": {k: {"value": v, "source": "commons-desc-page"} for k, v in meta.items()},
    }
    return {
        "pageid": 1000 + i,
        "ns": 6,
        "title": f"File:{name}",
        "index": i + 1,
        "imageinfo": [info],
    }


def _commons(h: Handler, path: str, q: dict[str, str]) -> None:
    query = q.get("gsrsearch", "")
    if q.get("generator") != "search" or q.get("gsrnamespace") != "6":
        h.send(
            200, b'{"error": {"code": "badvalue", "info": "not a file search"}}', "application/json"
        )
        return
    offset, limit = int(q.get("gsroffset", "0")), min(int(q.get("gsrlimit", "10")), API_PAGE)
    if _trap(h, query, offset // API_PAGE + 1):
        return
    pages = [commons_page(h.site, u, i) for i, u in enumerate(h.site.results.get(query, []))]
    if pages:  # a PDF to skip and an SVG to take as its PNG rendering, after the first image
        pdf = commons_page(h.site, h.site.url("/files/scan.pdf"), 90, "application/pdf")
        svg = commons_page(h.site, h.site.url("/files/logo.svg"), 91, "image/svg+xml")
        svg["imageinfo"][0]["thumburl"] = h.site.url(f"/img/render/{query.replace(' ', '-')}.png")  # type: ignore[index]
        pages[1:1] = [pdf, svg]
    data: dict[str, object] = {"batchcomplete": True}
    if offset + limit < len(pages):
        data["continue"] = {"gsroffset": offset + limit, "continue": "gsroffset||"}
    batch = pages[offset : offset + limit]
    random.Random(offset).shuffle(batch)  # pages come unordered; "index" is the search rank
    data["query"] = {"pages": batch}
    h.send(200, json.dumps(data).encode(), "application/json")


ROUTES: dict[str, Callable[[Handler, str, dict[str, str]], None]] = {
    "/robots.txt": _robots,
    "/images/async": _bing,
    "/": _ddg_page,
    "/i.js": _ddg_json,
    "/search": _google,
    "/v1/images/": _openverse,
    "/w/api.php": _commons,
}


def _no_token(h: Handler, path: str, q: dict[str, str]) -> None:
    h.send(200, b"<html><body>a page without any token</body></html>")


PREFIXES = [
    ("/img/", _file),
    ("/private/v1/images/", _openverse),  # an API under a path robots.txt disallows
    ("/private/", _file),
    ("/h/", _hostile),
    ("/novqd/", _no_token),
]


def class_urls(site: Site, label: str, n: int = PER_CLASS) -> list[str]:
    """Register ``n`` unique images of many formats for ``label``; return their URLs."""
    offset = sorted(CLASSES).index(label) * 1000 if label in CLASSES else 5000
    urls = []
    for i in range(n):
        fmt = FORMATS[i % len(FORMATS)]
        path = f"/img/{label}/{i}.{fmt.lower()}"
        site.files[path] = (make_image(offset + i, fmt), CTYPES[fmt])
        urls.append(site.url(path))
    return urls


class QuietServer(ThreadingHTTPServer):
    """Clients hanging up mid-answer is what the hostile routes provoke: not worth a trace."""

    daemon_threads = True
    request_queue_size = 128  # 8 download threads connecting at once overflow the default 5

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore errors from connections the client dropped."""


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    """The running server; the three classes' result lists are registered for every engine."""
    state = Site()
    handler = type("BoundHandler", (Handler,), {"site": state})
    server = QuietServer(("127.0.0.1", 0), handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    for label, query in CLASSES.items():
        state.results[query] = class_urls(state, label)
    state.files["/img/redirected.png"] = (make_image(905, "PNG"), "image/png")
    state.files["/private/secret.png"] = (make_image(906, "PNG"), "image/png")
    state.results["private things"] = [state.url("/private/secret.png")]
    for n, query in enumerate(CLASSES.values()):  # Commons' PNG renderings of SVG files
        state.files[f"/img/render/{query.replace(' ', '-')}.png"] = (
            make_image(910 + n, "PNG"),
            "image/png",
        )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def fresh_site(site: Site) -> Site:
    site.reset()
    return site


@pytest.fixture
def params() -> ScrapeParams:
    """Fast, strict settings: tiny timeouts and waits so hostile cases end quickly."""
    return ScrapeParams(
        workers=8,
        per_host_rate=0,
        connect_timeout=1.0,
        read_timeout=0.3,
        total_timeout=1.0,
        retries=2,
        backoff=0.01,
        max_retry_wait=0.05,
        max_bytes=5_000,
        max_pages=10,
    )


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    return tmp_path / "raw"

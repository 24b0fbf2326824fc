"""``ganpipe review``: a page on 127.0.0.1 to click through the images filter kept and mark the
ones to reject; the marks go to ``reject.txt``, and ``dvc repro`` re-runs filter and later stages.

The standard library's threaded HTTP server is enough for one user on one machine: a static page
(``static/``, plain JavaScript, nothing fetched from elsewhere, so it works offline), JSON
endpoints (``GET /api/state``, ``POST /api/toggle`` and ``/api/undo``) and PNG thumbnails made as
reduce will see the image (alpha on the background), cached in memory. It answers only requests
addressed to 127.0.0.1 or localhost (a page elsewhere cannot reach it through DNS rebinding), and
changes only through JSON POSTs from its own origin, which other sites' forms cannot send.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ganpipe.clean.decode import Rejected
from ganpipe.clean.review import thumbnail
from ganpipe.errors import UserError
from ganpipe.review.state import Review, ReviewError, cap_per_class, load_items

HOST = "127.0.0.1"
THUMB_BOX = 128  # thumbnail size in pixels; the page shows them at this size
THUMB_CACHE = 2048  # thumbnails kept in memory (~30 kB each)
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/review.js": ("review.js", "text/javascript; charset=utf-8"),
    "/review.css": ("review.css", "text/css; charset=utf-8"),
}


def serve(
    filtered: Path,
    raw: Path,
    suspects: Path,
    reject_list: Path,
    background: tuple[int, int, int],
    port: int,
    per_class: int = 0,
) -> None:
    """Serve until Ctrl-C; the first line printed names the URL (``port`` 0: a free one).

    ``per_class`` (0 = all) shows each class's most suspicious images only.
    """
    items = load_items(filtered, raw, suspects)
    if not items:
        raise UserError(f"{filtered}/manifest.csv: no kept images to review")
    shown, hidden = cap_per_class(items, per_class)
    review = Review(shown, reject_list, hidden)
    try:
        server = make_server(review, background, port)
    except OSError as err:
        raise UserError(f"cannot listen on {HOST}:{port} ({err}); try --port 0") from err
    classes = len({item.row.label for item in items})
    print(
        f"ganpipe review: {len(shown)} of {len(items)} images of {classes} classes at "
        f"http://{HOST}:{server.server_address[1]}/ (Ctrl-C to stop); marks go to {reject_list}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def make_server(review: Review, background: tuple[int, int, int], port: int) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1:``port``, not yet serving."""
    thumbs = lru_cache(maxsize=THUMB_CACHE)(lambda file: _png(file, background))
    handler = type("Handler", (_Handler,), {"review": review, "thumbs": staticmethod(thumbs)})
    server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


def _png(file: Path, background: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    thumbnail(file, background, THUMB_BOX).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class _Handler(BaseHTTPRequestHandler):
    review: Review
    thumbs: Any  # Path -> PNG bytes, cached
    server_version = "ganpipe-review"

    def do_GET(self) -> None:
        if not self._addressed_to_us():
            return
        path = urlsplit(self.path).path
        if path in STATIC:
            name, kind = STATIC[path]
            body = (resources.files("ganpipe.review") / "static" / name).read_bytes()
            self._send(HTTPStatus.OK, body, kind, cache="no-cache")
        elif path == "/api/state":
            self._json(self.review.state())
        elif path.startswith("/thumb/"):
            self._thumbnail(unquote(path[len("/thumb/") :]))
        else:
            self._json({"error": f"no page {path}"}, HTTPStatus.NOT_FOUND)

    def do_POST(self) -> None:
        if not self._addressed_to_us():
            return
        if self.headers.get_content_type() != "application/json":
            self._json({"error": "send JSON"}, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
            return
        path = urlsplit(self.path).path
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or "{}")
            if path == "/api/toggle":
                self._json(self.review.toggle(str(body["key"])))
            elif path == "/api/undo":
                self._json(self.review.undo())
            else:
                self._json({"error": f"no action {path}"}, HTTPStatus.NOT_FOUND)
        except ReviewError as err:
            self._json({"error": str(err)}, HTTPStatus.CONFLICT)
        except (ValueError, TypeError, KeyError) as err:  # not JSON, or no "key"
            self._json({"error": f"bad request: {err!r}"}, HTTPStatus.BAD_REQUEST)
        except OSError as err:
            error = f"could not write {self.review.reject_list}: {err}"
            self._json({"error": error}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _thumbnail(self, key: str) -> None:
        try:
            item = self.review.item(key)
            body = self.thumbs(item.file)
        except ReviewError as err:
            self._json({"error": str(err)}, HTTPStatus.NOT_FOUND)
            return
        except (OSError, Rejected) as err:
            self._json({"error": f"{item.file}: {err}"}, HTTPStatus.NOT_FOUND)
            return
        # The key holds the content id: the same URL always means the same picture.
        self._send(HTTPStatus.OK, body, "image/png", cache="max-age=86400, immutable")

    def _addressed_to_us(self) -> bool:
        port = self.server.server_address[1]
        ours = {f"{HOST}:{port}", f"localhost:{port}"}
        origin = self.headers.get("Origin")
        if self.headers.get("Host") in ours and (origin is None or origin.split("//")[-1] in ours):
            return True
        self._json({"error": "not addressed to this server"}, HTTPStatus.FORBIDDEN)
        return False

    def _json(self, data: dict[str, Any], status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", cache="no-store")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, cache: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a page of thumbnails would print a line per image."""

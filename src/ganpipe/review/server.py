"""``ganpipe review``: a page on 127.0.0.1 to click through the images filter kept and mark the
ones to reject; the marks go to ``reject.txt``, and ``dvc repro`` re-runs filter and later stages.

The standard library's threaded HTTP server is enough for one user on one machine: a static page
(``static/``, plain JavaScript, nothing fetched from elsewhere, so it works offline), JSON
endpoints (``GET /api/state``, ``POST /api/toggle`` and ``/api/undo``) and PNG thumbnails made as
reduce will see the image (alpha on the background), cached in memory. It answers only requests
addressed to 127.0.0.1 or localhost (a page elsewhere cannot reach it through DNS rebinding), and
changes only through JSON POSTs from its own origin, which other sites' forms cannot send.

Every path starts with a token made per session and printed in the URL (as Jupyter does): other
users of the machine can reach 127.0.0.1 too, but cannot guess it. No page may frame this one
(X-Frame-Options and CSP), so another site cannot turn a user's clicks into toggles. Requests
are bounded (ganpipe.limits): small bodies, shallow JSON, short errors, silent sockets closed.
"""

from __future__ import annotations

import hmac
import io
import itertools
import json
import re
import secrets
import sys
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
from ganpipe.limits import (
    ERROR_CHARS,
    REVIEW_BACKLOG,
    REVIEW_MAX_BODY,
    REVIEW_MAX_JSON_DEPTH,
    REVIEW_SOCKET_TIMEOUT,
    clip,
)
from ganpipe.review.state import Review, ReviewError, cap_per_class, load_items

HOST = "127.0.0.1"
THUMB_BOX = 128  # thumbnail size in pixels; the page shows them at this size
THUMB_CACHE = 2048  # thumbnails kept in memory (~30 kB each)
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/review.js": ("review.js", "text/javascript; charset=utf-8"),
    "/review.css": ("review.css", "text/css; charset=utf-8"),
}
# On every answer: no framing, nothing loaded from elsewhere, the token never sent on.
HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class BadRequest(ValueError):
    """A request this server does not take: sent back with ``status`` and the message."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


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
        f"{server.url} (Ctrl-C to stop); marks go to {reject_list}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class ReviewServer(ThreadingHTTPServer):
    """A thread per request; a burst of clicks waits in the backlog instead of being reset."""

    daemon_threads = True
    request_queue_size = REVIEW_BACKLOG

    def __init__(self, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__((HOST, port), handler)
        self.token = secrets.token_urlsafe(16)
        self.url = f"http://{HOST}:{self.server_address[1]}/{self.token}/"

    def handle_error(self, request: Any, client_address: tuple[str, int]) -> None:
        """A client that left early is one line; anything else is a bug: its traceback."""
        err = sys.exc_info()[1]
        if isinstance(err, ConnectionError | TimeoutError):  # one write: threads do not interleave
            sys.stderr.write(f"ganpipe review: a request ended early ({clip(str(err))})\n")
        else:
            super().handle_error(request, client_address)


def make_server(review: Review, background: tuple[int, int, int], port: int) -> ReviewServer:
    """A server bound to 127.0.0.1:``port``, not yet serving; its ``url`` holds the token."""
    thumbs = lru_cache(maxsize=THUMB_CACHE)(lambda file: _png(file, background))
    handler = type("Handler", (_Handler,), {"review": review, "thumbs": staticmethod(thumbs)})
    return ReviewServer(port, handler)


def _png(file: Path, background: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    thumbnail(file, background, THUMB_BOX).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


_JSON_STRING = re.compile(rb'"(?:\\.|[^"\\])*"')  # a JSON string, escapes included


def _nesting(data: bytes) -> int:
    """How deep ``[`` and ``{`` nest in a JSON text (those inside strings do not count)."""
    bare = _JSON_STRING.sub(b"", data)
    steps = [1 if c in b"[{" else -1 for c in bare if c in b"[]{}"]
    return max(itertools.accumulate(steps), default=0)


class _Handler(BaseHTTPRequestHandler):
    review: Review
    thumbs: Any  # Path -> PNG bytes, cached
    server: ReviewServer
    server_version = "ganpipe-review"
    timeout = REVIEW_SOCKET_TIMEOUT  # set on each connection's socket

    def do_GET(self) -> None:
        path = self._route()
        if path is None:
            return
        if path in STATIC:
            name, kind = STATIC[path]
            body = (resources.files("ganpipe.review") / "static" / name).read_bytes()
            self._send(HTTPStatus.OK, body, kind, cache="no-cache")
        elif path == "/api/state":
            self._json(self.review.state())
        elif path.startswith("/thumb/"):
            self._thumbnail(unquote(path[len("/thumb/") :]))
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no page {path}")

    def do_POST(self) -> None:
        path = self._route()
        if path is None:
            return
        try:
            data = self._act(path, self._json_body())
        except (ConnectionError, TimeoutError):
            raise  # the client left (handle_error: one line) or went silent (closed quietly)
        except BadRequest as err:
            self._error(err.status, str(err))
        except ReviewError as err:
            self._error(HTTPStatus.CONFLICT, str(err))
        except OSError as err:
            error = f"could not write {self.review.reject_list}: {err}"
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, error)
        else:
            self._json(data)

    def _act(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if path == "/api/toggle":
            if not isinstance(body.get("key"), str):
                raise BadRequest(HTTPStatus.BAD_REQUEST, 'bad request: send {"key": "class/id"}')
            return self.review.toggle(body["key"])
        if path == "/api/undo":
            return self.review.undo()
        raise BadRequest(HTTPStatus.NOT_FOUND, f"no action {path}")

    def _json_body(self) -> dict[str, Any]:
        """The request's JSON object, read only if it is small and shallow."""
        if self.headers.get_content_type() != "application/json":
            raise BadRequest(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON")
        length = self.headers.get("Content-Length", "")
        if not (length.isascii() and length.isdigit()):
            raise BadRequest(HTTPStatus.BAD_REQUEST, "bad request: no Content-Length of 0 or more")
        if int(length) > REVIEW_MAX_BODY:
            error = f"a body here has at most {REVIEW_MAX_BODY} bytes, not {int(length):,}"
            raise BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, error)
        data = self.rfile.read(int(length))
        if _nesting(data) > REVIEW_MAX_JSON_DEPTH:
            error = f"bad request: JSON nested deeper than {REVIEW_MAX_JSON_DEPTH} levels"
            raise BadRequest(HTTPStatus.BAD_REQUEST, error)
        try:
            body = json.loads(data or b"{}")
        except ValueError as err:  # not JSON, or not UTF-8
            raise BadRequest(HTTPStatus.BAD_REQUEST, f"bad request: {err}") from None
        if not isinstance(body, dict):
            raise BadRequest(HTTPStatus.BAD_REQUEST, "bad request: send a JSON object")
        return body

    def _thumbnail(self, key: str) -> None:
        try:
            item = self.review.item(key)
            body = self.thumbs(item.file)
        except ReviewError as err:
            self._error(HTTPStatus.NOT_FOUND, str(err))
            return
        except (OSError, Rejected) as err:
            self._error(HTTPStatus.NOT_FOUND, f"{item.file}: {err}")
            return
        # The key holds the content id: the same URL always means the same picture.
        self._send(HTTPStatus.OK, body, "image/png", cache="max-age=86400, immutable")

    def _route(self) -> str | None:
        """The path after this session's token for a request addressed to us; else None, the
        request answered (403, or a redirect to add the slash relative URLs need)."""
        port = self.server.server_address[1]
        ours = {f"{HOST}:{port}", f"localhost:{port}"}
        origin = self.headers.get("Origin")
        if self.headers.get("Host") not in ours or (origin and origin.split("//")[-1] not in ours):
            self._error(HTTPStatus.FORBIDDEN, "not addressed to this server")
            return None
        token, slash, rest = urlsplit(self.path).path[1:].partition("/")
        if not hmac.compare_digest(token.encode(), self.server.token.encode()):
            self._error(HTTPStatus.FORBIDDEN, "open the address `ganpipe review` printed")
            return None
        if not slash:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", f"/{token}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return f"/{rest}"

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._json({"error": clip(message, ERROR_CHARS)}, status)

    def _json(self, data: dict[str, Any], status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", cache="no-store")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, cache: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        """Every answer, http.server's own errors included, carries the HEADERS."""
        for name, value in HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's errors (a malformed request line...) echo at most ERROR_CHARS of it."""
        super().send_error(code, message and clip(message, ERROR_CHARS), explain)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a page of thumbnails would print a line per image."""

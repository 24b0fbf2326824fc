"""One polite, bounded HTTP GET: the only way any web code in ganpipe talks to a server.

Redirects are followed by hand so every hop is checked: a hop may switch between http and
https, but any other scheme (file:, ftp:, data: ...) or a loop ends the download, and robots.txt
and the rate limit apply to each hop's host. The body is streamed against a byte cap and a
whole-download deadline, because a per-read timeout alone never stops a server that trickles
one byte at a time.
"""

from __future__ import annotations

import email.utils
import os
import threading
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from ganpipe.params import ScrapeParams
from ganpipe.scrape.ratelimit import HostRateLimiter
from ganpipe.scrape.robots import RobotsCache

SCHEMES = ("http", "https")
MAX_REDIRECTS = 10
CHUNK = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)
# Failures worth another try on a later run; everything else is final for its URL.
PAGE_MAX_BYTES = 10_000_000  # cap for search result pages and robots.txt
TRANSIENT = ("http_429", "http_5", "timeout", "connection_error", "truncated")


def is_transient(reason: str) -> bool:
    return reason.startswith(TRANSIENT)


@dataclass(frozen=True)
class Response:
    """What one GET ended with. ``reason`` is empty only for a complete 2xx body."""

    url: str
    final_url: str
    status: int = 0  # last HTTP status seen; 0 when no response came
    content_type: str = ""
    body: bytes = b""
    reason: str = ""
    detail: str = ""


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _environment() -> tuple[bool, str | bool]:
    """(trust_env, verify) for the sessions, read from the environment once.

    With ``trust_env`` on, requests re-reads proxies, CA bundle and ~/.netrc on every request
    (about a millisecond each). It stays on only when proxies are set, since ``no_proxy``
    needs a per-URL decision; the CA bundle variables are applied once instead, and .netrc
    passwords are never offered to arbitrary image hosts.
    """
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return bool(urllib.request.getproxies()), bundle or True


def _classify(err: Exception) -> tuple[str, str]:
    """Map a requests/urllib3 exception to a manifest reason."""
    text = f"{type(err).__name__}: {err}"
    if isinstance(err, requests.Timeout | urllib3.exceptions.TimeoutError):
        return "timeout", text
    if "IncompleteRead" in text or isinstance(err, requests.exceptions.ChunkedEncodingError):
        return "truncated", text
    if isinstance(
        err,
        requests.exceptions.InvalidURL
        | requests.exceptions.InvalidSchema
        | requests.exceptions.MissingSchema,
    ):
        return "bad_url", text
    return "connection_error", text


class Fetcher:
    """Thread-safe GETs with per-host pacing, retries, robots.txt and limits from params."""

    def __init__(self, params: ScrapeParams) -> None:
        self._p = params
        self._limiter = HostRateLimiter(params.per_host_rate)
        self._robots = (
            RobotsCache(self._get_robots, params.user_agent) if params.respect_robots else None
        )
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._trust_env, self._verify = _environment()

    def _get_robots(self, url: str) -> Response:
        return self.get(url, robots=False, max_bytes=PAGE_MAX_BYTES)

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def get(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        robots: bool = True,
        max_bytes: int = 0,
    ) -> Response:
        """GET ``url``; never raises for network trouble, the outcome is in ``reason``.

        ``max_bytes`` (0 = ``params.max_bytes``) lets result pages have their own cap.
        """
        cap = max_bytes or self._p.max_bytes
        deadline = time.monotonic() + self._p.total_timeout
        hops = [url]
        while True:
            current = hops[-1]
            refused = self._refuse(current, robots)
            if refused:
                return Response(url, current, reason=refused[0], detail=refused[1])
            answer = self._request(url, current, headers, deadline)
            if isinstance(answer, Response):
                return answer
            if answer.status_code not in REDIRECTS or "location" not in answer.headers:
                return self._read(url, current, answer, deadline, cap)
            answer.close()
            target = urljoin(current, answer.headers["location"])
            if target in hops or len(hops) > MAX_REDIRECTS:
                return Response(
                    url,
                    target,
                    answer.status_code,
                    reason="redirect_loop",
                    detail=" -> ".join([*hops, target]),
                )
            hops.append(target)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (always True when robots are off)."""
        return self._robots is None or self._robots.allowed(url)

    def _refuse(self, url: str, robots: bool) -> tuple[str, str] | None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in SCHEMES:
            return "bad_scheme", f"only http and https are fetched, not {parts.scheme!r}"
        if not parts.hostname:
            return "bad_url", "no host in URL"
        if robots and not self.allowed(url):
            return "robots", f"disallowed for {self._p.user_agent!r} by robots.txt"
        return None

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = self._trust_env
            session.verify = self._verify
            session.headers["User-Agent"] = self._p.user_agent
            adapter = HTTPAdapter(pool_connections=8, pool_maxsize=2, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            with self._lock:
                self._sessions.append(session)
            self._local.session = session
        return session

    def _request(
        self, url: str, current: str, headers: dict[str, str] | None, deadline: float
    ) -> requests.Response | Response:
        """Send one request, retrying 429 and 5xx with backoff or the server's Retry-After."""
        host = urlsplit(current).netloc
        for attempt in range(self._p.retries + 1):
            self._limiter.wait(host)
            try:
                answer = self._session().get(
                    current,
                    headers=headers,
                    stream=True,
                    allow_redirects=False,
                    timeout=(self._p.connect_timeout, self._p.read_timeout),
                )
            except requests.RequestException as err:
                return Response(url, current, 0, "", b"", *_classify(err))
            status = answer.status_code
            if status != 429 and status < 500:
                return answer
            wait = retry_after(answer.headers.get("retry-after"))
            wait = min(
                self._p.backoff * 2**attempt if wait is None else wait, self._p.max_retry_wait
            )
            answer.close()
            if attempt == self._p.retries or time.monotonic() + wait > deadline:
                return Response(
                    url,
                    current,
                    status,
                    answer.headers.get("content-type", ""),
                    reason=f"http_{status}",
                    detail=f"after {attempt + 1} tries",
                )
            time.sleep(wait)
        raise AssertionError("unreachable: the last attempt always returns")

    def _read(
        self, url: str, current: str, answer: requests.Response, deadline: float, cap: int
    ) -> Response:
        """Stream the body under the byte cap and the deadline."""
        ctype = answer.headers.get("content-type", "")
        status = answer.status_code
        with answer:
            if not 200 <= status < 300:
                return Response(url, current, status, ctype, reason=f"http_{status}")
            length = answer.headers.get("content-length", "")
            if length.isdigit() and int(length) > cap:
                return Response(
                    url,
                    current,
                    status,
                    ctype,
                    reason="too_large",
                    detail=f"Content-Length {length} > {cap}",
                )
            body = bytearray()
            try:
                while chunk := answer.raw.read1(CHUNK, decode_content=True):
                    body += chunk
                    if len(body) > cap:
                        return Response(
                            url,
                            current,
                            status,
                            ctype,
                            reason="too_large",
                            detail=f"body over {cap} bytes",
                        )
                    if time.monotonic() > deadline:
                        return Response(
                            url,
                            current,
                            status,
                            ctype,
                            reason="timeout",
                            detail=f"not done in {self._p.total_timeout}s",
                        )
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as err:
                return Response(url, current, status, ctype, bytes(body), *_classify(err))
        return Response(url, current, status, ctype, bytes(body))

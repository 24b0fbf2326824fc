"""robots.txt, fetched once per host and kept for the run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser


class _Response(Protocol):
    status: int
    body: bytes
    reason: str


class RobotsCache:
    """Answers "may this user agent fetch this URL?" with one robots.txt request per host.

    Status handling follows RFC 9309: 4xx means no rules (allowed), except 401/403 and 5xx,
    which mean "everything disallowed". An unreachable host is allowed here so that the image
    request itself fails and records the real reason (timeout, connection error).
    """

    def __init__(self, get: Callable[[str], _Response], user_agent: str) -> None:
        self._get = get
        self._agent = user_agent
        self._parsers: dict[str, RobotFileParser] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            if host not in self._parsers:
                self._parsers[host] = self._load(host)
        return self._parsers[host].can_fetch(self._agent, url)

    def _load(self, host: str) -> RobotFileParser:
        parser = RobotFileParser(f"{host}/robots.txt")
        response = self._get(f"{host}/robots.txt")
        if response.status in (401, 403) or response.status >= 500:
            parser.disallow_all = True
        elif response.status == 200 and not response.reason:
            parser.parse(response.body.decode("utf-8", "replace").splitlines())
        else:
            parser.allow_all = True
        return parser

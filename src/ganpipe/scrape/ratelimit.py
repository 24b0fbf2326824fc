"""Per-host request pacing, so many download threads never hammer one server."""

from __future__ import annotations

import threading
import time


class HostRateLimiter:
    """A token bucket of depth one per host (GCRA): at most ``rate`` requests per second.

    Each host keeps the earliest time its next request may start; a caller books the next
    slot under a lock and sleeps outside it, so waiting on one host never blocks another.
    ``rate`` of 0 or None switches pacing off (local benchmarks).
    """

    def __init__(self, rate: float | None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        """Block until ``host`` may be asked again."""
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self._interval
        if start > now:
            time.sleep(start - now)

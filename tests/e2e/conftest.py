"""Fixtures of the end-to-end tests; the helpers they share are in e2ekit.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
from e2ekit import SearchHandler, SearchSite


@pytest.fixture(scope="session")
def search_site() -> Iterator[SearchSite]:
    """A running local image-search site; tests register classes with ``add_class``."""
    site = SearchSite()
    handler = type("Handler", (SearchHandler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()

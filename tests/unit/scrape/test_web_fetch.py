"""The single-GET layer: retries, Retry-After, redirects, caps, robots.txt, user agent."""

from __future__ import annotations

import time
from dataclasses import replace
from email.utils import formatdate

import pytest
from conftest import Site

from ganpipe.params import ParamsError, ScrapeParams, Source, build
from ganpipe.scrape.fetch import Fetcher, is_transient, retry_after
from ganpipe.scrape.ratelimit import HostRateLimiter


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = time.time()
    assert retry_after("7") == 7.0
    assert retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0  # in the past
    assert retry_after("soon") is None and retry_after(None) is None


def test_429_waits_for_retry_after_capped_then_succeeds(
    fresh_site: Site, params: ScrapeParams
) -> None:
    fetcher = Fetcher(replace(params, max_retry_wait=0.4))
    start = time.monotonic()
    answer = fetcher.get(fresh_site.url("/h/once-429-wait"))
    elapsed = time.monotonic() - start
    assert answer.reason == "" and answer.status == 200
    assert 0.4 <= elapsed < 0.9, "Retry-After: 1 honoured, but capped at max_retry_wait"
    assert fresh_site.hits("/h/once-429-wait") == ["/h/once-429-wait"] * 2


def test_retries_stop_after_the_configured_count(fresh_site: Site, params: ScrapeParams) -> None:
    answer = Fetcher(replace(params, retries=3)).get(fresh_site.url("/h/always-500"))
    assert (answer.reason, answer.status) == ("http_500", 500)
    assert len(fresh_site.hits("/h/always-500")) == 4
    assert is_transient(answer.reason) and not is_transient("not_an_image")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/h/loop-a", "redirect_loop"),
        ("/h/to-file", "bad_scheme"),
        ("/h/stall", "timeout"),
        ("/h/trickle", "timeout"),
        ("/h/truncated", "truncated"),
        ("/h/big-declared", "too_large"),
        ("/h/big-undeclared", "too_large"),
        ("/h/missing", "http_404"),
    ],
)
def test_hostile_answers_end_with_a_reason_in_bounded_time(
    fresh_site: Site, params: ScrapeParams, path: str, reason: str
) -> None:
    start = time.monotonic()
    answer = Fetcher(params).get(fresh_site.url(path))
    assert answer.reason == reason
    assert time.monotonic() - start < params.total_timeout + 0.5


def test_only_http_and_https_are_fetched(params: ScrapeParams) -> None:
    fetcher = Fetcher(params)
    for url in ("file:///etc/passwd", "ftp://example.org/x.png", "data:image/png;base64,AA=="):
        assert fetcher.get(url).reason == "bad_scheme"


def test_robots_txt_is_respected_and_can_be_switched_off(
    fresh_site: Site, params: ScrapeParams
) -> None:
    url = fresh_site.url("/private/secret.png")
    fetcher = Fetcher(params)
    assert fetcher.get(url).reason == "robots"
    assert fetcher.get(url).reason == "robots"
    assert fresh_site.hits("/robots.txt") == ["/robots.txt"], "robots.txt is cached per host"
    assert not fresh_site.hits("/private/")
    answer = Fetcher(replace(params, respect_robots=False)).get(url)
    assert answer.reason == "" and answer.body.startswith(b"\x89PNG")


def test_user_agent_is_configurable(fresh_site: Site, params: ScrapeParams) -> None:
    Fetcher(replace(params, user_agent="test-agent/9")).get(fresh_site.url("/img/redirected.png"))
    assert fresh_site.agents == {"test-agent/9"}


def test_rate_limit_paces_each_host_separately() -> None:
    limiter = HostRateLimiter(20.0)
    start = time.monotonic()
    for _ in range(5):
        limiter.wait("a")
        limiter.wait("b")
    assert 0.18 <= time.monotonic() - start < 0.5  # 4 intervals of 50 ms, hosts in parallel
    start = time.monotonic()
    for _ in range(100):
        HostRateLimiter(0).wait("a")
    assert time.monotonic() - start < 0.05


def test_params_accept_zero_rate_and_reject_bad_values() -> None:
    source = {"kind": "urls", "url_files": {"a": "a.txt"}}
    assert build(ScrapeParams, {"sources": [source], "per_host_rate": 0}, "scrape")
    with pytest.raises(ParamsError, match=r"scrape\.read_timeout: got 0; allowed: > 0"):
        build(ScrapeParams, {"sources": [source], "read_timeout": 0}, "scrape")
    with pytest.raises(ParamsError, match=r"scrape.sources\[0\].queries: required"):
        build(ScrapeParams, {"sources": [{"kind": "bing"}]}, "scrape")
    assert Source(kind="bing", queries={"a": "q"}).base_url == ""

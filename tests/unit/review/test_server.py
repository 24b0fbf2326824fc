"""``ganpipe review`` in real headless Chromium: click, keys, undo, reject.txt, then filter.

Also the server's guards, over plain HTTP: foreign Host headers, non-JSON POSTs, bad requests.
"""

from __future__ import annotations

import functools
import json
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browserkit import (
    chromium,
    console_errors,
    needs_chromium,
    open_page,
    page_env,
    review_server,
    tile,
    wait_rejected,
)
from reviewkit import REPO, Project, build_project
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from ganpipe.cli import main
from ganpipe.manifest import KEPT, REJECTED
from ganpipe.review.server import ReviewServer, make_server
from ganpipe.review.state import Review, load_items


def press(driver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


# filter's paths, as dvc.yaml's cmd passes them
FILTER_PATHS = [
    "--inp",
    "data/raw",
    "--reject-list",
    "reject.txt",
    "--out",
    "data/filtered",
    "--metrics",
    "metrics/filter.json",
]


@needs_chromium
def test_click_keys_and_undo_edit_reject_txt_then_filter_rejects_as_listed(
    project: Project,
) -> None:
    bar = project.keys("bar")
    suspect, first, second = bar[2], bar[0], bar[1]
    project.write_suspects({suspect: (0.6, "low")} | {k: (0.1, "bar") for k in bar if k != suspect})
    globbed = project.keys("low")[-1]
    before = project.reject_list.read_text()

    with review_server(project.root, page_env(REPO / "src")) as url, chromium() as driver:
        tiles = open_page(driver, url)
        assert [t.get_attribute("data-key") for t in tiles[:3]] == [suspect, first, second]
        assert tiles[0].find_element(By.CSS_SELECTOR, ".badge").text == "suspect"
        assert tiles[0].find_element(By.CSS_SELECTOR, ".reason").text == "closer to class low"
        assert tiles[0].find_element(By.CSS_SELECTOR, ".score").text == "0.60 #1"
        assert "strong" not in tiles[0].get_attribute("class")  # 0.75 and up: a red badge
        title = tiles[0].get_attribute("title")
        assert "(suspect: closer to class low; suspicion 0.60, 0.50 at the cut)" in title
        assert not tiles[1].find_elements(By.CSS_SELECTOR, ".reason")
        assert "no suspect ranking" not in driver.find_element(By.ID, "note").text.lower()

        # The glob's rejection is shown and cannot be clicked away.
        assert tile(driver, globbed).get_attribute("aria-pressed") == "true"
        tile(driver, globbed).click()
        message = driver.find_element(By.ID, "message")
        WebDriverWait(driver, 10).until(lambda d: "edit that line" in message.text)
        assert project.reject_list.read_text() == before

        tile(driver, suspect).click()  # reject the suspect: a click
        wait_rejected(driver, suspect)
        press(driver, "j", "x")  # the next tile, by keys
        wait_rejected(driver, first)
        press(driver, "u")  # undo it
        wait_rejected(driver, first, rejected=False)
        press(driver, Keys.ARROW_RIGHT, " ")  # once more on the tile after it, undone by Ctrl+Z
        wait_rejected(driver, second)
        ActionChains(driver).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform()
        wait_rejected(driver, second, rejected=False)

        totals = driver.find_element(By.ID, "totals").text
        assert "5 kept · 2 marked for rejection" in totals
        banner = driver.find_element(By.ID, "banner").text
        assert "1 change to reject.txt not applied yet" in banner and "dvc repro" in banner
        # The page's own CSS and script work under its Content-Security-Policy.
        assert driver.execute_script("return getComputedStyle(arguments[0]).display", tiles[0]) == (
            "block"
        )
        grid = driver.find_element(By.CSS_SELECTOR, ".grid")
        assert (
            driver.execute_script("return getComputedStyle(arguments[0]).display", grid) == "flex"
        )
        assert not [m for m in console_errors(driver) if "Content Security Policy" in m]

    suspect_id = project.by_key(suspect).id
    assert project.reject_list.read_text() == before + suspect_id + "\n"

    subprocess.run(
        [sys.executable, str(REPO / "stages/filter.py"), *FILTER_PATHS],
        cwd=project.root,
        env=page_env(REPO / "src"),
        check=True,
        capture_output=True,
    )
    rows = project.filtered()
    assert (rows[suspect].status, rows[suspect].reason) == (REJECTED, f"listed:{suspect_id}")
    assert rows[globbed].reason.startswith("listed:") and rows[globbed].reason.endswith("*")
    assert {rows[k].status for k in (first, second)} == {KEPT}


@needs_chromium
def test_without_suspects_the_page_sorts_by_id_and_shows_names_as_text(
    tmp_path, stage_factory
) -> None:
    odd = "<em>x&amp;\"y'"  # a class folder named like markup stays text on the page
    project = build_project(tmp_path / "odd", stage_factory, classes=("bar", odd))
    with review_server(project.root, page_env(REPO / "src")) as url, chromium() as driver:
        tiles = open_page(driver, url)
        keys = [t.get_attribute("data-key") for t in tiles]
        assert keys == sorted(project.keys(odd)) + sorted(project.keys("bar"))  # "<" < "b"
        names = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "main h2 .name")]
        assert names == [odd, "bar"]
        assert not driver.find_elements(By.CSS_SELECTOR, "main em")
        note = driver.find_element(By.ID, "note").text
        assert "sorted by id" in note and "dvc repro" in note
        assert not driver.find_elements(By.CSS_SELECTOR, ".badge")
        locked = tile(driver, project.keys(odd)[-1])
        assert "rejected by the line" in locked.get_attribute("title")

        def focused() -> str:
            return driver.switch_to.active_element.get_attribute("data-key")

        press(driver, "j", Keys.ARROW_RIGHT)  # the first tile, then the second
        assert focused() == keys[1]
        press(driver, Keys.ARROW_DOWN)  # the next row (the next class): same column
        assert focused() == keys[len(project.keys(odd)) + 1]
        press(driver, Keys.ARROW_UP, "k")
        assert focused() == keys[0]


@contextmanager
def serving(project: Project) -> Iterator[ReviewServer]:
    """The review server on a free port, in a thread of this process."""
    items = load_items(project.root / "data/filtered", project.root / "data/raw", None)
    httpd = make_server(Review(items, project.reject_list), (255, 255, 255), 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


FRAMING_PAGE = """<!doctype html>
<title>another site</title>
<iframe id="own" src="own.html"></iframe>
<iframe id="review" src="{url}"></iframe>
"""


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per request."""


@contextmanager
def other_site(folder: Path) -> Iterator[str]:
    """A second local server, on another port and host name (another origin), serving
    ``folder``; yields its URL."""
    handler = functools.partial(QuietFiles, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def framed(driver, frame_id: str) -> tuple[str, int, str]:
    """(address, tiles, text) of the document shown in the frame, once it has loaded."""
    driver.switch_to.default_content()
    driver.switch_to.frame(frame_id)
    WebDriverWait(driver, 30).until(
        lambda d: (
            d.execute_script("return document.readyState") == "complete"
            and d.execute_script("return location.href") != "about:blank"
        )
    )
    found = driver.execute_script(
        "return [location.href, document.querySelectorAll('.tile').length, "
        "document.body ? document.body.innerText : '']"
    )
    driver.switch_to.default_content()
    return found[0], found[1], found[2]


@needs_chromium
def test_a_page_of_another_origin_cannot_frame_the_review_page(
    project: Project, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "own.html").write_text("<p>framed fine</p>")
    with (
        review_server(project.root, page_env(REPO / "src")) as url,
        other_site(site) as elsewhere,
        chromium() as driver,
    ):
        (site / "index.html").write_text(FRAMING_PAGE.format(url=url))
        driver.get(elsewhere + "index.html")
        assert framed(driver, "own")[2] == "framed fine"  # that site may frame its own pages
        address, tiles, _ = framed(driver, "review")
        assert address.startswith("chrome-error://") and tiles == 0  # refused: no tile shown
        refusals = [m for m in console_errors(driver) if "frame-ancestors 'none'" in m]
        origin = url.rsplit("/", 2)[0] + "/"  # without the token
        assert refusals and f"Framing '{origin}' violates" in refusals[0]
        driver.get(url)  # and the same browser opens it as a page of its own
        assert open_page(driver, url)


@pytest.fixture
def server(project: Project) -> Iterator[ReviewServer]:
    with serving(project) as httpd:
        yield httpd


def fetch(
    server: ReviewServer,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    token: bool = True,
) -> tuple[int, bytes]:
    """GET (or POST ``body``) ``path`` under the session's token, as a browser would."""
    url = server.url.rstrip("/") + path if token else server.url.split(server.token)[0] + path[1:]
    request = urllib.request.Request(url, data=body, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_guards_against_other_sites_and_bad_requests(server: ReviewServer) -> None:
    assert fetch(server, "/api/state")[0] == 200
    assert fetch(server, "/api/state", headers={"Host": "evil.example:80"})[0] == 403
    origin = {"Origin": "http://evil.example", "Content-Type": "application/json"}
    assert fetch(server, "/api/undo", b"{}", origin)[0] == 403
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert fetch(server, "/api/toggle", b"key=x", form)[0] == 415
    as_json = {"Content-Type": "application/json"}
    status, body = fetch(server, "/api/toggle", b'{"key', as_json)
    assert status == 400 and b"bad request" in body
    status, body = fetch(server, "/api/toggle", b'{"key": "bar/nope"}', as_json)
    assert status == 409 and json.loads(body)["error"] == "no image 'bar/nope' on this page"
    assert fetch(server, "/api/toggle", b'{"key": ["bar/nope"]}', as_json)[0] == 400
    assert fetch(server, "/thumb/bar%2Fnope")[0] == 404
    assert fetch(server, "/../../etc/passwd")[0] == 404
    status, page = fetch(server, "/")
    assert status == 200 and b'<script src="review.js">' in page
    assert fetch(server, "/review.js")[0] == 200 and fetch(server, "/review.css")[0] == 200


def test_every_path_needs_the_session_token(server: ReviewServer) -> None:
    """Another user of the machine reaches 127.0.0.1 too, but does not know the token."""
    as_json = {"Content-Type": "application/json"}
    for path in ("/", "/review.js", "/api/state", "/thumb/bar%2Fx", "/favicon.ico"):
        status, body = fetch(server, path, token=False)
        assert status == 403 and b"open the address `ganpipe review` printed" in body
    assert fetch(server, "/api/undo", b"{}", as_json, token=False)[0] == 403
    wrong = server.url.replace(server.token, "x" * len(server.token))
    assert fetch(server, f"/{wrong.split('/')[-2]}/api/state", token=False)[0] == 403
    assert len(server.token) >= 20 and server.url.endswith(f"/{server.token}/")
    status, page = fetch(server, f"/{server.token}", token=False)  # redirected to add the /
    assert status == 200 and b'<script src="review.js">' in page


def test_every_answer_forbids_framing(server: ReviewServer) -> None:
    for request in (
        get(server, "/"),
        get(server, "/review.js"),
        get(server, "/api/state"),
        get(server, "/nothing"),
        b"GET /no-token HTTP/1.0\r\n\r\n",  # no Host: 403
        b"BREW / HTTP/1.0\r\n\r\n",  # http.server's own 501
    ):
        head = exchange(server, request).partition(b"\r\n\r\n")[0].decode()
        assert "\r\nX-Frame-Options: DENY\r\n" in head, head
        policy = re.search(r"\r\nContent-Security-Policy: ([^\r]*)", head)[1].split("; ")
        assert {"default-src 'self'", "frame-ancestors 'none'"} <= set(policy), head


def get(server: ReviewServer, path: str) -> bytes:
    host, port = server.server_address
    return f"GET /{server.token}{path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode()


def post(server: ReviewServer, headers: str, body: bytes = b"") -> bytes:
    """A raw toggle request: ``headers`` (each ending in CRLF) after Host and Content-Type."""
    host, port = server.server_address
    return (
        f"POST /{server.token}/api/toggle HTTP/1.0\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\n{headers}\r\n"
    ).encode() + body


def exchange(server: ReviewServer, request: bytes, timeout: float = 10) -> bytes:
    """Send ``request`` on a fresh socket and read the whole answer (the server closes)."""
    with socket.create_connection(server.server_address, timeout=timeout) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def status_and_error(answer: bytes) -> tuple[int, str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)["error"]


BODY_CASES = {  # name: (Content-Length, or None for the body's; body; status; error)
    "10TB": ("10000000000000", b"", 413, "at most 4096 bytes, not 10,000,000,000,000"),
    "50MB-key": ("50000000", b'{"key": "' + b"k" * 100_000, 413, "at most 4096 bytes"),
    "5kB": (None, b"[" * 2500 + b"]" * 2500, 413, "at most 4096 bytes, not 5,000"),
    "no-length": ("", b"", 400, "bad request: no Content-Length of 0 or more"),
    "negative": ("-1", b"{}", 400, "bad request: no Content-Length of 0 or more"),
    "not-a-number": ("12abc", b"{}", 400, "bad request: no Content-Length of 0 or more"),
    "nested-2000": (None, b"[" * 2000 + b"]" * 2000, 400, "JSON nested deeper than 4 levels"),
    "nested-5": (None, b'{"key": [[[["x"]]]]}', 400, "JSON nested deeper than 4 levels"),
    "brackets-in-a-string": (None, b'{"key": "[[[[[[[["}', 409, "no image '[[[[[[[[' on"),
    "3kB-key": (None, b'{"key": "' + b"k" * 3000 + b'"}', 409, "no image 'kkk"),
    "not-utf8": (None, b'{"key": "\xff"}', 400, "bad request: 'utf-8' codec"),
}


@pytest.mark.parametrize("case", BODY_CASES)
def test_request_bodies_are_bounded(server: ReviewServer, capfd, case: str) -> None:
    """Each gets its answer at once, of bounded size, and the terminal shows no traceback."""
    length, body, status, error = BODY_CASES[case]
    length = str(len(body)) if length is None else length
    headers = f"Content-Length: {length}\r\n" if length else ""
    start = time.monotonic()
    answer = exchange(server, post(server, headers, body), timeout=5)
    assert time.monotonic() - start < 2
    assert status_and_error(answer)[0] == status and error in status_and_error(answer)[1]
    assert len(answer.partition(b"\r\n\r\n")[2]) <= 450  # ERROR_CHARS and the JSON around it
    assert "Traceback" not in capfd.readouterr().err


def test_silent_connections_are_closed_and_early_disconnects_are_one_line(
    server: ReviewServer, capfd
) -> None:
    server.RequestHandlerClass.timeout = 0.5
    with socket.create_connection(server.server_address, timeout=10) as idle:
        idle.sendall(post(server, "Content-Length: 20\r\n", b'{"key": '))  # then nothing
        start = time.monotonic()
        assert idle.recv(100) == b""  # closed by the server, without an answer
        assert time.monotonic() - start < 5
    for _ in range(5):  # ask for thumbnails and leave at once (a reset, not a close)
        sock = socket.create_connection(server.server_address)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(get(server, "/api/state"))
        sock.close()
    time.sleep(1)
    err = capfd.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert 1 <= len(lines) <= 6, err
    assert all(line.startswith("ganpipe review: a request ended early (") for line in lines)
    assert fetch(server, "/api/state")[0] == 200  # and the server still answers


def test_50_parallel_toggles_are_all_applied_once_and_user_lines_stay(
    tmp_path: Path, stage_factory
) -> None:
    project = build_project(tmp_path / "many", stage_factory, counts=(30, 25))
    user_lines = project.reject_list.read_text()
    globbed = project.keys("low")[-1]
    keys = [k for k in project.keys("bar") + project.keys("low") if k != globbed][:50]
    answers: dict[str, bytes] = {}
    with serving(project) as server:
        ready = threading.Barrier(len(keys))

        def toggle(key: str) -> None:
            body = json.dumps({"key": key}).encode()
            request = post(server, f"Content-Length: {len(body)}\r\n", body)
            ready.wait()
            answers[key] = exchange(server, request)

        start = time.monotonic()
        threads = [threading.Thread(target=toggle, args=(key,)) for key in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        seconds = time.monotonic() - start
    assert len(keys) == 50 and seconds < 5, seconds
    assert all(answers[k].startswith(b"HTTP/1.0 200 ") for k in keys)
    text = project.reject_list.read_text()
    assert text.startswith(user_lines)  # comments, the glob and the blank line, as they were
    added = text[len(user_lines) :].split()
    assert sorted(added) == sorted(project.by_key(k).id for k in keys)  # each id once


def test_cli_errors_name_the_missing_folder_and_the_busy_port(
    project: Project, server: ReviewServer, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(project.root)
    with pytest.raises(SystemExit, match="1"):
        main(["review", "--filtered", "data/nothing"])
    assert "data/nothing/manifest.csv: no manifest" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="1"):
        main(["review", "--port", str(server.server_address[1])])
    assert "try --port 0" in capsys.readouterr().err

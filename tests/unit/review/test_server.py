"""``ganpipe review`` in real headless Chromium: click, keys, undo, reject.txt, then filter.

Also the server's guards, over plain HTTP: foreign Host headers, non-JSON POSTs, bad requests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from browserkit import (
    chromium,
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
from ganpipe.review.server import make_server
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
    project.write_suspects(
        {suspect: (0.93, "low")} | {k: (0.1, "bar") for k in bar if k != suspect}
    )
    globbed = project.keys("low")[-1]
    before = project.reject_list.read_text()

    with review_server(project.root, page_env(REPO / "src")) as url, chromium() as driver:
        tiles = open_page(driver, url)
        assert [t.get_attribute("data-key") for t in tiles[:3]] == [suspect, first, second]
        assert tiles[0].find_element(By.CSS_SELECTOR, ".badge").text == "suspect"
        assert tiles[0].find_element(By.CSS_SELECTOR, ".reason").text == "closer to class low"
        assert "(suspect: closer to class low)" in tiles[0].get_attribute("title")
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


@pytest.fixture
def server(project: Project) -> Iterator[str]:
    items = load_items(project.root / "data/filtered", project.root / "data/raw", None)
    httpd = make_server(Review(items, project.reject_list), (255, 255, 255), 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(
    address: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://{address}{path}", data=body, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_guards_against_other_sites_and_bad_requests(server: str) -> None:
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
    assert fetch(server, "/thumb/bar%2Fnope")[0] == 404
    assert fetch(server, "/../../etc/passwd")[0] == 404
    status, page = fetch(server, "/")
    assert status == 200 and b'<script src="review.js">' in page
    assert fetch(server, "/review.js")[0] == 200 and fetch(server, "/review.css")[0] == 200


def test_cli_errors_name_the_missing_folder_and_the_busy_port(
    project: Project, server: str, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(project.root)
    with pytest.raises(SystemExit, match="1"):
        main(["review", "--filtered", "data/nothing"])
    assert "data/nothing/manifest.csv: no manifest" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="1"):
        main(["review", "--port", server.split(":")[1]])
    assert "try --port 0" in capsys.readouterr().err

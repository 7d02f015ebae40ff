"""Issue 22: forged and raced likes against a real server (two worker processes, threads):
32 readers at once count 32, one reader 32 times at once counts once, never a 500."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.processes import broadsheet, broadsheet_env, free_port, stop, wait_until_up

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"


@pytest.fixture
def server(tmp_path: Path, subprocess_database_url: str) -> Iterator[str]:
    env = broadsheet_env(tmp_path, subprocess_database_url, TRUST_X_FORWARDED_FOR="true")
    broadsheet(env, "migrate", "--noinput")
    broadsheet(env, "flush", "--noinput")
    broadsheet(env, "demo")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "broadsheet.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/")
        yield url
    finally:
        stop(process)


def _post(url: str, address: str) -> int:
    request = urllib.request.Request(
        url, data=b"", method="POST",
        headers={"X-Requested-With": "fetch", "X-Forwarded-For": address},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _shown(base: str, pk: str) -> int:
    with urllib.request.urlopen(base + ESSAY, timeout=30) as response:
        html = response.read().decode()
    if f'action="/comment/{pk}/like/"' not in html:
        return 0  # no likes: the page writes no button for it (comments.js adds one)
    found = re.search(
        rf'action="/comment/{pk}/like/">.*?<span class="like-count">(\d+)</span>', html
    )
    assert found is not None
    return int(found.group(1))


def _count(base: str, pk: str, expected: int) -> int:
    """What the (cached) page shows within a second: the other worker trusts the versions it
    read for a quarter of a second (decision 0018)."""
    deadline = time.monotonic() + 1.0
    while (shown := _shown(base, pk)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return shown


def test_a_race_of_32_likes_counts_exactly_and_never_fails(server: str) -> None:
    with urllib.request.urlopen(server + ESSAY, timeout=30) as response:
        pk = re.findall(r'<li id="comment-(\d+)"', response.read().decode())[0]
    like = f"{server}/comment/{pk}/like/"
    with ThreadPoolExecutor(max_workers=32) as pool:
        codes = list(pool.map(lambda n: _post(like, f"203.0.113.{n}"), range(32)))
        assert codes == [200] * 32
        assert _count(server, pk, 32) == 32
        codes = list(pool.map(lambda n: _post(like, "192.0.2.1"), range(32)))
        assert codes == [200] * 32
        assert _count(server, pk, 33) == 33
        forged = list(pool.map(lambda n: _post(f"{server}/comment/{n}999/like/", "192.0.2.9"),
                               range(8)))  # fmt: skip
    assert set(forged) == {404}

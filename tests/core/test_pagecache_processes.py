"""Two server processes share the page cache: a comment approved by a third process is served
by both to anonymous readers within a second (file cache; Redis when REDIS_URL is set)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.processes import broadsheet, broadsheet_env, free_port, redis_server, wait_until_up

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"
APPROVE = """
from django.utils import timezone
from broadsheet.discussion.services import comment_create_stored
from broadsheet.publishing.models import Post
post = Post.objects.get(slug="the-ledger-and-the-lamp")
comment_create_stored(post=post, parent=None, body="Seen by every worker at once.",
                      status="approved", created_at=timezone.now(), author_name="Quick Reader")
"""


def _get(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode(), response.headers.get("X-Page-Cache", "")


@pytest.fixture
def two_servers(
    tmp_path: Path, subprocess_database_url: str
) -> Iterator[tuple[dict[str, str], list[str]]]:
    env = broadsheet_env(tmp_path, subprocess_database_url)
    with ExitStack() as stack:
        if os.environ.get("REDIS_URL"):  # CI's second run: the cache is Redis, one of the test's
            # own (the servers' keys are not prefixed per test, and REDIS_URL may be a live site's)
            env["REDIS_URL"] = stack.enter_context(redis_server())
        broadsheet(env, "migrate", "--noinput")
        broadsheet(env, "demo")
        broadsheet(env, "collectstatic", "--noinput")  # once, not racing in two servers
        processes, urls = [], []
        for _ in range(2):
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "broadsheet.cli",
                        "serve",
                        "--port",
                        str(port),
                        "--workers",
                        "1",
                        "--no-collectstatic",
                    ],
                    env=env,
                    stdout=(tmp_path / f"serve-{port}.log").open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        try:
            for url in urls:
                wait_until_up(url + "/")
            yield env, urls
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def test_an_approval_in_one_process_is_served_by_the_others_within_a_second(
    two_servers: tuple[dict[str, str], list[str]],
) -> None:
    env, (first, second) = two_servers
    for url in (first, second):
        _get(url + ESSAY)
        body, cache = _get(url + ESSAY)
        assert cache == "hit" and "Seen by every worker at once." not in body

    broadsheet(env, "shell", "-c", APPROVE)
    approved_at = time.monotonic()
    for url in (second, first):
        while True:
            body, cache = _get(url + ESSAY)
            if "Seen by every worker at once." in body:
                break
            assert time.monotonic() - approved_at < 1.0, f"{url} still serves the old page"
            time.sleep(0.05)
    assert time.monotonic() - approved_at < 1.0
    # And the fresh page is stored again for the next reader.
    assert _get(second + ESSAY)[1] == "hit"

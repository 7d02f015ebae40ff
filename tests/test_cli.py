"""The `broadsheet` command: demo content, and `serve` answering over real HTTP with Granian."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from broadsheet.publishing.models import Post, Reference
from tests.processes import free_port, wait_until_up


@pytest.mark.django_db
def test_demo_loads_an_essay_shaped_like_the_reference_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("demo")
    essay = Post.objects.get(slug="the-ledger-and-the-lamp")
    assert essay.is_public and essay.authors.count() == 1
    assert len([e for e in essay.toc if e["level"] == 2]) >= 4
    assert essay.footnotes_html.count("<li id=") >= 5
    assert essay.body_html.count("<p id=") >= 10
    kinds = set(essay.references.values_list("kind", flat=True))
    assert len(kinds) >= 5 and essay.references.count() >= 5
    author = essay.authors.get()
    assert "is a researcher" in author.profile.bio  # type: ignore[attr-defined]
    assert Post.objects.posts().visible().count() >= 4
    assert Post.objects.pages().filter(slug="about").exists()
    assert "Admin account created: user 'admin'" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_if_empty_leaves_an_existing_site_alone() -> None:
    call_command("demo")
    count = Reference.objects.count()
    call_command("demo", "--if-empty")
    assert Reference.objects.count() == count


def _broadsheet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "broadsheet.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp_path = tmp_path_factory.mktemp("served-site")
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    _broadsheet(env, "migrate", "--noinput")
    _broadsheet(env, "demo")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "broadsheet.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_serve_answers_with_the_demo_essay_and_hashed_static_files(served_site: str) -> None:
    with urllib.request.urlopen(
        served_site + "/2026/03/14/the-ledger-and-the-lamp/", timeout=10
    ) as response:
        html = response.read().decode()
        assert response.status == 200
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "The Ledger and the Lamp" in html
    stylesheet = html.split('rel="stylesheet" href="')[1].split('"')[0]
    assert (
        stylesheet.startswith("/static/broadsheet/site.")
        and stylesheet.endswith(".css")
        and stylesheet != "/static/broadsheet/site.css"
    )
    request = urllib.request.Request(served_site + stylesheet, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert (
            "max-age=315360000" in response.headers["Cache-Control"]
            or "immutable" in response.headers["Cache-Control"]
        )
        assert response.headers.get("Content-Encoding") == "gzip"


def test_a_second_serve_on_a_port_in_use_refuses_to_start(served_site: str, tmp_path: Path) -> None:
    # Granian binds with SO_REUSEPORT: without the check the second site started silently and
    # the kernel handed each request to either site.
    port = served_site.rsplit(":", 1)[1]
    other = tmp_path / "other-site"
    env = {**os.environ, "DATA_DIR": str(other), "PORT": port}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    second = subprocess.Popen(
        [sys.executable, "-m", "broadsheet.cli", "serve", "--workers", "1"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so a second server that did start goes with its workers
    )
    try:
        _, stderr = second.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(second.pid, signal.SIGKILL)
        second.wait()
        pytest.fail(f"a second server started on port {port}, in use by the first")
    assert second.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use by another process" in stderr
    assert "PORT setting" in stderr and "Traceback" not in stderr
    for _ in range(6):  # every request still reaches the first site
        with urllib.request.urlopen(
            served_site + "/2026/03/14/the-ledger-and-the-lamp/", timeout=10
        ) as response:
            assert response.status == 200


@pytest.mark.django_db
def test_the_demo_discussion_survives_the_first_housekeeping() -> None:
    from broadsheet.discussion.models import Comment
    from broadsheet.notifications.tasks import housekeeping

    call_command("demo", verbosity=0)
    housekeeping()
    statuses = list(Comment.objects.values_list("status", flat=True))
    assert statuses.count("spam") == 1 and statuses.count("pending") == 1 and len(statuses) == 31

"""Pages built by other code are never served (decision 0057): the code fingerprint follows
the real files, and an upgrade re-renders every page with new validators."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.template import engines
from django.test import Client
from django.utils.http import http_date

from broadsheet.core import pagecache
from broadsheet.core.fingerprint import PACKAGE_DIR, code_fingerprint, files_digest
from tests.factories import PostFactory

TEMPLATES = PACKAGE_DIR / "templates"


def test_the_digest_follows_every_file_s_contents_and_name(tmp_path: Path) -> None:
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    first = files_digest(copy)
    assert files_digest(copy) == first  # stable: workers with the same files agree

    detail = copy / "publishing" / "post_detail.html"
    original = detail.read_text()
    detail.write_text(original.replace('class="entry"', 'class="entrz"'))  # same size
    assert files_digest(copy) != first
    detail.write_text(original)
    assert files_digest(copy) == first  # contents, not modification times

    (copy / "publishing" / "extra.html").write_text("new")
    assert files_digest(copy) != first
    (copy / "publishing" / "extra.html").rename(copy / "publishing" / "extra2.html")
    added = files_digest(copy)
    (copy / "publishing" / "extra2.html").unlink()
    assert added != first and files_digest(copy) == first

    # Bytecode each machine writes for itself is not code that differs.
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0\1")
    (copy / "y.pyc").write_bytes(b"\2")
    assert files_digest(copy) == first


def test_workers_agree_on_the_fingerprint_and_it_is_cheap() -> None:
    ours = code_fingerprint()
    assert len(ours) == 16 and int(ours, 16) >= 0
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "from broadsheet.core.fingerprint import code_fingerprint; print(code_fingerprint())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert other == ours
    started = time.perf_counter()
    files_digest(PACKAGE_DIR)
    assert time.perf_counter() - started < 0.5  # ~35 ms here; generous for a loaded machine
    assert pagecache.code() == ours  # the page cache keys by it from import on


@pytest.fixture
def templates_copy(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """The site's templates from a copy this test can edit, as an upgrade would."""
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [copy]}]
    settings.PAGE_CACHE = True
    yield copy
    pagecache.use_code(code_fingerprint())


def _upgrade(copy: Path) -> None:
    """What a restart on new templates does: a new fingerprint, empty memory and loaders."""
    detail = copy / "publishing" / "post_detail.html"
    detail.write_text(detail.read_text().replace("<article ", '<article data-upgraded="yes" ', 1))
    pagecache.use_code(files_digest(copy))
    pagecache.forget_worker_memory()
    for engine in engines.all():
        for loader in engine.engine.template_loaders:  # type: ignore[attr-defined]
            loader.reset()


@pytest.mark.django_db(transaction=True)
def test_after_an_upgrade_every_page_is_rendered_again_with_new_validators(
    client: Client, templates_copy: Path
) -> None:
    url = PostFactory(title="Before the upgrade").get_absolute_url()
    old = client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(url, headers={"If-None-Match": old["ETag"]}).status_code == 304

    _upgrade(templates_copy)
    new = client.get(url)
    assert new.get("X-Page-Cache") != "hit"
    assert b'data-upgraded="yes"' in new.content and b"data-upgraded" not in old.content
    assert new["ETag"] != old["ETag"]
    # A client (or proxy) holding the old page is sent the new one, not a 304.
    assert client.get(url, headers={"If-None-Match": old["ETag"]}).status_code == 200
    again = client.get(url)
    assert again["X-Page-Cache"] == "hit" and again.content == new.content


@pytest.mark.django_db(transaction=True)
def test_after_an_upgrade_a_feed_with_unchanged_posts_is_not_declared_unmodified(
    client: Client, templates_copy: Path
) -> None:
    PostFactory(title="In the feed")
    old = client.get("/feed/", headers={"Cookie": "sessionid=x"})  # rendered by the feed view
    assert client.get("/feed/", headers={"If-None-Match": old["ETag"]}).status_code == 304

    _upgrade(templates_copy)
    # The new code first ran an hour after the old feed was sent (an upgrade takes a while).
    later = int(time.time()) + 3600
    pagecache.cache.set("pcc:" + pagecache.code(), later, None)
    personal = {"Cookie": "sessionid=x"}  # past the page cache: the feed's own validators
    by_tag = client.get("/feed/", headers={"If-None-Match": old["ETag"], **personal})
    by_date = client.get("/feed/", headers={"If-Modified-Since": old["Last-Modified"], **personal})
    assert by_tag.status_code == by_date.status_code == 200
    assert by_tag["ETag"] != old["ETag"]
    assert by_date["Last-Modified"] == http_date(later)


@pytest.mark.django_db(transaction=True)
def test_the_first_worker_on_new_code_purges_every_page_in_front(
    client: Client, templates_copy: Path, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.PAGE_PURGE_URL = "http://127.0.0.1:9/purge"  # queued, never sent in this test
    url = PostFactory(title="Purged on upgrade").get_absolute_url()
    client.get(url)
    purges = DBTaskResult.objects.filter(task_path__endswith="purge_shared_caches")
    before = purges.count()

    _upgrade(templates_copy)
    assert client.get(url)["Cache-Tag"].endswith("site")  # every page carries the `site` tag
    assert purges.count() == before + 1
    assert purges.order_by("enqueued_at").last().args_kwargs["args"] == [["site"]]  # type: ignore[union-attr]
    # Another worker on the same code (here: the same one, forgetting) does not purge again.
    pagecache.forget_worker_memory()
    client.get("/")
    assert purges.count() == before + 1

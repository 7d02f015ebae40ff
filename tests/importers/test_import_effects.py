"""An import writes in bulk, past the actions and their signals: it still refreshes the cached
pages it changed (comments arriving under a post a reader has cached)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from broadsheet.publishing.models import Post
from tests.importers.test_disqus import export, posts, run, write  # noqa: F401 - posts: fixture

# Page versions move after the commit: this test commits for real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_comments_imported_under_a_cached_post_reach_its_page(
    tmp_path: Path,
    posts: dict[str, Post],  # noqa: F811 - the fixture
    settings: Any,
) -> None:
    settings.PAGE_CACHE = True
    client = Client()
    url = posts["walls"].get_absolute_url()
    client.get(url)
    cached = client.get(url)
    assert cached["X-Page-Cache"] == "hit"
    assert '<li id="comment-' not in cached.content.decode()

    run(write(tmp_path, export()))

    again = client.get(url)
    assert again.get("X-Page-Cache") != "hit"
    assert '<li id="comment-' in again.content.decode()

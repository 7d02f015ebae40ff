"""publishing.passages: what a reader can respond to in a post, read from its stored HTML."""

from __future__ import annotations

import pytest

from broadsheet.core.anchoring import select
from broadsheet.publishing.passages import post_passages
from tests.factories import PostFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


def test_a_posts_paragraphs_footnotes_and_references() -> None:
    post = PostFactory(
        body="First paragraph.[^1]\n\nSecond <script>x</script> one.\n\n[^1]: A note.\n"
    )
    ReferenceFactory(post=post, title="A History of Harbours")
    post.refresh_from_db()
    found = post_passages(post)
    kinds = [p.id.split("-")[0] for p in found]
    assert kinds == ["p", "p", "fn", "ref"]
    assert [p.text for p in found[:3]] == ["First paragraph.", "Second one.", "A note."]
    assert "A History of Harbours" in found[3].text
    # The same text the page shows: a selection of it is accepted as it is.
    chosen = select(found, passage=found[3].id, exact="History of Harbours")
    assert chosen.passage.startswith("ref-")


def test_a_post_without_text_has_no_passages() -> None:
    post = PostFactory(body="")
    assert post_passages(post) == []

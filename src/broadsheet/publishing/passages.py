"""The passages of a post a reader can respond to: its paragraphs, footnotes and references.

Read from the HTML stored when the post was saved (never from the Markdown), so that what the
reader selected in the page and what the server checks it against are the same text.
"""

from __future__ import annotations

from broadsheet.core.anchoring import Passage, passages
from broadsheet.publishing.models import Post


def post_passages(post: Post) -> list[Passage]:
    """The passages of the post as it reads now (or of a version's post, see versions.py)."""
    return passages(post.body_html, post.footnotes_html, post.bibliography_html)

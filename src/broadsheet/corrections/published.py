"""What an essay's page and feed items show of its corrections (registered with
publishing.additions and feeds.feeds): on the page, the "Corrections and updates" list at the
end of the essay, the JSON-LD `correction` entries (schema.org CorrectionComment) and
`data-correct-url` on the `<article>`, which the page's script follows from a selection
("Suggest a correction"); in the feeds, the same list after the item's text."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from broadsheet.corrections.selectors import Published, published_for_post, published_for_posts
from broadsheet.feeds.feeds import ItemAddition, item_addition_register
from broadsheet.publishing.additions import PostAddition, post_addition_register, post_marked
from broadsheet.publishing.models import Post

# The post's mark (publishing.additions) once it has a published correction.
MARK = "corrections"


def correct_url(post: Post) -> str:
    """Where a passage's correction is suggested: this, the passage id, then "/"."""
    return f"{post.get_absolute_url()}correct/"


def json_ld(post: Post, corrections: list[Published]) -> dict[str, Any]:
    url = f"{settings.SITE_URL}{post.get_absolute_url()}"
    return {
        "correction": [
            {
                "@type": "CorrectionComment",
                "text": item.note,
                "datePublished": item.accepted_at.isoformat(),
                "url": f"{url}#{item.fragment}",
            }
            for item in corrections
        ]
    }


def post_corrections(post: Post) -> PostAddition | None:
    """Essays only (a static page has no corrections), and only public ones: a preview of a
    draft offers no suggestion."""
    if post.is_page or not post.is_public:
        return None
    # Marked by correction_accept: most essays have none, and cost no query.
    corrections = published_for_post(post) if post_marked(post, MARK) else []
    data = {"correct-url": correct_url(post)}
    if not corrections:
        return PostAddition(data=data)
    return PostAddition(
        html=mark_safe(_listed(corrections)), json_ld=json_ld(post, corrections), data=data
    )


def _listed(corrections: Any) -> str:
    return render_to_string("corrections/_published.html", {"corrections": corrections})


def register() -> None:
    post_addition_register("corrections", post_corrections)
    # In the feeds too: an essay's item carries its corrections, each an update of the item.
    item_addition_register(
        "corrections",
        ItemAddition(read=published_for_posts, html=_listed, changed_at=lambda c: c.accepted_at),
    )

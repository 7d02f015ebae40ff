"""The margin of an essay: a "Respond" control beside each passage and a count of its responses.

Both are put into the stored HTML when the page is rendered (decision 0048): the stored body
stays the essay's own text (passages, feeds, versions read it), and the counts are one query
per page render, kept current by the page cache's `post:<id>` version, which every comment
that readers see or stop seeing bumps (discussion.effects.comment_changed).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from django.utils.html import escape
from django.utils.translation import ngettext, pgettext

from broadsheet.discussion.models import Anchor, Comment
from broadsheet.publishing.additions import post_marked
from broadsheet.publishing.models import Post

# The post's mark (publishing.additions) once a comment responds to one of its passages.
ANCHORED = "anchored"


def _start_tag(kind: str) -> re.Pattern[str]:
    return re.compile(rf'<[a-z][a-z0-9]*\b[^>]*?\sid="({kind}-[^"<>]*)"[^>]*>')


# The start tag of a passage, as core.anchoring.passages reads them (the outermost element
# with the id): the body's paragraphs `p-…`, the notes' `fn-N` (a note's own paragraphs are
# part of it) and the bibliography's `ref-KEY`. `fnref-N`, a footnote's mark, is none.
PASSAGE_TAGS = {
    "body": _start_tag("p"),
    "footnotes": _start_tag("fn"),
    "bibliography": _start_tag("ref"),
}


@dataclass(frozen=True)
class Margins:
    """What a post page adds beside its passages. `respond_url` ends with a slash; it is empty
    when comments are closed (no "Respond" controls, the counts stay)."""

    respond_url: str
    # passage id → the approved comments responding to it, oldest first
    responses: dict[str, list[int]] = field(default_factory=dict)

    def seen_from(self, path: str) -> Margins:
        """These margins on the page at `path`: where the "Respond" links lie below it (the
        post's own address), they are written relative to it, 40-odd bytes shorter beside
        every passage (the page's weight is a target); elsewhere (a comment page, the form
        sent back with an error) they stay absolute."""
        if path.endswith("/") and self.respond_url.startswith(path):
            return replace(self, respond_url=self.respond_url[len(path) :])
        return self

    def apply(self, html: str, part: str) -> str:
        """`html`, the post's `part` ("body", "footnotes" or "bibliography"), with the margin
        of each passage just inside its start tag."""
        if not html or (not self.respond_url and not self.responses):
            return html
        # Translated once here, not beside each passage.
        respond = escape(pgettext("control beside a passage", "Respond"))
        return PASSAGE_TAGS[part].sub(lambda match: self._margin(match, respond), html)

    def _margin(self, match: re.Match[str], respond: str) -> str:
        passage = html.unescape(match.group(1))  # a reference's key may hold any character
        parts = []
        if self.respond_url:
            # Tiny markup (it is on every passage): the page's weight is a target. No class
            # (it is the margin's link that is not `.responses`) and no rel=nofollow (the
            # respond page says noindex itself).
            address = escape(self.respond_url + quote(passage, safe="") + "/")
            parts.append(f'<a href="{address}">{respond}</a>')
        ids = self.responses.get(passage)
        if ids:
            count = len(ids)
            label = escape(
                ngettext("%(count)d response", "%(count)d responses", count) % {"count": count}
            )
            # Without JavaScript the count leads to the first response; with it, the
            # responses open beside the passage (respond.js reads data-comments).
            parts.append(
                f'<a class="responses" href="/comment/{ids[0]}/" aria-label="{label}" '
                f'data-comments="{" ".join(map(str, ids))}">{count}</a>'
            )
        if not parts:
            return match.group(0)
        return f'{match.group(0)}<span class="margin">{"".join(parts)}</span>'


def passage_responses(post: Post) -> dict[str, list[int]]:
    """The approved comments that respond to each passage of the post as it reads now (an
    orphaned anchor's passage is gone): one query, oldest first."""
    rows = (
        Anchor.objects.filter(
            post=post, comment__status=Comment.Status.APPROVED, comment__removed=False
        )
        .exclude(state=Anchor.State.ORPHANED)
        .exclude(current_passage="")
        .order_by("comment__created_at", "comment_id")
        .values_list("current_passage", "comment_id")
    )
    found: dict[str, list[int]] = {}
    for passage, comment_id in rows:
        found.setdefault(passage, []).append(comment_id)
    return found


def margins_for(post: Post, *, respond: bool) -> Margins:
    """The margins of a post's page; `respond` when comments are open."""
    return Margins(
        respond_url=post.get_absolute_url() + "respond/" if respond else "",
        # Marked when a comment first responds to one of its passages (discussion.services).
        responses=passage_responses(post) if post_marked(post, ANCHORED) else {},
    )

"""How a comment's anchor is shown wherever the comment is: the words it responds to, and the
address of that passage with a text fragment (`#p-…:~:text=…`) so browsers highlight them.

The addresses are relative to the post's own address (`#p-…`, `v/2/#p-…`): a stored card is
built without knowing where the post lives (its address may change), and the page, email or
feed that shows it writes the post's address in front (decision 0051).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from broadsheet.discussion.models import Anchor, Comment

QUOTE_SHOWN = 280  # characters of a quote shown in a thread, an email or a feed
_WHOLE_WORDS = 10  # a longer quote is found by its first and last few words
_ENDS = 4
_WORD_BEFORE = re.compile(r"\w+$")
_WORD_AFTER = re.compile(r"^\w+")


def _encoded(text: str) -> str:
    # The directive's own syntax uses "-", "," and "&": percent-encoded in the text.
    return quote(text, safe="").replace("-", "%2D")


def text_fragment(exact: str, prefix: str = "", suffix: str = "") -> str:
    """The `:~:text=` directive finding `exact`. Browsers match whole words only, so a quote
    that begins or ends inside a word takes the rest of that word from its context; a long
    quote is given as its first and last words (textStart,textEnd), keeping the address short."""
    head = _WORD_BEFORE.search(prefix) if _WORD_AFTER.match(exact) else None
    tail = _WORD_AFTER.search(suffix) if _WORD_BEFORE.search(exact) else None
    words = f"{head.group(0) if head else ''}{exact}{tail.group(0) if tail else ''}".split()
    text = " ".join(words)
    if len(words) <= _WHOLE_WORDS:
        return f":~:text={_encoded(text)}"
    start, end = " ".join(words[:_ENDS]), " ".join(words[-_ENDS:])
    return f":~:text={_encoded(start)},{_encoded(end)}"


def passage_fragment(passage: str, exact: str, prefix: str = "", suffix: str = "") -> str:
    """`#<passage>:~:text=…`: where the text fragment is not understood (or no longer
    matches), the browser still goes to the passage by its id."""
    return f"#{quote(passage, safe='')}{text_fragment(exact, prefix, suffix)}"


def shortened(text: str, limit: int = QUOTE_SHOWN) -> str:
    """At most `limit` characters, cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


@dataclass(frozen=True)
class AnchorShown:
    """What every place that shows a comment says of its anchor. Addresses are relative to
    the post's address (see the module's docstring)."""

    quote: str  # the words responded to, shortened
    href: str  # where they are: in the post now, or in the version responded to
    revised: bool  # the words changed or are gone since the comment
    removed: bool  # gone
    now_reads: str  # their words now (when revised and not removed), shortened
    now_href: str
    version_href: str  # the version responded to ("" when unknown)
    changes_href: str  # what changed since it


def anchor_shown(anchor: Anchor) -> AnchorShown:
    state = anchor.state
    revised = state in (Anchor.State.EDITED, Anchor.State.ORPHANED)
    version = f"v/{anchor.version}/" if anchor.version else ""
    original = passage_fragment(anchor.passage, anchor.exact, anchor.prefix, anchor.suffix)
    now_href = ""
    if state == Anchor.State.EDITED:
        now_href = passage_fragment(anchor.current_passage, anchor.current_exact)
    elif state != Anchor.State.ORPHANED:  # the same words: their context still completes them
        now_href = passage_fragment(
            anchor.current_passage or anchor.passage, anchor.exact, anchor.prefix, anchor.suffix
        )
    return AnchorShown(
        quote=shortened(anchor.exact),
        # Revised: the words as they were, in the version that had them (if it is known).
        href=f"{version}{original}" if revised and version else now_href or original,
        revised=revised,
        removed=state == Anchor.State.ORPHANED,
        now_reads=shortened(anchor.current_exact) if state == Anchor.State.EDITED else "",
        now_href=now_href,
        version_href=version,
        changes_href=f"{version}changes/" if version else "",
    )


def anchor_of(comment: object) -> Anchor | None:
    """The comment's anchor, or None (no query when it was loaded with the comment)."""
    try:
        return comment.anchor  # type: ignore[attr-defined]
    except Anchor.DoesNotExist:
        return None


# What to load with comments shown apart from their thread (`responds_to`), and what of the
# thread's first comment is then not needed.
WITH_ANCHORS = ("anchor", "thread__anchor")
THREAD_UNUSED = ("thread__body", "thread__body_html", "thread__card_html", "thread__user_agent")


def responds_to(comment: Comment) -> Anchor | None:
    """The passage a comment is about: its own anchor, or a reply's, that of the comment its
    thread began with (loaded with `select_related(*WITH_ANCHORS)`: no query)."""
    own = anchor_of(comment)
    if own is not None or not comment.thread_id or comment.thread_id == comment.pk:
        return own
    return anchor_of(comment.thread)


@dataclass(frozen=True)
class Quoted:
    """A comment's quote and the address of its passage, for the places that show a comment
    apart from its thread: the moderation queue, emails, feeds, JSON-LD."""

    quote: str
    url: str  # the post's address (as given) and the passage's fragment
    revised: bool
    removed: bool


def quoted(anchor: Anchor | None, post_url: str) -> Quoted | None:
    if anchor is None:
        return None
    shown = anchor_shown(anchor)
    return Quoted(shown.quote, f"{post_url}{shown.href}", shown.revised, shown.removed)

"""What an essay's page shows of its context notes (registered with publishing.additions):
each shown note just before its passage, or before the essay's text when it is on the whole
essay or on a passage the text no longer has; a line after the essay leading to the essay's
notes; `data-notes-url` on the `<article>`, where the selection popup offers "Add a context
note". One query per page render (a page-cache miss)."""

from __future__ import annotations

import html

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from broadsheet.notes.models import NoteSettings
from broadsheet.notes.selectors import ShownNote, shown_for_post
from broadsheet.publishing.additions import PostAddition, post_addition_register, post_marked
from broadsheet.publishing.models import Post

# The post's mark (publishing.additions) once a note of it has been shown.
MARK = "notes"


def notes_url(post: Post) -> str:
    """The essay's notes page (notes:essay)."""
    return f"{post.get_absolute_url()}notes/"


def _rendered(note: ShownNote, *, quote: str = "") -> SafeString:
    """`quote`: "gone" for a passage the text no longer has, "elsewhere" for one the note
    cannot stand just before (a list item, a footnote, a reference), "" above a paragraph."""
    context = {"note": note, "quote": quote}
    return mark_safe(render_to_string("notes/_shown.html", context).strip())


def _where(post: Post, passage: str) -> str:
    """Only a paragraph can have a note just before it: before a list's item (footnotes and
    references are items) it would break the list, so those notes go before the text."""
    ident = html.escape(passage)
    parts = (post.body_html, post.footnotes_html, post.bibliography_html)
    if any(f'<p id="{ident}"' in part for part in parts):
        return ""
    return "elsewhere" if any(f'id="{ident}"' in part for part in parts) else "gone"


def _placed(post: Post, notes: list[ShownNote]) -> tuple[SafeString, dict[str, SafeString]]:
    """The lead (whole-essay notes, then notes quoting their passage) and what goes before
    each paragraph a note is on."""
    lead: list[str] = []
    before: dict[str, list[str]] = {}
    for note in notes:
        where = _where(post, note.passage) if note.passage else "whole"
        if where:
            lead.append(_rendered(note, quote="" if where == "whole" else where))
        else:
            before.setdefault(note.passage, []).append(_rendered(note))
    joined = {passage: mark_safe("".join(parts)) for passage, parts in before.items()}
    return mark_safe("".join(lead)), joined


def _line(post: Post, shown: int, enabled: bool) -> SafeString:
    invite = _("Read and rate notes") if enabled else _("Read the notes")
    count = ngettext("Context notes: %(count)d shown", "Context notes: %(count)d shown", shown)
    return format_html(
        '<p class="context-notes-line">{} · <a href="{}">{}</a></p>',
        count % {"count": shown}, notes_url(post), invite,
    )  # fmt: skip


def post_notes(post: Post) -> PostAddition | None:
    """Essays only, and public ones: a draft's preview has no notes."""
    if post.is_page or not post.is_public:
        return None
    enabled = NoteSettings.current().enabled
    # Marked when a scoring run first shows one of its notes: most essays have none.
    notes = shown_for_post(post) if post_marked(post, MARK) else []
    data = {"notes-url": f"{notes_url(post)}new/"} if enabled else {}
    if not notes and not enabled:
        return None
    lead, before = _placed(post, notes)
    return PostAddition(html=_line(post, len(notes), enabled), lead=lead, before=before, data=data)


def register() -> None:
    post_addition_register("notes", post_notes)

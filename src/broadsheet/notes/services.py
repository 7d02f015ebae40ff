"""Readers' writes of context notes, each a named action (core.effects): a reader writes a note
(`note_write`) and rates other readers' notes (`note_rate`, one rating per person and note,
changeable).

Neither shows anything to readers: a note is hidden until a scoring run decides it is shown
(notes.runs), so neither declares a page effect. A rating asks for a scoring run once it is
committed. The checks the forms make are made again here, where they cannot be skipped:
who may write or rate (notes.eligibility), the limits per account, a note's length, sources
and reasons.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from broadsheet.core.anchoring import Selector
from broadsheet.core.effects import action
from broadsheet.core.sanitize import without_nul
from broadsheet.corrections.sources import Source
from broadsheet.notes.eligibility import Reader, rate_refusal, write_refusal
from broadsheet.notes.models import MAX_BODY, MAX_SOURCES, Note, NoteSettings, Rating
from broadsheet.notes.reasons import BadReasons, checked_reasons
from broadsheet.publishing.models import Post

DAY, HOUR = 24 * 60 * 60, 60 * 60


class Refused(Exception):
    """A note or rating that is not stored; `message` says why and what to do, `status` is
    the HTTP status a page refusing it answers with."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _counted(key: str, window: int) -> int:
    # add() starts the window once; incr() is atomic on the shared cache backends.
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def _within_limit(kind: str, user: Any, limit: int, window: int, message: str) -> None:
    """Count one more write of `kind` by `user`; refuse it past `limit` in the window."""
    if _counted(f"notes:{kind}:{user.pk}", window) > limit:
        raise Refused(message, status=429)


def _note_fields(body: str, sources: Sequence[Source]) -> dict[str, Any]:
    text = without_nul(body).strip()
    if not text:
        raise Refused(_("Please write the note: what should a reader know here?"))
    if len(text) > MAX_BODY:
        raise Refused(
            _("A note is at most %(max)s characters; yours has %(length)s.")
            % {
                "max": number_format(MAX_BODY, force_grouping=True),
                "length": number_format(len(text), force_grouping=True),
            }
        )
    if not sources:
        raise Refused(_("Please give at least one source: a web address, a DOI or a reference."))
    if len(sources) > MAX_SOURCES:
        raise Refused(_("Please give at most %(max)d sources.") % {"max": MAX_SOURCES})
    return {"body": text, "sources": [source.as_json() for source in sources]}


def _where(post: Post, selector: Selector | None) -> dict[str, Any]:
    """The passage's columns (a comment anchor's), or none of them for the whole essay."""
    where: dict[str, Any] = {"revision": post.revision, "version": post.version}
    return {**where, **asdict(selector)} if selector is not None else where


@action
def note_write(
    *, post: Post, author: Any, body: str, sources: Sequence[Source], selector: Selector | None
) -> Note:
    """Store a reader's note on the essay (selector None) or on the passage `selector` was
    checked against (core.anchoring.select). Hidden until a scoring run shows it."""
    settings = NoteSettings.current()
    refused = write_refusal(Reader.of(author), settings)
    if refused:
        raise Refused(refused)
    if post.is_page or not post.is_public:
        raise Refused(_("Context notes are written on published essays only."))
    fields = _note_fields(body, sources)
    _within_limit(
        "write", author, settings.notes_per_day, DAY,
        ngettext("You have written %(count)d note today, the most a day. Please send this "
                 "one tomorrow: your text is kept.",
                 "You have written %(count)d notes today, the most a day. Please send this "
                 "one tomorrow: your text is kept.",
                 settings.notes_per_day) % {"count": settings.notes_per_day},
    )  # fmt: skip
    return Note.objects.create(post=post, author=author, **_where(post, selector), **fields)


def ask_for_scoring() -> None:
    """A scoring run soon (at most one every few minutes): ratings changed."""
    try:  # notes.tasks belongs to the scoring runs, another part of issue 17 merged beside this
        tasks = importlib.import_module("broadsheet.notes.tasks")
    except ModuleNotFoundError:
        return
    tasks.schedule_scoring()


def _rating_checks(note: Note, rater: Any, value: str, reasons: Sequence[str]) -> list[str]:
    refused = rate_refusal(Reader.of(rater), NoteSettings.current())
    if refused:
        raise Refused(refused)
    if note.removed:
        raise Refused(_("This note was removed by a moderator: it can no longer be rated."))
    if note.author_id is not None and note.author_id == rater.pk:
        raise Refused(_("You wrote this note: other readers rate it."))
    if value not in Rating.Value.values:
        raise Refused(_("Please choose Helpful, Somewhat helpful or Not helpful."))
    try:
        return checked_reasons(value, reasons)
    except BadReasons as bad:
        raise Refused(bad.message) from None


def _upsert(note: Note, rater: Any, value: str, reasons: list[str]) -> Rating:
    """The rater's one rating of the note, created or changed; ratings_count counts new ones."""
    now = timezone.now()
    changed = {"value": value, "reasons": reasons, "updated_at": now}
    if Rating.objects.filter(note=note, rater=rater).update(**changed):
        return Rating.objects.get(note=note, rater=rater)
    try:
        with transaction.atomic():  # a second request of the same rater may have won
            rating = Rating.objects.create(note=note, rater=rater, created_at=now, **changed)
    except IntegrityError:
        Rating.objects.filter(note=note, rater=rater).update(**changed)
        return Rating.objects.get(note=note, rater=rater)
    Note.objects.filter(pk=note.pk).update(ratings_count=F("ratings_count") + 1)
    return rating


@action
def note_rate(*, note: Note, rater: Any, value: str, reasons: Sequence[str]) -> Rating:
    """Rate `note` (or change the rater's rating of it): `value` one of Rating.Value, `reasons`
    tags from notes.reasons that fit it. A scoring run follows once it is committed."""
    tags = _rating_checks(note, rater, value, reasons)
    settings = NoteSettings.current()
    _within_limit(
        "rate", rater, settings.ratings_per_hour, HOUR,
        ngettext("You have rated %(count)d note in the last hour, the most an hour. Please "
                 "come back later: this rating was not stored.",
                 "You have rated %(count)d notes in the last hour, the most an hour. Please "
                 "come back later: this rating was not stored.",
                 settings.ratings_per_hour) % {"count": settings.ratings_per_hour},
    )  # fmt: skip
    rating = _upsert(note, rater, value, tags)
    transaction.on_commit(ask_for_scoring)
    return rating

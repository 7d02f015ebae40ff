"""A reader's notes and ratings in the personal-data export and erasure (accounts.privacy, a
lower layer: registered in NotesConfig.ready). Both belong to an account, never to a bare
email address.

Erasure (decision 0062): the person's ratings are deleted (the notes they rated keep a true
ratings_count, and the next scoring run goes without them). Their notes that are shown stay,
detached from the account: readers and raters relied on them and they never named their
writer. Their other notes — waiting for ratings or rated not helpful — are deleted with their
ratings.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from broadsheet.accounts.privacy import PersonalDataKeeper, personal_data_register
from broadsheet.notes.models import Note, Rating, Status
from broadsheet.notes.services import ask_for_scoring


def _note_data(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "post": {"title": note.post.title,
                 "url": f"{settings.SITE_URL}{note.post.get_absolute_url()}"},
        "date": note.created_at.isoformat(),
        "quote": note.exact,
        "body": note.body,
        "sources": note.sources,
        "status": note.status,
        "removed": note.removed,
    }  # fmt: skip


def _rating_data(rating: Rating) -> dict[str, Any]:
    return {
        "note": rating.note_id,
        "post": {"title": rating.note.post.title,
                 "url": f"{settings.SITE_URL}{rating.note.post.get_absolute_url()}"},
        "value": rating.value,
        "reasons": rating.reasons,
        "date": rating.created_at.isoformat(),
        "changed": rating.updated_at.isoformat(),
    }  # fmt: skip


def _export_notes(addresses: list[str], user: Any) -> list[dict[str, Any]]:
    if user is None:
        return []
    notes = Note.objects.filter(author=user).select_related("post").order_by("created_at", "pk")
    return [_note_data(note) for note in notes]


def _export_ratings(addresses: list[str], user: Any) -> list[dict[str, Any]]:
    if user is None:
        return []
    rows = Rating.objects.filter(rater=user).select_related("note__post")
    return [_rating_data(rating) for rating in rows.order_by("created_at", "pk")]


def _erase_ratings(addresses: list[str], user: Any) -> int:
    """Delete the account's ratings, counted off the notes they rated; a scoring run follows."""
    if user is None:
        return 0
    rated = Rating.objects.filter(rater=user).values("note")
    Note.objects.filter(pk__in=rated).update(ratings_count=F("ratings_count") - 1)
    deleted = int(Rating.objects.filter(rater=user).delete()[1].get("notes.Rating", 0))
    if deleted:
        transaction.on_commit(ask_for_scoring)
    return deleted


def _erase_notes(addresses: list[str], user: Any) -> int:
    """Detach the account's shown notes and delete its others: how many of either."""
    if user is None:
        return 0
    theirs = Note.objects.filter(author=user)
    detached = theirs.filter(status=Status.SHOWN).update(author=None)
    deleted = theirs.exclude(status=Status.SHOWN).delete()[1].get("notes.Note", 0)
    return detached + int(deleted)


def register() -> None:
    personal_data_register(
        "note_ratings", PersonalDataKeeper(export=_export_ratings, erase=_erase_ratings)
    )
    personal_data_register(
        "context_notes", PersonalDataKeeper(export=_export_notes, erase=_erase_notes)
    )

"""A moderator's removal of a context note that breaks the site's rules."""

from __future__ import annotations

import logging

from broadsheet.accounts.models import User
from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.notes.models import Note

logger = logging.getLogger(__name__)


@action
def note_remove(*, note: Note, by: User | None) -> Note:
    """Hide the note everywhere — the essay, its notes page, the note's own page (410), the
    open data's text — and leave it out of every later scoring run. Its status stays what the
    last run said (statuses change only through a run); its ratings are kept."""
    if note.removed:
        return note
    Note.objects.filter(pk=note.pk).update(removed=True)
    note.removed = True
    logger.info("Context note %s removed by %s.", note.pk, by.pk if by else "the site")
    # Its essay may have shown it, and its notes page lists it.
    effects.pages(posts=[note.post_id])
    return note

"""The reasons a rater may give, as Community Notes asks them: why a note is helpful, why it is
not, and both lists for "Somewhat helpful". Stored as their tags in Rating.reasons (and in the
open data), so a tag never changes its meaning; a label may be reworded.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from broadsheet.notes.models import Rating

HELPFUL: dict[str, str | Promise] = {
    "good_sources": gettext_lazy("Cites good sources"),
    "important_context": gettext_lazy("Adds important context"),
    "addresses_claim": gettext_lazy("Addresses the claim directly"),
    "clear": gettext_lazy("Easy to understand"),
    "neutral": gettext_lazy("Neutral language"),
}
NOT_HELPFUL: dict[str, str | Promise] = {
    "sources_missing": gettext_lazy("Sources missing or unreliable"),
    "sources_unsupportive": gettext_lazy("Sources do not support the note"),
    "incorrect": gettext_lazy("Incorrect information"),
    "opinion": gettext_lazy("Opinion or speculation"),
    "off_topic": gettext_lazy("Off topic, or misses the point"),
    "unclear": gettext_lazy("Hard to understand"),
    "argumentative": gettext_lazy("Argumentative or biased language"),
    "not_needed": gettext_lazy("Not needed on this essay"),
    "abuse": gettext_lazy("Harassment or abuse"),
}
ALL: dict[str, str | Promise] = {**HELPFUL, **NOT_HELPFUL}
MAX_REASONS = len(ALL)


class BadReasons(ValueError):
    """`message` is shown next to the reasons."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reasons_for(value: str) -> dict[str, str | Promise]:
    """The tags a rating of `value` may carry, with their labels."""
    if value == Rating.Value.HELPFUL:
        return HELPFUL
    if value == Rating.Value.NOT_HELPFUL:
        return NOT_HELPFUL
    return ALL if value == Rating.Value.SOMEWHAT else {}


def checked_reasons(value: str, tags: Iterable[str]) -> list[str]:
    """`tags` without repeats, each one a rating of `value` may give (in the lists' order).
    Raises BadReasons naming the first that does not fit."""
    allowed = reasons_for(value)
    chosen = set(tags)
    for tag in chosen:
        if tag not in allowed:
            label = ALL.get(tag)
            if label is None:
                raise BadReasons(_("One of the reasons is not one we offer: please choose again."))
            if tag in HELPFUL:
                sentence = _(
                    "“%(reason)s” is a reason for a note that is helpful: please choose reasons "
                    "that fit your rating."
                )
            else:
                sentence = _(
                    "“%(reason)s” is a reason for a note that is not helpful: please choose "
                    "reasons that fit your rating."
                )
            raise BadReasons(sentence % {"reason": label})
    return [tag for tag in allowed if tag in chosen]

"""The reasons a rater may give, as Community Notes asks them: why a note is helpful, why it is
not, and both lists for "Somewhat helpful". Stored as their tags in Rating.reasons (and in the
open data), so a tag never changes its meaning; a label may be reworded.
"""

from __future__ import annotations

from collections.abc import Iterable

from broadsheet.notes.models import Rating

HELPFUL: dict[str, str] = {
    "good_sources": "Cites good sources",
    "important_context": "Adds important context",
    "addresses_claim": "Addresses the claim directly",
    "clear": "Easy to understand",
    "neutral": "Neutral language",
}
NOT_HELPFUL: dict[str, str] = {
    "sources_missing": "Sources missing or unreliable",
    "sources_unsupportive": "Sources do not support the note",
    "incorrect": "Incorrect information",
    "opinion": "Opinion or speculation",
    "off_topic": "Off topic, or misses the point",
    "unclear": "Hard to understand",
    "argumentative": "Argumentative or biased language",
    "not_needed": "Not needed on this essay",
    "abuse": "Harassment or abuse",
}
ALL: dict[str, str] = {**HELPFUL, **NOT_HELPFUL}
MAX_REASONS = len(ALL)


class BadReasons(ValueError):
    """`message` is shown next to the reasons."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reasons_for(value: str) -> dict[str, str]:
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
                raise BadReasons("One of the reasons is not one we offer: please choose again.")
            raise BadReasons(
                f"“{label}” is a reason for a note that is "
                f"{'helpful' if tag in HELPFUL else 'not helpful'}: please choose reasons "
                "that fit your rating."
            )
    return [tag for tag in allowed if tag in chosen]

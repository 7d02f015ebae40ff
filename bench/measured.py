"""A benchmark times what it names: each timed response says whether the page cache served it.

The page cache marks the pages it serves with `X-Page-Cache: hit`; a rendered page carries no
such header. A figure labelled "rendered" made of hits (or the other way round) cannot fail
and means nothing, so every timed response is checked and the run stops at the first that is
not what the figure says.
"""

from __future__ import annotations

from typing import Any, Literal

Served = Literal["hit", "rendered"]


def served_by(headers: Any) -> Served:
    """'hit' when the page cache answered, else 'rendered' (any mapping with a case-blind get:
    a Django response's headers, urllib's, http.client's)."""
    return "hit" if (headers.get("X-Page-Cache") or "").lower() == "hit" else "rendered"


def expect(headers: Any, wanted: Served, what: str) -> None:
    expect_all([served_by(headers)], wanted, what)


def expect_all(found_each: list[Served], wanted: Served, what: str) -> None:
    """For answers gathered on other threads (where SystemExit would end only the thread)."""
    if any(found != wanted for found in found_each):
        found = next(found for found in found_each if found != wanted)
        raise SystemExit(
            f"bench: {what} is timed as {wanted}, but a timed response was {found} "
            "(X-Page-Cache): the figure would not measure what it names."
        )

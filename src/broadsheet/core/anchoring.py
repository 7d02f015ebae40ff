"""Passages of an essay, selections of their text, and finding a selection again in a revision.

A *passage* is a block of the rendered essay a reader can respond to: a paragraph (`p-…`), a
footnote (`fn-N`) or a bibliography entry (`ref-KEY`), as plain text. A *selector* is what the
W3C Web Annotation model stores: the passage, a TextQuoteSelector (exact, prefix, suffix) and a
TextPositionSelector (start, end: offsets into the passage's text).

`relocate` finds selectors again in a new version of the essay: the exact quote, then the quote
with its context in the same and neighbouring passages, then a fuzzy match above a strict
confidence, else orphaned. It never moves a selector to a different, look-alike passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MAX_QUOTE = 2_000  # characters of an exact quote
CONTEXT = 32  # characters of prefix and suffix kept


@dataclass(frozen=True)
class Passage:
    id: str
    text: str  # NFC, whitespace collapsed to single spaces, stripped


@dataclass(frozen=True)
class Selector:
    passage: str
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


class NotInText(ValueError):
    """A submitted selection that is not in the essay; `message` is shown to the reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


State = Literal["intact", "moved", "edited", "orphaned"]


@dataclass(frozen=True)
class Relocation:
    state: State
    selector: Selector | None  # where it is now; None when orphaned
    confidence: float  # 1.0 for an exact match


def passages(*html_parts: str) -> list[Passage]:
    """The passages of rendered HTML (body, footnotes, bibliography), in document order."""
    raise NotImplementedError


def select(
    texts: Sequence[Passage],
    *,
    passage: str,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Selector:
    """A reader's submitted selection checked against the text: the passage must exist and
    contain `exact`; prefix, suffix and positions are taken from the text itself (the
    submitted ones only choose between several occurrences). Raises NotInText."""
    raise NotImplementedError


def whole(passage: Passage) -> Selector:
    """The whole passage (the no-JavaScript "Respond"), cut to MAX_QUOTE at a word boundary."""
    raise NotImplementedError


def relocate(
    selectors: Sequence[Selector], old: Sequence[Passage], new: Sequence[Passage]
) -> list[Relocation]:
    """Each selector (located in `old`) found again in `new`, in the same order."""
    raise NotImplementedError

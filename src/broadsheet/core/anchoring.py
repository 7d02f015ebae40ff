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

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import lxml.html

MAX_QUOTE = 2_000  # characters of an exact quote
CONTEXT = 32  # characters of prefix and suffix kept

# The ids markdown gives paragraphs (`p-<hash>`), footnotes (`fn-N`) and references
# (`ref-KEY`); Anchor.passage holds 120 characters.
_PASSAGE_ID = re.compile(r"(?:p|fn|ref)-\S{1,100}")
# Not words of the passage: the footnote number in a paragraph and the ↩ back to it in a
# footnote (a renumbered footnote must not change the text of the paragraph citing it).
_NOT_TEXT = frozenset({"footnote-ref", "footnote-backref"})
_SPACES = re.compile(r"\s+")


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
    """The passages of rendered HTML (body, footnotes, bibliography), in document order.

    A passage is the outermost element whose id is `p-…`, `fn-…` or `ref-…` (a footnote's own
    paragraphs belong to the footnote); its text is what a reader selects, as `textContent`
    gives it without the footnote numbers and back-links, whitespace collapsed. The first of
    two elements with one id wins; passages without text are left out."""
    found: list[Passage] = []
    seen: set[str] = set()
    for html in html_parts:
        if not html or not html.strip():
            continue
        for element in _passage_elements(lxml.html.fragment_fromstring(html, create_parent="div")):
            ident = element.get("id")
            text = _normalise(element.text_content())
            if ident not in seen and text:
                seen.add(ident)
                found.append(Passage(ident, text))
    return found


def _passage_elements(root: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    for element in list(root.iter()):
        if isinstance(element.tag, str) and _NOT_TEXT & set(element.classes):
            element.drop_tree()  # keeps its tail: the text after it
    inside: set[lxml.html.HtmlElement] = set()
    for element in root.iter():
        if not isinstance(element.tag, str) or element in inside:
            continue
        if _PASSAGE_ID.fullmatch(element.get("id") or ""):
            inside.update(element.iterdescendants())
            yield element


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _collapse(text: str) -> str:
    """Context as submitted: NFC, runs of whitespace as one space, the ends kept."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text))


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
    quote = _normalise(exact) if len(exact) <= 4 * MAX_QUOTE else exact
    if not quote:
        raise NotInText("Select some words of the essay to quote.")
    if len(quote) > MAX_QUOTE:
        raise NotInText(
            f"A quote may be at most {MAX_QUOTE:,} characters; select a shorter passage."
        )
    found = next((p for p in texts if p.id == passage), None)
    if found is None:
        raise NotInText(
            "That passage is not in the essay as it reads now; reload the page and select "
            "the words again."
        )
    starts = list(_occurrences(found.text, quote))
    if not starts:
        raise NotInText("Those words are not in that passage of the essay; select them again.")
    before, after = _collapse(prefix[-4 * CONTEXT :]), _collapse(suffix[: 4 * CONTEXT])
    near = start if isinstance(start, int) and not isinstance(start, bool) else 0
    best = max(
        starts,
        key=lambda s: (
            _context(found.text, s, s + len(quote), before[-CONTEXT:], after[:CONTEXT]),
            -abs(s - near),
        ),
    )
    return _selector(found, best, best + len(quote))


def _occurrences(text: str, quote: str) -> Iterator[int]:
    at = text.find(quote)
    while at != -1:
        yield at
        at = text.find(quote, at + 1)


def _context(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of `prefix` end right before `start` and of `suffix` begin at
    `end` in `text`."""
    return _common_suffix(prefix, text[max(0, start - len(prefix)) : start]) + _common_prefix(
        suffix, text[end : end + len(suffix)]
    )


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _selector(passage: Passage, start: int, end: int) -> Selector:
    text = passage.text
    return Selector(
        passage=passage.id,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        start=start,
        end=end,
    )


def whole(passage: Passage) -> Selector:
    """The whole passage (the no-JavaScript "Respond"), cut to MAX_QUOTE at a word boundary."""
    end = len(passage.text)
    if end > MAX_QUOTE:
        space = passage.text.rfind(" ", 0, MAX_QUOTE + 1)
        end = space if space > MAX_QUOTE // 2 else MAX_QUOTE
    return _selector(passage, 0, end)


def relocate(
    selectors: Sequence[Selector], old: Sequence[Passage], new: Sequence[Passage]
) -> list[Relocation]:
    """Each selector (located in `old`) found again in `new`, in the same order."""
    raise NotImplementedError

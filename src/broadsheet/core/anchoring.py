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
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Literal

import lxml.html
from django.utils.formats import number_format
from django.utils.translation import gettext
from rapidfuzz import fuzz

MAX_QUOTE = 2_000  # characters of an exact quote
CONTEXT = 32  # characters of prefix and suffix kept

# The ids markdown gives paragraphs (`p-<hash>`), footnotes (`fn-N`) and references
# (`ref-KEY`); Anchor.passage holds 120 characters.
_PASSAGE_ID = re.compile(r"(?:p|fn|ref)-\S{1,100}")
# Not words of the passage: the footnote number in a paragraph and the ↩ back to it in a
# footnote (a renumbered footnote must not change the text of the paragraph citing it).
_NOT_TEXT = frozenset({"footnote-ref", "footnote-backref"})
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


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
        raise NotInText(gettext("Select some words of the essay to quote."))
    if len(quote) > MAX_QUOTE:
        raise NotInText(
            gettext("A quote may be at most %(count)s characters; select a shorter passage.")
            % {"count": number_format(MAX_QUOTE, force_grouping=True)}
        )
    found = next((p for p in texts if p.id == passage), None)
    if found is None:
        raise NotInText(
            gettext(
                "That passage is not in the essay as it reads now; reload the page and select "
                "the words again."
            )
        )
    starts = list(_occurrences(found.text, quote))
    if not starts:
        raise NotInText(
            gettext("Those words are not in that passage of the essay; select them again.")
        )
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


# Relocation (decision 0046). A quote found exactly outside its own, unchanged passage needs at
# least half of one side's context around it (or to be long, once only, in the passage its
# old one became); a fuzzy match needs quotes of _MIN_FUZZY characters or more, words at least
# _QUOTE_SIMILAR alike, context at least _CONTEXT_SIMILAR alike, a confidence of _CONFIDENCE,
# and no rival within _RIVAL of it. Either only in a passage descended from the old one.
_CONTEXT_NEEDED = 0.5
_MIN_FUZZY = 12
_QUOTE_SIMILAR = 0.75
_CONTEXT_SIMILAR = 0.5
_CONFIDENCE = 0.8
_RIVAL = 0.05
_ABSORBED = 0.6  # of the old passage's other runs of words, for a passage that took them in
# of the old passage's other runs of words, for a quote found with none of its context
_KEPT_BESIDES = 0.3
_NEIGHBOURS = 8  # new passages searched on each side of where an edited passage was
_REPEATS = 50  # occurrences of a quote looked at in one passage
_EDGE = 48  # characters of a long quote compared to place each of its ends
_COMMON_RUN = 8  # a run of words in more changed old passages than this is not evidence


def relocate(
    selectors: Sequence[Selector], old: Sequence[Passage], new: Sequence[Passage]
) -> list[Relocation]:
    """Each selector (located in `old`) found again in `new`, in the same order.

    An old passage whose text is in `new` unchanged is the same passage (wherever it went);
    a selector there keeps its words. Otherwise its passage was edited, split, merged or
    deleted: the quote is looked for, exactly and then fuzzily, only in the changed passages
    of `new` next to where the old one stood (between its unchanged neighbours), and only in
    those that descend from it (not a look-alike that took the same sentence)."""
    essay = _Essay(old, new)
    return [_relocate(selector, essay) for selector in selectors]


_ORPHANED = Relocation("orphaned", None, 0.0)


def _relocate(selector: Selector, essay: _Essay) -> Relocation:
    if not _normalise(selector.exact):
        return _ORPHANED
    same = essay.same_passage(selector.passage)
    if same is not None:
        at = _best_occurrence(same, selector)
        if at is None:  # the selector was not of this text
            return _ORPHANED
        moved = same.id != selector.passage or at != selector.start
        return Relocation(
            "moved" if moved else "intact", _selector(same, at, at + len(selector.exact)), 1.0
        )
    candidates = essay.candidates(selector.passage)
    return (
        _exact_nearby(selector, essay, candidates)
        or _fuzzy_nearby(selector, essay, candidates)
        or _ORPHANED
    )


@dataclass(frozen=True)
class _Candidate:
    distance: int  # passages away from where the old one stood
    index: int  # in the new passages
    passage: Passage


class _Essay:
    """The old passages against the new: which kept their text, where changed ones went, and
    which changed old passage each changed new one descends from."""

    def __init__(self, old: Sequence[Passage], new: Sequence[Passage]) -> None:
        self.old, self.new = list(old), list(new)
        self.old_at = {p.id: i for i, p in enumerate(self.old)}
        self.new_at = {p.id: i for i, p in enumerate(self.new)}
        self.kept = _kept(self.old, self.new)  # old index → new index, same text
        self.paired = set(self.kept.values())
        self._candidates: dict[str, list[_Candidate]] = {}
        self._runs: dict[tuple[str, int], set[tuple[str, ...]]] = {}
        self._parents: dict[int, set[int]] = {}
        self._heirs: dict[int, list[int]] | None = None
        self._rests: dict[tuple[int, str], set[tuple[str, ...]]] = {}

    def same_passage(self, ident: str) -> Passage | None:
        at = self.old_at.get(ident)
        return self.new[self.kept[at]] if at is not None and at in self.kept else None

    def candidates(self, ident: str) -> list[_Candidate]:
        """The changed new passages of its kind next to its unchanged neighbours; with no
        old passage of that id, the new passage of that id (a footnote's or reference's)."""
        if ident not in self._candidates:
            self._candidates[ident] = self._find_candidates(ident)
        return self._candidates[ident]

    def _find_candidates(self, ident: str) -> list[_Candidate]:
        at = self.old_at.get(ident)
        if at is None:
            same_id = self.new_at.get(ident)
            if same_id is None or ident.startswith("p-"):
                return []
            return [_Candidate(0, same_id, self.new[same_id])]
        found: dict[int, int] = {}
        left = next((self.kept[i] for i in range(at - 1, -1, -1) if i in self.kept), -1)
        right = next(
            (self.kept[i] for i in range(at + 1, len(self.old)) if i in self.kept), len(self.new)
        )
        for start, step in ((left + 1, 1), (right - 1, -1)):
            for distance, index in enumerate(range(start, start + step * _NEIGHBOURS, step)):
                if not 0 <= index < len(self.new) or index in self.paired:
                    break
                found[index] = min(distance, found.get(index, distance))
        for index in self.heirs(at):  # moved as well as changed: found by its words
            found.setdefault(index, _NEIGHBOURS)
        kind = _kind(ident)
        return [
            _Candidate(d, i, self.new[i])
            for i, d in sorted(found.items())
            if _kind(self.new[i].id) == kind
        ]

    def runs(self, side: str, index: int) -> set[tuple[str, ...]]:
        key = (side, index)
        if key not in self._runs:
            self._runs[key] = _runs((self.old if side == "old" else self.new)[index].text)
        return self._runs[key]

    def parents(self, index: int) -> set[int]:
        """The changed old passages of its kind sharing the most two-word runs with new
        passage `index` (several when tied; none when it shares none)."""
        if self._heirs is None:
            self._find_parents()
        return self._parents.get(index, set())

    def heirs(self, at: int) -> list[int]:
        """The changed new passages whose sole parent is old passage `at`, wherever they are."""
        if self._heirs is None:
            self._find_parents()
        assert self._heirs is not None
        return self._heirs.get(at, [])

    def _find_parents(self) -> None:
        # An index of runs → changed old passages: one pass over each text, not every pair.
        runs: dict[tuple[str, ...], list[int]] = {}
        for i, passage in enumerate(self.old):
            if i not in self.kept:
                for run in _runs(passage.text):
                    runs.setdefault((_kind(passage.id), *run), []).append(i)
        # A run in many passages ("of the") says nothing of descent, and would make this
        # quadratic.
        runs = {run: olds for run, olds in runs.items() if len(olds) <= _COMMON_RUN}
        self._heirs = {}
        for index, passage in enumerate(self.new):
            if index in self.paired:
                continue
            kind = _kind(passage.id)
            shared = Counter(i for run in _runs(passage.text) for i in runs.get((kind, *run), ()))
            most = max(shared.values(), default=0)
            self._parents[index] = {i for i, n in shared.items() if n == most}
            if len(self._parents[index]) == 1:
                self._heirs.setdefault(next(iter(self._parents[index])), []).append(index)

    def sole_parent(self, selector: Selector, index: int) -> bool:
        return self.parents(index) == {self.old_at.get(selector.passage)}

    def rest(self, selector: Selector, at: int) -> set[tuple[str, ...]]:
        """The old passage's runs of words besides the quote's."""
        key = (at, selector.exact)
        if key not in self._rests:
            self._rests[key] = self.runs("old", at) - _runs(selector.exact)
        return self._rests[key]

    def keeps_rest(self, selector: Selector, index: int, share: float) -> bool:
        """Whether new passage `index` kept `share` of the old passage's words besides the
        quote: a passage that only shares the quote is another passage that happens to use
        the same words (a sole parent is found by the quote's words alone)."""
        at = self.old_at.get(selector.passage)
        if at is None:
            return True  # the only candidate is the passage of the same id
        rest = self.rest(selector, at)
        return bool(rest) and len(rest & self.runs("new", index)) >= share * len(rest)

    def descends(self, selector: Selector, index: int) -> bool:
        """Whether new passage `index` comes from the selector's old passage: it is that
        passage's closest changed relative, or it took in most of that passage's runs of
        words besides the quote's (a merge). Never only because it holds the quote."""
        at = self.old_at.get(selector.passage)
        if at is None:
            return True  # the only candidate is the passage of the same id
        if self.sole_parent(selector, index):
            return True
        rest = self.rest(selector, at)
        if len(rest) < 4:
            return False
        return len(rest & self.runs("new", index)) >= _ABSORBED * len(rest)


def _runs(text: str) -> set[tuple[str, ...]]:
    """The passage's runs of two words, punctuation aside (its word, when it has one)."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + 2]) for i in range(max(1, len(words) - 1))}


def _kind(ident: str) -> str:
    return ident.split("-", 1)[0]


def _kept(old: Sequence[Passage], new: Sequence[Passage]) -> dict[int, int]:
    """Old passages whose text is in `new` unchanged: by id and text, then by a text found
    once in each (a renumbered footnote). A text repeated a different number of times in
    the two is left unpaired: which copy went is not known."""
    old_count = Counter(p.text for p in old)
    new_count = Counter(p.text for p in new)
    new_at = {p.id: i for i, p in enumerate(new)}
    new_of_text = {p.text: i for i, p in enumerate(new) if new_count[p.text] == 1}
    kept: dict[int, int] = {}
    for i, passage in enumerate(old):
        if old_count[passage.text] != new_count[passage.text]:
            continue
        j = new_at.get(passage.id)
        if j is None or new[j].text != passage.text:
            j = new_of_text.get(passage.text) if old_count[passage.text] == 1 else None
        if j is not None and _kind(new[j].id) == _kind(passage.id):
            kept[i] = j
    return kept


def _best_occurrence(passage: Passage, selector: Selector) -> int | None:
    """Where in its own unchanged passage the quote is: by context, then nearest its place."""
    starts = list(islice(_occurrences(passage.text, selector.exact), _REPEATS))
    if not starts:
        return None
    length = len(selector.exact)
    return max(
        starts,
        key=lambda s: (
            _context(passage.text, s, s + length, selector.prefix, selector.suffix),
            -abs(s - selector.start),
        ),
    )


def _sides(text: str, start: int, end: int, prefix: str, suffix: str) -> tuple[float, float]:
    """How much of the context on each side is found around text[start:end], 0 to 1. A context
    shorter than CONTEXT was cut by the passage's edge: all of it only with the edge there."""
    before = _common_suffix(prefix, text[max(0, start - len(prefix)) : start])
    after = _common_prefix(suffix, text[end : end + len(suffix)])
    left = 1.0 if before == len(prefix) == start else before / CONTEXT
    right = 1.0 if after == len(suffix) == len(text) - end else after / CONTEXT
    return min(left, 1.0), min(right, 1.0)


def _exact_nearby(
    selector: Selector, essay: _Essay, candidates: list[_Candidate]
) -> Relocation | None:
    """The quote itself in a changed passage nearby that descends from its old one, with
    enough of its context around it; two equally good places: the nearer only when both keep
    all their context. Without context, a long quote found once in the old passage's sole
    heir, when that heir kept some of the old passage's other words too."""
    hits, bare = [], []
    length = len(selector.exact)
    for candidate in candidates:
        text = candidate.passage.text
        for s in islice(_occurrences(text, selector.exact), _REPEATS):
            left, right = _sides(text, s, s + length, selector.prefix, selector.suffix)
            shift = (candidate.distance, abs(s - selector.start))
            if max(left, right) < _CONTEXT_NEEDED:
                bare.append((candidate, s))
            elif essay.descends(selector, candidate.index):
                hits.append(((left + right) / 2, shift, candidate.passage, s))
    if hits:
        best = max(hit[0] for hit in hits)
        tied = sorted((h for h in hits if h[0] >= best - 1e-9), key=lambda h: h[1])
        if len(tied) > 1 and best < 1.0:
            return _ORPHANED  # a look-alike: which one was meant is not known
        passage, s = tied[0][2], tied[0][3]
    elif (
        len(bare) == 1
        and length >= _MIN_FUZZY
        and essay.sole_parent(selector, bare[0][0].index)
        and essay.keeps_rest(selector, bare[0][0].index, _KEPT_BESIDES)
    ):
        passage, s = bare[0][0].passage, bare[0][1]
    else:
        return None
    return Relocation("moved", _selector(passage, s, s + length), 1.0)


def _fuzzy_nearby(
    selector: Selector, essay: _Essay, candidates: list[_Candidate]
) -> Relocation | None:
    """The quote's words edited, in a changed passage nearby that descends from its old one:
    the best alike span (word boundaries) above the strict confidence, unless another place
    is nearly as good."""
    if len(selector.exact) < _MIN_FUZZY:
        return None
    related = (c for c in candidates if essay.descends(selector, c.index))
    scored = sorted(
        (m for c in related if (m := _fuzzy_in(selector, c.passage)) is not None),
        key=lambda m: -m[0],
    )
    if not scored or scored[0][0] < _CONFIDENCE:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0] - _RIVAL:
        return _ORPHANED
    confidence, passage, start, end = scored[0]
    state: State = "moved" if passage.text[start:end] == selector.exact else "edited"
    return Relocation(state, _selector(passage, start, end), round(confidence, 3))


def _fuzzy_in(selector: Selector, passage: Passage) -> tuple[float, Passage, int, int] | None:
    """The span of `passage` (whole words) most like the quote with its context, scored
    0.7 × how alike the words are + 0.3 × how alike the context is; None below the bars."""
    quote, text = selector.exact, passage.text
    rough = _rough_span(quote, text)
    if rough is None:
        return None
    slack = max(12, min(40, len(quote) // 4))
    starts = _word_edges(text, rough[0] - slack, rough[0] + slack, start=True)
    ends = _word_edges(text, rough[1] - slack, rough[1] + slack, start=False)
    if not starts or not ends:
        return None

    def score(span: tuple[int, int]) -> float:
        s, e = span
        if e - s < len(quote) // 2:
            return 0.0
        similar = fuzz.ratio(quote, text[s:e], score_cutoff=100 * _QUOTE_SIMILAR) / 100
        around = _context_alike(text, s, e, selector.prefix, selector.suffix) if similar else 0
        return 0.7 * similar + 0.3 * around if around >= _CONTEXT_SIMILAR else 0.0

    if len(quote) > 2 * _EDGE:  # each edge by the words around it: a long quote stays cheap
        head, tail = selector.prefix + quote[:_EDGE], quote[-_EDGE:] + selector.suffix
        start = max(
            starts, key=lambda i: _alike(head, text[max(0, i - len(selector.prefix)) : i + _EDGE])
        )
        end = max(
            ends, key=lambda i: _alike(tail, text[max(0, i - _EDGE) : i + len(selector.suffix)])
        )
    else:  # one edge at a time, twice
        start = min(starts, key=lambda i: abs(i - rough[0]))
        end = min(ends, key=lambda i: abs(i - rough[1]))
        for _ in range(2):
            start = max(starts, key=lambda i: score((i, end)))
            end = max(ends, key=lambda i: score((start, i)))
    best = score((start, end))
    return (best, passage, start, end) if best > 0 else None


def _alike(a: str, b: str) -> float:
    return fuzz.ratio(a, b)


def _rough_span(quote: str, text: str) -> tuple[int, int] | None:
    """About where in `text` the quote is (start, end), if it is at all. A short quote by
    partial_ratio_alignment; a long one (costly for it) by runs of its words found exactly."""
    if len(quote) <= 64:
        found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=100 * _QUOTE_SIMILAR * 0.9)
        if found is None:
            return None
        return found.dest_start, max(found.dest_end, found.dest_start + len(quote))
    seeds = []
    for offset, chunk in _chunks(quote, 24):
        at = text.find(chunk)
        if at != -1:
            seeds.append((at - offset, at + len(quote) - offset))
    if len(seeds) < 2:
        return None
    # A run found elsewhere in the passage (its first occurrence) is not a seed of this span.
    middle = sorted(start for start, _ in seeds)[len(seeds) // 2]
    seeds = [seed for seed in seeds if abs(seed[0] - middle) <= max(40, len(quote) // 10)]
    return max(0, seeds[0][0]), min(len(text), seeds[-1][1])


def _chunks(quote: str, size: int) -> Iterator[tuple[int, str]]:
    """Runs of whole words of about `size` characters, with their offsets in the quote."""
    start = 0
    while start < len(quote):
        end = quote.find(" ", start + size)
        end = len(quote) if end == -1 else end
        yield start, quote[start:end]
        start = end + 1


def _word_edges(text: str, low: int, high: int, *, start: bool) -> list[int]:
    """Positions in [low, high] where a word starts (or ends): the text's edges, next to a
    space, or between a letter and punctuation ("window|," and "“|Febry")."""
    low, high = max(0, low), min(len(text), high)
    edges = []
    for i in range(low, high + 1):
        before = text[i - 1] if i > 0 else " "
        after = text[i] if i < len(text) else " "
        inside = after if start else before
        if not inside.isspace() and (
            before.isspace() or after.isspace() or before.isalnum() != after.isalnum()
        ):
            edges.append(i)
    return edges


def _context_alike(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    """How alike the text around a fuzzy match is to the quote's old context, 0 to 1."""
    sides = []
    for old, now, edge in (
        (prefix, text[max(0, start - len(prefix)) : start], start == 0),
        (suffix, text[end : end + len(suffix)], end == len(text)),
    ):
        if not old:
            sides.append(1.0 if edge else 0.0)
        else:
            sides.append(fuzz.ratio(old, now) / 100)
    return sum(sides) / 2

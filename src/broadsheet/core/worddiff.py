"""A word-level diff of two texts, as escaped HTML: inline (`<del>`/`<ins>`) or side by side.

Two passes keep it fast on long essays: lines (paragraphs, in Markdown) are matched first,
and only the lines that changed are matched word by word, so the cost follows the size of the
change, not of the essay. Unchanged stretches are folded to a few lines of context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape
from typing import Literal

# A word with the space after it; leading space stands alone.
_TOKENS = re.compile(r"\S+\s*|\s+")
_WORD = re.compile(r"\S+")
# A line with the blank lines after it: Markdown's many blank lines, matched alone, would all
# be equal and make the line matching slow (each could pair with any other).
_LINES = re.compile(r"[^\n]*\n(?:[ \t]*\n)*|[^\n]+$")
# A sentence with the space after it (the last one may lack its full stop).
_SENTENCES = re.compile(r".+?(?:[.!?]+[\"')\]]*\s+|$)", re.S)
# Word lists longer than this are matched without a word-level pass (the block is shown as
# replaced whole): SequenceMatcher's worst case grows with the product of the lengths.
MAX_WORD_MATCH = 4_000_000


@dataclass(frozen=True)
class Row:
    """One row of the diff: unchanged context, a change, or a fold of unchanged lines.
    `old`, `new` and `inline` are escaped HTML."""

    kind: Literal["same", "change", "fold"]
    old: str = ""
    new: str = ""
    inline: str = ""
    folded: int = 0


@dataclass(frozen=True)
class Diff:
    rows: list[Row]
    added: int  # words
    removed: int

    @property
    def changed(self) -> bool:
        return self.added > 0 or self.removed > 0


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def diff_text(old: str, new: str, *, context: int = 1) -> Diff:
    """Rows of changed lines (with `context` unchanged lines around each) and word counts."""
    old_lines, new_lines = _LINES.findall(old), _LINES.findall(new)
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    rows: list[Row] = []
    added = removed = 0
    codes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            rows.extend(_context(old_lines[i1:i2], index == 0, index == len(codes) - 1, context))
            continue
        row, plus, minus = _changed("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2]))
        rows.append(row)
        added, removed = added + plus, removed + minus
    return Diff(rows=rows, added=added, removed=removed)


def _context(lines: list[str], first: bool, last: bool, context: int) -> list[Row]:
    head = [] if first else lines[:context]
    tail = [] if last else lines[max(len(head), len(lines) - context) :]
    folded = len(lines) - len(head) - len(tail)
    if folded < 2:  # a fold in place of one line hides nothing worth hiding
        return [_same(line) for line in lines]
    rows = [_same(line) for line in head]
    if folded > 0:
        rows.append(Row(kind="fold", folded=folded))
    rows.extend(_same(line) for line in tail)
    return rows


def _same(line: str) -> Row:
    text = escape(line)
    return Row(kind="same", old=text, new=text, inline=text)


def _changed(old: str, new: str) -> tuple[Row, int, int]:
    left: list[str] = []
    right: list[str] = []
    inline: list[str] = []
    added = removed = 0
    for tag, gone, came in _word_ops(old, new):
        if tag == "equal":
            text = escape(gone)
            left.append(text)
            right.append(text)
            inline.append(text)
            continue
        if gone:
            marked = f"<del>{escape(gone)}</del>"
            left.append(marked)
            inline.append(marked)
            removed += _words(gone)
        if came:
            marked = f"<ins>{escape(came)}</ins>"
            right.append(marked)
            inline.append(marked)
            added += _words(came)
    row = Row(kind="change", old="".join(left), new="".join(right), inline="".join(inline))
    return row, added, removed


def _word_ops(old: str, new: str, *, by_sentence: bool = True) -> list[tuple[str, str, str]]:
    """(tag, old text, new text) pieces, word by word. A long block (a whole essay written as
    one paragraph) is matched sentence by sentence first, then word by word where it changed."""
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    if old_tokens and new_tokens and len(old_tokens) * len(new_tokens) <= MAX_WORD_MATCH:
        # Words are matched without the space after them ("tides" at the end of a line is
        # the same word as "tides " in the middle of one).
        old_words = [token.rstrip() or token for token in old_tokens]
        new_words = [token.rstrip() or token for token in new_tokens]
        matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
        return [
            (tag, "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2]))
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
    if not by_sentence or not old_tokens or not new_tokens:
        return [("replace", old, new)]
    old_parts, new_parts = _SENTENCES.findall(old), _SENTENCES.findall(new)
    ops: list[tuple[str, str, str]] = []
    matcher = SequenceMatcher(None, old_parts, new_parts, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        gone, came = "".join(old_parts[i1:i2]), "".join(new_parts[j1:j2])
        if tag == "equal":
            ops.append((tag, gone, came))
        else:
            ops.extend(_word_ops(gone, came, by_sentence=False))
    return ops


def word_changes(old: str, new: str) -> tuple[int, int]:
    """Words added and removed from `old` to `new`."""
    found = diff_text(old, new, context=0)
    return found.added, found.removed

"""Text as both search engines index it, in every language (decision 0109).

Neither engine's word splitter finds words in Chinese or Japanese (no spaces between them):
a whole sentence would be one "word", and a search for a word inside it would find nothing.
Each such character is indexed as a word of its own (spaced out in the indexed columns), and a
query's run of them becomes a phrase of single characters, so 東京 finds 東京大学 on SQLite and
PostgreSQL alike. Results show the text put back together (`joined`).

Arabic vowel marks (harakat) and the tatweel stretch are dropped from indexed text and queries:
readers type unvocalised words, and neither engine folds them. Latin accents are folded by the
engines themselves (FTS5 remove_diacritics, PostgreSQL unaccent).
"""

from __future__ import annotations

import re
import unicodedata

# Han (with extensions and compatibility ideographs), kana, Hangul syllables and Jamo,
# Bopomofo, CJK symbols and fullwidth forms' letters are not; halfwidth kana is.
_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0003134f"
)
_CJK_CHAR = re.compile(f"([{_CJK}])")
# Arabic harakat, superscript alef, Quranic marks and the tatweel.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# A space the indexing put between two CJK characters (or one and CJK punctuation: 。、「」
# and fullwidth forms), perhaps with highlight marks around it.
_CJK_TEXT = _CJK + "\u3000-\u303f\uff00-\uffef"
_SPACED = re.compile(f"(?<=[{_CJK_TEXT}])([\x02\x03]*) ([\x02\x03]*)(?=[{_CJK_TEXT}])")


def indexed(text: str) -> str:
    """What the engines are given: Arabic marks dropped, CJK characters spaced out."""
    if not text:
        return text
    text = _ARABIC_MARKS.sub("", text)
    if not _CJK_CHAR.search(text):
        return text
    return " ".join(_CJK_CHAR.sub(r" \1 ", text).split())


def without_marks(text: str) -> str:
    """Text with Arabic vowel marks and tatweel dropped (before splitting it into words: the
    marks are not word characters, and would cut a vocalised word into letters)."""
    return _ARABIC_MARKS.sub("", text)


def query_words(word: str) -> tuple[str, ...]:
    """A query's word as the index holds it: one word, or its CJK characters one by one."""
    folded = unicodedata.normalize("NFC", _ARABIC_MARKS.sub("", word))
    if not _CJK_CHAR.search(folded):
        return (folded,) if folded else ()
    return tuple(_CJK_CHAR.sub(r" \1 ", folded).split())


def joined(text: str) -> str:
    """Indexed text as readers wrote it: no spaces between CJK characters."""
    return _SPACED.sub(r"\1\2", text) if text else text

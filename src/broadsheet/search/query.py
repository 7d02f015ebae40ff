"""What a reader typed, reduced to terms both databases understand the same way.

Readers type words, "quoted phrases", -exclusions and trailing* prefixes, as in most search
boxes. Everything else — FTS operators, quotes left open, colons, SQL, control characters — is
treated as plain text, so no input can be a syntax error: each term reaches the database as a
bound parameter or as a quoted FTS5 string made only of word characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from broadsheet.search.text import query_words, without_marks

MAX_QUERY_CHARS = 300
MAX_TERMS = 12
MAX_WORD_CHARS = 60

_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or the words of a phrase, in order
    exclude: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    text: str  # what the reader typed, tidied, as shown back to them
    terms: tuple[Term, ...] = field(default=())
    shortened: bool = False

    @property
    def searchable(self) -> bool:
        """At least one term to look for: a query of exclusions alone finds nothing useful."""
        return any(not t.exclude for t in self.terms)


def parse_query(raw: str) -> SearchQuery:
    text = _tidy(raw)
    shortened = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    terms: list[Term] = []
    for match in _CHUNK.finditer(text):
        quoted_minus, phrase, bare = match.groups()
        exclude, prefix = bool(quoted_minus), False
        if phrase is None:
            exclude = bare.startswith("-") and len(bare) > 1
            prefix = bare.endswith("*")
            phrase = bare
        words = tuple(
            part
            for w in _WORD.findall(without_marks(phrase))
            for part in query_words(w.casefold()[:MAX_WORD_CHARS])
        )
        if not words:
            continue
        if len(terms) == MAX_TERMS:
            shortened = True
            break
        terms.append(Term(words=words, exclude=exclude, prefix=prefix and len(words) == 1))
    return SearchQuery(text=text.strip(), terms=tuple(terms), shortened=shortened)


def _tidy(raw: str) -> str:
    # Control and format characters (NUL, bidi overrides, zero-width joiners) never help a search.
    normalised = unicodedata.normalize("NFKC", raw)
    kept = (
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in normalised
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn") or ch in "\t\n"
    )
    return " ".join("".join(kept).split())


def fts5_expression(query: SearchQuery, *, include_comments: bool) -> str:
    """An FTS5 MATCH expression: the terms ANDed over title, extra and body."""
    wanted = [_fts5_term(t) for t in query.terms if not t.exclude]
    unwanted = [_fts5_term(t) for t in query.terms if t.exclude]
    expression = " AND ".join(wanted)
    for term in unwanted:
        expression = f"{expression} NOT {term}"
    expression = "{title extra body} : (" + expression + ")"
    if not include_comments:
        # Intersecting with the short lists of posts and pages beats subtracting the long one
        # of comments.
        expression += ' AND (kind : "post" OR kind : "page")'
    return expression


def _fts5_term(term: Term) -> str:
    # Words hold only \w characters, so wrapping them in double quotes cannot be escaped from.
    quoted = '"' + " ".join(term.words) + '"'
    return f"{quoted} *" if term.prefix else quoted

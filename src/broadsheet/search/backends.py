"""The two full-text engines behind one interface: SQLite FTS5 and PostgreSQL text search.

Each answers with document ids in rank order plus the marked-up title and snippet; marks are
the control characters START and STOP (stripped from indexed text), turned into <mark> only
after the text around them has been escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from broadsheet.search.dictionaries import case_sql, query_configurations
from broadsheet.search.query import SearchQuery, Term, fts5_expression

START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 30


# A search ranks at most this many matches. A word found in most of a large site would
# otherwise make every search read and score every document that holds it; past this many,
# readers refine rather than page (100 pages of 10).
MAX_RANKED = 1000


@dataclass(frozen=True)
class RawHit:
    id: int
    title: str
    snippet: str


@dataclass(frozen=True)
class RawResults:
    count: int  # exact up to MAX_RANKED; MAX_RANKED + 1 means "more"
    hits: list[RawHit]


class Backend:
    def search(
        self,
        query: SearchQuery,
        *,
        include_comments: bool,
        now: datetime,
        limit: int,
        offset: int,
    ) -> RawResults:
        raise NotImplementedError


class SQLiteBackend(Backend):
    # bm25 weights per FTS column: title, extra (tags, references, names), body, kind.
    _RANK = "bm25(search_fts, 10.0, 3.0, 1.0, 0.0)"
    # The matches FTS5 finds first walking back from the newest row: the most recently
    # indexed documents, without reading the others.
    _CANDIDATES = (
        "SELECT c.id, c.score FROM ("
        f" SELECT rowid AS id, {_RANK} AS score FROM search_fts WHERE search_fts MATCH %s"
        " ORDER BY rowid DESC LIMIT %s"
        ") c JOIN search_searchdocument d ON d.id = c.id WHERE d.visible_from <= %s"
    )

    def search(
        self,
        query: SearchQuery,
        *,
        include_comments: bool,
        now: datetime,
        limit: int,
        offset: int,
    ) -> RawResults:
        expression = fts5_expression(query, include_comments=include_comments)
        candidates: list[Any] = [
            expression,
            MAX_RANKED + 1,
            connection.ops.adapt_datetimefield_value(now),
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({self._CANDIDATES})", candidates)
            count = int(cursor.fetchone()[0])
            # Rank, then mark up only the page shown: SQLite would otherwise compute a
            # snippet for every match before sorting.
            candidates[1] = MAX_RANKED
            cursor.execute(
                f"{self._CANDIDATES} ORDER BY c.score, c.id LIMIT %s OFFSET %s",
                [*candidates, limit, offset],
            )
            ids = [int(row[0]) for row in cursor.fetchall()]
            if not ids:
                return RawResults(count, [])
            marks = (
                "SELECT rowid, highlight(search_fts, 0, char(2), char(3)),"
                f" snippet(search_fts, 2, char(2), char(3), '…', {SNIPPET_WORDS})"
                " FROM search_fts WHERE search_fts MATCH %s"
                f" AND rowid IN ({', '.join(['%s'] * len(ids))})"
            )
            cursor.execute(marks, [expression, *ids])
            found = {int(i): RawHit(int(i), t or "", s or "") for i, t, s in cursor.fetchall()}
        return RawResults(count, [found[i] for i in ids if i in found])


class PostgreSQLBackend(Backend):
    # Each document is stemmed in its own language (search.dictionaries, migration 0002); a
    # query's term is stemmed in each of the site's languages and matches any of them.
    _ROW_CONFIG = case_sql("p.language")
    _HEADLINE = (
        f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=12,"
        ' MaxFragments=2, FragmentDelimiter=" … "'
    )
    _TITLE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"

    def _tsquery(self, query: SearchQuery, configurations: list[str]) -> tuple[str, list[Any]]:
        """The query as a tsquery: each term stemmed in each configuration (SQL expressions),
        any of them matching."""
        parts: list[str] = []
        params: list[Any] = []
        for term in [t for t in query.terms if not t.exclude] + [
            t for t in query.terms if t.exclude
        ]:
            sql, param = self._term(term, configurations)
            if parts:
                sql = f"&& !! {sql}" if term.exclude else f"&& {sql}"
            parts.append(sql)
            params.extend([param] * len(configurations))
        return " ".join(parts), params

    def _term(self, term: Term, configurations: list[str]) -> tuple[str, str]:
        if term.prefix:
            # A single \w+ word: no tsquery operator can hide in it.
            function, param = "to_tsquery", f"{term.words[0]}:*"
        else:
            function, param = "phraseto_tsquery", " ".join(term.words)
        either = " || ".join(f"{function}({name}, %s)" for name in configurations)
        return f"({either})", param

    def search(
        self,
        query: SearchQuery,
        *,
        include_comments: bool,
        now: datetime,
        limit: int,
        offset: int,
    ) -> RawResults:
        tsquery, params = self._tsquery(query, [f"'{c}'" for c in query_configurations()])
        # Marks are placed by the query in the document's own language only: ts_headline
        # cuts its fragments short when one word stands for several stemmings.
        own, own_params = self._tsquery(query, [self._ROW_CONFIG])
        headlines = [*own_params, self._TITLE, *own_params, self._HEADLINE]
        scope = "" if include_comments else " AND d.comment_id IS NULL"
        candidates = (
            f"SELECT d.id FROM search_searchdocument d, (SELECT {tsquery} AS query) q"
            f" WHERE d.vector @@ q.query AND d.visible_from <= %s{scope} LIMIT %s"
        )
        page = (
            # ts_headline drops anything shaped like an HTML tag from plain text ("<b>"), so
            # "<" travels as a control character and comes back after.
            f"SELECT p.id, ts_headline({self._ROW_CONFIG}, replace(p.title, '<', chr(1)), {own}, %s),"
            f" ts_headline({self._ROW_CONFIG}, replace(p.body, '<', chr(1)), {own}, %s)"
            " FROM (SELECT d.id, d.title, d.body, d.language, ts_rank(d.vector, q.query, 1) AS rank"
            f" FROM search_searchdocument d, (SELECT {tsquery} AS query) q"
            f" WHERE d.id IN ({candidates})"
            " ORDER BY rank DESC, d.id LIMIT %s OFFSET %s) p ORDER BY p.rank DESC, p.id"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            # The planner underrates reading a long tsvector row by row and walks a b-tree
            # checking each document (seconds on a large site); the GIN index is always right.
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true),"
                " set_config('enable_indexscan', 'off', true)"
            )
            cursor.execute(f"SELECT count(*) FROM ({candidates}) c", [*params, now, MAX_RANKED + 1])
            count = int(cursor.fetchone()[0])
            cursor.execute(
                page,
                [*headlines, *params, *params, now, MAX_RANKED, limit, offset],
            )
            hits = [
                RawHit(int(i), (t or "").replace("\x01", "<"), (s or "").replace("\x01", "<"))
                for i, t, s in cursor.fetchall()
            ]
        return RawResults(count, hits)


def backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise RuntimeError(
        f"Full-text search supports SQLite and PostgreSQL; DATABASE_URL names {connection.vendor}."
    )

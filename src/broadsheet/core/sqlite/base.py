"""Django's SQLite backend, with each statement's placeholders rewritten once per process.

Django writes SQL with `%s` placeholders and its SQLite cursor rewrites them to `?` on every
execution, with a regular expression that looks behind each `%` (about 10 µs for a 40-column
SELECT; an essay page or a comment POST runs 8 to 13 such statements). The statements an
app sends are few and the same each time, so the rewrite is remembered, keyed by the text.
Long statements (an `IN` of a page's ids, whose text varies with the page) are rewritten each
time as before: the memory stays small. Everything else is Django's (decision 0135).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base

KEPT = 1024  # rewritten statements kept per process
LONGEST = 4096  # characters: 1,024 of these take 8 MB at most, keys and values


def qmark(query: str) -> str:
    """`query` with Django's `%s` placeholders as SQLite's `?` (and `%%` as `%`)."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


_kept_qmark = lru_cache(maxsize=KEPT)(qmark)


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None:
            return _kept_qmark(query) if len(query) <= LONGEST else qmark(query)
        return str(super().convert_query(query, param_names=param_names))  # type: ignore[misc]  # not in django-stubs


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)

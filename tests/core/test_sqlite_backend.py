"""The SQLite backend: Django's, with each statement's placeholders rewritten once
(broadsheet.core.sqlite, decision 0135)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper

from broadsheet.core.sqlite import ENGINE, base
from broadsheet.publishing.models import Tag

STATEMENTS = [
    'SELECT "a" FROM "t" WHERE "b" = %s AND "c" IN (%s, %s)',
    "SELECT 'a%%b' LIKE %s, 100 %% 7, %s",  # a doubled percent is a literal one
    "SELECT '%%s' || %s",  # the text %s, escaped, next to a placeholder
    "SELECT 1",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_each_statement_reads_as_djangos_own_rewrite(statement: str) -> None:
    django_cursor = SQLiteCursorWrapper.__new__(SQLiteCursorWrapper)
    expected = django_cursor.convert_query(statement)  # type: ignore[attr-defined]  # not in django-stubs
    ours = base.CursorWrapper.__new__(base.CursorWrapper)
    assert ours.convert_query(statement) == expected
    assert ours.convert_query(statement) == expected  # the second time, from memory


def test_named_parameters_are_left_to_django() -> None:
    ours = base.CursorWrapper.__new__(base.CursorWrapper)
    assert ours.convert_query("SELECT %(x)s", param_names=["x"]) == "SELECT :x"


def test_long_statements_are_rewritten_but_not_kept() -> None:
    long = "SELECT 1 WHERE 2 IN (" + ", ".join(["%s"] * 2000) + ")"
    assert len(long) > base.LONGEST
    before = base._kept_qmark.cache_info().currsize
    ours = base.CursorWrapper.__new__(base.CursorWrapper)
    assert ours.convert_query(long) == long.replace("%s", "?")
    assert base._kept_qmark.cache_info().currsize == before


@pytest.mark.django_db
def test_the_sites_sqlite_connections_use_it() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the site runs on PostgreSQL here")
    assert connection.settings_dict["ENGINE"] == ENGINE == "broadsheet.core.sqlite"
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.CursorWrapper)
    Tag.objects.create(name="100% sure", slug="sure")
    assert Tag.objects.filter(name__contains="100%").get().slug == "sure"

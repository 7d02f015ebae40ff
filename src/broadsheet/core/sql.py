"""Reads written out as short statements, for the few paths that run on every page render or
every comment (decision 0019): there the ORM spent longer building a query than the database
spent answering it."""

from __future__ import annotations

from typing import Any

from django.db import connection


def select_models(
    model: type[Any], tail: str, params: list[Any], *, only: tuple[str, ...] = (), extra: str = ""
) -> list[Any]:
    """`model`'s rows (all columns, or the fields in `only`, plus any `extra` expressions,
    which arrive as attributes) from `SELECT … FROM <table> <tail>`. Rows become models
    through `Model.objects.raw`, so values are converted exactly as the ORM converts them.

    Only names and fixed fragments may be formatted into `tail` and `extra`; every value is a
    parameter."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = [
        f
        for f in model._meta.concrete_fields
        if not only or f.primary_key or f.name in only or f.attname in only
    ]
    columns = ", ".join([*(f"{table}.{quote(f.column)}" for f in fields), *filter(None, [extra])])
    return list(model.objects.raw(f"SELECT {columns} FROM {table} {tail}", params))  # noqa: S608

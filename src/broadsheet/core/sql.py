"""Reads written out as short statements, for the few paths that run on every page render or
every comment (decision 0019): there the ORM spent longer building a query than the database
spent answering it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.db.models.sql import Query

# Per model, columns and database: the fields' attribute names and the converters the ORM
# would apply to each column (dates made aware, JSON decoded, booleans from SQLite's 0/1).
_PLANS: dict[tuple[Any, ...], tuple[list[str], list[tuple[int, list[Any], Any]]]] = {}


def _plan(model: type[Model], fields: list[Field[Any, Any]]) -> tuple[list[str], list[Any]]:
    key = (model, tuple(f.attname for f in fields), connection.alias, connection.vendor)
    if key not in _PLANS:
        columns: list[Any] = [f.get_col(model._meta.db_table) for f in fields]
        compiler = connection.ops.compiler("SQLCompiler")(
            Query(model), connection, connection.alias
        )
        converters = [
            (position, found, expression)
            for position, (found, expression) in compiler.get_converters(columns).items()
        ]
        _PLANS[key] = ([f.attname for f in fields], converters)
    return _PLANS[key]


def select_models(
    model: type[Any], tail: str, params: list[Any], *, only: tuple[str, ...] = (), extra: str = ""
) -> list[Any]:
    """`model`'s rows (all columns, or the fields in `only`, plus any `extra` expressions,
    which arrive as attributes named by their aliases) from `SELECT … FROM <table> <tail>`.
    Values are converted with the converters the ORM itself would apply, and rows become
    models through `Model.from_db`, as the ORM builds them.

    Only names and fixed fragments may be formatted into `tail` and `extra`; every value is a
    parameter."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = [
        f
        for f in model._meta.concrete_fields
        if not only or f.primary_key or f.name in only or f.attname in only
    ]
    names, converters = _plan(model, fields)
    columns = ", ".join([*(f"{table}.{quote(f.column)}" for f in fields), *filter(None, [extra])])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} {tail}", params)  # noqa: S608
        rows = cursor.fetchall()
        extras = [column[0] for column in cursor.description[len(fields) :]]
    found = []
    for row in rows:
        values = list(row[: len(fields)])
        for position, functions, expression in converters:
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        instance = model.from_db(connection.alias, names, values)
        for name, value in zip(extras, row[len(fields) :], strict=True):
            setattr(instance, name, value)
        found.append(instance)
    return found


def converter(model: type[Model], name: str) -> Callable[[Any], Any]:
    """What the ORM does to `model`'s column `name` as this database returns it (SQLite's
    text made an aware datetime, say), for a written-out statement's tuples; the identity
    where it does nothing."""
    field = model._meta.get_field(name)
    _, converters = _plan(model, [field])  # type: ignore[list-item]
    if not converters:
        return _same
    [(_, functions, expression)] = converters

    def convert(value: Any) -> Any:
        for function in functions:
            value = function(value, expression, connection)
        return value

    return convert


def _same(value: Any) -> Any:
    return value


def column(model: type[Model], name: str) -> str:
    """`model`'s column for the field `name`, quoted for this database, for a written-out
    statement."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # a column of the table, not a relation's other end
    return connection.ops.quote_name(field.column)

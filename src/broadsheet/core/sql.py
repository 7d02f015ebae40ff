"""Reads written out as short statements, for the few paths that run on every page render or
every comment (decision 0019): there the ORM spent longer building a query than the database
spent answering it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Field, Model
from django.db.models.sql import Query


class _Plan(NamedTuple):
    names: list[str]  # the fields' attribute names, in the statement's order
    converters: list[tuple[int, list[Any], Any]]  # (position, functions, expression)
    columns: str  # the statement's column list


# Per model, fields asked for and database: what the ORM would do to each column (dates made
# aware, JSON decoded, booleans from SQLite's 0/1), worked out once.
_PLANS: dict[tuple[Any, ...], _Plan] = {}


def _plan(model: type[Model], only: tuple[str, ...]) -> _Plan:
    key = (model, only, connection.alias, connection.vendor)
    found = _PLANS.get(key)
    if found is None:
        fields = [
            f
            for f in model._meta.concrete_fields
            if not only or f.primary_key or f.name in only or f.attname in only
        ]
        compiler = connection.ops.compiler("SQLCompiler")(
            Query(model), connection, connection.alias
        )
        expressions: list[Any] = [f.get_col(model._meta.db_table) for f in fields]
        quote, table = connection.ops.quote_name, connection.ops.quote_name(model._meta.db_table)
        found = _PLANS[key] = _Plan(
            [f.attname for f in fields],
            [
                (position, functions, expression)
                for position, (functions, expression) in compiler.get_converters(
                    expressions
                ).items()
            ],
            ", ".join(f"{table}.{quote(f.column)}" for f in fields),
        )
    return found


def select_models(
    model: type[Any], tail: str, params: list[Any], *, only: tuple[str, ...] = (), extra: str = ""
) -> list[Any]:
    """`model`'s rows (all columns, or the fields in `only`, plus any `extra` expressions,
    which arrive as attributes named by their aliases) from `SELECT … FROM <table> <tail>`.
    Values are converted with the converters the ORM itself would apply, and rows become
    models through `Model.from_db`, as the ORM builds them.

    Only names and fixed fragments may be formatted into `tail` and `extra`; every value is a
    parameter."""
    plan = _plan(model, only)
    names, converters, width = plan.names, plan.converters, len(plan.names)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = f"{plan.columns}, {extra}" if extra else plan.columns
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} {tail}", params)  # noqa: S608
        rows = cursor.fetchall()
        extras = [column[0] for column in cursor.description[width:]]
    found = []
    for row in rows:
        values = list(row[:width])
        for position, functions, expression in converters:
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        instance = model.from_db(connection.alias, names, values)
        for name, value in zip(extras, row[width:], strict=True):
            setattr(instance, name, value)
        found.append(instance)
    return found


def select_one(model: type[Any], pk: object, *, only: tuple[str, ...] = ()) -> Any | None:
    """`model`'s row with this primary key (all columns, or the fields in `only`), as
    `select_models` builds it; None when there is none."""
    table = connection.ops.quote_name(model._meta.db_table)
    key = connection.ops.quote_name(model._meta.pk.column)
    found = select_models(model, f"WHERE {table}.{key} = %s", [pk], only=only)
    return found[0] if found else None


def converter(model: type[Model], name: str) -> Callable[[Any], Any]:
    """What the ORM does to `model`'s column `name` as this database returns it (SQLite's
    text made an aware datetime, say), for a written-out statement's tuples; the identity
    where it does nothing."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    converters = [c for c in _plan(model, (name,)).converters if c[2].target is field]
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

"""Reads written out as short statements, for the few paths that run on every page render or
every comment (decision 0019): there the ORM spent longer building a query than the database
spent answering it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import NOT_PROVIDED, Field, Model
from django.db.models.signals import post_save, pre_save
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


class _Insert(NamedTuple):
    fields: list[Field]  # every column but the generated key, in the statement's order
    statement: str
    returning: bool  # the key comes back with the row (else: the cursor's last id)


_INSERTS: dict[tuple[Any, ...], _Insert] = {}


def _insert_plan(model: type[Model], update_on: str | None) -> _Insert:
    key = (model, update_on, connection.alias, connection.vendor)
    found = _INSERTS.get(key)
    if found is None:
        generated = model._meta.auto_field
        if generated is None:
            raise TypeError(f"{model.__name__} has no generated key: save it with the ORM.")
        fields = [f for f in model._meta.concrete_fields if f is not generated]
        if any(f.db_default is not NOT_PROVIDED for f in fields):
            raise TypeError(f"{model.__name__} has database defaults: save it with the ORM.")
        quote = connection.ops.quote_name
        returning = connection.features.can_return_columns_from_insert
        statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from _meta)
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        if update_on is not None:
            unique = model._meta.get_field(update_on)
            assert isinstance(unique, Field) and unique.unique, update_on
            statement += " ON CONFLICT ({}) DO UPDATE SET {}".format(
                quote(unique.column),
                ", ".join(f"{quote(f.column)} = excluded.{quote(f.column)}" for f in fields),
            )
        if returning:
            statement += f" RETURNING {quote(generated.column)}"
        elif update_on is not None:
            raise TypeError("An upsert needs RETURNING to learn the row's key.")
        found = _INSERTS[key] = _Insert(fields, statement, returning)
    return found


def insert_row(instance: Model, *, update_on: str | None = None) -> None:
    """Write a new model as one written-out INSERT, with each value prepared as the ORM
    prepares it (`pre_save`, then `get_db_prep_save`), and set its generated key: what
    `save(force_insert=True)` does, with its `pre_save` and `post_save` signals, without the
    model's own `save()` (the caller does what that would add). For the hot writes (decision
    0019).

    `update_on`: a unique field; a row that already holds the same value there is updated
    instead (`ON CONFLICT … DO UPDATE`), keeping its key. That sends no signals: whether a
    row was created is not known."""
    model = type(instance)
    plan = _insert_plan(model, update_on)
    signals = update_on is None
    if signals:
        pre_save.send(
            model, instance=instance, raw=False, using=connection.alias, update_fields=None
        )
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in plan.fields]
    with connection.cursor() as cursor:
        cursor.execute(plan.statement, values)
        if plan.returning:
            key = cursor.fetchone()[0]
        else:
            key = connection.ops.last_insert_id(
                cursor, instance._meta.db_table, instance._meta.pk.column
            )
    instance.pk = key
    instance._state.adding = False
    instance._state.db = connection.alias
    if signals:
        post_save.send(
            model, instance=instance, created=True, update_fields=None, raw=False,
            using=connection.alias,
        )  # fmt: skip


def add_to(model: type[Model], pk: int, name: str, delta: int) -> None:
    """Add `delta` to the row's column `name` in one statement, as the ORM's
    `filter(pk=…).update(name=F(name) + delta)` does (the database adds: concurrent writers
    each count), without building that query (decision 0019)."""
    table = connection.ops.quote_name(model._meta.db_table)
    key, target = connection.ops.quote_name(model._meta.pk.column), column(model, name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {target} = {target} + %s WHERE {key} = %s",  # noqa: S608
            [delta, pk],
        )

"""`broadsheet upgrade-check`: the migrations a new version would run, and which of them copy,
scan or index a table big enough for the site to notice (decision 0088)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.db.migrations import operations as ops
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.base import Operation

LARGE_ROWS = 100_000

# What an operation does to its table's existing rows, per engine.
REWRITE, SCAN, INDEX, CODE = "rewrites", "scans", "indexes", "runs code over"
_SQLITE_REMAKE = (ops.AlterField, ops.RemoveField, ops.AddConstraint, ops.RemoveConstraint)


@dataclass(frozen=True)
class Step:
    operation: str  # "AlterField comment.kind"
    effect: str  # REWRITE, SCAN, INDEX or CODE
    table: str
    rows: int | None  # None: the table does not exist yet, or code of unknown reach

    @property
    def large(self) -> bool:
        return self.rows is not None and self.rows >= LARGE_ROWS


@dataclass(frozen=True)
class Pending:
    app: str
    name: str
    steps: list[Step] = field(default_factory=list)


def pending_migrations() -> list[Pending]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    counts: dict[str, int | None] = {}
    return [
        Pending(migration.app_label, migration.name, _steps(migration, counts))
        for migration, backwards in plan
        if not backwards
    ]


def _steps(migration: object, counts: dict[str, int | None]) -> list[Step]:
    found = []
    for operation in getattr(migration, "operations", []):
        effect = _effect(operation)
        if effect is None:
            continue
        table = _table(getattr(migration, "app_label", ""), operation)
        if table not in counts:
            counts[table] = _rows(table)
        label = f"{type(operation).__name__} {getattr(operation, 'model_name', '') or ''}".strip()
        found.append(Step(label, effect, table, counts[table]))
    return found


def _effect(operation: Operation) -> str | None:
    sqlite = connection.vendor == "sqlite"
    if isinstance(operation, ops.RunPython | ops.RunSQL):
        return CODE
    if isinstance(operation, ops.AddIndex | ops.AlterUniqueTogether | ops.AlterIndexTogether):
        return INDEX
    if sqlite and isinstance(operation, _SQLITE_REMAKE):
        return REWRITE  # SQLite alters most columns by copying the table into a new one
    if isinstance(operation, ops.AlterField):
        return REWRITE  # PostgreSQL: a changed type rewrites; a longer varchar does not
    if isinstance(operation, ops.AddConstraint):
        return SCAN
    if isinstance(operation, ops.AddField):
        field_ = operation.field
        if field_.unique or getattr(field_, "db_index", False) or field_.is_relation:
            return INDEX
        return REWRITE if sqlite and not field_.null and not field_.has_default() else None
    return None


def _table(app_label: str, operation: Operation) -> str:
    model_name = getattr(operation, "model_name", None) or getattr(operation, "name", "")
    try:
        return str(apps.get_model(app_label, model_name)._meta.db_table)
    except (LookupError, ValueError):
        return f"{app_label}_{model_name}".lower()


def _rows(table: str) -> int | None:
    if table not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return int(cursor.fetchone()[0])

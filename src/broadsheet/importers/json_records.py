"""The records of a Broadsheet JSON export: their values checked as the database would check
them (a file is never trusted to be well-formed), and their ids mapped to ours."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone

from broadsheet.importers.models import ImportedObject
from broadsheet.importers.progress import ImportProblem

BATCH = 500
_POSITIVE = (
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}…"


def object_of(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImportProblem(f"{where}: expected an object {{…}}, found {shown(value)}.")
    return value


def id_list(row: dict[str, Any], key: str, where: str) -> list[int]:
    value = row.get(key)
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise ImportProblem(f'{where}: "{key}" must be a list of ids, found {shown(value)}.')
    return value


def field_value(model: type[models.Model], name: str, row: dict[str, Any], where: str) -> Any:
    """The value of a model field from a record, checked as the database would check it."""
    if name not in row:
        raise ImportProblem(f'{where}: "{name}" is missing.')
    value = row[name]
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)

    def wrong(expected: str) -> ImportProblem:
        return ImportProblem(f'{where}: "{name}" is {shown(value)}, not {expected}.')

    if value is None:
        if getattr(model_field, "null", False):
            return None
        raise wrong("a value (it may not be null)")
    if isinstance(model_field, models.ForeignKey | models.IntegerField | models.AutoField):
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong("a whole number")
        if isinstance(model_field, _POSITIVE) and value < 0:
            raise wrong("zero or more")
        return value
    if isinstance(model_field, models.BooleanField):
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if isinstance(model_field, models.FloatField):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise wrong("a number")
        return float(value)
    if isinstance(model_field, models.JSONField):
        return value
    if not isinstance(value, str):
        raise wrong("a string")
    if isinstance(model_field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise wrong("a date and time such as 2024-05-01T09:30:00+00:00") from None
        if timezone.is_naive(moment):
            raise wrong("a date and time with its offset from UTC (+00:00)")
        return moment
    if isinstance(model_field, models.DateField):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise wrong("a date such as 2024-05-01") from None
    if isinstance(model_field, models.GenericIPAddressField):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise wrong("an IP address") from None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return str(address)
    max_length = getattr(model_field, "max_length", None)
    if max_length and len(value) > max_length:
        raise ImportProblem(f'{where}: "{name}" is longer than {max_length} characters.')
    choices = {str(choice) for choice, _ in model_field.flatchoices}
    if choices and value not in choices and not (value == "" and model_field.blank):
        raise wrong(f"one of {', '.join(sorted(choices))}")
    if isinstance(model_field, models.CharField) and not model_field.blank and not value:
        raise ImportProblem(f'{where}: "{name}" is empty.')
    return value


def field_values(
    model: type[models.Model], names: Iterable[str], row: dict[str, Any], where: str
) -> dict[str, Any]:
    """Keyword arguments for the model: a foreign key under its column name (`post_id`)."""
    values = {}
    for name in names:
        model_field = model._meta.get_field(name)
        key = model_field.attname if isinstance(model_field, models.ForeignKey) else name
        values[str(key)] = field_value(model, name, row, where)
    return values


class IdMap:
    """The file's ids → ours, remembered in ImportedObject under the file's source.

    Accounts, categories, tags and posts are few enough to keep in memory; comments are looked
    up a batch at a time.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.known: dict[str, dict[int, int]] = {}

    def load(self, kind: str) -> dict[int, int]:
        if kind not in self.known:
            rows = ImportedObject.objects.filter(source=self.source, kind=kind)
            self.known[kind] = {
                int(s): o for s, o in rows.values_list("source_id", "object_id") if s.isdigit()
            }
        return self.known[kind]

    def lookup(self, kind: str, source_ids: Iterable[int]) -> dict[int, int]:
        wanted = [str(s) for s in set(source_ids)]
        found: dict[int, int] = {}
        for start in range(0, len(wanted), BATCH):
            rows = ImportedObject.objects.filter(
                source=self.source, kind=kind, source_id__in=wanted[start : start + BATCH]
            )
            found.update((int(s), o) for s, o in rows.values_list("source_id", "object_id"))
        return found

    def remember(self, kind: str, pairs: list[tuple[int, int]]) -> None:
        ImportedObject.objects.bulk_create(
            [
                ImportedObject(source=self.source, kind=kind, source_id=str(s), object_id=o)
                for s, o in pairs
            ],
            batch_size=BATCH,
        )
        if kind in self.known:
            self.known[kind].update(pairs)

    def required(self, kind: str, source_id: int, where: str, what: str) -> int:
        """Our id for a record the file refers to; the file must hold that record."""
        found = self.load(kind).get(source_id)
        if found is None:
            raise ImportProblem(f"{where}: {what} {source_id} is not in the file.")
        return found

"""Path converters for WordPress-style permalinks (/2026/03/14/slug/), and row ids read from
forms and query strings."""

from __future__ import annotations

from django.urls import register_converter


class TwoDigits:
    regex = "[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):02d}"


class FourDigits(TwoDigits):
    regex = "[0-9]{4}"

    def to_url(self, value: int | str) -> str:
        return f"{int(value):04d}"


# Rows' ids are BigAutoFields: 1 … 2**63 - 1 on SQLite and PostgreSQL alike.
MAX_ID = 2**63 - 1


def register() -> None:
    register_converter(TwoDigits, "dd")
    register_converter(FourDigits, "yyyy")


def id_or_none(value: object) -> int | None:
    """A row id typed by anyone: ASCII digits that fit a 64-bit column, else None (`isdigit()`
    alone takes "²" and 5,000-digit numbers, which int() or the database then refuse)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None

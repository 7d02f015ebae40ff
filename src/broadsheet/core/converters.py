"""Path converters for WordPress-style permalinks: /2026/03/14/slug/."""

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


def register() -> None:
    register_converter(TwoDigits, "dd")
    register_converter(FourDigits, "yyyy")

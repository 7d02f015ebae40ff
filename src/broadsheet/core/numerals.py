"""Digits as the reader's language writes them (decision 0116).

Django formats numbers and dates with Western digits in every language. CLDR's default
numbering system for Arabic is Arabic-Indic (٠١٢٣…), except in the Maghreb (ar-MA, ar-DZ,
ar-TN, ar-LY, ar-EH: Western digits); Persian writes Extended Arabic-Indic (۰۱۲۳…).
Pages pass their human dates and counts through `localize_digits` (the `digits` template
filter) once, here; machine formats (datetime attributes, feeds, JSON, URLs) never do.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language

_WESTERN = "0123456789"
_ARABIC_INDIC = str.maketrans(_WESTERN, "٠١٢٣٤٥٦٧٨٩")
_EXTENDED_ARABIC_INDIC = str.maketrans(_WESTERN, "۰۱۲۳۴۵۶۷۸۹")
# Regions where Arabic is written with Western digits (CLDR's defaultNumberingSystem: latn).
_LATN_ARABIC_REGIONS = {"ma", "dz", "tn", "ly", "eh"}
_BY_LANGUAGE = {"ar": "arab", "fa": "arabext"}
_TABLES = {"arab": _ARABIC_INDIC, "arabext": _EXTENDED_ARABIC_INDIC}


@lru_cache(maxsize=64)
def numbering_system(language: str) -> str:
    """CLDR's name for a language's digits: `arab`, `arabext`, or `latn` (Western). Scripts
    ask `Intl.NumberFormat` for the same (the embed: embed.views.script)."""
    parts = language.lower().replace("_", "-").split("-")
    system = _BY_LANGUAGE.get(parts[0], "latn")
    if system == "arab" and any(part in _LATN_ARABIC_REGIONS for part in parts[1:]):
        return "latn"
    return system


def digit_table(language: str) -> dict[int, int] | None:
    """The translation table for a language's digits, or None where they are Western."""
    return _TABLES.get(numbering_system(language))


def localize_digits(text: str, language: str | None = None) -> str:
    """`text` with its digits in `language`'s (the active language by default)."""
    table = digit_table(language or get_language() or "en")
    return text.translate(table) if table is not None else text

"""Digits as the page's language writes them (decision 0116): Arabic-Indic for Arabic (Western
in the Maghreb), Extended Arabic-Indic for Persian, Western everywhere else."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from broadsheet.core.numerals import localize_digits, numbering_system


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("ar", "١٤ مارس، ٢٠٢٦"),
        ("ar-EG", "١٤ مارس، ٢٠٢٦"),
        ("ar-MA", "14 مارس، 2026"),
        ("ar-dz", "14 مارس، 2026"),
        ("fa", "۱۴ مارس، ۲۰۲۶"),
        ("en", "14 مارس، 2026"),
        ("de", "14 مارس، 2026"),
    ],
)
def test_digits_follow_the_language(language: str, shown: str) -> None:
    assert localize_digits("14 مارس، 2026", language) == shown


@pytest.mark.parametrize(
    ("language", "system"),
    [("ar", "arab"), ("ar-EG", "arab"), ("ar-MA", "latn"), ("ar_TN", "latn"), ("ar-Arab-LY", "latn"),
     ("fa", "arabext"), ("en", "latn"), ("de-AT", "latn")],
)  # fmt: skip
def test_scripts_are_told_the_same_digits_by_their_cldr_name(language: str, system: str) -> None:
    """The embed asks Intl.NumberFormat for these (embed.views.script)."""
    assert numbering_system(language) == system


def test_the_active_language_is_the_default() -> None:
    with translation.override("ar"):
        assert localize_digits("Page 2 of 10") == "Page ٢ of ١٠"
    with translation.override("de"):
        assert localize_digits("Page 2 of 10") == "Page 2 of 10"


def test_the_filter_keeps_markup_safe_and_leaves_western_languages_alone() -> None:
    template = Template("{% load languages %}{{ value|digits }}|{{ number|digits }}")
    value = mark_safe('<time datetime="2026-03-14">14</time>')
    with translation.override("en"):
        assert template.render(Context({"value": value, "number": 7})) == (
            '<time datetime="2026-03-14">14</time>|7'
        )
    with translation.override("ar"):
        # The filter is for human text: a datetime attribute is never passed through it.
        rendered = template.render(Context({"value": value, "number": 1234}))
    assert rendered == '<time datetime="٢٠٢٦-٠٣-١٤">١٤</time>|١٢٣٤'
    from broadsheet.core.templatetags.languages import digits

    with translation.override("ar"):
        assert isinstance(digits(value), SafeString)
        assert not isinstance(digits("3"), SafeString)

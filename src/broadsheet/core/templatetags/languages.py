"""{% load languages %}: language attributes for text in another language than the page's."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from broadsheet.core.languages import direction, same_language

register = template.Library()


@register.filter
def lang_attrs(language: str, page_language: str) -> SafeString | str:
    """` lang="ar" dir="rtl"` when `language` is not the page's (its <html lang>), else
    nothing: a single-language site's pages stay exactly as they were (decision 0108)."""
    if not language or same_language(language, page_language):
        return ""
    return format_html(' lang="{}" dir="{}"', language, direction(language))

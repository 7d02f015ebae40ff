"""`{% javascript_catalog %}`: the `<script>` of Django's JavaScript catalog for the page's
scripts (gettext() and friends), written only when the page is not in English and once per
page (decision 0112): an English page's scripts use their own words and gain no request."""

from __future__ import annotations

from django import template
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from broadsheet.core.views import javascript_catalog_url

register = template.Library()

_WRITTEN = "_broadsheet_javascript_catalog"


@register.simple_tag(takes_context=True)
def javascript_catalog(context: template.Context, *, defer: bool = False) -> SafeString:
    """`defer`: as the scripts it serves (a deferred catalog runs before the deferred scripts
    after it, not before a plain script)."""
    language = translation.get_language() or "en"
    if language.split("-")[0] == "en" or context.get(_WRITTEN):
        return mark_safe("")
    context.dicts[0][_WRITTEN] = True  # the render's first level: seen by every include
    src = escape(javascript_catalog_url(language))
    return mark_safe(f'<script src="{src}"{" defer" if defer else ""}></script>')

"""{% load languages %}: language attributes for text in another language than the page's, and\ndigits as the page's language writes them."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from broadsheet.core.languages import direction, same_language
from broadsheet.core.numerals import localize_digits

register = template.Library()


@register.filter
def lang_attrs(language: str, page_language: str) -> SafeString | str:
    """` lang="ar" dir="rtl"` when `language` is not the page's (its <html lang>), else
    nothing: a single-language site's pages stay exactly as they were (decision 0108)."""
    if not language or same_language(language, page_language):
        return ""
    return format_html(' lang="{}" dir="{}"', language, direction(language))


@register.filter(is_safe=True)
def digits(value: object) -> str:
    """A human date or count with the active language's digits (Arabic-Indic in Arabic,
    decision 0116); unchanged in languages written with Western digits. Never on machine
    formats (datetime attributes, addresses)."""
    text = str(value)
    shown = localize_digits(text)
    if shown is text:
        return value if isinstance(value, str) else text
    return mark_safe(shown) if isinstance(value, SafeString) else shown


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist, self.name = nodelist, name

    def render(self, context: template.Context) -> str:
        context[self.name] = mark_safe(self.nodelist.render(context))
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """`{% capture as name %}…{% endcapture %}`: what the block renders (markup, already
    escaped) as a variable, so a whole sentence with links in it is one translatable string:
    `{% blocktranslate %}Posted by {{ byline }} on {{ when }}{% endblocktranslate %}`."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Use {% capture as name %}…{% endcapture %}.")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])

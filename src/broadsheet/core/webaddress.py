"""Is this a web address a page may link to or load? One check for every address a person gives
or a file brings (a commenter's website, a profile's, a featured image, an imported comment's
URL): http or https, with a host, within a length, and nothing a browser would run.

The rules are the comment form's and the profile form's: an address typed without a scheme is
taken as https:// (as Django's URLField(assume_scheme="https") does), anything with another
scheme (javascript:, data:, vbscript:, file:, ftp:) is refused, and what is left must pass
Django's URLValidator for http and https.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

WEB_SCHEMES = ("http", "https")
_validator = URLValidator(schemes=list(WEB_SCHEMES))
# "javascript:", "data:", "mailto:"; not "example.org:8080/path" (a port, taken as https).
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.I)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


class NotAWebAddress(ValueError):
    """Why a value is not a web address, in a sentence."""


def web_address(value: str, *, max_length: int = 200) -> str:
    """The address as it is stored (an empty value stays empty), or NotAWebAddress."""
    value = value.strip()
    if value.lower() in ("", "http://", "https://"):
        return ""  # what WordPress stored for a website left blank
    if _INVISIBLE.search(value):
        # Browsers drop tabs and newlines inside a scheme ("java\tscript:"): no such address
        # is a web address, whatever follows.
        raise NotAWebAddress(gettext("it holds spaces or control characters"))
    lowered = value.lower()
    if not lowered.startswith(("http://", "https://")):
        if "://" in value or _OTHER_SCHEME.match(value):
            raise NotAWebAddress(gettext("only http:// and https:// addresses are kept"))
        value = f"https://{value}"
    if len(value) > max_length:
        raise NotAWebAddress(
            ngettext(
                "it is longer than %(count)s character",
                "it is longer than %(count)s characters",
                max_length,
            )
            % {"count": number_format(max_length, force_grouping=True)}
        )
    try:
        _validator(value)
    except ValidationError:
        raise NotAWebAddress(gettext("it is not a well-formed web address")) from None
    return value


def is_web_address(value: str) -> bool:
    """True for an address web_address keeps as it is (with its scheme)."""
    try:
        return bool(value) and web_address(value, max_length=max(len(value), 1)) == value.strip()
    except NotAWebAddress:
        return False


def validate_web_address(value: str) -> None:
    """web_address as a form validator (the length is the field's own check)."""
    try:
        web_address(value, max_length=len(value) or 1)
    except NotAWebAddress as why:
        reason = str(why)
        # Translators: the reason is one of the sentences above ("it holds spaces …").
        message = gettext("Enter a valid URL. %(reason)s.") % {
            "reason": f"{reason[:1].upper()}{reason[1:]}"
        }
        raise ValidationError(message, code="invalid") from None


class WebAddressField(forms.URLField):
    """A website in a form: typed without a scheme it is taken as https://, and it must be
    what web_address keeps (http or https only, unlike URLField's ftp and ftps)."""

    default_validators = [validate_web_address]

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)  # type: ignore[arg-type]


_SITE_RELATIVE = re.compile(r'\b(src|href|poster)="(/(?!/)[^"]*)"')
_SRCSET = re.compile(r'\bsrcset="([^"]*)"')


def absolute_html(markup: str, site_url: str) -> str:
    """Stored HTML with its site-relative addresses (`/media/…`, `/2026/…`) made full ones on
    `site_url`, srcset entries included: for feeds and emails, read away from the site."""
    base = site_url.rstrip("/")

    def srcset(match: re.Match[str]) -> str:
        entries = [e.strip() for e in match.group(1).split(",")]
        made = [base + e if e.startswith("/") and not e.startswith("//") else e for e in entries]
        return f'srcset="{", ".join(made)}"'

    markup = _SITE_RELATIVE.sub(lambda m: f'{m.group(1)}="{base}{m.group(2)}"', markup)
    return _SRCSET.sub(srcset, markup)

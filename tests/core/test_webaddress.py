"""The one check every address goes through, whether a person typed it or a file brought it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from broadsheet.core.webaddress import NotAWebAddress, is_web_address, web_address

# Values a hostile file or form sends in place of a website: each must be refused.
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(document.cookie)  ",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x00javascript:alert(1)",
    "\u200bjavascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://files.example.org/",
    "mailto:someone@example.org",
    "//evil.example/",
    "https://<script>alert(1)</script>/",
    '"><script>alert(1)</script>',
    "https://exa mple.org/",
    "http://",
    "https://" + "a" * 5000 + ".example/",
    "localhost:abc",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_is_not_a_web_address(value: str) -> None:
    if value.strip().lower() in ("http://", "https://"):
        assert web_address(value) == ""  # WordPress's "no website"
        return
    with pytest.raises(NotAWebAddress):
        web_address(value)
    assert not is_web_address(value)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://ann.example.net/", "https://ann.example.net/"),
        ("HTTP://Ann.Example.net/a?b=c#d", "HTTP://Ann.Example.net/a?b=c#d"),
        ("  https://example.org  ", "https://example.org"),
        ("ann.example.net", "https://ann.example.net"),  # as the forms assume https://
        ("example.org:8080/path", "https://example.org:8080/path"),
        ("https://пример.рф/статья", "https://пример.рф/статья"),
        ("", ""),
    ],
)
def test_web_addresses_are_kept_as_the_forms_keep_them(value: str, kept: str) -> None:
    assert web_address(value) == kept


def test_the_length_is_the_field_s() -> None:
    address = "https://example.org/" + "a" * 300
    with pytest.raises(NotAWebAddress, match="longer than 200"):
        web_address(address)
    assert web_address(address, max_length=1000) == address


@pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://files.example.org/", "a b"])
def test_the_forms_refuse_what_the_imports_refuse(value: str) -> None:
    from broadsheet.accounts.views import ProfileForm
    from broadsheet.moderation.views import CommentEditForm

    profile = ProfileForm({"display_name": "x", "bio": "", "website": value})
    assert not profile.is_valid() and "Enter a valid URL." in profile.errors["website"][0]
    edit = CommentEditForm({"author_name": "x", "body": "y", "author_url": value})
    assert not edit.is_valid() and "Enter a valid URL." in edit.errors["author_url"][0]


def test_the_forms_keep_a_website_typed_without_a_scheme_as_https() -> None:
    from broadsheet.accounts.views import ProfileForm

    profile = ProfileForm({"display_name": "x", "bio": "", "website": "example.net/rea"})
    assert profile.is_valid() and profile.cleaned_data["website"] == "https://example.net/rea"


@given(st.text(max_size=300))
@hypothesis_settings(max_examples=300, deadline=None)
def test_whatever_the_text_the_answer_is_a_web_address_or_a_refusal(value: str) -> None:
    try:
        kept = web_address(value)
    except NotAWebAddress:
        return
    if not kept:
        return
    assert kept.lower().startswith(("http://", "https://"))
    assert not any(c.isspace() for c in kept) and urlsplit(kept).hostname
    assert not set("<>\"'") & set(urlsplit(kept).netloc)

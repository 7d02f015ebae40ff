"""The studio in the writer's language: the editor's script gets the JavaScript catalog only
when the page is not in English, and the studio's words follow the account's choice."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from broadsheet.accounts.models import Profile, User
from broadsheet.core.views import javascript_catalog_url

pytestmark = pytest.mark.django_db


def _signed_in(user: User, language: str = "") -> Client:
    Profile.objects.filter(user=user).update(language=language)
    client = Client()
    client.force_login(user)
    return client


def test_an_english_editor_loads_no_catalog(author: User) -> None:
    page = _signed_in(author).get("/studio/posts/new/").content.decode()
    assert "/jsi18n/" not in page
    assert "studio-editor.js" in page


def test_a_german_editor_loads_the_german_catalog_before_its_script(author: User) -> None:
    page = _signed_in(author, "de").get("/studio/posts/new/").content.decode()
    catalog = javascript_catalog_url("de")
    assert f'<script src="{catalog}" defer></script>' in page
    assert page.index(catalog) < page.index("studio-editor.js")  # deferred scripts run in order
    assert '<html lang="de"' in page
    with translation.override("de"):
        assert translation.gettext("Save draft") in page
        assert (
            translation.gettext("Posts")
            in _signed_in(author, "de").get("/studio/").content.decode()
        )


def test_the_studios_tabs_are_named_in_the_pages_language(author: Any) -> None:
    page = _signed_in(author, "es").get("/studio/").content.decode()
    with translation.override("es"):
        assert f">{translation.gettext('Images')}</a>" in page
    english = _signed_in(author).get("/studio/").content.decode()
    assert ">Images</a>" in english and ">Posts</a>" in english

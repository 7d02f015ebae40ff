"""The empty comment form a reader without an account is shown is kept per post, language,
settings and sign-in choices, and only its `shown_at` token is written for each page
(decision 0129). It must be the form the template renders, byte for byte, and never one
made for other settings, another language or another reader."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion import context
from broadsheet.discussion.forms import seconds_since
from broadsheet.discussion.models import DiscussionSettings
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="shown_at" value="([^"]+)"')


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps and Ledgers", authors=[author])


def _page(client: Client, post: Post, query: str = "") -> str:
    response = client.get(post.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def _without_token(html: str) -> str:
    return TOKEN.sub('name="shown_at" value="…"', html)


def _live(monkeypatch: pytest.MonkeyPatch, client: Client, post: Post) -> str:
    """The page with the form rendered by the template, as for a signed-in reader."""
    with monkeypatch.context() as patch:
        patch.setattr(context, "_fresh_form_for", lambda request: False)
        return _page(client, post)


@pytest.mark.parametrize("language", ["en", "de", "ar"])
def test_the_kept_form_is_the_rendered_one(
    monkeypatch: pytest.MonkeyPatch, settings: Any, post: Post, language: str
) -> None:
    settings.LANGUAGE_CODE = language
    client = Client()
    kept = [_page(client, post) for _ in range(2)]
    assert 'id="commentform"' in kept[0]
    assert (
        _without_token(kept[0])
        == _without_token(kept[1])
        == _without_token(_live(monkeypatch, client, post))
    )


def test_each_page_gets_its_own_token(client: Client, post: Post) -> None:
    tokens = [TOKEN.findall(_page(client, post)) for _ in range(2)]
    assert all(len(found) == 1 for found in tokens)
    assert tokens[0] != tokens[1]
    assert all(0 <= seconds_since(found[0]) < 60 for found in tokens)


def test_settings_shown_by_the_form_are_never_stale(client: Client, post: Post) -> None:
    _page(client, post)
    _set(require_name_email=False, show_subscription_options=True)
    page = _page(client, post)
    assert "required-field-message" not in page
    assert 'name="subscribe_comments"' in page
    _set(require_name_email=True, show_subscription_options=False)
    page = _page(client, post)
    assert "required-field-message" in page
    assert 'name="subscribe_comments"' not in page


def _set(**values: Any) -> None:
    settings = DiscussionSettings.current()
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()


def test_a_language_never_gets_another_s_form(settings: Any, post: Post) -> None:
    settings.LANGUAGE_CODE = "de"
    german = _page(Client(), post)
    settings.LANGUAGE_CODE = "en"
    english = _page(Client(), post)
    assert "Post Comment" in english and "Post Comment" not in german


def test_replying_and_signed_in_forms_are_rendered_for_the_reader(
    client: Client, post: Post, django_user_model: Any
) -> None:
    reader = django_user_model.objects.create_user("rea", "rea@example.org", "a long pass 42")
    parent = approved_comment(post, name="Ada", body="First.")
    replying = _page(client, post, f"?replytocom={parent.pk}")
    assert "Leave a Reply to Ada" in replying
    assert f'name="parent_id" value="{parent.pk}"' in replying
    client.force_login(reader)
    signed_in = _page(client, post)
    assert "You are commenting using your" in signed_in
    assert 'name="csrfmiddlewaretoken"' in signed_in
    anonymous = _page(Client(), post)
    assert "You are commenting using your" not in anonymous
    assert 'name="csrfmiddlewaretoken"' not in anonymous


def test_the_identity_part_alone_has_a_guest_s_fields(client: Client, post: Post) -> None:
    """The "who is commenting" part, fetched by the form's script after a popup, is rendered
    from the form's fields even for a guest (whose page has the kept form's markup)."""
    page = _page(client, post)
    answer = client.get("/comments/identity/", {"post": post.pk}).json()
    assert answer["signed_in"] is False
    for name in ("author", "email", "url"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', answer["html"])
        assert field is not None, name
        assert field.group(0) in page  # the same input as the page's own form

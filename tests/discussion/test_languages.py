"""The discussion in the reader's language (issue 19): words through gettext, stored cards in
the site's language and never served to a reader of another, the JavaScript catalog only on
a page that is not in English. The catalogs are filled later: each assertion compares with
what gettext gives for the same msgid, true before and after (decision 0112)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from broadsheet.discussion.forms import shown_at_token
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.rendering import CARD_VERSION, Words, card_key
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(author: Any) -> Post:
    DiscussionSettings.objects.update(minimum_seconds_on_page=0)
    return PostFactory(title="Lamps and Ledgers", authors=[author])


def _form(post: Post, **fields: Any) -> dict[str, Any]:
    data = {
        "comment": "A thoughtful reply.", "author": "Ada Reader", "email": "ada@example.org", "url": "",
        "post_id": post.pk, "parent_id": "0", "shown_at": shown_at_token(), "hp": "",
    }  # fmt: skip
    data.update(fields)
    return data


def test_the_english_card_key_is_the_one_stored_before_translations() -> None:
    """English adds nothing to a card's inputs: a site upgraded keeps its stored cards."""
    settings = DiscussionSettings.current()
    inputs = (
        f"{CARD_VERSION}|{settings.show_avatars}|{settings.use_gravatar}|"
        f"{django_settings.TIME_ZONE}"
    )
    assert card_key(settings, "en") == hashlib.sha256(inputs.encode()).hexdigest()[:16]
    assert len({card_key(settings, code) for code in ("en", "de", "es", "ar")}) == 4
    with translation.override("de"):
        assert card_key(settings) == card_key(settings, "de")


def test_a_card_is_stored_in_the_sites_language_whoever_saves_it(post: Post) -> None:
    with translation.override("de"):
        comment = approved_comment(post, body="Saved by a German reader.")
    comment.refresh_from_db()
    assert comment.card_key == card_key(DiscussionSettings.current(), "en")


def test_a_reader_in_another_language_never_gets_the_stored_card(
    client: Client, post: Post, settings: Any
) -> None:
    settings.PAGE_CACHE = False
    comment = approved_comment(post, body="Words of the comment.")
    # A marker in the stored card: shown only while the stored card is used.
    Comment.objects.filter(pk=comment.pk).update(
        card_html=Comment.objects.get(pk=comment.pk).card_html.replace(
            "Words of the comment.", "FROM-THE-STORED-CARD"
        )
    )
    english = client.get(post.get_absolute_url()).content.decode()
    assert "FROM-THE-STORED-CARD" in english
    settings.LANGUAGE_CODE = "de"
    with translation.override("de"):
        german = client.get(post.get_absolute_url()).content.decode()
        reply = pgettext("link under a comment", "Reply")
    assert "FROM-THE-STORED-CARD" not in german and "Words of the comment." in german
    assert f'#respond">{reply}</a>' in german


def test_the_words_of_a_render_are_the_active_languages() -> None:
    with translation.override("ar"):
        words = Words.active()
        assert words.language == "ar"
        assert words.awaiting == gettext("Your comment is awaiting moderation.")
        assert words.reply == pgettext("link under a comment", "Reply")


def test_the_thread_title_counts_in_the_pages_language(
    client: Client, post: Post, settings: Any
) -> None:
    settings.PAGE_CACHE = False
    approved_comment(post, body="One.")
    approved_comment(post, body="Two.")
    english = client.get(post.get_absolute_url()).content.decode()
    assert "2 thoughts on “Lamps and Ledgers”" in english
    settings.LANGUAGE_CODE = "de"
    with translation.override("de"):
        title = ngettext("One thought on “%(title)s”", "%(counter)s thoughts on “%(title)s”", 2) % {
            "counter": 2,
            "title": "Lamps and Ledgers",
        }
        german = client.get(post.get_absolute_url()).content.decode()
    assert f'class="comments-title">{title}</h2>' in german


def test_a_refusal_is_said_in_the_sites_language(client: Client, post: Post, settings: Any) -> None:
    settings.LANGUAGE_CODE = "de"
    response = client.post("/comments/post/", _form(post, email="not-an-address"))
    assert response.status_code == 400
    with translation.override("de"):
        message = gettext("Please enter a valid email address.")
        label = gettext("Email")
    html = response.content.decode()
    assert f'id="id_email_error">{message}</span>' in html
    assert f'<label for="id_email">{label} <span class="required"' in html
    assert '<html lang="de" dir="ltr">' in html


def test_the_javascript_catalog_only_on_a_page_not_in_english(
    client: Client, post: Post, settings: Any
) -> None:
    settings.PAGE_CACHE = False
    english = client.get(post.get_absolute_url()).content.decode()
    assert "/jsi18n/" not in english
    settings.LANGUAGE_CODE = "ar"
    arabic = client.get(post.get_absolute_url()).content.decode()
    assert arabic.count('src="/jsi18n/ar/') == 1
    # Before the scripts that use it, deferred as they are.
    catalog = arabic.index('src="/jsi18n/ar/')
    assert catalog < arabic.index("broadsheet/comments.") < arabic.index("broadsheet/respond.")
    assert arabic[catalog - 8 : catalog] == "<script "
    assert arabic[catalog : arabic.index("</script>", catalog)].endswith(" defer>")


def test_the_catalog_tag_writes_its_script_once_per_page() -> None:
    template = Template(
        "{% load script_catalog %}{% javascript_catalog defer=True %}"
        "{% with x=1 %}{% javascript_catalog %}{% endwith %}{% javascript_catalog %}"
    )
    with translation.override("es"):
        spanish = template.render(Context())
    assert spanish.count("<script") == 1 and 'src="/jsi18n/es/' in spanish
    assert spanish.endswith(" defer></script>")
    with translation.override("en"):
        assert template.render(Context()) == ""

"""Emails are written in the recipient's language: the account's choice (Profile.language),
else the site's LANGUAGE_CODE; a guest gets the site's (decision 0118).

Compared with gettext under the same language, so the assertions hold before and after the
catalogs have these strings."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from broadsheet.accounts.language import email_language, email_languages
from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.notifications.models import OutgoingEmail, Subscription
from broadsheet.notifications.services import (
    notify_comment,
    notify_new_post,
    subscription_request,
)
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db


def _speaks(user: Any, language: str) -> Any:
    user.profile.language = language
    user.profile.save()
    return user


@pytest.fixture
def post(author: Any) -> Post:
    author.email = "margaret@example.org"
    author.save()
    return PostFactory(title="Lamps and Ledgers", authors=[author])


def test_the_language_of_an_email_is_the_accounts_choice_else_the_sites(
    author: Any, settings: Any
) -> None:
    author.email = "Margaret@Example.org"
    author.save()
    assert email_language(user=author) == "en"
    assert email_language(email="margaret@example.org") == "en"
    _speaks(author, "de")
    assert email_language(user=author) == "de"
    assert email_language(email="MARGARET@example.org") == "de"  # the address in any case
    assert email_language(email="guest@example.org") == "en"  # a guest: the site's
    assert email_languages(["margaret@example.org", "guest@example.org"]) == {
        "margaret@example.org": "de",
        "guest@example.org": "en",
    }
    settings.LANGUAGE_CODE = "es"
    assert email_language(email="guest@example.org") == "es"
    settings.LANGUAGES = [("es", "Spanish"), ("en", "English")]
    assert email_language(user=author) == "es"  # German no longer offered: the site's


def test_a_new_comment_reaches_a_german_author_in_german_and_a_guest_in_the_sites_language(
    post: Post, author: Any
) -> None:
    _speaks(author, "de")
    subscription_request(email="guest@example.org", kind=Subscription.Kind.COMMENTS, post=post)
    Subscription.objects.update(status=Subscription.Status.ACTIVE)
    comment = approved_comment(post, name="Ada Reader", author_email="ada@example.org")
    notify_comment(comment_id=comment.pk)

    to_author = OutgoingEmail.objects.get(to_address="margaret@example.org")
    with translation.override("de"):
        subject = translation.gettext("[%(site)s] New comment on “%(title)s”") % {
            "site": "Broadsheet",
            "title": post.title,
        }
        see = translation.gettext("See it in context:")
    assert to_author.subject == subject
    assert see in to_author.text_body
    assert '<html lang="de">' in to_author.html_body

    to_guest = OutgoingEmail.objects.get(to_address="guest@example.org", reason="comment")
    assert to_guest.subject == "New comment on “Lamps and Ledgers”"  # English, as before
    assert '<html lang="en">' in to_guest.html_body
    assert translation.get_language() == "en"  # nothing leaks into what runs next


def test_a_confirmation_to_an_accounts_address_is_in_its_language(post: Post) -> None:
    reader = _speaks(User.objects.create_user("rea", "rea@example.net", "x"), "es")
    subscription_request(email="rea@example.net", kind=Subscription.Kind.POSTS, user=reader)
    email = OutgoingEmail.objects.get(to_address="rea@example.net")
    with translation.override("es"):
        assert email.subject == translation.gettext("Please confirm: new posts on %(site)s") % {
            "site": "Broadsheet"
        }
    assert '<html lang="es">' in email.html_body


def test_moderators_get_a_held_comment_each_in_their_own_language(post: Post, author: Any) -> None:
    _speaks(author, "ar")
    boss = User.objects.create_superuser("boss", "boss@example.org", "x")
    comment = approved_comment(post, author_email="ada@example.org")
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
    notify_comment(comment_id=comment.pk)
    arabic = OutgoingEmail.objects.get(to_address="margaret@example.org", reason="moderation")
    english = OutgoingEmail.objects.get(to_address=boss.email, reason="moderation")
    assert '<html lang="ar" dir="rtl">' in arabic.html_body
    assert '<html lang="en">' in english.html_body
    assert english.subject == "[Broadsheet] Please moderate: “Lamps and Ledgers”"
    with translation.override("ar"):
        assert translation.gettext("Approve it:") in arabic.text_body


def test_a_new_post_reaches_each_subscriber_in_their_language(post: Post) -> None:
    _speaks(User.objects.create_user("rea", "rea@example.net", "x"), "de")
    for address in ("rea@example.net", "guest@example.org"):
        Subscription.objects.create(
            email=address, kind=Subscription.Kind.POSTS, status=Subscription.Status.ACTIVE
        )
    notify_new_post(post_id=post.pk)
    german = OutgoingEmail.objects.get(to_address="rea@example.net")
    guest = OutgoingEmail.objects.get(to_address="guest@example.org")
    with translation.override("de"):
        read = translation.gettext("Read it on the site, with its references and notes:")
    assert read in german.text_body and '<html lang="de">' in german.html_body
    assert "Read it on the site, with its references and notes:" in guest.text_body
    assert "Your subscriptions: http" in guest.text_body

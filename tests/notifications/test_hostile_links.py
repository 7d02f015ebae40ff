"""Links from emails, tampered with: forged, cut short, made for another page, or answered with
any body at all. Never a 500; a GET changes nothing (mail scanners open links); a refused
request changes nothing either."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.discussion.models import Comment
from broadsheet.notifications.links import make_token
from broadsheet.notifications.models import OutgoingEmail, Subscription, UsedLink
from broadsheet.notifications.services import subscription_request
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment
from tests.hostile_input import form_bodies, path_segments

pytestmark = pytest.mark.django_db

PAGES = {
    "confirm": "/subscriptions/confirm/{}/",
    "unsubscribe": "/subscriptions/unsubscribe/{}/",
    "manage": "/subscriptions/{}/",
    "moderate": "/moderation/email/{}/",
}


@pytest.fixture
def held(author: Any) -> tuple[Post, Comment, Subscription]:
    post = PostFactory(authors=[author])
    comment = approved_comment(post)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
    subscription = subscription_request(
        email="reader@example.org", kind=Subscription.Kind.COMMENTS, post=post
    )
    return post, comment, subscription


def _state() -> tuple[Any, ...]:
    return (
        sorted(Subscription.objects.values_list("pk", "status")),
        sorted(Comment.objects.values_list("pk", "status", "removed")),
        UsedLink.objects.count(),
        OutgoingEmail.objects.count(),
    )


def _tokens(comment: Comment, subscription: Subscription) -> st.SearchStrategy[str]:
    payloads = st.fixed_dictionaries(
        {},
        optional={
            "s": st.one_of(st.just(subscription.pk), st.integers(), st.text(max_size=5)),
            "c": st.one_of(st.just(comment.pk), st.integers(), st.none()),
            "a": st.one_of(st.sampled_from(["approve", "spam", "trash", "delete", ""]), st.text()),
            "e": st.one_of(st.just(subscription.email), st.text(max_size=30), st.integers()),
        },
    )
    signed = st.tuples(st.sampled_from(list(PAGES)), payloads).map(lambda p: make_token(*p))
    cut = st.tuples(signed, st.integers(min_value=1, max_value=80)).map(lambda t: t[0][: -t[1]])
    return st.one_of(signed, signed, cut, path_segments())


@given(data=st.data())
def test_a_tampered_link_is_refused_without_a_server_error_and_changes_nothing(
    held: tuple[Post, Comment, Subscription], data: st.DataObject
) -> None:
    _, comment, subscription = held
    page = data.draw(st.sampled_from(list(PAGES)))
    token = data.draw(_tokens(comment, subscription))
    method = data.draw(st.sampled_from(["GET", "POST", "HEAD", "PUT"]))
    before = _state()

    response = Client().generic(method, PAGES[page].format(token))

    assert response.status_code < 500
    if method != "POST" or response.status_code >= 400:
        assert _state() == before  # a mail scanner that opens the link changes nothing


# What each page's own form sends; the bodies below are these, changed.
FORMS = {
    "confirm": {},
    "unsubscribe": {"List-Unsubscribe": "One-Click"},
    "manage": {"cancel": "{s}", "all": "1", "subscribe_posts": "1"},
    "moderate": {},
}


@pytest.mark.parametrize("page", list(PAGES))
@given(data=st.data())
def test_any_body_posted_to_a_good_link_is_answered_without_a_server_error(
    held: tuple[Post, Comment, Subscription], page: str, data: st.DataObject
) -> None:
    _, comment, subscription = held
    payload = {"s": subscription.pk, "c": comment.pk, "e": subscription.email}
    payload["a"] = data.draw(st.sampled_from(["approve", "spam", "trash"]))
    token = make_token(page, payload)
    fields = {name: value.format(s=subscription.pk) for name, value in FORMS[page].items()}
    # Some of the page's fields at a time: the form's checkboxes are sent only when ticked.
    chosen = data.draw(st.sets(st.sampled_from(sorted(fields)))) if fields else set()
    body, content_type = data.draw(form_bodies({k: v for k, v in fields.items() if k in chosen}))
    before = _state()

    response = Client().generic("POST", PAGES[page].format(token), body, content_type=content_type)

    assert response.status_code < 500
    if response.status_code >= 400:
        assert _state() == before


@pytest.mark.parametrize("cancel", ["abc", " ", "²", "1.5", "99999999999999999999"])
def test_cancelling_a_subscription_that_is_no_number_cancels_nothing(
    held: tuple[Post, Comment, Subscription], cancel: str
) -> None:
    # Handed to filter(pk=…) as it came: ValueError, a 500.
    _, _, subscription = held
    token = make_token("manage", {"e": subscription.email})
    before = _state()
    response = Client().post(f"/subscriptions/{token}/", {"cancel": cancel})
    assert response.status_code == 200
    assert _state() == before

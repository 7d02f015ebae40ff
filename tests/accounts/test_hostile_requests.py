"""Signing in from the comment form and the personal-data links, sent anything at all:
arbitrary bytes, invalid UTF-8, repeated and missing fields, huge values, tampered tokens.
Never a 500; a refused request keeps nothing (no draft in the session, nothing erased)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.accounts.comment_login import DRAFT_KEY
from broadsheet.accounts.privacy import privacy_token
from broadsheet.discussion.models import Comment
from broadsheet.notifications.models import OutgoingEmail
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment
from tests.hostile_input import form_bodies, path_segments

pytestmark = pytest.mark.django_db
_addresses = (f"198.18.{a}.{b}" for a, b in itertools.product(range(256), range(1, 255)))


@pytest.fixture
def discussed(author: Any) -> tuple[Post, Comment]:
    post = PostFactory(authors=[author])
    return post, approved_comment(post, name="Grace Reader")


def _state() -> tuple[Any, ...]:
    return (
        sorted(Comment.objects.values_list("pk", "status", "author_name", "author_email", "body")),
        OutgoingEmail.objects.count(),
    )


# --- signing in from the comment form ------------------------------------------------------


@given(data=st.data())
def test_any_sign_in_from_the_form_is_answered_without_a_server_error(
    discussed: tuple[Post, Comment], data: st.DataObject
) -> None:
    """Whatever the form carried, the post page it returns to still renders, and a refused
    request leaves no draft behind."""
    post, comment = discussed
    good = {
        "post_id": str(post.pk), "parent_id": str(comment.pk), "provider": "site",
        "comment": "Half a thought", "author": "Ada", "email": "ada@example.org", "url": "",
    }  # fmt: skip
    body, content_type = data.draw(form_bodies(good))
    origin = data.draw(st.sampled_from([{}, {"HTTP_ORIGIN": "http://testserver"},
                                        {"HTTP_ORIGIN": "https://evil.example"}]))  # fmt: skip
    client = Client()
    before = _state()

    response = client.generic(
        "POST", "/accounts/comment-login/", body, content_type=content_type,
        REMOTE_ADDR=next(_addresses), **origin,
    )  # fmt: skip

    assert response.status_code < 500
    if response.status_code >= 400:
        assert DRAFT_KEY not in client.session
    # Back on the post page, where a kept draft is put back into the box.
    assert client.get(post.get_absolute_url()).status_code == 200
    assert _state() == before  # signing in stores no comment and sends nothing


@pytest.mark.parametrize("post_id", ["²", "１", "99999999999999999999", "9" * 5000])
def test_a_sign_in_for_a_post_id_that_is_no_id_is_not_found(post_id: str) -> None:
    # "²" passed str.isdigit() and then failed int(): a 500.
    client = Client()
    response = client.post("/accounts/comment-login/", {"post_id": post_id, "provider": "site"})
    assert response.status_code == 404
    assert DRAFT_KEY not in client.session


@pytest.mark.parametrize("parent_id", ["²", "99999999999999999999", "-1", "x"])
def test_a_draft_replying_to_no_comment_is_put_back_without_a_server_error(
    discussed: tuple[Post, Comment], parent_id: str
) -> None:
    # The draft's parent "²" passed str.isdigit() and failed int() on every later visit of
    # the post page, until the session ended: a 500 each time.
    post, _ = discussed
    client = Client()
    client.post("/accounts/comment-login/", {
        "post_id": post.pk, "provider": "site", "comment": "Half a thought", "parent_id": parent_id,
    })  # fmt: skip
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200
    assert "Half a thought" in page.content.decode()


def test_a_sign_in_with_an_unknown_provider_keeps_no_draft(
    discussed: tuple[Post, Comment],
) -> None:
    post, _ = discussed
    client = Client()
    response = client.post(
        "/accounts/comment-login/",
        {"post_id": post.pk, "provider": "nobody", "comment": "A secret draft"},
    )
    assert response.status_code == 404
    assert DRAFT_KEY not in client.session
    assert "A secret draft" not in client.get(post.get_absolute_url()).content.decode()


@given(provider=path_segments(), method=st.sampled_from(["GET", "HEAD", "POST"]))
def test_any_provider_in_the_popup_address_is_answered_without_a_server_error(
    provider: str, method: str
) -> None:
    response = Client().generic(method, f"/accounts/comment-login/{provider}/popup/")
    assert response.status_code < 500


@given(data=st.data())
def test_any_log_out_from_the_form_is_answered_without_a_server_error(
    discussed: tuple[Post, Comment], data: st.DataObject
) -> None:
    post, _ = discussed
    good = {"post_id": str(post.pk), "comment": "Kept", "author": "Ada", "email": "a@example.org"}
    body, content_type = data.draw(form_bodies(good))
    client = Client()
    response = client.generic("POST", "/accounts/comment-logout/", body, content_type=content_type)
    assert response.status_code < 500
    assert client.get(post.get_absolute_url()).status_code == 200


# --- personal-data links -------------------------------------------------------------------

_PRIVACY_PAGES = ["/personal-data/{}/", "/personal-data/{}/download/", "/personal-data/{}/erase/"]


@given(
    token=st.one_of(
        path_segments(),
        st.tuples(st.integers(min_value=1, max_value=40)).map(
            lambda cut: privacy_token(email="grace@example.org")[: -cut[0]]
        ),
        st.text(max_size=40).map(lambda email: privacy_token(email=email) + "x"),
    ),
    page=st.sampled_from(_PRIVACY_PAGES),
    method=st.sampled_from(["GET", "POST", "HEAD"]),
)
def test_a_tampered_personal_data_link_erases_nothing_and_never_fails(
    discussed: tuple[Post, Comment], token: str, page: str, method: str
) -> None:
    before = _state()
    response = Client().generic(method, page.format(token), b"confirm=on&text=remove",
                                content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code < 500
    assert _state() == before


@given(data=st.data())
def test_any_erasure_form_is_answered_without_a_server_error_and_a_refusal_erases_nothing(
    discussed: tuple[Post, Comment], data: st.DataObject
) -> None:
    token = privacy_token(email="grace@example.org")
    body, content_type = data.draw(form_bodies({"confirm": "on", "text": "remove"}))
    before = _state()

    response = Client().generic(
        "POST", f"/personal-data/{token}/erase/", body, content_type=content_type
    )

    assert response.status_code < 500
    if response.status_code != 302:  # erased: back to the link's page; else the form again
        assert _state() == before


@given(data=st.data())
def test_any_request_for_a_personal_data_link_is_answered_the_same_without_a_server_error(
    discussed: tuple[Post, Comment], data: st.DataObject
) -> None:
    body, content_type = data.draw(form_bodies({"email": "grace@example.org"}))
    comments = _state()[0]

    response = Client().generic(
        "POST", "/personal-data/", body, content_type=content_type,
        REMOTE_ADDR=next(_addresses),
    )  # fmt: skip

    assert response.status_code < 500
    assert _state()[0] == comments

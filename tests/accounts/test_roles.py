"""WordPress's roles as groups, created by a migration, with WordPress's meaning."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _member(role: str, username: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "correct horse battery")
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


def test_the_five_roles_exist_with_wordpress_meaning() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Administrator",
        "Editor",
        "Author",
        "Contributor",
        "Subscriber",
    }
    editor, author, contributor, subscriber = (
        _member("Editor", "ed"), _member("Author", "au"), _member("Contributor", "co"), _member("Subscriber", "su")
    )  # fmt: skip
    assert editor.has_perm("discussion.change_comment") and editor.has_perm(
        "publishing.edit_others_posts"
    )
    assert author.has_perm("publishing.publish_post") and not author.has_perm(
        "publishing.edit_others_posts"
    )
    assert not author.has_perm("discussion.change_comment")
    assert contributor.has_perm("publishing.add_post") and not contributor.has_perm(
        "publishing.publish_post"
    )
    assert not subscriber.get_all_permissions()
    assert (editor.is_staff, author.is_staff, contributor.is_staff, subscriber.is_staff) == (
        True,
        True,
        True,
        False,
    )
    assert _member("Administrator", "admin2").has_perm("discussion.change_discussionsettings")


def _post_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "post", "title": "A contribution", "slug": "a-contribution", "excerpt": "", "body": "Text.",
        "status": "published", "published_at_0": "", "published_at_1": "", "comments_open": "on", "menu_order": "0",
        "postauthor_set-TOTAL_FORMS": "0", "postauthor_set-INITIAL_FORMS": "0",
        "postauthor_set-MIN_NUM_FORMS": "0", "postauthor_set-MAX_NUM_FORMS": "1000",
        "references-TOTAL_FORMS": "0", "references-INITIAL_FORMS": "0",
        "references-MIN_NUM_FORMS": "0", "references-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_contributor_can_only_save_drafts(client: Client) -> None:
    client.force_login(_member("Contributor", "co"))
    page = client.get("/admin/publishing/post/add/").content.decode()
    assert '<option value="published"' not in page
    response = client.post("/admin/publishing/post/add/", _post_form(status="draft"))
    assert response.status_code == 302
    assert Post.objects.get(slug="a-contribution").status == Post.Status.DRAFT
    forged = client.post(
        "/admin/publishing/post/add/", _post_form(slug="forged", status="published")
    )
    assert forged.status_code == 200 and not Post.objects.filter(slug="forged").exists()


def test_an_author_sees_others_published_posts_in_the_admin_but_not_their_drafts(
    client: Client,
) -> None:
    author = _member("Author", "au")
    other = _member("Author", "other")
    PostFactory(title="Mine", authors=[author])
    PostFactory(title="Theirs", authors=[other])
    PostFactory(title="Their draft", authors=[other], status=Post.Status.DRAFT)
    client.force_login(author)
    listing = client.get("/admin/publishing/post/").content.decode()
    assert "Mine" in listing and "Theirs" in listing and "Their draft" not in listing
    mine = client.get("/admin/publishing/post/?mine=1").content.decode()  # WordPress's "Mine"
    assert "Mine" in mine and "Theirs" not in mine


def test_a_subscriber_cannot_enter_the_admin(client: Client) -> None:
    client.force_login(_member("Subscriber", "su"))
    assert client.get("/admin/").status_code == 302


def test_a_new_sign_up_is_a_subscriber(client: Client, settings: Any) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    response = client.post("/accounts/signup/", {
        "email": "new@example.org", "username": "newreader", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42",
    })  # fmt: skip
    assert response.status_code == 302
    user = User.objects.get(username="newreader")
    assert list(user.groups.values_list("name", flat=True)) == ["Subscriber"]
    assert not user.is_staff
    assert user.password.startswith("argon2")


def test_roles_come_back_after_a_flush() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert Group.objects.filter(name="Editor").exists()
    assert Group.objects.get(name="Editor").permissions.filter(codename="change_comment").exists()

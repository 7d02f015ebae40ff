"""The studio's revision pages: list, compare (inline / side by side), restore."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.publishing.models import Post, Revision
from broadsheet.publishing.revisions import EditConflict
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory, role_member

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('t')</script>"


@pytest.fixture
def author() -> Any:
    return role_member("Author", "ada")


@pytest.fixture
def essay(author: Any) -> Post:
    post = PostFactory(title="On tides", body="The tide came in.\n", authors=[author])
    post.title, post.body = f"On tides {HOSTILE}", f"The tide came in fast {HOSTILE}.\n"
    post_save(post=post, by=author)
    return post


def _signed_in(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _ids(post: Post) -> list[int]:
    return list(Revision.objects.filter(post=post).order_by("id").values_list("pk", flat=True))


def test_the_list_shows_who_when_and_words_changed(author: Any, essay: Post) -> None:
    html = _signed_in(author).get(f"/studio/posts/{essay.pk}/revisions/").content.decode()
    assert "Revision 2 (current)" in html and "Revision 1" in html
    assert f"<td>{author.display_name}</td>" in html  # who
    assert "<ins>+4</ins> <del>−1</del>" in html  # title +1; body: "in." became "in fast …."
    assert HOSTILE not in html and "On tides &lt;script&gt;" in html
    assert 'name="csrfmiddlewaretoken"' in html  # restore is a POST with its token


def test_compare_inline_and_side_by_side_escapes_everything(author: Any, essay: Post) -> None:
    first, second = _ids(essay)
    client = _signed_in(author)
    url = f"/studio/posts/{essay.pk}/revisions/compare/"
    # Picked newest first: still shown older to newer.
    html = client.get(url, {"a": second, "b": first}).content.decode()
    assert "The tide came <del>in.\n</del><ins>in fast &lt;script&gt;alert(&#x27;t&#x27;)" in html
    assert HOSTILE not in html
    side = client.get(url, {"a": first, "b": second, "view": "side"}).content.decode()
    assert '<table class="diff-side">' in side and "<td>The tide came <del>in.\n</del></td>" in side
    assert "<td>The tide came <ins>in fast &lt;script&gt;" in side


@pytest.mark.parametrize("forged", [{}, {"a": "x", "b": "1"}, {"a": "1" * 30, "b": "2"}])
def test_forged_choices_get_a_message_not_a_500(author: Any, essay: Post, forged: Any) -> None:
    response = _signed_in(author).get(f"/studio/posts/{essay.pk}/revisions/compare/", forged)
    assert response.status_code == 400
    assert "Choose two revisions of this post to compare." in response.content.decode()


def test_another_posts_revision_cannot_be_compared_or_restored(author: Any, essay: Post) -> None:
    other = PostFactory(authors=[author])
    theirs = _ids(other)[0]
    client = _signed_in(author)
    compare = f"/studio/posts/{essay.pk}/revisions/compare/"
    assert client.get(compare, {"a": theirs, "b": _ids(essay)[0]}).status_code == 400
    restore = f"/studio/posts/{essay.pk}/revisions/{theirs}/restore/"
    assert client.post(restore).status_code == 404


def test_restore_is_a_post_with_csrf_that_makes_a_new_revision(author: Any, essay: Post) -> None:
    first = _ids(essay)[0]
    url = f"/studio/posts/{essay.pk}/revisions/{first}/restore/"
    client = _signed_in(author, enforce_csrf_checks=True)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    response = _signed_in(author).post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/studio/posts/{essay.pk}/revisions/"
    assert "Revision 1 is the text again, saved as revision 3." in response.content.decode()
    essay.refresh_from_db()
    assert essay.body == "The tide came in.\n" and essay.revision == 3
    latest = Revision.objects.get(post=essay, number=3)
    assert (latest.origin, latest.restored_from, latest.author) == ("restored", 1, author)


def test_a_refused_save_is_listed_and_can_be_restored(author: Any, essay: Post) -> None:
    stale = Post.objects.get(pk=essay.pk)
    stale.body = "Written at the same time."
    with pytest.raises(EditConflict) as refused:
        post_save(post=stale, by=author, based_on=1)
    client = _signed_in(author)
    html = client.get(f"/studio/posts/{essay.pk}/revisions/").content.decode()
    assert "Not applied (based on 1)" in html and "Not applied (edit conflict)" in html
    client.post(f"/studio/posts/{essay.pk}/revisions/{refused.value.revision.pk}/restore/")
    essay.refresh_from_db()
    assert essay.body == "Written at the same time."


def test_only_those_who_may_edit_the_post_see_its_revisions(essay: Post) -> None:
    url = f"/studio/posts/{essay.pk}/revisions/"
    assert Client().get(url).status_code == 302  # to sign in
    assert _signed_in(role_member("Subscriber", "sub")).get(url).status_code == 403
    other_author = _signed_in(role_member("Author", "bob"))
    assert other_author.get(url).status_code == 403  # published: seen, not editable
    assert other_author.post(f"{url}{_ids(essay)[0]}/restore/").status_code == 403
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    assert other_author.get(f"/studio/posts/{draft.pk}/revisions/").status_code == 404
    editor = _signed_in(role_member("Editor", "ed"))
    assert editor.get(url).status_code == 200
    contributor = role_member("Contributor", "cy")
    own_published = PostFactory(authors=[contributor])
    contributor_client = _signed_in(contributor)
    assert contributor_client.get(f"/studio/posts/{own_published.pk}/revisions/").status_code == 403


def test_the_list_costs_a_fixed_number_of_queries(
    author: Any, essay: Post, django_assert_max_num_queries: Any
) -> None:
    client = _signed_in(author)
    client.get(f"/studio/posts/{essay.pk}/revisions/")
    for n in range(5):
        essay.body = f"Text {n}."
        post_save(post=essay, by=author)
    with django_assert_max_num_queries(12):
        assert client.get(f"/studio/posts/{essay.pk}/revisions/").status_code == 200


def test_hostile_revision_ids_are_404s(author: Any, essay: Post) -> None:
    client = _signed_in(author)
    huge = "9" * 25
    assert client.post(f"/studio/posts/{essay.pk}/revisions/{huge}/restore/").status_code == 404
    response = client.get(f"/studio/posts/{essay.pk}/revisions/compare/", {"a": "9" * 18, "b": "1"})
    assert response.status_code == 400

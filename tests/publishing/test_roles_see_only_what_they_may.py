"""Roles see only what they may, as WordPress's capabilities allow (decision 0022).

MATRIX is the whole rule for one post, the reader's own (they are among its authors) or
another's. Each cell lists what the site lets the reader do with it:

    R  read it at its address          A  find it in the admin's post list and open it there
    P  preview it at /preview/<id>/    E  change it there

Lists are not in the matrix: home, archives, feeds, search, sitemaps and previous/next show
the public posts only, to every reader alike (the last tests).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Post
from tests.factories import CategoryFactory, PostFactory, TagFactory, role_member

pytestmark = pytest.mark.django_db

# fmt: off
MATRIX: dict[tuple[str, str], tuple[str | None, str]] = {
    # role             status          own      another's
    ("Administrator", "draft"):      ("PAE",   "PAE"),
    ("Administrator", "scheduled"):  ("PAE",   "PAE"),
    ("Administrator", "private"):    ("RPAE",  "RPAE"),
    ("Administrator", "published"):  ("RPAE",  "RPAE"),
    ("Editor",        "draft"):      ("PAE",   "PAE"),
    ("Editor",        "scheduled"):  ("PAE",   "PAE"),
    ("Editor",        "private"):    ("RPAE",  "RPAE"),
    ("Editor",        "published"):  ("RPAE",  "RPAE"),
    ("Author",        "draft"):      ("PAE",   ""),
    ("Author",        "scheduled"):  ("PAE",   ""),
    ("Author",        "private"):    ("RPAE",  ""),
    ("Author",        "published"):  ("RPAE",  "RPA"),
    # A contributor submits drafts; once an editor schedules, publishes or hides one, it is no
    # longer theirs to change (WordPress's edit_published_posts) or to preview before it is out.
    ("Contributor",   "draft"):      ("PAE",   ""),
    ("Contributor",   "scheduled"):  ("A",     ""),
    ("Contributor",   "private"):    ("RPA",   ""),
    ("Contributor",   "published"):  ("RPA",   "RPA"),
    # No admin and no previews; a former author still reads their own private post.
    ("Subscriber",    "draft"):      ("",      ""),
    ("Subscriber",    "scheduled"):  ("",      ""),
    ("Subscriber",    "private"):    ("R",     ""),
    ("Subscriber",    "published"):  ("R",     "R"),
    ("anonymous",     "draft"):      (None,    ""),
    ("anonymous",     "scheduled"):  (None,    ""),
    ("anonymous",     "private"):    (None,    ""),
    ("anonymous",     "published"):  (None,    "R"),
}
# fmt: on

ROLES = sorted({role for role, _ in MATRIX})
CELLS = [
    pytest.param(role, status, whose, expected, id=f"{role}-{status}-{whose}")
    for (role, status), (own, others) in MATRIX.items()
    for whose, expected in (("own", own), ("another's", others))
    if expected is not None
]

# Dated like published posts, so a draft or private post has an address it must not answer at.
WHEN = {"draft": -3, "scheduled": 3, "private": -3, "published": -3}  # days from now


def _reader(role: str) -> Any:
    return AnonymousUser() if role == "anonymous" else role_member(role, "reader")


def _post(status: str, author: User, *, title: str, days: int) -> Post:
    slug = title.lower().replace(" ", "-")
    return PostFactory(
        title=title,
        slug=slug,
        body="A field note on zebras.",
        status=status,
        published_at=timezone.now() + timedelta(days=days),
        authors=[author],
        categories=[CategoryFactory(name=f"Filed {slug}", slug=f"filed-{slug}")],
        tags=[TagFactory(name=f"tagged-{slug}")],
    )


def _granted(client: Client, post: Post) -> str:
    """What the site lets the signed-in (or anonymous) client do with the post, as letters."""
    granted = ""
    page = client.get(post.get_absolute_url())
    if page.status_code == 200 and post.title in page.content.decode():
        granted += "R"
    preview = client.get(f"/preview/{post.pk}/")
    if preview.status_code == 200 and post.title in preview.content.decode():
        granted += "P"
    listing = client.get("/admin/publishing/post/")
    change = client.get(f"/admin/publishing/post/{post.pk}/change/")
    if post.title in listing.content.decode() and change.status_code == 200:
        granted += "A"
        if 'name="_save"' in change.content.decode():
            granted += "E"
    else:
        assert change.status_code == 302  # the admin says it does not exist, or asks to sign in
    return granted


@pytest.mark.parametrize(("role", "status", "whose", "expected"), CELLS)
def test_what_each_role_may_do_with_a_post(
    client: Client, role: str, status: str, whose: str, expected: str
) -> None:
    reader = _reader(role)
    writer = reader if whose == "own" else role_member("Author", "writer")
    post = _post(status, writer, title=f"{status} essay", days=WHEN[status])
    if reader.is_authenticated:
        client.force_login(reader)
    assert _granted(client, post) == expected


@pytest.mark.parametrize(
    ("role", "status", "whose"),
    [
        ("Author", "published", "another's"),
        ("Contributor", "published", "own"),
        ("Contributor", "scheduled", "own"),
        ("Contributor", "private", "own"),
    ],
)
def test_a_post_shown_read_only_cannot_be_changed_by_a_forged_form(
    client: Client, role: str, status: str, whose: str
) -> None:
    reader = role_member(role, "reader")
    writer = reader if whose == "own" else role_member("Author", "writer")
    post = _post(status, writer, title="Untouched", days=WHEN[status])
    client.force_login(reader)
    response = client.post(f"/admin/publishing/post/{post.pk}/change/", _change_form(post))
    assert response.status_code == 403
    assert Post.objects.get(pk=post.pk).title == "Untouched"
    assert Post.objects.get(pk=post.pk).status == status  # a contributor cannot unpublish it


def _change_form(post: Post, **overrides: str) -> dict[str, str]:
    link = post.postauthor_set.get()
    data = {
        "kind": post.kind, "title": "Changed", "slug": post.slug, "excerpt": "", "body": "Changed.",
        "status": post.status, "published_at_0": "", "published_at_1": "", "comments_open": "on",
        "menu_order": "0",
        "postauthor_set-TOTAL_FORMS": "1", "postauthor_set-INITIAL_FORMS": "1",
        "postauthor_set-MIN_NUM_FORMS": "1", "postauthor_set-MAX_NUM_FORMS": "1000",
        "postauthor_set-0-id": str(link.pk), "postauthor_set-0-post": str(post.pk),
        "postauthor_set-0-author": str(link.author_id), "postauthor_set-0-position": "0",
        "references-TOTAL_FORMS": "0", "references-INITIAL_FORMS": "0",
        "references-MIN_NUM_FORMS": "0", "references-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_forged_form_is_a_valid_one_for_whoever_may_change_the_post(client: Client) -> None:
    author = role_member("Author", "reader")
    post = _post("published", author, title="Untouched", days=-3)
    client.force_login(author)
    response = client.post(f"/admin/publishing/post/{post.pk}/change/", _change_form(post))
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).title == "Changed"


def test_a_contributor_cannot_publish_their_draft_by_a_forged_status(client: Client) -> None:
    contributor = role_member("Contributor", "reader")
    draft = _post("draft", contributor, title="Submitted", days=-3)
    client.force_login(contributor)
    response = client.post(
        f"/admin/publishing/post/{draft.pk}/change/", _change_form(draft, status="published")
    )
    assert response.status_code == 200  # "published" is not among the choices offered
    assert Post.objects.get(pk=draft.pk).status == Post.Status.DRAFT
    saved = client.post(f"/admin/publishing/post/{draft.pk}/change/", _change_form(draft))
    assert saved.status_code == 302  # while it is a draft, it is still theirs to change
    assert Post.objects.get(pk=draft.pk).title == "Changed"


def test_delete_selected_refuses_another_authors_post(client: Client) -> None:
    author = role_member("Author", "reader")
    mine = _post("published", author, title="Mine", days=-3)
    theirs = _post("published", role_member("Author", "writer"), title="Theirs", days=-2)
    client.force_login(author)
    form = {"action": "delete_selected", "_selected_action": [mine.pk, theirs.pk], "post": "yes"}
    response = client.post("/admin/publishing/post/", form)
    assert response.status_code == 403
    assert Post.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2
    alone = {**form, "_selected_action": [mine.pk]}
    assert client.post("/admin/publishing/post/", alone).status_code == 302
    assert not Post.objects.filter(pk=mine.pk).exists()


def test_a_private_page_is_read_by_whom_a_private_post_is(client: Client) -> None:
    author = role_member("Author", "writer")
    page = PostFactory(
        kind=Post.Kind.PAGE, title="Staff handbook", slug="handbook",
        status=Post.Status.PRIVATE, authors=[author],
    )  # fmt: skip
    for reader, status in [
        (None, 404),
        (role_member("Author", "another"), 404),
        (role_member("Contributor", "contributor"), 404),
        (role_member("Editor", "editor"), 200),
        (author, 200),
    ]:
        client.logout()
        if reader is not None:
            client.force_login(reader)
        assert client.get(page.get_absolute_url()).status_code == status, reader


# Lists: the same public posts for every reader.

STATUSES = ["draft", "scheduled", "private", "published"]
# Days from now: each hidden post falls between the two published ones, or after them, so
# previous/next would have to skip it.
DAYS = {
    ("published", "mine"): -10, ("draft", "mine"): -9, ("private", "mine"): -8,
    ("draft", "theirs"): -7, ("private", "theirs"): -6, ("published", "theirs"): -2,
    ("scheduled", "mine"): 3, ("scheduled", "theirs"): 4,
}  # fmt: skip


def _lists(client: Client, posts: list[Post], authors: list[User]) -> dict[str, str]:
    """Every list a reader can open, by address, with what it answered."""
    addresses = ["/", "/?s=zebras", "/feed/", "/feed/atom/", "/feed/json/"]
    addresses += ["/sitemap-posts.xml", "/sitemap-categories.xml", "/sitemap-tags.xml"]
    for author in authors:
        addresses += [f"/author/{author.username}/", f"/author/{author.username}/feed/"]
    for post in posts:
        assert post.published_at is not None
        on = timezone.localdate(post.published_at)
        category, tag = post.categories.get(), post.tags.get()
        addresses += [f"/{on.year}/{on.month:02d}/{on.day:02d}/", f"/{on.year}/{on.month:02d}/"]
        addresses += [category.get_absolute_url(), f"{category.get_absolute_url()}feed/"]
        addresses += [tag.get_absolute_url(), f"{tag.get_absolute_url()}feed/"]
    return {address: client.get(address).content.decode() for address in addresses}


def _neighbours(client: Client, post: Post) -> str:
    html = client.get(post.get_absolute_url()).content.decode()
    found = re.search(r'<nav class="post-navigation.*?</nav>', html, re.S)
    return found.group(0) if found else ""


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_every_reader_the_public_posts_only(
    client: Client, role: str, django_capture_on_commit_callbacks: Any
) -> None:
    reader = _reader(role)
    other = role_member("Author", "writer")
    mine = reader if reader.is_authenticated else role_member("Author", "also-writer")
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written then
        posts = {
            (status, whose): _post(
                status, mine if whose == "mine" else other,
                title=f"{status} essay {whose}", days=DAYS[status, whose],
            )
            for status in STATUSES for whose in ("mine", "theirs")
        }  # fmt: skip
    if reader.is_authenticated:
        client.force_login(reader)

    def shown(text: str, *, by_address: bool = False) -> set[str]:
        # Titles in pages and feeds; addresses in sitemaps (the post's, its category's or tag's).
        return {
            f"{status} {whose}"
            for (status, whose), post in posts.items()
            if (post.slug in text if by_address else post.title in text)
        }

    public = {"published mine", "published theirs"}
    for address, text in _lists(client, list(posts.values()), [mine, other]).items():
        found = shown(text, by_address=address.startswith("/sitemap-"))
        if "/" in address.strip("/"):  # a category's, tag's, day's or author's list
            assert found <= public, address
        else:  # the lists of the whole site show every public post
            assert found == public, address
    first, last = posts["published", "mine"], posts["published", "theirs"]
    assert shown(_neighbours(client, first)) == {"published theirs"}  # next, skipping the rest
    assert shown(_neighbours(client, last)) == {"published mine"}  # previous


def test_the_parent_page_choices_name_only_pages_the_writer_may_see(client: Client) -> None:
    author = role_member("Author", "reader")
    other = role_member("Author", "writer")
    for title, status, writer in [
        ("Their draft page", "draft", other),
        ("Their private page", "private", other),
        ("Their public page", "published", other),
        ("My draft page", "draft", author),
    ]:
        PostFactory(kind=Post.Kind.PAGE, title=title, status=status, authors=[writer])
    PostFactory(title="An essay, not a page", authors=[author])
    client.force_login(author)
    form = client.get("/admin/publishing/post/add/").content.decode()
    choices = re.findall(r'<option value="\d+">([^<]*)</option>', form)
    assert sorted(choices) == ["My draft page", "Their public page"]


def test_an_anonymous_reader_costs_no_query_to_be_refused(
    django_assert_num_queries: Any,
) -> None:
    writer = role_member("Author", "writer")
    posts = [
        _post(status, writer, title=f"{status} essay", days=WHEN[status]) for status in STATUSES
    ]
    with django_assert_num_queries(0):  # no permission, no authorship asked
        assert [p.is_visible_to(AnonymousUser()) for p in posts] == [False, False, False, True]
        assert [p.may_be_previewed_by(AnonymousUser()) for p in posts] == [False] * 3 + [True]
    # The public posts' query, without an authorship subquery (a signed-in reader's has one).
    assert "EXISTS" not in str(Post.objects.visible(AnonymousUser()).query)
    assert "EXISTS" in str(Post.objects.visible(writer).query)

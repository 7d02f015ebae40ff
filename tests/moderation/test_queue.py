from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.moderation.services import comment_apply
from broadsheet.publishing.models import Post
from tests.factories import AuthorFactory, PostFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


def _comment(
    post: Post,
    *,
    status: str = Status.PENDING,
    body: str = "A thoughtful reply.",
    name: str = "Ada Reader",
    email: str = "ada@example.org",
    ip: str = "203.0.113.7",
    parent: Comment | None = None,
    **extra: Any,
) -> Comment:
    comment = Comment.objects.create(
        post=post,
        parent=parent,
        thread=parent.thread if parent is not None else None,
        depth=parent.depth + 1 if parent is not None else 0,
        body=body,
        body_html=f"<p>{body}</p>",
        status=status,
        author_name=name,
        author_email=email,
        ip_address=ip,
        **extra,
    )
    if parent is None:
        Comment.objects.filter(pk=comment.pk).update(thread=F("pk"))
        comment.thread_id = comment.pk
    if status == Status.APPROVED:
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    return comment


def _count(post: Post) -> int:
    return Post.objects.get(pk=post.pk).comment_count


@pytest.fixture
def post(db: None) -> Post:
    return PostFactory(title="Lamps and Ledgers")


@pytest.fixture
def moderator(db: None) -> User:
    return User.objects.create_superuser("editor", "editor@example.org", "pw")


@pytest.fixture
def staff(client: Client, moderator: User) -> Client:
    client.force_login(moderator)
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- access ---------------------------------------------------------------------------------


def test_anonymous_and_non_staff_are_sent_to_the_login_page(client: Client, post: Post) -> None:
    comment = _comment(post)
    response = client.get("/moderation/?status=pending")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/moderation/%3Fstatus%3Dpending"

    reader = User.objects.create_user("reader", "reader@example.org", "pw")
    client.force_login(reader)
    assert client.get("/moderation/").status_code == 302
    response = client.post(f"/moderation/{comment.pk}/approve/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_staff_need_the_change_comment_permission(client: Client, post: Post) -> None:
    editor = AuthorFactory(username="plainstaff")  # staff, but no permissions
    client.force_login(editor)
    assert client.get("/moderation/").status_code == 302
    editor.user_permissions.add(Permission.objects.get(codename="change_comment"))
    editor = User.objects.get(pk=editor.pk)  # permissions are cached on the instance
    client.force_login(editor)
    response = client.get("/moderation/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- the queue ------------------------------------------------------------------------------


def test_tabs_count_each_status_and_all_is_approved_plus_pending(staff: Client, post: Post) -> None:
    for status, n in (
        (Status.APPROVED, 3),
        (Status.PENDING, 2),
        (Status.SPAM, 4),
        (Status.TRASH, 1),
    ):
        for i in range(n):
            _comment(post, status=status, body=f"{status} {i}")
    response = staff.get("/moderation/")
    html = response.content.decode()
    assert response.context["tabs"] == [
        ("all", "All", 5),
        ("pending", "Pending", 2),
        ("approved", "Approved", 3),
        ("spam", "Spam", 4),
        ("trash", "Trash", 1),
    ]
    assert '<a href="?status=all" aria-current="page">All <span class="mod-tabs__count">(5)' in html
    assert 'Spam <span class="mod-tabs__count">(4)' in html
    assert {c.status for c in response.context["page_obj"]} == {Status.APPROVED, Status.PENDING}
    spam = staff.get("/moderation/?status=spam")
    assert len(spam.context["page_obj"]) == 4
    assert '<a href="?status=spam" aria-current="page">' in spam.content.decode()


def test_the_queue_shows_who_where_and_why(staff: Client, post: Post) -> None:
    held = _comment(
        post,
        body="See my site",
        name="Link Lover",
        email="links@example.net",
        author_url="https://links.example.net",
        moderation_reason="Held: it contains 2 links.",
        spam_score=0.4321,
    )
    html = staff.get("/moderation/").content.decode()
    for expected in (
        "Link Lover",
        "links@example.net",
        "https://links.example.net",
        "203.0.113.7",
        "<p>See my site</p>",
        "Lamps and Ledgers",
        post.get_absolute_url(),
        "View in context",
        "Why it was held:",
        "Held: it contains 2 links.",
        "Spam score 0.43",
    ):
        assert expected in html
    assert f'action="/moderation/{held.pk}/approve/"' in html
    assert f'action="/moderation/{held.pk}/spam/"' in html
    assert f'action="/moderation/{held.pk}/trash/"' in html
    assert f'action="/moderation/{held.pk}/unapprove/"' not in html
    assert f'action="/moderation/{held.pk}/delete/"' not in html
    assert "Keyboard shortcuts" in html
    assert "broadsheet/moderation.js" in html and "broadsheet/moderation.css" in html
    assert " style=" not in html and "<script>" not in html


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        (Status.APPROVED, ["unapprove", "spam", "trash"], ["approve", "delete", "restore"]),
        (Status.SPAM, ["not_spam", "delete"], ["approve", "spam", "trash"]),
        (Status.TRASH, ["restore", "delete"], ["approve", "trash", "not_spam"]),
    ],
)
def test_each_status_offers_its_own_actions(
    staff: Client, post: Post, status: str, shown: list[str], hidden: list[str]
) -> None:
    comment = _comment(post, status=status)
    html = staff.get(f"/moderation/?status={status}").content.decode()
    for action in shown:
        assert f'action="/moderation/{comment.pk}/{action}/"' in html
    for action in hidden:
        assert f'action="/moderation/{comment.pk}/{action}/"' not in html


def test_search_by_text_email_name_and_ip(staff: Client, post: Post) -> None:
    lighthouse = _comment(post, body="The lighthouse logs are wonderful", ip="198.51.100.20")
    bob = _comment(
        post, body="Hello", name="Bob Keeper", email="bob@harbour.example", ip="192.0.2.1"
    )
    v6 = _comment(post, body="From IPv6", ip="2001:db8::1")

    def found(query: str, status: str = "") -> set[int]:
        response = staff.get("/moderation/", {"q": query, "status": status})
        return {c.pk for c in response.context["page_obj"]}

    assert found("LIGHTHOUSE") == {lighthouse.pk}
    assert found("harbour.example") == {bob.pk}
    assert found("keeper") == {bob.pk}
    assert found("192.0.2.1") == {bob.pk}
    assert found("198.51.") == {lighthouse.pk}
    assert found("2001:db8") == {v6.pk}
    assert found("nothing like this") == set()
    assert found("lighthouse", status="spam") == set()


def test_the_queue_pages_newest_first(staff: Client, post: Post) -> None:
    now = timezone.now()
    comments = [
        _comment(post, body=f"number {i}", created_at=now - timedelta(minutes=i)) for i in range(25)
    ]
    first = staff.get("/moderation/")
    assert [c.pk for c in first.context["page_obj"]] == [c.pk for c in comments[:20]]
    second = staff.get("/moderation/?page=2")
    assert [c.pk for c in second.context["page_obj"]] == [c.pk for c in comments[20:]]
    # A page past the end (say, after a bulk action emptied it) shows the last one.
    assert staff.get("/moderation/?page=9").context["page_obj"].number == 2


def test_queue_query_count_is_bounded_and_flat(staff: Client, post: Post) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n: int) -> int:
        Comment.objects.all().delete()
        for i in range(n):
            _comment(
                post,
                status=(Status.APPROVED, Status.PENDING)[i % 2],
                body=f"c{i}",
                user=AuthorFactory(),
                moderation_reason="Held.",
            )
        staff.get("/moderation/")  # warm the settings cache, as in production
        with CaptureQueriesContext(connection) as captured:
            response = staff.get("/moderation/")
        assert len(response.context["page_obj"]) == n
        return len(captured)

    five, twenty = queries(5), queries(20)
    assert twenty == five
    assert twenty <= 10


def test_queue_first_visit_is_within_ten_queries(
    staff: Client, post: Post, django_assert_max_num_queries: Any
) -> None:
    for i in range(20):
        _comment(post, status=Status.PENDING, body=f"c{i}", user=AuthorFactory())
    with django_assert_max_num_queries(10):
        staff.get("/moderation/")


# --- actions --------------------------------------------------------------------------------


def _act(staff: Client, comment: Comment, action: str, next_url: str = "/moderation/") -> Any:
    return staff.post(f"/moderation/{comment.pk}/{action}/", {"next": next_url}, follow=True)


def test_approve_and_unapprove_change_the_count(staff: Client, post: Post) -> None:
    comment = _comment(post)
    response = _act(staff, comment, "approve", "/moderation/?status=pending")
    assert response.redirect_chain == [("/moderation/?status=pending", 302)]
    assert _messages(response) == ["Comment approved."]
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and _count(post) == 1

    response = _act(staff, comment, "unapprove")
    assert _messages(response) == ["Comment unapproved."]
    comment.refresh_from_db()
    assert comment.status == Status.PENDING and _count(post) == 0


@pytest.mark.parametrize(
    ("action", "undo", "message"),
    [
        ("spam", "not_spam", "Comment marked as spam."),
        ("trash", "restore", "Comment moved to the Trash."),
    ],
)
def test_spam_or_trash_of_approved_uncounts_and_undo_counts_again(
    staff: Client, post: Post, action: str, undo: str, message: str
) -> None:
    comment = _comment(post, status=Status.APPROVED)
    assert _count(post) == 1
    assert _messages(_act(staff, comment, action)) == [message]
    comment.refresh_from_db()
    assert comment.status == action and _count(post) == 0
    _act(staff, comment, undo)
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and _count(post) == 1


def test_an_action_that_does_not_fit_the_status_changes_nothing(staff: Client, post: Post) -> None:
    comment = _comment(post, status=Status.APPROVED)
    response = _act(staff, comment, "restore")
    assert _messages(response) == ["That comment has changed since the page was loaded."]
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and _count(post) == 1
    assert staff.post(f"/moderation/{comment.pk}/explode/").status_code == 404
    assert staff.get(f"/moderation/{comment.pk}/approve/").status_code == 405


def test_delete_with_replies_leaves_a_tombstone(staff: Client, post: Post) -> None:
    parent = _comment(post, status=Status.APPROVED)
    comment_apply(comment=parent, action="trash")
    reply = _comment(post, status=Status.APPROVED, parent=parent, body="A reply")
    assert _count(post) == 1
    response = _act(staff, parent, "delete", "/moderation/?status=trash")
    assert _messages(response) == ["Comment deleted permanently."]
    parent.refresh_from_db()
    assert parent.removed is True and parent.body == "" and parent.ip_address is None
    assert Comment.objects.get(pk=reply.pk).status == Status.APPROVED
    assert _count(post) == 1
    # The tombstone is not for moderating any more.
    assert staff.get("/moderation/").context["tabs"][0] == ("all", "All", 1)


def test_delete_without_replies_removes_the_row(staff: Client, post: Post) -> None:
    comment = _comment(post, status=Status.SPAM)
    _act(staff, comment, "delete")
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert _count(post) == 0


def test_next_never_leaves_the_queue(staff: Client, post: Post) -> None:
    for evil in (
        "https://evil.example/",
        "//evil.example/moderation/",
        "/admin/",
        "/moderation@evil",
    ):
        comment = _comment(post, body=evil)
        response = staff.post(f"/moderation/{comment.pk}/approve/", {"next": evil})
        assert response.status_code == 302 and response["Location"] == "/moderation/"


def test_bulk_approve_three(staff: Client, post: Post) -> None:
    pending = [_comment(post, body=f"pending {i}") for i in range(3)]
    untouched = _comment(post, body="left alone")
    response = staff.post(
        "/moderation/bulk/",
        {
            "action": "approve",
            "ids": [c.pk for c in pending],
            "next": "/moderation/?status=pending",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/moderation/?status=pending", 302)]
    assert _messages(response) == ["3 comments approved."]
    assert set(Comment.objects.filter(status=Status.APPROVED).values_list("pk", flat=True)) == {
        c.pk for c in pending
    }
    assert Comment.objects.get(pk=untouched.pk).status == Status.PENDING
    assert _count(post) == 3


def test_bulk_skips_comments_the_action_does_not_fit(staff: Client, post: Post) -> None:
    approved = _comment(post, status=Status.APPROVED, body="one")
    pending = _comment(post, body="two")
    response = staff.post(
        "/moderation/bulk/", {"action": "approve", "ids": [approved.pk, pending.pk]}, follow=True
    )
    assert _messages(response) == ["Comment approved."]
    assert _count(post) == 2
    nothing = staff.post("/moderation/bulk/", {"action": "", "ids": [pending.pk]}, follow=True)
    assert _messages(nothing) == ["Choose some comments and an action to apply to them."]


# --- edit and reply -------------------------------------------------------------------------


def test_edit_keeps_typed_text_and_shows_errors_by_the_field(staff: Client, post: Post) -> None:
    comment = _comment(post, body="Original words")
    page = staff.get(f"/moderation/{comment.pk}/edit/?next=/moderation/%3Fstatus%3Dpending")
    assert page.status_code == 200 and "Original words" in page.content.decode()

    response = staff.post(
        f"/moderation/{comment.pk}/edit/",
        {
            "body": "Changed words",
            "author_name": "Ada",
            "author_email": "not-an-email",
            "author_url": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"].errors["author_email"] == ["Enter a valid email address."]
    assert 'value="not-an-email"' in html and "Changed words" in html
    # The error sits with its field: between the Email label and the Email input.
    label, field = html.index('for="id_author_email"'), html.index('name="author_email"')
    assert label < html.index("Enter a valid email address.") < field
    comment.refresh_from_db()
    assert comment.body == "Original words"


def test_edit_saves_and_goes_back(staff: Client, post: Post) -> None:
    comment = _comment(post, body="Original words")
    response = staff.post(
        f"/moderation/{comment.pk}/edit/",
        {
            "body": "Better *words*",
            "author_name": "Ada L.",
            "author_email": "ada@example.com",
            "author_url": "ada.example.com",
            "next": "/moderation/?status=pending",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/moderation/?status=pending", 302)]
    assert _messages(response) == ["Comment updated."]
    comment.refresh_from_db()
    assert comment.body == "Better *words*" and "<em>words</em>" in comment.body_html
    assert (comment.author_name, comment.author_email, comment.author_url) == (
        "Ada L.",
        "ada@example.com",
        "https://ada.example.com",
    )


def test_reply_as_moderator_approves_the_pending_parent(
    staff: Client, post: Post, moderator: User
) -> None:
    parent = _comment(post, body="Is this right?")
    response = staff.post(
        f"/moderation/{parent.pk}/reply/",
        {"body": "Yes, it is.", "next": "/moderation/?status=pending"},
        follow=True,
        HTTP_USER_AGENT="TestBrowser/1.0",
    )
    assert response.redirect_chain == [("/moderation/?status=pending", 302)]
    assert _messages(response) == ["Comment approved and reply published."]
    parent.refresh_from_db()
    assert parent.status == Status.APPROVED
    reply = Comment.objects.get(parent=parent)
    assert reply.status == Status.APPROVED and reply.user == moderator
    assert reply.body == "Yes, it is." and reply.user_agent == "TestBrowser/1.0"
    assert _count(post) == 2


def test_approve_and_reply_says_so_once_on_the_page(staff: Client, post: Post) -> None:
    parent = _comment(post, body="Is this right?")
    response = staff.post(
        f"/moderation/{parent.pk}/reply/",
        {"body": "Yes, it is.", "next": "/moderation/?status=pending"},
        follow=True,
    )
    assert response.content.decode().count("Comment approved and reply published.") == 1


def test_the_admin_home_posts_and_discussion_settings_lead_to_the_queue(
    staff: Client, post: Post
) -> None:
    _comment(post)
    _comment(post, body="Another.")
    DiscussionSettings.current().save()  # the row the settings form edits
    for url in (
        "/admin/",
        "/admin/publishing/post/",
        "/admin/discussion/discussionsettings/1/change/",
    ):
        html = staff.get(url).content.decode()
        assert 'href="/moderation/?status=pending"' in html, url
        assert "2 waiting" in html or "2 awaiting moderation" in html, url


def test_staff_who_cannot_moderate_see_no_queue_link(client: Client, post: Post) -> None:
    editor = AuthorFactory(username="plainstaff")
    editor.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(User.objects.get(pk=editor.pk))
    html = client.get("/admin/publishing/post/").content.decode()
    assert "/moderation/" not in html


def test_a_refused_reply_is_reported_and_the_parent_stays_pending(
    staff: Client, post: Post
) -> None:
    parent = _comment(post)
    response = staff.post(f"/moderation/{parent.pk}/reply/", {"body": "   "}, follow=True)
    assert _messages(response) == ["Please type your comment text."]
    parent.refresh_from_db()
    assert parent.status == Status.PENDING and _count(post) == 0
    assert not Comment.objects.filter(parent=parent).exists()


def test_reply_through_comment_submit_path(staff: Client, post: Post) -> None:
    DiscussionSettings(comment_previously_approved=False).save()
    parent = _comment(post, status=Status.APPROVED)
    response = staff.post(f"/moderation/{parent.pk}/reply/", {"body": "Thanks!"}, follow=True)
    assert _messages(response) == ["Reply published."]
    assert Comment.objects.get(parent=parent).status == Status.APPROVED


# --- the clean command ----------------------------------------------------------------------


def test_clean_comments_empties_old_trash_and_anonymises_old_ips(post: Post) -> None:
    now = timezone.now()
    old_trash = _comment(post, status=Status.TRASH, body="old trash")
    new_trash = _comment(post, status=Status.TRASH, body="new trash")
    old_spam = _comment(post, status=Status.SPAM, body="old spam")
    old_ip = _comment(post, status=Status.APPROVED, body="old ip", ip="198.51.100.77")
    new_ip = _comment(post, status=Status.APPROVED, body="new ip", ip="198.51.100.78")
    Comment.objects.filter(pk__in=[old_trash.pk, old_spam.pk]).update(
        status_changed_at=now - timedelta(days=31)
    )
    Comment.objects.filter(pk=new_trash.pk).update(status_changed_at=now - timedelta(days=29))
    Comment.objects.filter(pk=old_ip.pk).update(created_at=now - timedelta(days=61))

    out = StringIO()
    call_command("clean_comments", stdout=out)
    assert out.getvalue().strip() == (
        "Emptied 2 comments from trash and spam; anonymised 1 IP addresses."
    )
    remaining = set(Comment.objects.values_list("pk", flat=True))
    assert remaining == {new_trash.pk, old_ip.pk, new_ip.pk}
    assert Comment.objects.get(pk=old_ip.pk).ip_address == "198.51.100.0"
    assert Comment.objects.get(pk=new_ip.pk).ip_address == "198.51.100.78"


# --- the admin ------------------------------------------------------------------------------


def test_discussion_settings_in_the_admin_has_every_field_grouped(staff: Client) -> None:
    from django.contrib import admin

    model_admin = admin.site._registry[DiscussionSettings]
    grouped: list[str] = []
    for _title, options in model_admin.fieldsets:
        for entry in options["fields"]:
            grouped += list(entry) if isinstance(entry, tuple) else [entry]
    editable = [f.name for f in DiscussionSettings._meta.fields if f.editable and not f.primary_key]
    assert sorted(grouped) == sorted(editable)

    response = staff.get("/admin/discussion/discussionsettings/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/discussion/discussionsettings/1/change/"
    html = response.content.decode()
    for heading in ("Before a comment appears", "Comment moderation", "Spam guards", "Privacy"):
        assert heading in html
    # Their old address, from before they moved to the discussion app, still finds them.
    moved = staff.get("/admin/moderation/discussionsettings/1/change/")
    assert moved.status_code == 301
    assert moved["Location"] == "/admin/discussion/discussionsettings/1/change/"


def test_spam_tokens_are_listed_read_only(staff: Client) -> None:
    from broadsheet.moderation.models import SpamToken

    SpamToken.objects.create(token="casino", spam=7, ham=0)
    response = staff.get("/admin/moderation/spamtoken/?q=casino")
    assert response.status_code == 200 and "casino" in response.content.decode()
    assert staff.get("/admin/moderation/spamtoken/add/").status_code == 403


@pytest.mark.parametrize("number", ["²", "99999999999999999999", "x", "-1"])
def test_a_page_number_or_ids_that_are_no_numbers_are_ignored(
    staff: Client, post: Post, number: str
) -> None:
    # "²" passed str.isdigit() and then failed int(): a 500 for the moderator.
    assert staff.get("/moderation/", {"page": number}).status_code == 200
    response = staff.post("/moderation/bulk/", {"action": "approve", "ids": [number]})
    assert response.status_code == 302

"""The public moderation log (decisions 0054, 0055): off by default; when on, a reason for every
hold, spam and trash, a notice in the thread, /moderation/log/ and its feed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import Profile, User
from broadsheet.core.services import settings_save
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.moderation.log import LOG_PER_PAGE, Reason, day, default_reason
from broadsheet.moderation.models import RemovalEntry
from broadsheet.moderation.services import (
    comment_approve,
    comment_delete,
    comment_spam,
    comment_trash,
    comment_unapprove,
)
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db

Status = Comment.Status
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def post(db: None) -> Post:
    return PostFactory(title="Lamps and Ledgers")


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("editor", "editor@example.org", "pw"))
    return client


def _log(on: bool = True, reasons: str | None = None) -> DiscussionSettings:
    settings = DiscussionSettings.current()
    settings.public_moderation_log = on
    if reasons is not None:
        settings.moderation_reasons = reasons
    settings_save(settings=settings)
    return DiscussionSettings.current()


def _thread(post: Post) -> str:
    return Client().get(post.get_absolute_url()).content.decode()


def _notice(name: str, reason: str) -> str:
    return f"A comment by {name} was removed on {day(timezone.now())}: {reason}"


def _act(staff: Client, comment: Comment, action: str, **data: str) -> Any:
    return staff.post(f"/moderation/{comment.pk}/{action}/", {"next": "/moderation/", **data})


# --- off by default: nothing public changes -------------------------------------------------


def test_off_by_default_nothing_is_recorded_or_public(staff: Client, post: Post) -> None:
    assert DiscussionSettings.current().public_moderation_log is False
    comment = approved_comment(post, name="Ada Reader", body="Kept words.")
    queue = staff.get("/moderation/").content.decode()
    assert 'name="reason"' not in queue and "mod-reason" not in queue
    assert _act(staff, comment, "trash", reason="Spam").status_code == 302
    assert not RemovalEntry.objects.exists()
    thread = _thread(post)
    assert "was removed on" not in thread and f'id="comment-{comment.pk}"' not in thread
    assert Client().get("/moderation/log/").status_code == 404
    assert Client().get("/moderation/log/feed/").status_code == 404


# --- reasons ----------------------------------------------------------------------------------


def test_the_reason_list_is_read_line_by_line_once_each() -> None:
    settings = DiscussionSettings(moderation_reasons=" Spam \n\nOff-topic\noff-topic\n" + "x" * 300)
    assert settings.reasons == ["Spam", "Off-topic", "x" * 100]
    assert DiscussionSettings().reasons == ["Spam", "Off-topic", "Personal attack", "Duplicate"]


def test_each_button_has_its_own_reason() -> None:
    reasons = ["Spam", "Off-topic", "Personal attack"]
    assert default_reason("spam", reasons) == "Spam"
    assert default_reason("trash", reasons) == default_reason("hold", reasons) == "Off-topic"
    assert default_reason("spam", ["Rude"]) == "Rude"
    assert default_reason("trash", ["spam"]) == "spam"
    assert default_reason("trash", []) == "No reason given"


def test_the_queue_offers_the_reasons_beside_each_rows_buttons(staff: Client, post: Post) -> None:
    _log(reasons="Spam\nOff-topic\nRude <b>words</b>")
    comment = approved_comment(post)
    html = staff.get("/moderation/").content.decode()
    row = html[html.index(f'id="mod-comment-{comment.pk}"') :]
    row = row[: row.index("</li>")]
    form = row[row.index('<form class="mod-row__actions"') :]
    # One form: the select goes with whichever button (or keyboard shortcut) is pressed.
    assert form.index(f'id="mod-reason-{comment.pk}"') < form.index('data-shortcut="t"')
    assert form.index("</form>") > form.index('data-shortcut="s"')
    assert "The button&#x27;s own (Spam for Spam, Off-topic otherwise)" in row
    assert '<option value="Rude &lt;b&gt;words&lt;/b&gt;">' in row
    assert '<option value="other">Other</option>' in row
    # Enter in the words' field presses the disabled default button: nothing is decided.
    assert re.search(r'<button type="submit"[^>]* disabled', form.split("mod-reason")[0])
    assert 'id="mod-reason-bulk"' in html
    assert " style=" not in html and "<script>" not in html


# --- a decision records its reason, the thread shows the notice ------------------------------


def test_trash_with_a_reason_shows_the_notice_in_the_comments_place(
    staff: Client, post: Post
) -> None:
    _log()
    removed = approved_comment(post, name="Ada Reader", body="Rude words here.")
    reply = approved_comment(post, parent=removed, name="Bob Other", body="A calm answer.")
    assert _act(staff, removed, "trash", reason="Personal attack").status_code == 302
    entry = RemovalEntry.objects.get()
    assert (entry.comment_id, entry.post_id, entry.action) == (removed.pk, post.pk, "trash")
    assert entry.shown_reason == "Personal attack" and entry.moderator is not None
    thread = _thread(post)
    assert _notice("Ada Reader", "Personal attack") in thread
    assert "Rude words here." not in thread
    # In its place: the notice holds the reply under it, and offers no Reply of its own.
    place = thread[thread.index(f'id="comment-{removed.pk}"') :]
    assert place.index("was removed on") < place.index(f'id="comment-{reply.pk}"')
    assert f"?replytocom={removed.pk}" not in thread
    assert "A calm answer." in thread
    assert Post.objects.get(pk=post.pk).comment_count == 1


@pytest.mark.parametrize(
    ("action", "reason", "status"),
    [("spam", "Spam", Status.SPAM), ("unapprove", "Off-topic", Status.PENDING),
     ("trash", "Off-topic", Status.TRASH)],
)  # fmt: skip
def test_a_keystroke_takes_the_buttons_own_reason(
    staff: Client, post: Post, action: str, reason: str, status: str
) -> None:
    """A shortcut clicks the button with the select as it is: "" is the button's own reason."""
    _log()
    comment = approved_comment(post, name="Cy Third")
    _act(staff, comment, action, reason="")
    comment.refresh_from_db()
    assert comment.status == status
    assert RemovalEntry.objects.get().shown_reason == reason
    assert _notice("Cy Third", reason) in _thread(post)


def test_the_email_links_and_other_callers_take_the_buttons_own_reason(post: Post) -> None:
    _log()
    comment = approved_comment(post)
    comment_spam(comment=comment)
    assert RemovalEntry.objects.get().reason == "Spam"


def test_approving_again_removes_the_public_entry(staff: Client, post: Post) -> None:
    _log()
    comment = approved_comment(post, name="Ada Reader", body="Back again.")
    _act(staff, comment, "spam")
    assert "was removed on" in _thread(post)
    _act(staff, comment, "not_spam")  # back to approved, where it was
    assert not RemovalEntry.objects.exists()
    thread = _thread(post)
    assert "was removed on" not in thread and "Back again." in thread
    assert "No comment has been removed." in Client().get("/moderation/log/").content.decode()


def test_a_comment_readers_never_saw_is_not_logged(post: Post) -> None:
    _log()
    held = approved_comment(post, status=Status.PENDING, name="Never Shown")
    comment_trash(comment=held, reason=Reason(choice="Spam"))
    comment_spam(comment=approved_comment(post, status=Status.PENDING))
    assert not RemovalEntry.objects.exists()
    assert "Never Shown" not in _thread(post)


def test_a_held_comment_trashed_keeps_its_entry_with_the_new_reason(post: Post) -> None:
    _log()
    comment = approved_comment(post, name="Ada Reader")
    comment_unapprove(comment=comment, reason=Reason(choice="Duplicate"))
    assert _notice("Ada Reader", "Duplicate") in _thread(post)
    comment_trash(comment=comment, reason=Reason(choice="personal ATTACK"))
    entry = RemovalEntry.objects.get()
    assert (entry.action, entry.reason) == ("trash", "Personal attack")
    assert _notice("Ada Reader", "Personal attack") in _thread(post)
    # Restored from the trash to the queue: still removed, and the entry stays as it was.
    from broadsheet.moderation.services import comment_restore

    comment_restore(comment=Comment.objects.get(pk=comment.pk))
    assert RemovalEntry.objects.get().action == "trash"
    comment_approve(comment=Comment.objects.get(pk=comment.pk))
    assert not RemovalEntry.objects.exists()


def test_an_account_holders_shown_name_is_used(post: Post) -> None:
    _log()
    user = User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")
    Profile.objects.filter(user=user).update(display_name="Rea Dern")
    comment = approved_comment(post, name="Typed Name", user=user)
    comment_trash(comment=comment, reason=Reason(choice="Off-topic"))
    assert _notice("Rea Dern", "Off-topic") in _thread(post)


def test_deleted_for_good_the_entry_stays_without_a_name(post: Post) -> None:
    _log()
    comment = approved_comment(post, name="Ada Reader")
    comment_trash(comment=comment, reason=Reason(choice="Duplicate"))
    comment_delete(comment=Comment.objects.get(pk=comment.pk))
    entry = RemovalEntry.objects.get()
    assert entry.comment_id is None
    log = Client().get("/moderation/log/").content.decode()
    assert f"A comment was removed on {day(timezone.now())}: Duplicate" in log
    assert "Ada Reader" not in log


def test_turning_the_log_off_hides_every_notice_and_the_log(post: Post) -> None:
    _log()
    comment_trash(comment=approved_comment(post, name="Ada Reader"))
    assert "was removed on" in _thread(post)
    _log(on=False)
    assert "was removed on" not in _thread(post)
    assert Client().get("/moderation/log/").status_code == 404


# --- bulk actions and the comment's page -------------------------------------------------------


def test_bulk_trash_records_one_reason_for_each(staff: Client, post: Post) -> None:
    _log()
    comments = [approved_comment(post, name=f"Writer {i}", body=f"Same {i}") for i in range(3)]
    response = staff.post(
        "/moderation/bulk/",
        {"action": "trash", "ids": [c.pk for c in comments], "reason": "Duplicate"},
    )
    assert response.status_code == 302
    assert sorted(RemovalEntry.objects.values_list("reason", flat=True)) == ["Duplicate"] * 3


def test_the_comments_page_decides_with_a_reason(staff: Client, post: Post) -> None:
    _log()
    comment = approved_comment(post, name="Ada Reader")
    page = staff.get(f"/moderation/{comment.pk}/edit/").content.decode()
    assert 'id="mod-reason-edit"' in page
    assert f'formaction="/moderation/{comment.pk}/spam/"' in page
    _act(staff, comment, "unapprove", reason="other", reason_text="Quoted a private letter")
    assert _notice("Ada Reader", "Quoted a private letter") in _thread(post)


# --- hostile input ---------------------------------------------------------------------------


def test_script_in_the_reason_and_the_name_is_shown_as_text(staff: Client, post: Post) -> None:
    _log(reasons=f"Spam\n{SCRIPT}")
    comment = approved_comment(post, name=f"Mallory {SCRIPT}")
    other = approved_comment(post, name="Eve", body="Second.")
    _act(staff, comment, "trash", reason="other", reason_text=f"Because {SCRIPT}")
    _act(staff, other, "trash", reason=SCRIPT)
    for page in (
        _thread(post),
        Client().get("/moderation/log/").content.decode(),
        Client().get("/moderation/log/feed/").content.decode(),
        staff.get("/moderation/?status=trash").content.decode(),
    ):
        assert "<script>alert" not in page
    thread = _thread(post)
    assert "Mallory &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in thread
    assert "Because &lt;script&gt;" in thread
    feed = Client().get("/moderation/log/feed/").content.decode()
    assert "Because &lt;script&gt;" in feed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "other", "reason_text": "   "}, "Say in a few words why"),
        ({"reason": "other", "reason_text": "w" * 100_000}, "at most 200 characters"),
        ({"reason": "Forged <b>reason</b>"}, "Select a valid choice"),
    ],
)
def test_a_refused_reason_is_said_by_the_field_with_the_words_kept(
    staff: Client, post: Post, data: dict[str, str], message: str
) -> None:
    _log()
    comment = approved_comment(post, body="Still here.")
    response = _act(staff, comment, "trash", **data)
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('id="mod-reason-error-edit"') :]
    assert message in error[: error.index("</p>")]
    assert 'aria-invalid="true"' in html
    if data.get("reason_text", "").strip():
        assert f'value="{data["reason_text"]}"' in html  # kept for the moderator to shorten
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and not RemovalEntry.objects.exists()


def test_a_refused_reason_in_a_bulk_action_decides_nothing_and_keeps_the_choices(
    staff: Client, post: Post
) -> None:
    _log()
    comment, other = approved_comment(post), approved_comment(post, name="Bob Other")
    words = f"{SCRIPT} " + "x" * 500
    response = staff.post(
        "/moderation/bulk/",
        {"action": "trash", "ids": [comment.pk], "reason": "other", "reason_text": words,
         "next": "/moderation/?status=approved"},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('id="mod-reason-error-bulk"') :]
    assert "at most 200 characters" in error[: error.index("</p>")]
    assert 'value="&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; xxx' in html
    assert "<script>alert" not in html
    assert '<option value="trash" selected>' in html
    assert f'value="{comment.pk}" id="mod-select-{comment.pk}" data-shortcut="x" checked>' in html
    assert f'value="{other.pk}" id="mod-select-{other.pk}" data-shortcut="x">' in html
    assert '<a href="?status=approved" aria-current="page">' in html  # the tab it came from
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and not RemovalEntry.objects.exists()


# --- the log's pages --------------------------------------------------------------------------


def test_the_log_lists_removals_newest_first_paged_with_a_feed(post: Post) -> None:
    _log()
    hidden = PostFactory(title="Private thoughts", status=Post.Status.PRIVATE)
    comment_trash(comment=approved_comment(hidden, name="Secret Writer"))
    for i in range(LOG_PER_PAGE + 1):
        comment_trash(comment=approved_comment(post, name=f"Writer {i}"))
    response = Client().get("/moderation/log/")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    first = response.content.decode()
    assert first.index(f"by Writer {LOG_PER_PAGE} ") < first.index(f"by Writer {LOG_PER_PAGE - 1} ")
    assert "Secret Writer" not in first and "Private thoughts" not in first
    assert 'href="/moderation/log/page/2/"' in first
    assert 'type="application/atom+xml"' in first
    second = Client().get("/moderation/log/page/2/").content.decode()
    assert "by Writer 0 " in second and "Newer entries" in second
    assert Client().get("/moderation/log/page/3/").status_code == 404
    feed = Client().get("/moderation/log/feed/")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert body.count("<entry>") == 20 and "Secret Writer" not in body
    assert "/moderation/log/#removal-" in body


def test_the_log_page_costs_the_same_queries_for_few_and_many(
    post: Post, django_assert_num_queries: Any
) -> None:
    _log()
    comment_trash(comment=approved_comment(post, name="First"))
    client = Client()
    client.get("/moderation/log/")  # settings cached, as in production
    with django_assert_num_queries(2) as few:  # the count and the page
        client.get("/moderation/log/")
    for i in range(30):
        comment_trash(comment=approved_comment(post, name=f"Writer {i}"))
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/moderation/log/").content.decode().count("was removed on") == 31


def test_the_thread_costs_one_query_more_with_the_log_on_whatever_the_notices(
    post: Post, django_assert_num_queries: Any
) -> None:
    for i in range(4):
        approved_comment(post, body=f"kept {i}")
    url = post.get_absolute_url()
    client = Client()
    client.get(url)
    with django_assert_num_queries(9) as off:  # as tests/discussion/test_selectors.py counts
        client.get(url)
    off_count = len(off.captured_queries)  # read now: the next request empties the log
    _log()
    comment_trash(comment=approved_comment(post, name="One"))
    client.get(url)
    with django_assert_num_queries(off_count + 1):
        client.get(url)
    for i in range(20):
        comment_trash(comment=approved_comment(post, name=f"Many {i}"))
    with django_assert_num_queries(off_count + 1):
        assert client.get(url).content.decode().count("was removed on") == 21


def test_moderators_see_what_the_public_log_says_in_the_queue_and_the_admin(
    staff: Client, post: Post
) -> None:
    _log()
    comment = approved_comment(post, name=f"Mallory {SCRIPT}")
    _act(staff, comment, "trash", reason="other", reason_text=f"Said {SCRIPT}")
    queue = staff.get("/moderation/?status=trash").content.decode()
    assert "<strong>In the public log:</strong> trashed, Said &lt;script&gt;" in queue
    admin = staff.get("/admin/moderation/removalentry/")
    assert admin.status_code == 200
    page = admin.content.decode()
    assert "Said &lt;script&gt;" in page and "<script>alert" not in page
    assert staff.get("/admin/moderation/removalentry/add/").status_code == 403


@pytest.mark.parametrize("remove_text", [False, True])
def test_the_writers_data_erased_leaves_no_name_in_the_log(post: Post, remove_text: bool) -> None:
    from broadsheet.accounts.privacy import personal_data_erase

    _log()
    comment = approved_comment(post, name="Ada Reader", author_email="ada@example.org")
    comment_trash(comment=comment, reason=Reason(choice="Duplicate"))
    personal_data_erase(email="ada@example.org", user=None, remove_text=remove_text)
    pages = _thread(post) + Client().get("/moderation/log/").content.decode()
    assert "Ada Reader" not in pages
    assert RemovalEntry.objects.get().shown_reason == "Duplicate"


def test_with_comment_paging_a_notice_keeps_its_threads_place(post: Post) -> None:
    settings = _log()
    settings.page_comments, settings.comments_per_page = True, 2
    settings.default_comments_page = DiscussionSettings.FirstPage.OLDEST
    settings_save(settings=settings)
    first = approved_comment(post, name="First Writer", body="one")
    approved_comment(post, name="Second Writer", body="two")
    third = approved_comment(post, name="Third Writer", body="three")
    comment_trash(comment=first, reason=Reason(choice="Duplicate"))
    page_one = _thread(post)
    assert _notice("First Writer", "Duplicate") in page_one and "two" in page_one
    assert f'id="comment-{third.pk}"' not in page_one  # still on page two

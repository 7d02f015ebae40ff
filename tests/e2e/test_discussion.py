"""The discussion in a real Chromium: with JavaScript off and on, moderation, replies, permalinks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.services import comment_create_stored
from broadsheet.publishing.models import Post
from tests.discussion.hostile import NAMES, SCRIPTS, URLS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"


def _settings(**changes: Any) -> None:
    current = DiscussionSettings.current()
    for name, value in changes.items():
        setattr(current, name, value)
    current.save()


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("demo", verbosity=0)
    _settings(minimum_seconds_on_page=0)
    return str(live_server.url)


def _fill_guest(page: Any, text: str) -> None:
    page.fill("#id_comment", text)
    page.fill("#id_author", "Grace Guest")
    page.fill("#id_email", "grace@example.org")


def test_guest_comment_with_javascript_off_is_held_and_shown_to_its_author(
    browser: Any, demo: str, artifacts: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo + ESSAY)
    assert page.locator("#reply-title").inner_text().startswith("Leave a Reply")
    _fill_guest(page, "Written without JavaScript.")
    page.click("#submit")
    comment = Comment.objects.get(body="Written without JavaScript.")
    assert page.url.endswith(f"{ESSAY}#comment-{comment.pk}")
    item = page.locator(f"#comment-{comment.pk}")
    assert "Your comment is awaiting moderation." in item.inner_text()
    page.screenshot(path=str(artifacts / "comment-pending-nojs.png"))
    context.close()
    stranger = browser.new_context().new_page()
    stranger.goto(demo + ESSAY)
    assert stranger.locator(f"#comment-{comment.pk}").count() == 0


def test_guest_comment_with_javascript_appears_in_place_then_a_moderator_approves_it(
    browser: Any, demo: str, artifacts: Path
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(demo + ESSAY)
    page.evaluate("window.__sameDocument = true")
    _fill_guest(page, "Written *with* JavaScript.")
    page.check("#id_cookies_consent")
    page.click("#submit")
    page.wait_for_selector("li.comment.is-new")
    assert page.evaluate("window.__sameDocument") is True  # no full reload
    comment = Comment.objects.get(body="Written *with* JavaScript.")
    item = page.locator(f"#comment-{comment.pk}")
    assert "Your comment is awaiting moderation." in item.inner_text()
    assert item.locator("em").inner_text() == "with"
    # The saved details fill the form on the next visit.
    page.goto(demo + ESSAY)
    assert page.input_value("#id_author") == "Grace Guest"
    context.close()

    User.objects.create_superuser("boss", "boss@example.org", "correct horse battery staple")
    moderator = browser.new_context().new_page()
    moderator.goto(demo + "/admin/login/?next=/moderation/%3Fstatus%3Dpending")
    moderator.fill("#id_username", "boss")
    moderator.fill("#id_password", "correct horse battery staple")
    moderator.click("input[type=submit]")
    moderator.wait_for_url("**/moderation/**")
    moderator.locator(f"button[formaction='/moderation/{comment.pk}/approve/']").click()
    moderator.wait_for_load_state()
    moderator.screenshot(path=str(artifacts / "moderation-queue.png"), full_page=True)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    reader = browser.new_context().new_page()
    reader.goto(demo + ESSAY)
    public = reader.locator(f"#comment-{comment.pk}")
    assert public.count() == 1 and "awaiting moderation" not in public.inner_text()


def test_reply_inline_three_levels_deep(browser: Any, demo: str, artifacts: Path) -> None:
    User.objects.create_superuser("boss", "boss@example.org", "correct horse battery staple")
    page = browser.new_context().new_page()
    page.goto(demo + "/admin/login/?next=" + ESSAY)
    page.fill("#id_username", "boss")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_url("**" + ESSAY)
    post = Post.objects.get(slug="the-ledger-and-the-lamp")
    parent = (
        Comment.objects.filter(post=post, depth=0, status=Comment.Status.APPROVED)
        .order_by("created_at")
        .first()
    )
    assert parent is not None
    for level in range(1, 4):
        page.locator(f"#comment-{parent.pk} > article .reply").click()
        assert (
            page.locator(f"#comment-{parent.pk} > #respond").count() == 1
        )  # the form moved under it
        assert "Leave a Reply to" in page.locator("#reply-title").inner_text()
        page.fill("#id_comment", f"Inline reply at level {level}.")
        page.click("#submit")
        page.wait_for_selector(f"li.comment.is-new:has-text('Inline reply at level {level}.')")
        reply = Comment.objects.get(body=f"Inline reply at level {level}.")
        assert reply.parent_id == parent.pk and reply.status == Comment.Status.APPROVED
        assert (
            page.locator(f"#comment-{parent.pk} > ol.children > #comment-{reply.pk}").count() == 1
        )
        parent = reply
    assert parent.depth == 3
    page.screenshot(path=str(artifacts / "replies-inline.png"), full_page=False)


def test_a_permalink_opens_the_comment_on_page_two(browser: Any, demo: str) -> None:
    _settings(page_comments=True, comments_per_page=4, default_comments_page="newest")
    post = Post.objects.get(slug="the-ledger-and-the-lamp")
    first_threads = list(
        Comment.objects.filter(post=post, depth=0, status=Comment.Status.APPROVED).order_by(
            "created_at", "id"
        )
    )
    assert len(first_threads) > 8  # three pages of four: the newest (shown by default) is the third
    target = first_threads[6]  # on the second page, counted oldest first
    page = browser.new_context().new_page()
    page.goto(demo + f"/comment/{target.pk}/")
    assert page.url.endswith(f"{ESSAY}comment-page-2/#comment-{target.pk}")
    assert page.locator(f"#comment-{target.pk}").is_visible()
    assert page.evaluate("document.querySelector(':target').id") == f"comment-{target.pk}"


def test_hostile_comments_never_run_in_the_browser(
    browser: Any, demo: str, artifacts: Path
) -> None:
    post = Post.objects.get(slug="the-ledger-and-the-lamp")
    from django.utils import timezone

    for n, body in enumerate(SCRIPTS):
        comment_create_stored(
            post=post, parent=None, body=body, status=Comment.Status.APPROVED, created_at=timezone.now(),
            author_name=NAMES[n % len(NAMES)], author_url=URLS[n % len(URLS)], author_email=f"h{n}@example.org",
        )  # fmt: skip
    page = browser.new_context().new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(demo + ESSAY)
    for link in page.locator("#comments .comment-content a").all()[:10]:
        link.hover()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    page.screenshot(path=str(artifacts / "hostile-comments.png"))

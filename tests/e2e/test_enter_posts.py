"""Enter in a text field of the comment form posts the comment, as in WordPress, with
JavaScript and without. The browser presses the form's first submit button on Enter, and the
sign-in icons are submit buttons placed before "Post Comment": a hidden default button comes
first, out of the tab order and the accessibility tree."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command

from broadsheet.discussion.models import Comment, DiscussionSettings
from tests.e2e.test_post_page import _serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("demo", verbosity=0)
    settings = DiscussionSettings.current()
    settings.minimum_seconds_on_page = 0
    settings.save()
    return str(live_server.url)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_enter_in_the_email_field_posts_the_comment(
    browser: Any, demo: str, javascript: bool
) -> None:
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    signing_in: list[str] = []
    context.on(
        "request",
        lambda r: signing_in.append(r.url) if "/comment-login/" in r.url or "/accounts/" in r.url else None,
    )  # fmt: skip
    page = context.new_page()
    page.goto(demo + ESSAY)
    form = page.locator("#commentform")
    assert form.locator(".login-icon").count() >= 1  # sign-in buttons come before Post Comment
    page.fill("#id_comment", "Posted by pressing Enter.")
    page.fill("#id_author", "Enid Enter")
    page.fill("#id_email", "enid@example.org")
    page.locator("#id_email").press("Enter")
    if javascript:
        page.wait_for_selector("li.comment.is-new")
    else:
        page.wait_for_url("**#comment-*")
    comment = Comment.objects.get(body="Posted by pressing Enter.")
    assert (comment.author_name, comment.author_email) == ("Enid Enter", "enid@example.org")
    assert page.url.startswith(demo + ESSAY)
    assert signing_in == []  # no sign-in was started
    if javascript:  # Post Comment is usable again, and Enter in the name field posts too
        assert page.locator("#submit").is_enabled()
        Comment.objects.filter(pk=comment.pk).update(
            created_at=comment.created_at - timedelta(minutes=1)
        )  # a minute later: not a flood
        page.fill("#id_comment", "Enter in the name field.")
        page.locator("#id_author").press("Enter")
        page.wait_for_selector("li.comment.is-new >> text=Enter in the name field.")
        assert Comment.objects.filter(body="Enter in the name field.").exists()
    context.close()


def test_the_default_button_is_out_of_sight_out_of_the_tab_order_and_passes_axe(
    browser: Any, demo: str
) -> None:
    page = browser.new_context().new_page()
    page.goto(demo + ESSAY)
    default = page.locator("#commentform button[type=submit]").first
    assert default.get_attribute("class") == "comment-form__default visually-hidden"
    assert default.evaluate("b => b.getBoundingClientRect().width * b.getBoundingClientRect().height") <= 1  # fmt: skip
    page.focus("#id_comment")  # Tab from the text goes on to what people see, never to it
    for _ in range(15):
        page.keyboard.press("Tab")
        assert not page.evaluate("document.activeElement.classList.contains('comment-form__default')")  # fmt: skip
    assert page.get_by_role("button", name="Post Comment").count() == 1  # for assistive tech
    assert _serious_violations(page) == []

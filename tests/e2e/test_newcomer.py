"""What a newcomer tripped over, each seen in a real Chromium (issue 14, §9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command

from broadsheet.discussion.models import Comment
from broadsheet.moderation.models import DiscussionSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("demo", verbosity=0)
    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.save()
    return str(live_server.url)


def test_saved_name_email_and_website_fill_the_form_on_the_next_visit(
    browser: Any, demo: str, artifacts: Path
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(demo + ESSAY)
    page.fill("#id_comment", "Saved with my website.")
    page.fill("#id_author", "Grace Guest")
    page.fill("#id_email", "grace@example.org")
    page.fill("#id_url", "https://grace.example.org/essays/")
    page.check("#id_cookies_consent")
    page.click("#submit")
    page.wait_for_selector("li.comment.is-new")
    assert Comment.objects.filter(body="Saved with my website.").exists()

    page.goto(demo + ESSAY)
    assert page.input_value("#id_author") == "Grace Guest"
    assert page.input_value("#id_email") == "grace@example.org"
    assert page.input_value("#id_url") == "https://grace.example.org/essays/"
    assert page.is_checked("#id_cookies_consent")
    page.locator("#respond").screenshot(path=str(artifacts / "comment-form-remembered.png"))
    context.close()


def test_a_cookie_saved_in_quotes_by_an_earlier_version_is_still_read(
    browser: Any, demo: str
) -> None:
    context = browser.new_context()
    details = '{"name":"Old Reader","email":"old@example.org","url":"https://old.example/"}'
    context.add_cookies([{"name": "comment_author", "value": f'"{quote(details)}"', "url": demo}])
    page = context.new_page()
    page.goto(demo + ESSAY)
    assert page.input_value("#id_author") == "Old Reader"
    assert page.input_value("#id_url") == "https://old.example/"
    context.close()

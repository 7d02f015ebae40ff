"""The public moderation log in a real Chromium: a reason picked by keyboard, then one
keystroke decides; the reader's thread and the log say so, the script in a name never runs."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.moderation.models import RemovalEntry
from tests.factories import PostFactory, approved_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def _moderator(browser: Any, base: str) -> Any:
    User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    page = browser.new_context().new_page()
    page.goto(base + "/admin/login/?next=/moderation/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/moderation/")
    return page


def test_a_reason_chosen_then_one_keystroke_removes_the_comment_publicly(
    browser: Any, live_server: Any
) -> None:
    settings = DiscussionSettings.current()
    settings.public_moderation_log = True
    settings.save()
    post = PostFactory(title="Lamps and Ledgers")
    kept = approved_comment(post, name="Kind Reader", body="Kept words.")
    rude = approved_comment(post, name="Mallory <img src=x onerror=alert(1)>", body="Rude words.")
    base = str(live_server.url)

    page = _moderator(browser, base)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # The newest comment is first: j picks it; the reason is chosen with the keyboard.
    page.keyboard.press("j")
    row = page.locator(f"#mod-comment-{rude.pk}")
    assert "is-current" in (row.get_attribute("class") or "")
    reason = row.locator("select[name=reason]")
    reason.focus()
    for _ in range(3):  # the button's own, Spam, Off-topic, Personal attack
        page.keyboard.press("ArrowDown")
    assert reason.input_value() == "Personal attack"
    # The letters on the reason are still the shortcuts: t is the decision, one keystroke.
    page.keyboard.press("t")
    page.wait_for_selector(".mod-message--success")
    rude.refresh_from_db()
    assert rude.status == Comment.Status.TRASH
    assert RemovalEntry.objects.get().reason == "Personal attack"

    # The other comment, by its shortcut alone: the button's own reason.
    page.keyboard.press("j")
    page.keyboard.press("s")
    page.wait_for_selector(".mod-message--success")
    assert set(RemovalEntry.objects.values_list("reason", flat=True)) == {
        "Personal attack",
        "Spam",
    }
    assert Comment.objects.get(pk=kept.pk).status == Comment.Status.SPAM

    reader = browser.new_context(java_script_enabled=False).new_page()
    reader.goto(base + post.get_absolute_url())
    notice = reader.locator(f"#comment-{rude.pk}").inner_text()
    assert notice.startswith("A comment by Mallory <img src=x onerror=alert(1)> was removed on")
    assert notice.endswith(": Personal attack")
    assert "Rude words." not in reader.content()
    reader.goto(base + "/moderation/log/")
    assert reader.locator(".removal-log li").count() == 2
    assert not dialogs

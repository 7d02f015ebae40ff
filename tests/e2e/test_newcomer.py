"""What a newcomer tripped over, each seen in a real Chromium (issue 14, §9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command

from broadsheet.discussion.models import Comment, DiscussionSettings
from tests.e2e.shots import element_shot

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


PASSWORD = "a long pass phrase 42"
DRAFT = "A thought I typed before making an account."


def _confirmation_link(server: Any) -> str:
    from broadsheet.notifications.outbox import outbox_send_due

    outbox_send_due()  # when the email went through the outbox rather than straight out
    [message] = server.wait_for(1)
    return next(link for link in server.links(message) if "/accounts/confirm-email/" in link)


def test_the_header_offers_sign_in_and_then_the_account(browser: Any, demo: str) -> None:
    from broadsheet.accounts.models import User

    User.objects.create_user("rea", "rea@example.net", PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=User.objects.get(username="rea"), email="rea@example.net", verified=True, primary=True
    )
    page = browser.new_context().new_page()
    page.goto(demo + ESSAY)
    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Sign in").click()
    page.fill("#id_login", "rea")
    page.fill("#id_password", PASSWORD)
    page.click("form[action*='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"**{ESSAY}")
    account = page.get_by_role("navigation", name="Your account")
    assert account.get_by_role("link", name="Account").is_visible()
    assert account.get_by_role("button", name="Sign out").is_visible()
    # The comment form's own way in is labelled, not just a letter.
    page.context.close()
    guest = browser.new_context().new_page()
    guest.goto(demo + ESSAY)
    site_button = guest.get_by_role("button", name="Sign in or sign up with an account on")
    assert site_button.is_visible() and "Sign in" in site_button.inner_text()


def test_signing_up_from_the_comment_form_comes_back_to_the_essay(
    browser: Any, demo: str, smtp_server: Any, artifacts: Path
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(demo + ESSAY + "#respond")
    page.fill("#id_comment", DRAFT)
    with page.expect_popup() as opened:
        page.click("button.login-icon--site")
    popup = opened.value
    assert page.locator("#login-status").inner_text().startswith("Connecting to")
    popup.wait_for_selector("#id_login")
    popup.click("a[href*='/accounts/signup/']")
    popup.fill("#id_email", "rea@example.net")
    popup.fill("#id_username", "rea")
    popup.fill("#id_password1", PASSWORD)
    popup.fill("#id_password2", PASSWORD)
    popup.click("form[action*='/accounts/signup/'] button[type=submit]")
    popup.wait_for_url("**/accounts/confirm-email/")
    # The essay's tab is told: no more "Connecting to …".
    page.wait_for_function(
        "!document.getElementById('login-status').textContent.startsWith('Connecting')"
    )
    assert "follow its link" in page.locator("#login-status").inner_text()
    assert page.input_value("#id_comment") == DRAFT
    # The popup stays open on "check your email"; the essay's tab behind it may get no
    # animation frames, which an element screenshot waits for (see tests/e2e/shots.py).
    popup.close()
    page.bring_to_front()
    element_shot(page.locator("#respond"), artifacts / "sign-up-waiting-for-email.png")

    # The emailed link, followed in another tab of the same browser, signs in and comes back.
    link = _confirmation_link(smtp_server)
    tab = context.new_page()
    tab.goto(link)
    tab.click("form[action*='/accounts/confirm-email/'] button[type=submit]")
    tab.wait_for_url(f"**{ESSAY}*")
    assert (
        tab.get_by_role("navigation", name="Your account")
        .get_by_role("link", name="Account")
        .is_visible()
    )
    # …and the essay's first tab, still open with the draft, now shows the account.
    page.wait_for_selector(".comment-signed-in")
    assert page.input_value("#id_comment") == DRAFT
    context.close()


def test_a_sign_up_verified_in_another_browser_signs_in_and_comes_back(
    browser: Any, demo: str, smtp_server: Any
) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(demo + ESSAY)
    page.fill("#id_comment", DRAFT)
    page.click("button.login-icon--site")  # without JavaScript: the redirect flow
    page.click("a[href*='/accounts/signup/']")
    page.fill("#id_email", "rea@example.net")
    page.fill("#id_username", "rea")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("form[action*='/accounts/signup/'] button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")

    elsewhere = browser.new_context().new_page()  # another browser: no session of the sign-up
    elsewhere.goto(_confirmation_link(smtp_server))
    elsewhere.click("form[action*='/accounts/confirm-email/'] button[type=submit]")
    elsewhere.wait_for_url("**/accounts/login/**")
    elsewhere.fill("#id_login", "rea")
    elsewhere.fill("#id_password", PASSWORD)
    elsewhere.click("form[action*='/accounts/login/'] button[type=submit]")
    elsewhere.wait_for_url(f"**{ESSAY}*")
    assert "You are commenting using your" in elsewhere.locator("#respond").inner_text()


def test_erasing_without_the_confirmation_stays_at_the_form_with_the_error(
    browser: Any, demo: str, artifacts: Path
) -> None:
    from broadsheet.accounts.privacy import privacy_token

    page = browser.new_context(viewport={"width": 1280, "height": 700}).new_page()
    email = Comment.objects.exclude(author_email="").values_list("author_email", flat=True)[0]
    page.goto(demo + f"/personal-data/{privacy_token(email=email)}/")
    page.click("#erase button[type=submit]")  # the box left unticked
    page.wait_for_load_state()
    error = page.locator("#erase .field-error")
    assert error.inner_text() == "Tick this box to confirm that you want this."
    assert error.is_visible() and error.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )  # on screen, not below the fold
    assert page.evaluate("document.activeElement.name") == "confirm"
    assert page.get_attribute("#erase input[name=confirm]", "aria-invalid") == "true"
    page.screenshot(path=str(artifacts / "erase-unconfirmed.png"))


def test_a_new_post_needs_only_its_text_and_a_schedule_needs_a_date(
    browser: Any, demo: str, artifacts: Path
) -> None:
    from broadsheet.accounts.models import User
    from broadsheet.publishing.models import Post

    User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    page = browser.new_context().new_page()
    page.goto(demo + "/admin/login/?next=/admin/publishing/post/add/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/publishing/post/add/")
    page.fill("#id_title", "Written by a newcomer")
    page.fill("#id_body", "A first paragraph.")
    page.select_option("#id_status", "scheduled")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    error = page.locator(".field-published_at .errorlist")
    assert "A scheduled post needs the date and time it goes live" in error.inner_text()
    assert not Post.objects.filter(title="Written by a newcomer").exists()
    page.screenshot(path=str(artifacts / "admin-scheduled-without-date.png"), full_page=True)

    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/publishing/post/")
    post = Post.objects.get(title="Written by a newcomer")
    assert [a.username for a in post.authors.all()] == ["boss"]


def test_replies_past_a_lowered_depth_line_up_at_the_last_level(browser: Any, demo: str) -> None:
    from broadsheet.publishing.models import Post

    post = Post.objects.get(slug="the-ledger-and-the-lamp")
    top = Comment.objects.filter(post=post, depth=0, status=Comment.Status.APPROVED).first()
    assert top is not None
    chain = [top]
    for level in range(1, 5):  # down to the fifth level, the default limit
        chain.append(
            Comment.objects.create(
                post=post, parent=chain[-1], thread_id=top.pk, depth=level,
                status=Comment.Status.APPROVED, author_name=f"Level {level + 1}",
                author_email="deep@example.org", body="Deeper.", body_html="<p>Deeper.</p>",
            )
        )  # fmt: skip
    current = DiscussionSettings.current()
    current.thread_comments_depth = 3
    current.save()
    page = browser.new_context().new_page()
    page.goto(demo + ESSAY)
    lefts = [
        page.locator(f"#comment-{c.pk} > article").bounding_box()["x"]  # type: ignore[index]
        for c in chain
    ]
    assert lefts[0] < lefts[1] < lefts[2] == lefts[3] == lefts[4]
    replies = [page.locator(f"#comment-{c.pk} > article .reply").count() for c in chain]
    assert replies == [1, 1, 0, 0, 0]

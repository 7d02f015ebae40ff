"""From guest to signed-in commenter through the local OpenID Connect provider, in Chromium,
with JavaScript (popup) and without (redirect); the draft survives both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from broadsheet.accounts.comment_login import forget_login_options
from broadsheet.discussion.models import Comment, DiscussionSettings
from tests.accounts.oidc import ALLAUTH_CALLBACK_PATH, OIDCProvider, start_oidc_provider
from tests.e2e.shots import element_shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"
DRAFT = "A draft I typed before signing in; it must survive."


@pytest.fixture(scope="module")
def idp() -> Iterator[OIDCProvider]:
    with start_oidc_provider(
        [f"http://{h}{ALLAUTH_CALLBACK_PATH}" for h in ("localhost", "127.0.0.1")]
    ) as provider:
        yield provider


@pytest.fixture
def site(live_server: Any, idp: OIDCProvider, settings: Any) -> str:
    settings.SOCIALACCOUNT_PROVIDERS = idp.allauth_settings()
    call_command("demo", verbosity=0)
    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.save()
    forget_login_options()
    return str(live_server.url)


def _sign_in_at_provider(page: Any, idp: OIDCProvider) -> None:
    page.wait_for_selector("#id_username")
    page.fill("#id_username", idp.username)
    page.fill("#id_password", idp.password)
    page.click("text=Sign in")


def test_popup_flow_keeps_the_draft_and_shows_the_account(
    browser: Any, site: str, idp: OIDCProvider, artifacts: Path
) -> None:
    context = browser.new_context()
    starts: list[str] = []
    context.on(
        "request",
        lambda request: starts.append(request.method) if "/comment-login/" in request.url else None,
    )
    page = context.new_page()
    page.goto(site + ESSAY + "#respond")
    assert (
        "Fill in your details below or click an icon to log in:"
        in page.locator("#respond").inner_text()
    )
    page.fill("#id_comment", DRAFT)
    with page.expect_popup() as opened:
        page.click("button.login-icon--oidc")
    popup = opened.value
    assert page.locator("#login-status").inner_text().startswith("Connecting to Local OIDC…")
    page.screenshot(path=str(artifacts / "sign-in-connecting.png"))
    _sign_in_at_provider(popup, idp)
    page.wait_for_selector(".comment-signed-in")
    assert (
        "You are commenting using your Local OIDC account."
        in page.locator(".comment-signed-in").inner_text()
    )
    assert page.input_value("#id_comment") == DRAFT  # never left the box
    assert starts == ["POST"]  # the popup's sign-in began with a POST, as allauth intends
    assert page.locator("#id_author").count() == 0
    element_shot(page.locator("#respond"), artifacts / "sign-in-signed-in.png")

    page.click("#submit")
    page.wait_for_selector(f"li.comment.is-new:has-text('{DRAFT[:20]}')")
    comment = Comment.objects.get(body=DRAFT)
    assert comment.user is not None and comment.user.email == idp.email

    page.click(".comment-signed-in button:has-text('Log Out')")
    page.wait_for_selector(".comment-form-prompt")
    assert (
        "Fill in your details below or click an icon to log in:"
        in page.locator("#respond").inner_text()
    )
    context.close()


def test_redirect_flow_without_javascript_keeps_the_draft(
    browser: Any, site: str, idp: OIDCProvider, artifacts: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + ESSAY)
    page.fill("#id_comment", DRAFT)
    page.click("button.login-icon--oidc")
    _sign_in_at_provider(page, idp)
    page.wait_for_url(f"**{ESSAY}#respond")
    assert (
        "You are commenting using your Local OIDC account."
        in page.locator(".comment-signed-in").inner_text()
    )
    assert page.input_value("#id_comment") == DRAFT
    page.screenshot(path=str(artifacts / "sign-in-redirect.png"))
    page.click("#submit")
    page.wait_for_load_state()
    comment = Comment.objects.get(body=DRAFT)
    assert comment.user is not None
    assert f"#comment-{comment.pk}" in page.url
    page.click(".comment-signed-in button:has-text('Log Out')")
    page.wait_for_url(f"**{ESSAY}*")
    assert page.locator(".comment-form-prompt").count() == 1
    context.close()

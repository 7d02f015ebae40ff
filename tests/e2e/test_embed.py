"""The embedded thread on another site, in Chromium: a static page served from a second local
origin embeds /embed.js; a guest comments, the moderator approves it on the site, a reader signs
in through the local OpenID Connect provider in the popup and replies; the page then shows both,
nested, and its count. axe finds no serious violation, light or dark; without JavaScript the div's
link leads to the thread on the site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from broadsheet.accounts.comment_login import forget_login_options
from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.notifications.models import Subscription
from broadsheet.publishing.models import Post
from tests.accounts.oidc import ALLAUTH_CALLBACK_PATH, OIDCProvider, start_oidc_provider
from tests.e2e.shots import element_shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
GUEST_WORDS = "A thought of a guest on the static blog."
SECOND_DRAFT = "A second draft by a guest."
REPLY_WORDS = "A signed-in reader answers the guest."
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Notes from a static blog</title></head>
<body><main><h1>Notes from a static blog</h1><p>Some words worth a discussion.</p>
<p><a href="#comments" data-broadsheet-count="">Comments</a></p>
<div id="broadsheet-thread" data-title="Notes from a static blog">
<a href="{site}/embed/thread/?url={quoted}">Comments on this page</a></div>
<script src="{site}/embed.js" data-broadsheet async></script>
</main></body></html>
"""


@pytest.fixture(scope="module")
def idp() -> Iterator[OIDCProvider]:
    with start_oidc_provider(
        [f"http://{h}{ALLAUTH_CALLBACK_PATH}" for h in ("localhost", "127.0.0.1")]
    ) as provider:
        yield provider


@pytest.fixture
def site(
    live_server: Any,
    idp: OIDCProvider,
    settings: Any,
    blog: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    # The guest and the reader write from the same address, a minute apart at most.
    monkeypatch.setattr("broadsheet.discussion.services.FLOOD_SECONDS", 0)
    settings.SOCIALACCOUNT_PROVIDERS = idp.allauth_settings()
    settings.EMBED_ALLOWED_ORIGINS = [blog]
    call_command("demo", verbosity=0)
    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.save()
    forget_login_options()
    base = str(live_server.url).replace("127.0.0.1", "localhost")
    settings.SITE_URL = base  # the API's absolute addresses (avatars, the thread's page)
    url = f"{blog}/post.html"
    (tmp_path / "post.html").write_text(PAGE.format(site=base, quoted=quote(url, safe="")))
    return base


def _serious_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _moderator_approves(browser: Any, site: str, comment: Comment) -> None:
    if not User.objects.filter(username="boss").exists():
        User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    page = browser.new_context().new_page()
    page.goto(site + "/admin/login/?next=/moderation/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/moderation/")
    page.click(f"#mod-comment-{comment.pk} .mod-button--approve")
    page.wait_for_selector(".mod-message--success")
    page.context.close()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def _embedded(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#broadsheet-thread >> #bs-body")
    page.wait_for_selector("#broadsheet-thread >> .bs[aria-busy=false]")


def test_a_static_page_on_another_origin_hosts_the_thread(
    browser: Any, site: str, blog: str, idp: OIDCProvider, artifacts: Path
) -> None:
    url = f"{blog}/post.html"
    guest = browser.new_context().new_page()
    _embedded(guest, url)
    assert "No comments yet." in guest.locator("#broadsheet-thread .bs").inner_text()
    assert _serious_violations(guest) == []
    # A message that is not from the site's sign-in window signs no one in.
    guest.evaluate(
        "window.postMessage({type: 'broadsheet-embed-login', ok: true, token: 'bse_forged',"
        " name: 'Mallory', provider: 'Mallory'}, '*')"
    )
    guest.wait_for_timeout(300)
    assert guest.locator("#broadsheet-thread >> .signed-in").is_hidden()
    assert guest.evaluate("sessionStorage.length") == 0
    guest.fill("#broadsheet-thread >> #bs-body", "A first draft by a guest.")
    guest.fill("#broadsheet-thread >> #bs-name", "Gwen Guest")
    guest.fill("#broadsheet-thread >> #bs-email", "gwen@example.org")
    guest.check("#broadsheet-thread >> #bs-notify")  # "Notify me of follow-up comments"
    guest.click("#broadsheet-thread >> button:has-text('Post Comment')")
    guest.wait_for_selector(
        "#broadsheet-thread >> li.comment:has-text('A first draft by a guest.')"
    )
    assert (
        "Please confirm your subscription"
        in guest.locator("#broadsheet-thread >> .respond [role=status]").inner_text()
    )
    subscription = Subscription.objects.get(email="gwen@example.org")
    assert subscription.kind == "comments" and subscription.status == "pending"
    # Within the edit window the guest changes it, by the edit key the API gave the page.
    guest.click("#broadsheet-thread >> li.comment button:has-text('Edit')")
    guest.fill("#broadsheet-thread >> li.comment textarea", SECOND_DRAFT)
    guest.click("#broadsheet-thread >> li.comment button:has-text('Save')")
    guest.wait_for_selector(f"#broadsheet-thread >> li.comment .body:has-text('{SECOND_DRAFT}')")
    first = Comment.objects.get(body=SECOND_DRAFT)
    thread = Post.objects.get(pk=first.post_id)
    assert thread.external_url == url and thread.title == "Notes from a static blog"
    guest.reload()  # the guest's details are remembered by the page that hosts the thread
    guest.wait_for_selector("#broadsheet-thread >> #bs-name")
    assert guest.input_value("#broadsheet-thread >> #bs-name") == "Gwen Guest"
    if first.status != Comment.Status.APPROVED:
        _moderator_approves(browser, site, first)
    # Another tab of the same site, later: the guest may still change their comment there.
    tab = guest.context.new_page()
    _embedded(tab, url)
    tab.click(
        f"#broadsheet-thread >> li.comment:has-text('{SECOND_DRAFT}') button:has-text('Edit')"
    )
    assert tab.input_value("#broadsheet-thread >> li.comment textarea") == SECOND_DRAFT
    tab.fill("#broadsheet-thread >> li.comment textarea", GUEST_WORDS)
    tab.click("#broadsheet-thread >> li.comment button:has-text('Save')")
    tab.wait_for_selector(f"#broadsheet-thread >> li.comment .body:has-text('{GUEST_WORDS}')")
    first.refresh_from_db()
    assert first.body == GUEST_WORDS and first.status == Comment.Status.APPROVED
    guest.context.close()

    context = browser.new_context()
    reader = context.new_page()
    _embedded(reader, url)
    reader.wait_for_selector(f"#broadsheet-thread >> li.comment:has-text('{GUEST_WORDS}')")
    reader.click("#broadsheet-thread >> button[aria-label='Reply to Gwen Guest']")
    reader.fill("#broadsheet-thread >> #bs-body", REPLY_WORDS)
    with reader.expect_popup() as opened:
        reader.click("#broadsheet-thread >> button[aria-label='Log in with Local OIDC']")
    status = reader.locator("#broadsheet-thread >> .respond [role=status]")
    assert status.inner_text().startswith("Connecting to Local OIDC…")
    popup = opened.value
    popup.wait_for_selector("#id_username")
    popup.fill("#id_username", idp.username)
    popup.fill("#id_password", idp.password)
    popup.click("text=Sign in")
    reader.wait_for_selector("#broadsheet-thread >> .signed-in:not([hidden])")
    assert (
        "You are commenting using your Local OIDC account. (Log Out / Change)"
        in reader.locator("#broadsheet-thread >> .signed-in").inner_text()
    )
    assert reader.input_value("#broadsheet-thread >> #bs-body") == REPLY_WORDS
    element_shot(reader.locator("#broadsheet-thread"), artifacts / "embed-signed-in.png")
    reader.click("#broadsheet-thread >> button:has-text('Post Comment')")
    reader.wait_for_selector(
        f"#broadsheet-thread >> li.comment li.comment:has-text('{REPLY_WORDS}')"
    )
    reply = Comment.objects.get(body=REPLY_WORDS)
    assert reply.user is not None and reply.user.email == idp.email
    assert reply.parent_id == first.pk and reply.post_id == thread.pk
    context.close()
    if reply.status != Comment.Status.APPROVED:
        _moderator_approves(browser, site, reply)

    for scheme in ("light", "dark"):
        later = browser.new_context(color_scheme=scheme).new_page()
        _embedded(later, url)
        later.wait_for_selector(
            f"#broadsheet-thread >> li.comment:has-text('{GUEST_WORDS}') li.comment:has-text('{REPLY_WORDS}')"
        )
        assert later.locator("#broadsheet-thread >> h2").inner_text() == "2 Comments"
        later.wait_for_selector("[data-broadsheet-count]:text('2 Comments')")
        assert _serious_violations(later) == []
        loaded = later.eval_on_selector_all(
            "#broadsheet-thread >> img",
            "images => images.map(i => i.complete && i.naturalWidth > 0)",
        )
        assert loaded == [True, True]
        later.screenshot(path=str(artifacts / f"embed-{scheme}.png"), full_page=True)
        later.context.close()


def test_without_javascript_the_div_links_to_the_thread_on_the_site(
    browser: Any, site: str, blog: str
) -> None:
    url = f"{blog}/post.html"
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(url)
    page.click("text=Comments on this page")
    assert "No comments yet" in page.locator("main").inner_text()
    assert page.url.startswith(site + "/embed/thread/")
    page.context.close()

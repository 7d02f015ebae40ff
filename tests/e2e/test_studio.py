"""The studio's editor in a real Chromium: typing, shortcuts, paste, Tab, undo, preview and
autosave as the writer pauses, the leave warning; the same writing with JavaScript off; and
axe-core on the list and the editor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from broadsheet.publishing.models import Post
from broadsheet.studio.models import Autosave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "#id_body"


def _signed_in(browser: Any, live_server: Any, role: str, *, javascript: bool = True) -> Any:
    from tests.factories import role_member

    user = role_member(role, f"studio-{role.lower()}")
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": 1400, "height": 950}, java_script_enabled=javascript
    )
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    context.set_default_timeout(15_000)
    return context.new_page()


def _serious_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _select(page: Any, start: int, end: int) -> None:
    page.eval_on_selector(BODY, f"(el) => {{ el.focus(); el.setSelectionRange({start}, {end}); }}")


def _body(page: Any) -> str:
    return str(page.input_value(BODY))


def _paste(page: Any, text: str) -> None:
    page.eval_on_selector(
        BODY,
        """(el, text) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        text,
    )


def test_writing_with_shortcuts_preview_and_autosave(
    browser: Any, live_server: Any, artifacts: Path
) -> None:
    page = _signed_in(browser, live_server, "Contributor")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/studio/posts/new/")
    page.fill("#id_title", "Harbours and their ledgers")
    page.click(BODY)
    page.keyboard.type("The harbour kept a ledger.")

    _select(page, 4, 11)  # "harbour"
    page.keyboard.press("Control+b")
    assert _body(page) == "The **harbour** kept a ledger."
    page.keyboard.press("Control+z")  # the browser's undo takes the shortcut back
    assert _body(page) == "The harbour kept a ledger."

    _select(page, 19, 25)  # "ledger"
    _paste(page, "https://example.org/ledger")
    assert _body(page) == "The harbour kept a [ledger](https://example.org/ledger)."

    page.keyboard.press("End")
    page.eval_on_selector(BODY, "(el) => el.setSelectionRange(el.value.length, el.value.length)")
    page.keyboard.press("Control+Alt+KeyF")
    page.keyboard.type("Port books, 1790.")
    assert "ledger).[^1]\n\n[^1]: Port books, 1790." in _body(page)

    page.eval_on_selector(BODY, "(el) => el.setSelectionRange(0, 0)")
    page.keyboard.press("Control+Alt+KeyH")
    assert _body(page).startswith("## The harbour")
    page.eval_on_selector(BODY, "(el) => el.setSelectionRange(el.value.length, el.value.length)")
    page.keyboard.type("\n\nAs argued ")
    page.keyboard.press("Control+Alt+KeyC")
    page.keyboard.type("marsh1998")
    assert _body(page).endswith("As argued [@marsh1998]")

    # Tab indents in place; Escape then Tab leaves the text for the next control.
    page.keyboard.press("End")
    before = _body(page)
    page.keyboard.press("Tab")
    assert _body(page) == before + "    "
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") != "id_body"

    # The preview follows after a pause, rendered by the server.
    page.wait_for_selector("#studio-preview .footnotes", timeout=10_000)
    assert "Port books, 1790." in page.inner_text("#studio-preview")
    assert page.inner_text("#studio-preview .studio-preview__title") == "Harbours and their ledgers"
    page.wait_for_selector("#studio-save-state:has-text('Autosaved')", timeout=10_000)
    saved = Autosave.objects.get(post__isnull=True)
    assert "Port books" in saved.body and not Post.objects.exists()
    page.screenshot(path=str(artifacts / "studio-editor.png"), full_page=True)
    assert _serious_violations(page) == []

    page.click("button[value=submit]")
    page.wait_for_selector(".messages")
    # The editor opened again on the saved post shows its preview at once, footnotes and all.
    page.wait_for_selector("#studio-preview .footnotes", timeout=10_000)
    post = Post.objects.get()
    assert post.status == Post.Status.PENDING and "[^1]: Port books" in post.body
    assert not Autosave.objects.exists()

    page.goto(live_server.url + "/studio/")
    assert "Harbours and their ledgers" in page.inner_text("table")
    assert _serious_violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert _serious_violations(page) == []
    assert errors == []
    page.context.close()


def test_leaving_with_unsaved_changes_asks_first(browser: Any, live_server: Any) -> None:
    page = _signed_in(browser, live_server, "Author")
    page.goto(live_server.url + "/studio/posts/new/")
    page.click(BODY)
    page.keyboard.type("Unsaved words.")
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    page.context.close()


def test_without_javascript_the_editor_is_a_form_that_previews_and_saves(
    browser: Any, live_server: Any
) -> None:
    page = _signed_in(browser, live_server, "Author", javascript=False)
    page.goto(live_server.url + "/studio/posts/new/")
    page.fill("#id_title", "Written without scripts")
    page.fill(BODY, "## A part\n\nA claim.[^1]\n\n## Another\n\nMore.\n\n[^1]: Its source.")
    page.click("button[value=preview]")
    assert "Its source." in page.inner_text("#studio-preview")
    assert page.input_value("#id_title") == "Written without scripts"
    assert not Post.objects.exists()
    page.click("button[value=save]")
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    page.click("button[value=publish]")
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and "Its source." in post.footnotes_html
    # (axe-core needs scripts: the test above runs it on the same page with them on.)
    page.context.close()

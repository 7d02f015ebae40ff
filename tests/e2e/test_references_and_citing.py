"""In a real Chromium: "Cite this essay"'s Copy button (and its plain text with JavaScript
off), and the studio's references page pasted into with JavaScript off, checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import timezone

from broadsheet.publishing.models import Reference
from tests.factories import AuthorFactory, PostFactory, role_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAY = "/2026/03/14/lamps-and-ledgers/"
BIBTEX = """@book{conquest1990,
  author = {Conquest, Robert},
  title = {The Great Terror},
  publisher = {Oxford University Press},
  year = {1990},
  keywords = {history},
}"""


def _essay(**kwargs: Any) -> Any:
    author = kwargs.pop("author", None) or AuthorFactory(first_name="Margaret", last_name="Hale")
    values: dict[str, Any] = {
        "title": "Lamps and Ledgers",
        "slug": "lamps-and-ledgers",
        "published_at": timezone.make_aware(timezone.datetime(2026, 3, 14, 9, 30)),
    }
    return PostFactory(authors=[author], **{**values, **kwargs})


def _serious_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_copy_button_copies_the_citation(live_server: Any, browser: Any) -> None:
    _essay()
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + ESSAY)
    button = page.locator('button[data-copy="cite-apa"]')
    assert button.is_visible()
    from playwright.sync_api import expect

    button.click()
    expect(button).to_have_text("Copied")  # once the clipboard has taken it (a promise)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#cite-apa").inner_text().strip()
    assert copied.startswith("Hale, M. (2026, March 14). Lamps and Ledgers.")
    assert page.locator(".cite-essay__status").inner_text() == "Copied to the clipboard."
    page.locator("summary#cite-bibtex-label").click()
    page.locator('button[data-copy="cite-bibtex"]').click()
    assert page.evaluate("navigator.clipboard.readText()").startswith("@online{hale2026,")
    assert _serious_violations(page) == []
    assert errors == []
    context.close()


def test_without_javascript_the_citations_are_plain_text(live_server: Any, browser: Any) -> None:
    _essay()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + ESSAY)
    assert page.locator("button.cite-essay__copy:visible").count() == 0
    assert (
        page.locator("#cite-chicago-author-date").inner_text().startswith("Hale, Margaret. 2026.")
    )
    context.close()


def _signed_in(browser: Any, live_server: Any, user: Any, **options: Any) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context


def test_a_writer_pastes_bibtex_with_javascript_off(live_server: Any, browser: Any) -> None:
    writer = role_member("Contributor", "writer")
    post = _essay(author=writer, status="draft", published_at=None)
    context = _signed_in(browser, live_server, writer, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/studio/posts/{post.pk}/references/")
    page.fill("#id_text", BIBTEX)
    page.click("button[value=read]")
    assert "BibTeX: 1 entry read" in page.locator(".studio-preview").inner_text()
    assert "keywords" in page.locator(".studio-preview").inner_text()
    page.click("button[value=add]")
    assert "Added 1 reference: @conquest1990." in page.locator(".messages").inner_text()
    assert page.locator("#ref-conquest1990").count() == 1
    assert Reference.objects.get(post=post).title == "The Great Terror"

    # A broken paste: the message beside the box, the text kept.
    page.fill("#id_text", "@book{broken, title = {Never closed")
    page.click("button[value=add]")
    assert "could not be read" in page.locator("#paste_problems + ul").inner_text()
    assert page.locator("#id_text").input_value().startswith("@book{broken")
    context.close()


def test_the_references_page_passes_axe(live_server: Any, browser: Any, artifacts: Path) -> None:
    writer = role_member("Author", "writer")
    post = _essay(author=writer)
    context = _signed_in(browser, live_server, writer)
    page = context.new_page()
    page.goto(f"{live_server.url}/studio/posts/{post.pk}/references/")
    assert _serious_violations(page) == []
    page.fill("#id_text", BIBTEX + "\n@book{broken, title = {Never closed")
    page.click("button[value=read]")  # a preview and a problem beside the box
    page.wait_for_load_state()  # a click returns once the next page starts loading
    assert page.locator(".studio-preview").count() == 1
    assert page.locator("#paste_problems").count() == 1
    assert _serious_violations(page) == []
    page.fill("#id_title", "A typed book")
    page.fill("#id_url", "javascript:alert(1)")  # a URL to the browser, not to the site
    page.click("text=Add this reference")
    assert page.locator("#id_url_error").inner_text() == "Enter a valid URL."
    assert _serious_violations(page) == []
    page.screenshot(path=str(artifacts / "studio-references.png"), full_page=True)
    context.close()

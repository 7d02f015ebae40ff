"""Issue 15's journey, end to end in Chromium, with JavaScript and without: the pieces of the
studio (editor, references, images, review, scheduling, revisions, versions, "Cite this
essay") used together as a writer, an editor and a reader would.

An Editor puts a photograph in the library. A Contributor signs in, drafts an essay with a
footnote and a citation, pastes its reference as BibTeX, inserts the photograph from the
picker (the editor's dialog with JavaScript, the library page in a new tab
without), sees it all in the preview and submits it. The Editor finds it pending, leaves a
private note and schedules it; the worker publishes it. The writer, now an Author (decision
0044: in WordPress a Contributor may not edit a published post, and an accepted Contributor is
made an Author), revises it twice. A reader opens version 1 at its permanent address: its
banner, the changes since, and "Cite this essay" pinned to version 1. With JavaScript on,
axe-core checks every page on the way, and the title's script is shown, never run.
"""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from broadsheet.media.models import MediaItem
from broadsheet.media.services import variants_write
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import posts_publish_due
from tests.e2e.test_post_page import _serious_violations
from tests.factories import role_member
from tests.media.images import photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
TITLE = "Ledgers of the salt harbour </script><script>window.pwned = 1</script>"  # hostile
BODY = (
    "## The harbour\n\n"
    "The harbour kept its ledgers in salt-stained books.[^1] "
    "Marsh reads them as a record of trust [@marsh1998, 84].\n\n"
    "[^1]: Port books, 1790–1795.\n"
)
BIBTEX = """@book{marsh1998,
  author = {Marsh, Hannah},
  title = {Salt and Credit: Harbour Ledgers, 1750--1820},
  publisher = {Harbour Press},
  address = {Bristol},
  year = {1998}
}"""
SCHEDULE_AHEAD = 8  # seconds
REVISIONS = ("in salt-stained books", "in tarred books", "in tarred canvas books")


class Journey:
    """The people and their browser tabs; `javascript` is the same for all of them."""

    def __init__(self, browser: Any, server: str, javascript: bool, artifacts: Path) -> None:
        self.browser, self.server, self.js, self.artifacts = browser, server, javascript, artifacts
        self.checked: list[str] = []
        self.errors: list[str] = []

    def tab(self, user: Any = None) -> Any:
        context = self.browser.new_context(
            viewport={"width": 1400, "height": 950}, java_script_enabled=self.js
        )
        context.set_default_timeout(15_000)
        if user is not None:  # signed in as `user` (the Contributor signs in by the form)
            client = Client()
            client.force_login(user)
            cookie = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": self.server}])
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def axe(self, page: Any, name: str) -> None:
        """No serious or critical violation here, in the light and the dark colour scheme
        (axe-core needs scripts: only with them on)."""
        if not self.js:
            return
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert _serious_violations(page) == [], f"{name} ({scheme}): {page.url}"
        page.emulate_media(color_scheme="light")
        self.unharmed(page)
        self.checked.append(name)

    def unharmed(self, page: Any) -> None:
        """The title's script never ran (with scripts on, where it could)."""
        if self.js:
            assert page.evaluate("window.pwned") is None, page.url

    def message(self, page: Any) -> str:
        return str(page.locator(".messages, .studio-messages").first.inner_text())


def _marked(page: Any, tag: str) -> str:
    """The words a diff marks as added (ins) or removed (del), once the page has loaded."""
    page.wait_for_load_state()  # a click that navigates returns when the page starts loading
    return " ".join(page.locator(f".diff-inline {tag}").all_inner_texts())


def _sign_in(journey: Journey, username: str) -> Any:
    page = journey.tab()
    page.goto(journey.server + "/studio/")  # a guest is sent to sign in, and back here after
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action*='/accounts/login/'] button[type=submit]")
    page.wait_for_url("**/studio/")
    return page


def _upload_photograph(journey: Journey, editor: Any, tmp_path: Path) -> MediaItem:
    page = journey.tab(editor)
    page.goto(journey.server + "/studio/media/")
    page.get_by_role("link", name="Upload an image").click()
    journey.axe(page, "upload")
    image = tmp_path / "quay.jpg"
    image.write_bytes(photo(1600, 900, gps=True))
    page.set_input_files("#id_file", str(image))
    page.fill("#id_alt_text", "Barrels stacked on a quay at low tide")
    page.fill("#id_caption", "The salt quay, 1794")
    page.get_by_role("button", name="Upload").click()
    assert "Image uploaded" in journey.message(page)
    journey.axe(page, "image")
    page.context.close()
    item = MediaItem.objects.get()
    variants_write(item_id=item.pk)  # the worker's part, as it would run it
    return item


def _draft(journey: Journey, page: Any) -> Post:
    journey.axe(page, "list")
    page.get_by_role("link", name="New post").first.click()
    page.fill("#id_title", TITLE)
    page.fill("#id_body", BODY)
    page.get_by_role("button", name="Save draft").click()
    assert "Saved (draft)" in journey.message(page)
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    journey.axe(page, "editor")
    return post


def _paste_reference(journey: Journey, page: Any) -> None:
    page.get_by_role("link", name="References").click()
    journey.axe(page, "references")
    page.fill("#id_text", BIBTEX)
    page.get_by_role("button", name="Read references").click()
    assert "BibTeX: 1 entry read" in page.inner_text(".studio-preview")
    page.get_by_role("button", name="Add references").click()
    assert "Added 1 reference: @marsh1998" in journey.message(page)
    assert "Salt and Credit" in page.inner_text(".studio-references")
    journey.axe(page, "references (one added)")
    page.get_by_role("link", name="Edit @marsh1998").click()
    assert page.input_value("#id_title").startswith("Salt and Credit")
    journey.axe(page, "reference")


def _insert_image(journey: Journey, page: Any, item: MediaItem) -> None:
    """With scripts the editor's picker dialog inserts the figure at the cursor; without,
    the library opens in a new tab and the writer pastes the Markdown it offers."""
    page.get_by_role("link", name="Edit", exact=True).click()  # the post's editor again
    page.eval_on_selector(
        "#id_body",
        "(el) => { el.focus(); el.setSelectionRange(el.value.length, el.value.length); }",
    )
    if journey.js:
        page.get_by_role("button", name="Insert an image").click()
        dialog = page.get_by_role("dialog", name="Choose an image")
        dialog.get_by_role("button", name="Insert quay.jpg").wait_for()
        journey.axe(page, "editor (picker dialog)")
        dialog.get_by_role("button", name="Insert quay.jpg").click()
        assert page.input_value("#id_body").endswith(f"\n\n{item.markdown()}\n")
    if journey.js:  # the dialog replaced the link; the picker's own page is still there
        picker = page.context.new_page()
        picker.goto(f"{journey.server}/studio/media/pick/?post={Post.objects.get().pk}")
    else:
        with page.context.expect_page() as opened:  # the library's own page, in a new tab
            page.get_by_role("link", name="open the image library").click()
        picker = opened.value
        picker.wait_for_load_state()
    journey.axe(picker, "picker")
    markdown = picker.input_value(f"#md-{item.pk}")  # what the writer copies
    assert markdown == item.markdown()
    assert markdown.startswith("![Barrels stacked on a quay at low tide](")
    picker.goto(journey.server + "/studio/media/")  # a Contributor sees the library
    assert picker.get_by_role("link", name="Upload an image").count() == 0  # but cannot upload
    assert picker.goto(journey.server + "/studio/media/upload/").status == 403
    journey.axe(picker, "library")
    picker.close()
    if not journey.js:
        page.click("#id_body")
        page.keyboard.press("Control+End")
        page.keyboard.insert_text(f"\n{markdown}\n")


def _see_preview(journey: Journey, page: Any) -> None:
    if journey.js:  # refreshed as the writer pauses
        page.wait_for_selector("#studio-preview figure", timeout=10_000)
    else:
        page.get_by_role("button", name="Preview").click()
    preview = page.locator("#studio-preview")
    assert "Port books, 1790–1795." in preview.locator(".footnotes").inner_text()
    citation = preview.locator(".entry-content a[href='#ref-marsh1998']")
    assert re.search(r"Marsh 1998, 84", citation.inner_text())  # linked to its entry
    assert "Salt and Credit" in preview.locator("#ref-marsh1998").inner_text()
    assert "Salt and Credit" in preview.locator(".references").inner_text()
    figure = preview.locator("figure")
    assert figure.locator("img").get_attribute("alt") == "Barrels stacked on a quay at low tide"
    assert "The salt quay, 1794" in figure.locator("figcaption").inner_text()
    assert not preview.locator(".studio-problems").count(), preview.inner_text()
    page.screenshot(path=str(journey.artifacts / f"journey-preview-{journey.js}.png"))
    journey.axe(page, "editor (preview)")


def _review_and_schedule(journey: Journey, editor: Any, post: Post) -> Any:
    page = journey.tab(editor)
    page.goto(journey.server + "/studio/?status=pending")
    journey.axe(page, "list (pending)")
    page.get_by_role("link", name=TITLE).click()
    page.fill("#studio-review-note", "Lovely. Please date the port books more closely.")
    page.get_by_role("button", name="Leave note").click()
    assert "Note left for the authors." in journey.message(page)
    # A few seconds ahead (the field takes seconds too), so the test need not wait minutes.
    when = timezone.localtime(timezone.now() + timedelta(seconds=SCHEDULE_AHEAD))
    when = when.replace(microsecond=0)
    page.fill("#id_published_at", when.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Publish").click()
    assert "Scheduled: it goes live on" in journey.message(page)
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED and post.published_at == when
    return page


def _publish(page: Any, post: Post) -> None:
    """The worker's round once the time has come (notifications.tasks runs posts_publish_due
    every minute): not before it."""
    assert post.published_at is not None
    if timezone.now() < post.published_at - timedelta(seconds=1):  # (a slow machine: skip)
        assert posts_publish_due() == 0
    while timezone.now() < post.published_at:
        page.wait_for_timeout(200)
    assert posts_publish_due() == 1
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and post.version == 1


def _revise_twice(journey: Journey, writer: Any, post: Post) -> Any:
    writer.groups.set([Group.objects.get(name="Author")])
    published = post.published_at
    page = journey.tab(writer)
    for old, new in pairwise(REVISIONS):
        page.goto(f"{journey.server}/studio/posts/{post.pk}/")
        assert "Please date the port books" in page.inner_text(".studio-review-notes")
        body = page.input_value("#id_body")
        page.fill("#id_body", body.replace(old, new))
        page.get_by_role("button", name="Update").click()
        assert "Saved and published." in journey.message(page)
    post.refresh_from_db()
    assert post.version == 3 and "tarred canvas books" in post.body
    assert post.published_at == published  # the date field (minutes) left it as it was
    page.get_by_role("link", name="Revisions").click()
    journey.axe(page, "revisions")
    page.get_by_role("button", name="Compare", exact=True).click()
    assert "canvas" in _marked(page, "ins")
    journey.axe(page, "compare")
    page.get_by_role("link", name="Side by side").click()
    page.wait_for_load_state()
    assert "canvas" in " ".join(page.locator(".diff-side ins").all_inner_texts())
    journey.axe(page, "compare side by side")
    page.context.close()
    return post


def _read_version_one(journey: Journey, post: Post) -> None:
    page = journey.tab()
    page.goto(journey.server + post.get_absolute_url())
    assert "tarred canvas books" in page.inner_text(".entry-content")
    assert "Updated " in page.inner_text(".entry-updated")
    assert page.inner_text("h1.entry-title") == TITLE  # shown as text, never run
    journey.axe(page, "post")
    image = page.locator(".entry-content figure img")  # the worker's sizes, lazily loaded
    assert "480w" in str(image.get_attribute("srcset")) and image.get_attribute("width")
    assert image.get_attribute("loading") == "lazy"
    page.get_by_role("link", name="History of this essay").click()
    journey.axe(page, "history")
    page.get_by_role("link", name="Version 1", exact=True).click()
    assert page.url.endswith(f"{post.get_absolute_url()}v/1/")
    banner = page.locator(".version-banner").inner_text()
    first = timezone.localtime(post.published_at)
    assert (
        f"You are reading version 1, published {first:%B} {first.day}, {first.year}, {first:%H:%M}."
        in banner
    )
    assert "salt-stained books" in page.inner_text(".entry-content")
    assert page.locator("figure img").get_attribute("alt")
    assert page.get_by_role("link", name="Read the current version").get_attribute("href") == (
        post.get_absolute_url()
    )
    page.get_by_role("link", name="See the changes since this version").click()
    assert "salt-stained" in _marked(page, "del") and "tarred canvas" in _marked(page, "ins")
    journey.axe(page, "changes since version 1")
    page.screenshot(path=str(journey.artifacts / f"journey-changes-{journey.js}.png"))
    page.go_back()
    cite = page.locator(".cite-essay")  # pinned to the version read: its address and date
    assert f"Version 1, {first.date().isoformat()}" in cite.inner_text()
    address = str(cite.locator(".cite-essay__version a").get_attribute("href"))
    assert address.endswith(f"{post.get_absolute_url()}v/1/")  # the site's address (SITE_URL)
    assert address in str(cite.locator("#cite-bibtex").text_content())
    journey.axe(page, "version 1")
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_write_cite_illustrate_review_schedule_revise_and_read_version_one(
    browser: Any, live_server: Any, artifacts: Path, tmp_path: Path, javascript: bool
) -> None:
    journey = Journey(browser, live_server.url, javascript, artifacts)
    writer = role_member("Contributor", "hannah")
    EmailAddress.objects.create(user=writer, email=writer.email, verified=True, primary=True)
    editor = role_member("Editor", "ed")
    item = _upload_photograph(journey, editor, tmp_path)

    page = _sign_in(journey, "hannah")
    post = _draft(journey, page)
    _paste_reference(journey, page)
    _insert_image(journey, page, item)
    _see_preview(journey, page)
    page.get_by_role("button", name="Submit for review").click()
    assert "Submitted for review" in journey.message(page)
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING and "![Barrels stacked" in post.body
    page.context.close()

    page = _review_and_schedule(journey, editor, post)
    _publish(page, post)
    page.context.close()
    _revise_twice(journey, writer, post)
    _read_version_one(journey, post)
    assert journey.errors == []
    if javascript:
        assert {"list", "editor", "references", "picker", "library", "upload", "revisions",
                "compare", "history", "version 1", "changes since version 1"} <= set(journey.checked)  # fmt: skip

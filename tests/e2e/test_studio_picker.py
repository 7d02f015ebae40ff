"""The editor's image picker in a real Chromium: with JavaScript, "Insert an image" opens the
library in a dialog, an image goes in at the cursor on a line of its own (undoable) and the
preview shows the figure; "Choose the featured image" fills the field with a thumbnail;
Preview refreshes in place; images without alt text cannot be chosen; axe-core finds nothing
serious with the dialog open. Without JavaScript the links and the submitting Preview stay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from broadsheet.media.services import upload_image, variants_write
from broadsheet.publishing.models import Post
from tests.e2e.test_studio import _serious_violations
from tests.e2e.test_studio_media import _signed_in
from tests.factories import PostFactory, role_member
from tests.media.images import photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE_ALT = "A brass lamp <script>window.pwned = 1</script>"


def _library() -> Any:
    lamp = upload_image(data=photo(1200, 800), name="lamp.jpg", uploader=None,
                        alt_text=HOSTILE_ALT, caption="The lamp at dusk")  # fmt: skip
    variants_write(item_id=lamp.pk)
    upload_image(data=photo(600, 400), name="bare.jpg", uploader=None)  # no alt text
    return lamp


def _body(page: Any) -> str:
    return str(page.input_value("#id_body"))


def test_inserting_an_image_and_choosing_the_featured_one(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    author = role_member("Author", "picker")
    post = PostFactory(title="On lamps", body="First paragraph.", authors=[author])
    lamp = _library()
    page = _signed_in(browser, live_server, author, javascript=True).new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/studio/posts/{post.pk}/")
    assert page.locator("#studio-insert-image a").count() == 0  # the button replaced the link

    page.eval_on_selector("#id_body", "el => { el.focus(); el.setSelectionRange(16, 16); }")
    page.get_by_role("button", name="Insert an image").click()
    dialog = page.get_by_role("dialog", name="Choose an image")
    insert = dialog.get_by_role("button", name="Insert lamp.jpg")
    insert.wait_for()
    assert dialog.locator("li", has_text="bare.jpg").get_by_role("button").count() == 0
    assert "Needs alt text" in dialog.locator("li", has_text="bare.jpg").inner_text()
    assert _serious_violations(page) == []
    page.screenshot(path=str(artifacts / "studio-picker-dialog.png"))

    insert.press("Enter")  # by keyboard
    assert not dialog.is_visible()
    assert _body(page) == f"First paragraph.\n\n{lamp.markdown()}\n"
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.press("Control+z")  # the browser's undo takes it back
    assert _body(page) == "First paragraph."
    page.get_by_role("button", name="Insert an image").click()
    page.keyboard.press("Escape")  # closes, focus back on the button
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "Insert an image"
    page.eval_on_selector("#id_body", "el => { el.focus(); el.setSelectionRange(0, 0); }")
    page.get_by_role("button", name="Insert an image").click()
    dialog.get_by_role("button", name="Insert lamp.jpg").click()
    assert _body(page) == f"{lamp.markdown()}\n\nFirst paragraph."

    figure = page.locator("#studio-preview figure.media-figure")
    figure.wait_for()
    assert "The lamp at dusk" in figure.locator("figcaption").inner_text()
    assert figure.locator("img").get_attribute("alt") == HOSTILE_ALT
    assert page.evaluate("window.pwned") is None

    page.get_by_role("button", name="Choose the featured image").click()
    dialog.get_by_role("button", name="Use as featured image lamp.jpg").click()
    assert page.input_value("#id_featured_image") == lamp.absolute_url
    assert page.locator("#studio-featured-thumb img").count() == 1

    page.evaluate("window.stayed = true")
    page.fill("#id_title", "On lamps and quays")
    page.get_by_role("button", name="Preview", exact=True).click()
    page.locator("#studio-preview", has_text="On lamps and quays").wait_for()
    assert page.evaluate("window.stayed") is True  # refreshed in place, not submitted

    page.click("button[name=do][value=save]")
    page.wait_for_load_state()
    saved = Post.objects.get(pk=post.pk)
    assert saved.featured_image == lamp.absolute_url and lamp.markdown() in saved.body
    assert errors == []


def test_without_javascript_the_picker_is_a_page(live_server: Any, browser: Any) -> None:
    author = role_member("Author", "picker-plain")
    post = PostFactory(title="On lamps", body="Words.", authors=[author])
    page = _signed_in(browser, live_server, author, javascript=False).new_page()
    page.goto(f"{live_server.url}/studio/posts/{post.pk}/")
    assert page.get_by_role("button", name="Insert an image").count() == 0
    assert page.get_by_role("link", name="open the image library").count() == 1
    assert page.get_by_role("link", name="Choose the featured image from the library").count() == 1
    page.fill("#id_title", "On lamps, previewed")
    page.get_by_role("button", name="Preview", exact=True).click()  # submits the page
    page.locator("#studio-preview", has_text="On lamps, previewed").wait_for(timeout=10_000)

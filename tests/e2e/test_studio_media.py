"""The studio's image pages in a real Chromium, with JavaScript and without: an Author
uploads a photo with its words, finds its Markdown, sets it as a post's featured image from
the picker, and the essay shows the figure; axe finds no serious or critical problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from broadsheet.media.models import MediaItem
from broadsheet.media.services import variants_write
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.e2e.test_post_page import _serious_violations
from tests.factories import PostFactory, role_member
from tests.media.images import photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser: Any, live_server: Any, user: Any, *, javascript: bool) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  java_script_enabled=javascript)  # fmt: skip
    cookie = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    return context


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_author_uploads_inserts_and_features_an_image(
    live_server: Any, browser: Any, artifacts: Path, tmp_path: Path, javascript: bool
) -> None:
    author = role_member("Author", "writer")
    post = PostFactory(title="On lamps", body="Words.", authors=[author])
    context = _signed_in(browser, live_server, author, javascript=javascript)
    page = context.new_page()
    page.goto(live_server.url + "/studio/media/")
    assert _serious_violations(page) == [] if javascript else True
    page.get_by_role("link", name="Upload an image").click()
    hostile = tmp_path / "page.png"
    hostile.write_bytes(b"<html><script>alert(1)</script></html>")
    page.set_input_files("#id_file", str(hostile))
    page.fill("#id_alt_text", "A brass lamp on a quay")
    page.get_by_role("button", name="Upload").click()
    assert "not an image we can use" in page.locator(".field-error").inner_text()
    assert page.input_value("#id_alt_text") == "A brass lamp on a quay"  # kept
    if javascript:
        assert _serious_violations(page) == []
    good = tmp_path / "lamp.jpg"
    good.write_bytes(photo(1600, 900, gps=True))
    page.set_input_files("#id_file", str(good))
    page.fill("#id_caption", "The lamp at dusk")
    page.fill("#id_credit", "Photo: A. Keeper")
    page.get_by_role("button", name="Upload").click()
    assert "Image uploaded" in page.content()
    item = MediaItem.objects.get()
    markdown = page.input_value("#markdown")
    assert markdown == item.markdown()
    if javascript:
        assert _serious_violations(page) == []
    variants_write(item_id=item.pk)  # the worker's part

    page.goto(f"{live_server.url}/studio/media/pick/?post={post.pk}")
    if javascript:
        assert _serious_violations(page) == []
    page.screenshot(path=str(artifacts / f"studio-media-picker-{javascript}.png"), full_page=True)
    page.get_by_role("button", name="Set as featured image").click()
    assert "is now the featured image" in page.content()

    saved = Post.objects.get(pk=post.pk)
    saved.body += f"\n\n{markdown}\n"
    post_save(post=saved)
    page.goto(live_server.url + saved.get_absolute_url())
    figure = page.locator("figure.media-figure")
    assert figure.locator("figcaption").inner_text() == "The lamp at dusk Photo: A. Keeper"
    img = figure.locator("img")
    assert img.get_attribute("alt") == "A brass lamp on a quay"
    assert img.get_attribute("loading") == "lazy" and "480w" in img.get_attribute("srcset")
    assert page.locator(".entry-image img").get_attribute("srcset")
    if javascript:
        natural = img.evaluate("i => i.complete ? i.naturalWidth : 0")
        assert natural > 0  # the browser loaded one of the files
    context.close()

"""An imported WordPress post in a real Chromium: its [caption] figure, [gallery] and [audio]
player show, with the images copied into this site (--media download) and no request blocked
by the Content-Security-Policy."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from broadsheet.publishing.models import Post
from tests.importers.image_server import ImageServer, image_server
from tests.importers.test_real_exports import attachment
from tests.importers.test_wordpress import item, wxr

__all__ = ["image_server"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_imported_post_shows_its_figures_gallery_and_player(
    live_server: Any, page: Any, image_server: ImageServer, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_MEDIA_ALLOW_LOOPBACK = True
    settings.SITE_URL = live_server.url
    uploads = image_server.url("/wp-content/uploads")
    content = (
        f'<p>Before the walls.</p>\n\n[caption width="80"]<a href="{uploads}/full.jpg"><img '
        f'src="{uploads}/photo-300x200.jpg" alt="The harbour" width="40" height="30" /></a> '
        "The harbour in 1881[/caption]\n\n[gallery]\n\n"
        '[audio src="https://audio.example.org/talk.mp3"][/audio]'
    )
    text = wxr(
        item(300, name="walls", content=content)
        + attachment(301, 300, url=f"{uploads}/gallery-1.png")
        + attachment(302, 300, url=f"{uploads}/gallery-2.png")
    ).replace("https://old.example.org", image_server.base)
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    call_command(
        "import", "wordpress", str(path), "--media", "download", stdout=io.StringIO(),
        stderr=io.StringIO(),
    )  # fmt: skip

    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    response = page.goto(live_server.url + Post.objects.get(slug="walls").get_absolute_url())
    assert response.status == 200

    figure = page.locator(".entry-content figure").first
    assert figure.locator("figcaption").inner_text() == "The harbour in 1881"
    images = page.locator(".entry-content figure img")
    assert images.count() == 3
    for n in range(3):
        image = images.nth(n)
        image.scroll_into_view_if_needed()
        assert image.get_attribute("src").startswith(f"{live_server.url}/media/imports/127-0-0-1/")
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
    gallery = page.locator("figure.gallery")
    assert gallery.evaluate("node => getComputedStyle(node).display") == "grid"
    assert gallery.locator("figure.gallery-item").count() == 2
    player = page.locator("figure.audio audio")
    assert player.get_attribute("src") == "https://audio.example.org/talk.mp3"
    assert player.evaluate("node => node.controls") is True
    assert page.locator("figure.audio figcaption a").inner_text() == "talk.mp3"
    player.evaluate("node => { node.preload = 'auto'; node.load(); }")  # as a play would
    page.wait_for_function("(node) => node.networkState !== 2", arg=player.element_handle())
    page.wait_for_timeout(300)
    # The audio's host does not exist here: only its own failure is expected, and nothing
    # the page's policy refused.
    assert not [p for p in problems if "Content Security Policy" in p]
    assert not [p for p in problems if "/media/" in p]

"""`broadsheet import wordpress --media download`: the posts' images are copied from the old
site (a real HTTP server on 127.0.0.1 here) into MEDIA storage under imports/, and their
addresses rewritten; without it the report says which images stay on the old host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from broadsheet.publishing.models import Post
from tests.html_safety import assert_no_script
from tests.importers.image_server import JPEG, PNG, ImageServer, image_server
from tests.importers.test_real_exports import attachment
from tests.importers.test_wordpress import item, run, write, wxr

__all__ = ["image_server"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Never the site's own media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://new.example.org"
    settings.IMPORT_MEDIA_ALLOW_LOOPBACK = True
    return Path(settings.MEDIA_ROOT)


def export(server: ImageServer, *, extra_image: str = "") -> str:
    """A post showing five images of the old site, one page that is not an image, and one
    image on another site; its featured image and gallery come after it in the file."""
    uploads = server.url("/wp-content/uploads")
    content = (
        f'<p>Walls.</p>\n\n[caption width="300"]<a href="{uploads}/full.jpg"><img '
        f'src="{uploads}/photo-300x200.jpg" alt="Harbour" width="300" height="200" /></a> '
        f"The harbour[/caption]\n\n"
        f'<p><img src="{uploads}/photo.png" alt="Plan"> <img src="{server.url("/page.jpg")}" '
        f'alt="Not an image"> <img src="https://elsewhere.example/x.png" alt="Elsewhere"></p>'
        f'\n\n[gallery ids="201,202"]{extra_image}'
    )
    thumb = (
        "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
        "<wp:meta_value>203</wp:meta_value></wp:postmeta>"
    )
    items = (
        item(200, name="walls", content=content, extra=thumb)
        + attachment(201, 200, url=f"{uploads}/gallery-1.png")
        + attachment(202, 200, url=f"{uploads}/gallery-2.png")
        + attachment(203, 200, url=f"{uploads}/featured.jpg")
    )
    return wxr(items).replace("https://old.example.org", server.base)


def test_images_are_copied_into_media_and_their_addresses_rewritten(
    tmp_path: Path, media: Path, image_server: ImageServer
) -> None:
    report = run(write(tmp_path, export(image_server)), "--media", "download")

    post = Post.objects.get(slug="walls")
    old = image_server.base
    # Everything on the old host that is an image now lives here; the page that was not an
    # image, and the image on another site, are where they were.
    assert post.body.count(old) == 1 and f"{old}/page.jpg" in post.body
    assert "https://elsewhere.example/x.png" in post.body
    assert "/media/imports/127-0-0-1/" in post.body_html
    assert_no_script(post.body_html)
    stored = sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())
    assert len(stored) == 6 and all(p.startswith("imports/127-0-0-1/") for p in stored)
    by_name = {Path(p).name.split("-", 1)[1]: p for p in stored}
    assert (media / by_name["photo.png"]).read_bytes() == PNG
    assert (media / by_name["photo-300x200.jpg"]).read_bytes() == JPEG
    here = "https://new.example.org/media/"
    assert f'src="{here}{by_name["photo-300x200.jpg"]}"' in post.body_html
    assert f'href="{here}{by_name["full.jpg"]}"' in post.body_html
    assert post.featured_image == f"https://new.example.org/media/{by_name['featured.jpg']}"
    assert default_storage.exists(by_name["gallery-1.png"])

    # The three attachments (gallery and featured image) join the media library (decision 0026).
    assert (
        "Imported 1 authors, 2 categories, 1 tags, 6 images, 1 posts, 3 library images." in report
    )
    assert (
        f"{old}/page.jpg: this image was not copied (it is not an image (Content-Type "
        "text/html)); it stays at that address"
    ) in report
    assert "elsewhere.example" not in report
    assert sorted(image_server.requests) == sorted(
        [
            "/page.jpg",
            *(
                f"/wp-content/uploads/{name}"
                for name in (
                    "full.jpg",
                    "photo-300x200.jpg",
                    "photo.png",
                    "gallery-1.png",
                    "gallery-2.png",
                    "featured.jpg",
                )
            ),
        ]
    )

    # Again: nothing is fetched twice, only the page that failed is tried again.
    image_server.requests.clear()
    again = run(write(tmp_path, export(image_server)), "--media", "download")
    assert again.startswith("Nothing to change") and image_server.requests == ["/page.jpg"]


def test_without_media_download_the_report_names_the_images_left_on_the_old_host(
    tmp_path: Path, media: Path, image_server: ImageServer
) -> None:
    report = run(write(tmp_path, export(image_server)))

    assert image_server.requests == []
    post = Post.objects.get(slug="walls")
    assert f"{image_server.base}/wp-content/uploads/photo.png" in post.body
    assert (
        "7 images in 1 post(s) are still shown from the old site (127.0.0.1): they disappear "
        "when it does. `--media download` copies them into this site's media and rewrites "
        "their addresses."
    ) in report
    assert not media.exists() or not any(media.rglob("*.png"))

    # A later run with --media download copies them into the posts already imported.
    later = run(write(tmp_path, export(image_server)), "--media", "download")
    post = Post.objects.get(slug="walls")
    assert post.body.count(image_server.base) == 1  # only the page that is not an image
    assert post.featured_image.startswith("https://new.example.org/media/imports/")
    assert later.startswith("Imported 6 images, 3 library images.\nAlready here, unchanged:")
    assert "page.jpg: this image was not copied" in later


def test_a_dry_run_fetches_nothing(tmp_path: Path, media: Path, image_server: ImageServer) -> None:
    report = run(write(tmp_path, export(image_server)), "--media", "download", "--dry-run")
    assert image_server.requests == [] and not Post.objects.exists()
    assert (
        "7 images in 1 post(s) would be copied here from 127.0.0.1 (a dry run fetches nothing)."
    ) in report


def test_without_the_tests_setting_a_local_address_is_never_fetched(
    tmp_path: Path, media: Path, image_server: ImageServer, settings: Any
) -> None:
    settings.IMPORT_MEDIA_ALLOW_LOOPBACK = False
    report = run(write(tmp_path, export(image_server)), "--media", "download")

    assert image_server.requests == []
    assert report.count("127.0.0.1 is at 127.0.0.1, a private or local address") == 7
    assert Post.objects.get(slug="walls").body.count(image_server.base) == 8  # as it was


def test_on_the_old_site_s_own_domain_copied_images_are_not_fetched_again(
    tmp_path: Path, media: Path, image_server: ImageServer, settings: Any
) -> None:
    # The new site answers at the old site's address (a migration on the same domain).
    settings.SITE_URL = image_server.base
    run(write(tmp_path, export(image_server)), "--media", "download")
    first = sorted(p.name for p in media.rglob("*") if p.is_file())
    body = Post.objects.get(slug="walls").body
    assert f"{image_server.base}/media/imports/" in body

    image_server.requests.clear()
    run(write(tmp_path, export(image_server)), "--media", "download")
    assert image_server.requests == ["/page.jpg"]
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == first
    assert Post.objects.get(slug="walls").body == body

"""Library images away from the site: full addresses in feeds and new-post emails; exported
in WXR as attachments and imported back into the library of another site."""

from __future__ import annotations

import functools
import io
import json
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from broadsheet.importers.wxr_export import wordpress_export
from broadsheet.media.models import MediaItem
from broadsheet.media.services import upload_image, variants_write
from broadsheet.notifications.services import email_post_html
from broadsheet.publishing.models import Post
from tests.factories import AuthorFactory, PostFactory
from tests.importers.test_wordpress import run, write
from tests.media.images import photo

pytestmark = pytest.mark.django_db(transaction=True)
SITE = "https://old.example.org"


@pytest.fixture
def essay(settings: Any) -> tuple[Post, MediaItem]:
    settings.SITE_URL = SITE
    item = upload_image(data=photo(1000, 500), name="lamp.jpg", uploader=None,
                        alt_text="The lamp", caption="At dusk", credit="A. Keeper")  # fmt: skip
    variants_write(item_id=item.pk)
    item.refresh_from_db()
    post = PostFactory(
        title="On lamps", body=f"Words.\n\n{item.markdown()}\n", authors=[AuthorFactory()],
        featured_image=item.absolute_url,
    )  # fmt: skip
    return post, item


def _relative(html: str) -> list[str]:
    return re.findall(r'(?:src|srcset)="/[^"]*"|, /media', html)


def test_feeds_carry_full_addresses(client: Client, essay: tuple[Post, MediaItem]) -> None:
    _, item = essay
    rss = client.get("/feed/").content.decode()
    assert f"{SITE}/media/{item.file.name}" in rss
    assert f"{SITE}/media/{item.variants['480']['image/webp']} 480w" in rss
    assert not _relative(rss.replace("&quot;", '"'))
    feed = json.loads(client.get("/feed/json/").content)
    entry = feed["items"][0]
    assert entry["image"] == item.absolute_url
    assert not _relative(entry["content_html"]) and "At dusk" in entry["content_html"]


def test_new_post_emails_show_the_image_plainly_at_its_full_address(
    essay: tuple[Post, MediaItem],
) -> None:
    post, item = essay
    body, _ = email_post_html(Post.objects.get(pk=post.pk))
    assert (
        f'<img src="{SITE}/media/{item.file.name}" width="600" height="300" alt="The lamp">' in body
    )
    assert "srcset" not in body and "<picture>" not in body and "loading=" not in body
    assert '<small class="credit">A. Keeper</small>' in body


def _export() -> str:
    out = io.StringIO()
    written = wordpress_export(output=out)
    assert written["images"] == 1
    return out.getvalue()


def test_wxr_exports_the_library_as_attachments(essay: tuple[Post, MediaItem]) -> None:
    _, item = essay
    wxr = _export()
    attachment = wxr[wxr.index("<wp:post_name><![CDATA[image-") - 2000 :]
    attachment = attachment[attachment.rindex("<item>") :]
    attachment = attachment[: attachment.index("</item>")]
    assert "<wp:post_type><![CDATA[attachment]]></wp:post_type>" in attachment
    assert f"<wp:attachment_url>{item.absolute_url}</wp:attachment_url>" in attachment
    assert (
        "<wp:meta_key><![CDATA[_wp_attachment_image_alt]]></wp:meta_key><wp:meta_value><![CDATA[The lamp]]>"
        in attachment
    )
    assert "<excerpt:encoded><![CDATA[At dusk]]></excerpt:encoded>" in attachment
    assert "_broadsheet_credit" in attachment
    attachment_id = re.search(r"<wp:post_id>(\d+)</wp:post_id>", attachment).group(1)  # type: ignore[union-attr]
    assert f"<wp:meta_value><![CDATA[{attachment_id}]]></wp:meta_value>" in wxr  # _thumbnail_id
    assert "featured-image-" not in wxr  # not a second attachment for the same file
    content = wxr[wxr.index("<content:encoded>") : wxr.index("</content:encoded>")]
    assert f'src="{SITE}/media/{item.file.name}"' in content


@pytest.fixture
def old_site(tmp_path: Path, settings: Any) -> Iterator[str]:
    """The exporting site's files, served over HTTP from 127.0.0.1 as its web server would."""
    root = tmp_path / "old"
    (root / "media").mkdir(parents=True)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.MEDIA_ROOT = root / "media"
    settings.IMPORT_MEDIA_ALLOW_LOOPBACK = True
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_a_wxr_export_imports_back_into_another_sites_library(
    tmp_path: Path, settings: Any, old_site: str
) -> None:
    settings.SITE_URL = old_site
    item = upload_image(data=photo(1000, 500), name="lamp.jpg", uploader=None,
                        alt_text="The lamp", caption="At dusk", credit="A. Keeper")  # fmt: skip
    PostFactory(
        title="On lamps", slug="on-lamps", body=f"Words.\n\n{item.markdown()}\n",
        featured_image=item.absolute_url, authors=[AuthorFactory(username="keeper")],
    )  # fmt: skip
    export = write(tmp_path, _export())
    Post.objects.all().delete()
    MediaItem.objects.all().delete()

    settings.SITE_URL = "https://new.example.org"
    settings.MEDIA_ROOT = tmp_path / "new" / "media"
    report = run(export, "--media", "download")
    assert "library images" in report, report
    adopted = MediaItem.objects.get()
    assert adopted.file.name.startswith("imports/127-0-0-1/")
    assert (adopted.alt_text, adopted.caption, adopted.credit) == (
        "The lamp",
        "At dusk",
        "A. Keeper",
    )
    assert (adopted.width, adopted.height, adopted.mime_type) == (1000, 500, "image/jpeg")
    post = Post.objects.get(slug="on-lamps")
    assert f"https://new.example.org/media/{adopted.file.name}" in post.body
    assert '<figure class="media-figure">' in post.body_html
    assert '<figcaption>At dusk <small class="credit">A. Keeper</small>' in post.body_html
    assert post.featured_image == adopted.absolute_url
    assert post.featured_image_html.startswith(f'<img src="/media/{adopted.file.name}"')


def _json_export() -> str:
    from broadsheet.importers.json_export import json_export

    out = io.StringIO()
    json_export(output=out)
    return out.getvalue()


def _json_import(tmp_path: Path, text: str) -> str:
    out = io.StringIO()
    from django.core.management import call_command

    path = write(tmp_path, text, name="site.json")
    call_command("import", "json", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_json_export_names_the_library_and_restores_it(
    tmp_path: Path, essay: tuple[Post, MediaItem]
) -> None:
    _, item = essay
    text = _json_export()
    document = json.loads(text)
    assert list(document).index("media") == list(document).index("posts") - 1
    [row] = document["media"]
    assert row["file"] == item.file.name and row["url"] == item.absolute_url
    assert (row["alt_text"], row["caption"], row["credit"]) == ("The lamp", "At dusk", "A. Keeper")
    assert row["variants"] == item.variants

    from broadsheet.accounts.models import User
    from broadsheet.importers.models import ImportedObject

    Post.objects.all().delete()
    MediaItem.objects.all().delete()
    User.objects.all().delete()
    ImportedObject.objects.all().delete()
    report = _json_import(tmp_path, text)
    assert "1 library images" in report, report
    restored = MediaItem.objects.get()
    assert restored.pk == item.pk and restored.variants == item.variants
    assert '<figure class="media-figure"><picture>' in Post.objects.get().body_html
    assert json.loads(_json_export())["media"] == document["media"]
    assert "Nothing to change" in _json_import(tmp_path, text)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "library/../../secret_key", "/etc/passwd", "library/x\x00.jpg"]
)
def test_a_forged_file_name_in_a_json_export_is_skipped(
    tmp_path: Path, essay: tuple[Post, MediaItem], name: str
) -> None:
    text = _json_export()
    document = json.loads(text)
    document["media"][0]["file"] = name
    document["media"][0]["id"] = 999
    MediaItem.objects.all().delete()
    report = _json_import(tmp_path, json.dumps(document))
    assert "is not one the library writes" in report, report
    assert not MediaItem.objects.exists()


def test_forged_variants_are_dropped_and_made_again(
    tmp_path: Path, essay: tuple[Post, MediaItem]
) -> None:
    document = json.loads(_json_export())
    document["media"][0]["variants"] = {"480": {"image/webp": "../../../etc/passwd"}}
    MediaItem.objects.all().delete()
    _json_import(tmp_path, json.dumps(document))
    assert MediaItem.objects.get().variants == {}

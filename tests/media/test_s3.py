"""The media library on S3-compatible storage (S3_BUCKET set): uploads and variants go to a
real S3 server (moto's, run as a process), anyone can read them at the addresses the pages
show, and the figures find them there."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from broadsheet.media.figures import library_name
from broadsheet.media.models import MediaItem
from broadsheet.media.services import media_delete, upload_image, variants_write
from broadsheet.publishing.models import Post
from tests.factories import PostFactory
from tests.media.images import photo
from tests.processes import s3_server

BUCKET = "broadsheet-library"


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    with s3_server(BUCKET) as variables:
        yield variables


@pytest.fixture
def on_s3(s3: dict[str, str], settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The storages the settings make from the S3_* variables (not a hand-made copy)."""
    for name, value in s3.items():
        monkeypatch.setenv(name, value)
    from broadsheet.settings import _file_storages

    settings.STORAGES = {**settings.STORAGES, **_file_storages()}
    return boto3.client(
        "s3",
        endpoint_url=s3["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=s3["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=s3["S3_SECRET_ACCESS_KEY"],
    )


def _anonymous_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # no credentials: the policy
        return bytes(response.read())


@pytest.mark.django_db(transaction=True)
def test_uploads_and_variants_live_in_the_bucket_and_pages_point_there(on_s3: Any, s3: Any) -> None:
    item = upload_image(data=photo(2000, 1000, gps=True), name="quay.jpg", uploader=None,
                        alt_text="The quay", credit="Harbour archive")  # fmt: skip
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    assert item.url.startswith(f"{s3['S3_ENDPOINT_URL']}/{BUCKET}/media/library/")
    assert library_name(item.url) == item.file.name
    keys = {o["Key"] for o in on_s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert f"media/{item.file.name}" in keys

    assert variants_write(item_id=item.pk) == 8
    item.refresh_from_db()
    keys = {o["Key"] for o in on_s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {f"media/{name}" for name in item.variant_names()} <= keys
    # Public, at the very addresses a page shows, with no signature; cleaned of its GPS.
    body = _anonymous_get(item.url)
    assert b"Exif" not in body
    webp = default_storage.url(item.variants["800"]["image/webp"])
    assert "Signature" not in webp
    assert Image.open(urllib.request.urlopen(webp, timeout=10)).size == (800, 400)

    post = PostFactory(title="On quays", body=f"{item.markdown()}\n")
    html = Post.objects.get(pk=post.pk).body_html
    assert f'<img src="{item.url}"' in html and f"{webp} 800w" in html
    assert "Harbour archive" in html

    names = [item.file.name, *item.variant_names()]
    media_delete(item=MediaItem.objects.get())
    keys = {o["Key"] for o in on_s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert not keys & {f"media/{name}" for name in names}

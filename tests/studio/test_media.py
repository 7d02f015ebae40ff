"""The studio's image pages: library, upload, edit, delete and the picker — with hostile
uploads, forged ids and the roles (Contributors cannot upload)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from broadsheet.media.models import MediaItem
from broadsheet.media.services import upload_image
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, role_member
from tests.media.images import jpeg_bomb, photo, png_bomb

pytestmark = pytest.mark.django_db(transaction=True)
SCRIPT = "<script>alert(1)</script>"
TEXTS = {"alt_text": f"Alt {SCRIPT}", "caption": f"Caption {SCRIPT}", "credit": f"By {SCRIPT}"}


def _as(client: Client, role: str, name: str | None = None) -> Any:
    user = role_member(role, name or f"w-{role.lower()}")
    client.force_login(user)
    return user


def _send(client: Client, data: bytes, name: str = "quay.jpg", **texts: str) -> Any:
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    return client.post("/studio/media/upload/", {"file": upload, **TEXTS, **texts})


def _item(uploader: Any = None, **texts: str) -> MediaItem:
    return upload_image(data=photo(800, 400), name="lamp.jpg", uploader=uploader, **texts)


def test_an_author_uploads_and_the_words_are_shown_as_text(client: Client) -> None:
    _as(client, "Author")
    response = _send(client, photo(1200, 800, gps=True), name=f"{SCRIPT}.jpg")
    item = MediaItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/studio/media/{item.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Image uploaded" in page
    assert "Markdown to insert it as a figure" in page
    library = client.get("/studio/media/").content.decode()
    assert item.original_name in library and SCRIPT not in library


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "not an image we can use"),
        (png_bomb(), "the limit is 100 megapixels"),
        (jpeg_bomb(), "the limit is 100 megapixels"),
        (photo()[:5000], "damaged or incomplete"),
    ],
    ids=["html-named-png", "png-50000x50000", "jpeg-50000x50000", "truncated-jpeg"],
)
def test_a_hostile_upload_is_refused_beside_the_field_with_the_words_kept(
    client: Client, data: bytes, message: str
) -> None:
    _as(client, "Author")
    response = _send(client, data, name="evil.png")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'class="field-error" id="id_file_error_1"' in page
    assert "Alt &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in page  # kept, escaped
    assert not MediaItem.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_read(client: Client, settings: Any) -> None:
    settings.MEDIA_MAX_MB = 1
    _as(client, "Author")
    response = _send(client, photo(16, 16) + b"\0" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert "larger than 1 MB, the limit" in response.content.decode()


def test_a_contributor_cannot_upload_but_may_pick(client: Client) -> None:
    _as(client, "Contributor")
    assert client.get("/studio/media/upload/").status_code == 403
    assert _send(client, photo()).status_code == 403
    assert not MediaItem.objects.exists()
    _item(alt_text="Lamp")
    library = client.get("/studio/media/").content.decode()
    assert "Upload an image" not in library and "an Author or Editor uploads" in library
    assert "![Lamp](http" in client.get("/studio/media/pick/").content.decode()


def test_a_subscriber_and_a_guest_are_kept_out(client: Client) -> None:
    assert client.get("/studio/media/").status_code == 302
    _as(client, "Subscriber")
    for url in ("/studio/media/", "/studio/media/upload/", "/studio/media/pick/"):
        assert client.get(url).status_code == 403


def test_authors_edit_their_own_images_and_editors_anyones(client: Client) -> None:
    author = _as(client, "Author")
    own, others = _item(uploader=author), _item(uploader=role_member("Author", "other"))
    words = {"alt_text": "Lamp", "caption": "", "credit": ""}
    assert client.post(f"/studio/media/{own.pk}/", words).status_code == 302
    assert client.post(f"/studio/media/{others.pk}/", words).status_code == 403
    assert client.post(f"/studio/media/{others.pk}/delete/").status_code == 403
    _as(client, "Editor")
    assert client.post(f"/studio/media/{others.pk}/", words).status_code == 302
    assert MediaItem.objects.get(pk=others.pk).alt_text == "Lamp"
    assert client.post(f"/studio/media/{others.pk}/delete/").status_code == 302
    assert not MediaItem.objects.filter(pk=others.pk).exists()


def test_forged_ids_find_nothing(client: Client) -> None:
    _as(client, "Editor")
    item = _item(alt_text="Lamp")
    assert client.get("/studio/media/999999/").status_code == 404
    assert client.post("/studio/media/999999/delete/").status_code == 404
    assert client.post("/studio/media/999999/feature/", {"post": "1"}).status_code == 404
    assert client.get("/studio/media/pick/?post=999999").status_code == 404
    assert client.get("/studio/media/pick/?post=1%20OR%201=1").status_code == 403
    response = client.post(f"/studio/media/{item.pk}/feature/", {"post": "x"})
    assert response.status_code == 403


def test_alt_text_is_required_before_an_image_is_inserted(client: Client) -> None:
    writer = _as(client, "Author")
    item = _item(uploader=writer)
    post = PostFactory(authors=[writer])
    page = client.get(f"/studio/media/pick/?post={post.pk}").content.decode()
    assert "Needs alt text before it can be used" in page and "![" not in page
    response = client.post(f"/studio/media/{item.pk}/feature/", {"post": post.pk})
    assert response.status_code == 302 and not Post.objects.get(pk=post.pk).featured_image


def test_the_picker_sets_the_featured_image_and_goes_back(client: Client) -> None:
    writer = _as(client, "Author")
    item = _item(uploader=writer, alt_text="The lamp")
    post = PostFactory(authors=[writer])
    page = client.get(f"/studio/media/pick/?post={post.pk}").content.decode()
    assert f'data-featured="{item.absolute_url}"' in page and "Set as featured image" in page
    back = "/studio/"
    response = client.post(f"/studio/media/{item.pk}/feature/", {"post": post.pk, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    saved = Post.objects.get(pk=post.pk)
    assert saved.featured_image == item.absolute_url
    assert saved.featured_image_html.startswith(f'<img src="{item.url}"')
    evil = client.post(
        f"/studio/media/{item.pk}/feature/", {"post": post.pk, "next": "https://evil.example/"}
    )
    assert evil["Location"] == f"/studio/media/pick/?post={post.pk}"


def test_a_writer_cannot_set_the_featured_image_of_a_post_not_theirs(client: Client) -> None:
    _as(client, "Author")
    item = _item(alt_text="Lamp")
    post = PostFactory(authors=[role_member("Author", "someone")])
    response = client.post(f"/studio/media/{item.pk}/feature/", {"post": post.pk})
    assert response.status_code in (403, 404)
    assert not Post.objects.get(pk=post.pk).featured_image

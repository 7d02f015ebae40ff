"""The media library: what an upload must be, what is kept of it, the variants, and the
figures an essay shows (broadsheet.media)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image

from broadsheet.media.images import FORMATS, ImageRefused, clean_upload
from broadsheet.media.models import MediaItem
from broadsheet.media.services import (
    media_delete,
    media_update,
    safe_name,
    upload_image,
    variants_write,
)
from broadsheet.publishing.models import Post
from tests.factories import AuthorFactory, PostFactory
from tests.media.images import GPS_IFD, jpeg_bomb, photo, png_bomb

SCRIPT = "<script>alert(1)</script>"


def _upload(data: bytes | None = None, name: str = "harbour.jpg", **texts: str) -> MediaItem:
    return upload_image(data=data or photo(), name=name, uploader=None, **texts)


@pytest.mark.parametrize("kind", list(FORMATS))
def test_every_accepted_format_is_taken_and_known_by_its_bytes(kind: str) -> None:
    clean = clean_upload(photo(640, 480, kind=kind))
    assert (clean.format, clean.width, clean.height) == (kind, 640, 480)
    assert Image.open(io.BytesIO(clean.data)).format == kind


def test_avif_is_among_them_when_pillow_reads_it() -> None:
    from PIL import features

    assert ("AVIF" in FORMATS) == features.check("avif")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body><script>alert(1)</script></body></html>", "not an image we can use"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>", "not an image we can use"),
        (png_bomb(), "the limit is 100 megapixels"),
        (jpeg_bomb(), "the limit is 100 megapixels"),
        (photo()[:6000], "damaged or incomplete"),
        (b"", "not an image we can use"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
         "not an image we can use"),
    ],
    ids=["html", "html-after-png-signature", "png-50000x50000", "jpeg-50000x50000",
         "truncated-jpeg", "empty", "svg"],
)  # fmt: skip
def test_what_is_not_a_usable_image_is_refused_in_words(data: bytes, message: str) -> None:
    with pytest.raises(ImageRefused, match=message):
        clean_upload(data)


def test_a_large_image_under_the_pixel_limit_still_names_its_size(settings: Any) -> None:
    settings.MEDIA_MAX_PIXELS = 1_000_000
    with pytest.raises(ImageRefused, match="is 2,000 × 1,000 pixels: the limit is 1 megapixels"):
        clean_upload(photo(2000, 1000))


def test_an_oversized_file_is_refused_before_it_is_decoded(settings: Any) -> None:
    settings.MEDIA_MAX_MB = 1
    with pytest.raises(ImageRefused, match="larger than 1 MB"):
        clean_upload(photo(16, 16) + b"\0" * (1024 * 1024))


def test_exif_and_gps_are_stripped_and_the_orientation_applied() -> None:
    original = photo(2000, 1000, gps=True, orientation=6)  # 6: turn 90° clockwise to view
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    clean = clean_upload(original)
    image = Image.open(io.BytesIO(clean.data))
    assert (clean.width, clean.height) == image.size == (1000, 2000)
    assert not image.getexif()
    assert b"Exif" not in clean.data and b"Camera maker" not in clean.data
    assert "xmp" not in image.info


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_exif_is_stripped_from_other_formats_too(kind: str) -> None:
    clean = clean_upload(photo(300, 200, kind=kind, gps=True))
    assert not Image.open(io.BytesIO(clean.data)).getexif()


def test_an_animated_gif_keeps_its_frames() -> None:
    frames = [Image.new("RGB", (60, 40), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    clean = clean_upload(out.getvalue())
    assert clean.animated
    assert Image.open(io.BytesIO(clean.data)).n_frames == 3


def test_a_file_name_is_made_safe_to_show() -> None:
    assert safe_name(f"{SCRIPT}.png") == "script.png"  # what follows the last slash
    assert safe_name("<img src=x onerror=alert(1)>.png") == "img-srcx-onerroralert1.png"
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\me\\Été à Brest.JPG") == "ete-a-brest.jpg"
    assert safe_name("\x00\x01.png") == "image.png"
    assert len(safe_name("a" * 500 + ".jpg")) <= 120


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_stored_under_a_name_of_ours_with_texts_kept_as_text() -> None:
    item = _upload(photo(), name=f"{SCRIPT}.png", alt_text=f"A{SCRIPT}", caption=SCRIPT,
                   credit=SCRIPT)  # fmt: skip
    # Named by its bytes: a "PNG" name on a JPEG is stored as the JPEG it is.
    assert item.file.name.startswith(f"library/{timezone.now():%Y/%m}/script")
    assert item.file.name.endswith(".jpg") and item.mime_type == "image/jpeg"
    assert (item.width, item.height) == (2000, 1000)
    assert item.alt_text == f"A{SCRIPT}"  # stored as written; escaped wherever shown
    assert default_storage.exists(item.file.name)


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_stores_nothing() -> None:
    before = (
        set(default_storage.listdir("library")[0]) if default_storage.exists("library") else set()
    )
    with pytest.raises(ImageRefused):
        _upload(png_bomb())
    assert not MediaItem.objects.exists()
    after = (
        set(default_storage.listdir("library")[0]) if default_storage.exists("library") else set()
    )
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_variants_in_webp_and_the_original_format() -> None:
    item = _upload(photo(2000, 1000))
    # The task was queued on commit; run it as the worker would.
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.get(task_path__endswith="make_variants")
    assert queued.args_kwargs["args"] == [item.pk]
    assert variants_write(item_id=item.pk) == 8
    item.refresh_from_db()
    assert sorted(item.variants, key=int) == ["480", "800", "1200", "1600"]
    for width, names in item.variants.items():
        assert set(names) == {"image/webp", "image/jpeg"}
        for mime, name in names.items():
            image = Image.open(default_storage.open(name))
            assert image.width == int(width) and image.height == int(width) // 2
            assert image.get_format_mimetype() == mime
    assert variants_write(item_id=item.pk) == 0  # done already: nothing written twice


@pytest.mark.django_db(transaction=True)
def test_a_small_image_has_only_the_narrower_variants_and_an_animation_none() -> None:
    small = _upload(photo(900, 600, kind="PNG"), name="small.png")
    variants_write(item_id=small.pk)
    small.refresh_from_db()
    assert sorted(small.variants, key=int) == ["480", "800"]
    frames = [Image.new("RGB", (1000, 500), color) for color in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    moving = _upload(out.getvalue(), name="moving.gif")
    assert variants_write(item_id=moving.pk) == 0


def _essay(body: str, **fields: Any) -> Post:
    author = AuthorFactory(username="writer")
    return PostFactory(title="On light", body=body, authors=[author], **fields)


@pytest.mark.django_db(transaction=True)
def test_a_library_image_on_its_own_line_is_a_figure_with_srcset(client: Client) -> None:
    item = _upload(photo(2000, 1000), alt_text="The lamp", caption="The light at dusk",
                   credit="Photo: A. Keeper")  # fmt: skip
    variants_write(item_id=item.pk)
    item.refresh_from_db()
    post = _essay(f"Before.\n\n{item.markdown()}\n\nAfter.")
    html = Post.objects.get(pk=post.pk).body_html
    assert '<figure class="media-figure"><picture><source type="image/webp" srcset="' in html
    webp = item.variants["480"]["image/webp"]
    assert f"/media/{webp} 480w" in html
    assert (
        f'<img src="/media/{item.file.name}" srcset="/media/{item.variants["480"]["image/jpeg"]} 480w'
        in html
    )
    assert f'/media/{item.file.name} 2000w"' in html
    assert 'sizes="(min-width: 44rem) 39rem, 100vw"' in html
    assert 'width="2000" height="1000" alt="The lamp" loading="lazy" decoding="async"' in html
    assert (
        '<figcaption>The light at dusk <small class="credit">Photo: A. Keeper</small></figcaption>'
        in html
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'alt="The lamp"' in page and "The light at dusk" in page


@pytest.mark.django_db(transaction=True)
def test_before_the_variants_a_figure_has_the_original_alone() -> None:
    item = _upload(photo(800, 400), alt_text="Lamp")
    post = _essay(f"![]({item.url})")
    html = Post.objects.get(pk=post.pk).body_html
    assert "srcset" not in html and "<picture>" not in html
    assert f'<img src="/media/{item.file.name}" width="800" height="400" alt="Lamp"' in html


@pytest.mark.django_db(transaction=True)
def test_script_in_alt_caption_and_credit_stays_text_on_the_page(client: Client) -> None:
    item = _upload(alt_text='x" onerror="alert(1)', caption=SCRIPT, credit=SCRIPT)
    post = _essay(f"![]({item.url})")
    page = client.get(post.get_absolute_url()).content.decode()
    assert SCRIPT not in page and 'onerror="' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db(transaction=True)
def test_images_that_are_not_the_librarys_stay_as_written() -> None:
    item = _upload(alt_text="Lamp")
    post = _essay(
        f"Inline ![Lamp]({item.url}) in a sentence.\n\n![Elsewhere](https://example.org/x.jpg)\n\n"
        "![Forged](/media/library/2026/01/none.jpg)"
    )
    html = Post.objects.get(pk=post.pk).body_html
    assert "<figure" not in html
    assert html.count("<img") == 3


@pytest.mark.django_db(transaction=True)
def test_a_render_looks_every_image_up_in_one_query(django_assert_num_queries: Any) -> None:
    from broadsheet.publishing.services import post_render

    items = [_upload(alt_text=f"Image {i}") for i in range(3)]
    post = Post(title="t", body="\n\n".join(f"![]({i.url})" for i in items))
    post.featured_image = items[0].absolute_url
    with django_assert_num_queries(1):
        post_render(post=post)
    assert post.body_html.count("<figure") == 3
    assert post.featured_image_html.startswith(f'<img src="/media/{items[0].file.name}"')


@pytest.mark.django_db(transaction=True)
def test_the_featured_library_image_renders_with_its_srcset(client: Client) -> None:
    item = _upload(photo(2000, 1000), alt_text="The lamp")
    variants_write(item_id=item.pk)
    post = _essay("Text.", featured_image=MediaItem.objects.get().absolute_url)
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<figure class="entry-image u-featured"><picture><source type="image/webp"' in page
    assert 'alt="The lamp" fetchpriority="high" decoding="async"' in page


@pytest.mark.django_db(transaction=True)
def test_posts_showing_an_image_follow_its_edits_variants_and_removal() -> None:
    item = _upload(photo(2000, 1000), alt_text="Old words")
    post = _essay(f"![]({item.url})")
    other = _essay("No image here.", slug="other")
    untouched = Post.objects.get(pk=other.pk).modified_at
    media_update(item=item, alt_text="New words", caption="Now captioned", credit="Keeper")
    html = Post.objects.get(pk=post.pk).body_html
    assert 'alt="New words"' in html and "Now captioned" in html
    variants_write(item_id=item.pk)
    assert "srcset" in Post.objects.get(pk=post.pk).body_html
    names = [item.file.name, *MediaItem.objects.get().variant_names()]
    media_delete(item=MediaItem.objects.get())
    html = Post.objects.get(pk=post.pk).body_html
    assert "<figure" not in html and f'<img src="/media/{item.file.name}"' in html
    assert not any(default_storage.exists(name) for name in names)
    assert Post.objects.get(pk=other.pk).modified_at == untouched


def test_an_animation_of_too_many_frames_is_refused(settings: Any) -> None:
    settings.MEDIA_MAX_PIXELS = 1_000_000
    frames = [Image.new("RGB", (500, 500), (i, 0, 0)) for i in range(0, 250, 50)]  # 5 frames
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(ImageRefused, match="5 frames of 500 × 500 pixels"):
        clean_upload(out.getvalue())

"""Profile photos: capped before they are read, decoded safely, PNG/JPEG/WebP/GIF only, stored
at most 512 px and without EXIF; a refusal is a sentence next to the field, the rest kept."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from broadsheet.accounts.avatars import MAX_BYTES
from broadsheet.accounts.models import Profile, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reader(client: Client) -> User:
    user = User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")
    client.force_login(user)
    return user


def _image(kind: str, size: tuple[int, int] = (800, 600), **save: Any) -> bytes:
    image = Image.new("RGB", size, (200, 80, 40))
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **save)
    return buffer.getvalue()


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show upright
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)  # latitude
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)  # longitude
    return exif


def _upload(client: Client, content: bytes, name: str, **fields: Any) -> Any:
    data = {"display_name": "Rea Der", "bio": "I *read* essays.", "website": "", **fields}
    data["avatar"] = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post("/accounts/profile/", data)


def _stored(user: User) -> Image.Image:
    profile = Profile.objects.get(user=user)
    with profile.avatar.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def test_a_large_photo_is_stored_at_512_px_without_its_exif_or_position(
    client: Client, reader: User
) -> None:
    photo = _image("JPEG", (3000, 2000), exif=_gps_exif(), quality=95)
    assert b"PhoneMaker" in photo
    response = _upload(client, photo, "holiday.jpg")
    assert response.status_code == 302
    stored = _stored(reader)
    assert stored.format == "JPEG" and max(stored.size) == 512
    assert stored.size == (341, 512)  # turned upright as the camera said, then the EXIF dropped
    assert not stored.getexif() and "exif" not in stored.info
    profile = Profile.objects.get(user=reader)
    with profile.avatar.open("rb") as file:
        raw = file.read()
    assert b"PhoneMaker" not in raw and b"Exif" not in raw
    assert profile.display_name == "Rea Der"


@pytest.mark.parametrize(
    ("kind", "stored_as"), [("PNG", "PNG"), ("WEBP", "WEBP"), ("GIF", "PNG"), ("JPEG", "JPEG")]
)
def test_each_accepted_format_is_written_again(
    client: Client, reader: User, kind: str, stored_as: str
) -> None:
    assert _upload(client, _image(kind, (100, 80)), f"me.{kind.lower()}").status_code == 302
    stored = _stored(reader)
    assert stored.format == stored_as and stored.size == (100, 80)  # small ones keep their size


def test_a_photo_over_the_limit_is_refused_next_to_the_field_and_the_rest_kept(
    client: Client, reader: User
) -> None:
    noise = Image.frombytes("RGB", (1500, 1500), os.urandom(1500 * 1500 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    big = buffer.getvalue()
    assert len(big) > MAX_BYTES  # 6.8 MB, as the one that was accepted
    response = _upload(client, big, "big.png", display_name="Kept Name")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This photo is larger than 5 MB." in html
    assert 'value="Kept Name"' in html and "I *read* essays." in html
    profile = Profile.objects.filter(user=reader).first()
    assert profile is None or not profile.avatar


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "me.png"),
        (b"GIF89a" + b"\x00" * 40, "me.gif"),  # a header and nothing after it
        (b"", "empty.png"),
        (b"%PDF-1.4 not a photo", "me.jpg"),
        ("bmp", "me.bmp"),
        ("tiff", "me.tiff"),
        ("truncated", "me.png"),
    ],
)
def test_what_is_not_an_accepted_photo_is_refused_with_a_sentence(
    client: Client, reader: User, content: Any, name: str
) -> None:
    if content == "bmp":
        content = _image("BMP", (10, 10))
    elif content == "tiff":
        content = _image("TIFF", (10, 10))
    elif content == "truncated":
        content = _image("PNG", (300, 300))[:200]
    response = _upload(client, content, name)
    assert response.status_code == 200
    html = response.content.decode()
    assert "field-error" in html
    assert (
        "Upload a PNG, JPEG, WebP or GIF image." in html or "The submitted file is empty." in html
    )
    profile = Profile.objects.filter(user=reader).first()
    assert profile is None or not profile.avatar


@pytest.mark.parametrize(
    ("side", "said"),
    [
        (6_000, "This image is too large to process (more than 25 megapixels)."),  # ours
        (20_000, "Upload a PNG, JPEG, WebP or GIF image."),  # Pillow's own bomb guard, at open
    ],
)
def test_a_decompression_bomb_is_refused_without_decoding_it(
    client: Client, reader: User, side: int, said: str
) -> None:
    bomb = Image.new("1", (side, side))  # megapixels of nothing in a few kilobytes
    buffer = io.BytesIO()
    bomb.save(buffer, format="PNG", optimize=True)
    assert len(buffer.getvalue()) < MAX_BYTES
    response = _upload(client, buffer.getvalue(), "bomb.png")
    assert response.status_code == 200 and said in response.content.decode()
    profile = Profile.objects.filter(user=reader).first()
    assert profile is None or not profile.avatar


def test_the_admin_takes_the_same_photo_rules(client: Client, db: None) -> None:
    boss = User.objects.create_superuser("boss", "boss@example.org", "correct horse battery")
    client.force_login(boss)
    profile = Profile.objects.get_or_create(user=boss)[0]
    response = client.post(
        f"/admin/accounts/profile/{profile.pk}/change/",
        {
            "user": boss.pk, "display_name": "Boss", "bio": "", "website": "",
            "avatar": SimpleUploadedFile("x.bmp", _image("BMP", (10, 10))),
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Upload a PNG, JPEG, WebP or GIF image." in response.content.decode()


def test_an_upload_over_the_limit_is_not_read_past_it(client: Client, reader: User) -> None:
    from django.core.files.uploadhandler import SkipFile

    from broadsheet.accounts.avatars import UploadLimit

    limit = UploadLimit(limit=10)
    limit.new_file("avatar", "a.png", "image/png", None)
    assert limit.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(SkipFile):
        limit.receive_data_chunk(b"678901", 5)
    assert limit.too_large == {"avatar"}
    limit.new_file("other", "b.png", "image/png", None)  # the next file starts from nothing
    assert limit.receive_data_chunk(b"12345", 0) == b"12345"


def test_the_profile_form_still_needs_its_csrf_token(reader: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    data = {"display_name": "Forged", "bio": "", "website": ""}
    assert browser.post("/accounts/profile/", data).status_code == 403
    page = browser.get("/accounts/profile/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert (
        browser.post("/accounts/profile/", {**data, "csrfmiddlewaretoken": token}).status_code
        == 302
    )
    assert Profile.objects.get(user=reader).display_name == "Forged"


# --- the header image: the photo's rules in a wider box --------------------------------


def _upload_header(client: Client, content: bytes, name: str, **fields: Any) -> Any:
    data = {"display_name": "Rea Der", "bio": "I *read* essays.", "website": "", **fields}
    data["header"] = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post("/accounts/profile/", data)


def test_a_header_image_is_stored_within_1500_by_500_without_its_exif(
    client: Client, reader: User
) -> None:
    wide = _image("JPEG", (3000, 1200), exif=_gps_exif(), quality=95)
    assert _upload_header(client, wide, "banner.jpg").status_code == 302
    profile = Profile.objects.get(user=reader)
    assert profile.header.name == f"headers/{reader.pk}.jpg" and not profile.avatar
    with profile.header.open("rb") as file:
        raw = file.read()
    stored = Image.open(io.BytesIO(raw))
    # upright (the camera's rotation: 1200 × 3000), then within the box: 200 × 500
    assert stored.size == (200, 500) and b"PhoneMaker" not in raw and b"Exif" not in raw
    landscape = _image("PNG", (3000, 600))
    assert _upload_header(client, landscape, "banner.png").status_code == 302
    profile.refresh_from_db()
    with profile.header.open("rb") as file:
        assert Image.open(file).size == (1500, 300)


def test_a_header_image_that_is_not_a_picture_or_too_large_is_refused_next_to_its_field(
    client: Client, reader: User
) -> None:
    script = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"
    html = _upload_header(client, script, "banner.png", display_name="Kept").content.decode()
    assert "This file is not a photo we can read." in html and 'value="Kept"' in html
    noise = Image.frombytes("RGB", (1500, 1500), os.urandom(1500 * 1500 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    html = _upload_header(client, buffer.getvalue(), "big.png").content.decode()
    assert "This image is larger than 5 MB." in html and "1,500 pixels wide" in html
    profile = Profile.objects.filter(user=reader).first()
    assert profile is None or not profile.header


def test_the_admin_takes_the_header_image_rules(client: Client, db: None) -> None:
    User.objects.create_superuser("boss", "boss@example.net", "a long pass phrase 42")
    client.login(username="boss", password="a long pass phrase 42")
    user = User.objects.create_user("someone", "s@example.net", "pw pw pw pw 12")
    profile = Profile.objects.get(user=user)
    url = f"/admin/accounts/profile/{profile.pk}/change/"
    form = {"user": user.pk, "display_name": "Some One", "bio": "", "website": ""}
    bad = SimpleUploadedFile("b.png", b"not an image", content_type="image/png")
    response = client.post(url, {**form, "header": bad})
    assert response.status_code == 200 and "This file is not a photo we can read." in (
        response.content.decode()
    )
    good = SimpleUploadedFile("b.png", _image("PNG", (4000, 1000)), content_type="image/png")
    assert client.post(url, {**form, "header": good}).status_code == 302
    profile.refresh_from_db()
    with profile.header.open("rb") as file:
        assert Image.open(file).size == (1500, 375)

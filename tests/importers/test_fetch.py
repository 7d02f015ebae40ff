"""Copying an image from an old site: only a public http(s) address, only an image, within
the size and time limits. Served by a real HTTP server on 127.0.0.1, let through by the tests'
own setting; without it the same server is out of reach."""

from __future__ import annotations

import ipaddress
import time
from typing import Any

import pytest

from broadsheet.core.safefetch import is_allowed
from broadsheet.importers.fetch import FetchRefused, Limits, fetch_image
from tests.importers.image_server import JPEG, PNG, ImageServer, image_server

__all__ = ["image_server"]

LOCAL = Limits(max_bytes=1024 * 1024, timeout=5.0, allow_loopback=True)


def refused(url: str, limits: Limits = LOCAL) -> str:
    with pytest.raises(FetchRefused) as why:
        fetch_image(url, limits=limits)
    return str(why.value)


def test_an_image_is_fetched_and_its_format_read_from_its_bytes(image_server: ImageServer) -> None:
    fetched = fetch_image(image_server.url("/wp-content/uploads/photo.png"), limits=LOCAL)
    assert (fetched.data, fetched.extension) == (PNG, "png")
    jpeg = fetch_image(image_server.url("/wp-content/uploads/photo-300x200.jpg"), limits=LOCAL)
    assert (jpeg.data, jpeg.extension) == (JPEG, "jpg")


def test_a_redirect_on_the_same_server_is_followed(image_server: ImageServer) -> None:
    assert fetch_image(image_server.url("/redirect.png"), limits=LOCAL).data == PNG
    assert image_server.requests == ["/redirect.png", "/wp-content/uploads/photo.png"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/page.jpg", "it is not an image (Content-Type text/html)"),
        ("/lying.png", "it is not an image Pillow can read"),
        ("/drawing.svg", "it is not an image Pillow can read"),
        ("/bomb.png", "or too many pixels"),
        ("/declared-huge.png", "it is larger than 1 MB (IMPORT_MEDIA_MAX_MB)"),
        ("/endless.png", "it is larger than 1 MB (IMPORT_MEDIA_MAX_MB)"),
        ("/missing.png", "the server answered 404"),
        ("/loop.png", "more than 3 redirects"),
        ("/to-metadata.png", "169.254.169.254 is at 169.254.169.254, a private or local address"),
        ("/to-private.png", "10.0.0.1 is at 10.0.0.1, a private or local address"),
    ],
)
def test_what_is_not_a_public_image_within_the_limits_is_refused(
    image_server: ImageServer, path: str, reason: str
) -> None:
    assert reason in refused(image_server.url(path))


def test_a_slow_server_is_left_when_the_time_is_up(image_server: ImageServer) -> None:
    image_server.slow_seconds = 0.2
    limits = Limits(max_bytes=1024 * 1024, timeout=1.0, allow_loopback=True)
    started = time.monotonic()
    reason = refused(image_server.url("/slow.png"), limits)
    assert "longer than the time allowed (IMPORT_MEDIA_TIMEOUT)" in reason or (
        "timed out" in reason
    )
    assert time.monotonic() - started < 2.5


def test_without_the_tests_setting_the_local_server_is_out_of_reach(
    image_server: ImageServer,
) -> None:
    limits = Limits(max_bytes=1024 * 1024, timeout=5.0)
    port = image_server.port
    for url in (
        f"http://127.0.0.1:{port}/wp-content/uploads/photo.png",
        f"http://localhost:{port}/wp-content/uploads/photo.png",
        f"http://[::1]:{port}/wp-content/uploads/photo.png",
        f"http://127.1:{port}/wp-content/uploads/photo.png",
        f"http://0x7f000001:{port}/wp-content/uploads/photo.png",
    ):
        with pytest.raises(FetchRefused):
            fetch_image(url, limits=limits)
    assert image_server.requests == []  # nothing ever reached it


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://files.example.org/photo.png",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "http://user:secret@files.example.org/photo.png",
        "http://files.example.org:99999/photo.png",
    ],
)
def test_only_plain_http_and_https_addresses_are_tried(url: str) -> None:
    refused(url, Limits(max_bytes=1024, timeout=1.0))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address refused, not bound)
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 for 127.0.0.1
        "2002:7f00:1::",  # 6to4 for 127.0.0.1
    ],
)
def test_private_local_and_hidden_addresses_are_never_allowed(address: str) -> None:
    assert not is_allowed(ipaddress.ip_address(address), allow_local=False)


def test_public_addresses_are_allowed_and_loopback_only_by_the_tests_setting() -> None:
    assert is_allowed(ipaddress.ip_address("93.184.216.34"), allow_local=False)
    assert is_allowed(ipaddress.ip_address("2606:2800:220:1::1"), allow_local=False)
    assert is_allowed(ipaddress.ip_address("127.0.0.1"), allow_local=True)
    assert not is_allowed(ipaddress.ip_address("10.0.0.1"), allow_local=True)


def test_the_limits_come_from_the_settings(settings: Any) -> None:
    settings.IMPORT_MEDIA_MAX_MB = 3
    settings.IMPORT_MEDIA_TIMEOUT = 7
    assert Limits.from_settings() == Limits(max_bytes=3 * 1024 * 1024, timeout=7.0)

"""Fetching an image from another site for an import, without letting the file steer the
server: an export names the addresses, and an address can point anywhere.

Only http and https; the host is resolved once and every address it resolves to must be a
public one (no loopback, private, link-local, shared, reserved or multicast address, nor one
hidden in an IPv6 form), and the connection goes to that same address, so a second lookup
cannot swap it for an inside one; redirects are followed a few times, each checked the same
way. The answer must be an image by its Content-Type, arrive within the size and time limits,
and open in Pillow as a PNG, JPEG, GIF or WebP within its pixel limit.

`settings.IMPORT_MEDIA_ALLOW_LOOPBACK` (tests only; no environment variable sets it) lets
127.0.0.1 and ::1 through, so tests can serve images from a real local HTTP server.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import time
import warnings
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from broadsheet.core.webaddress import NotAWebAddress, web_address

MAX_REDIRECTS = 3
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchRefused(Exception):
    """Why an image was not copied, in words for the report."""


@dataclass(frozen=True)
class Fetched:
    data: bytes
    extension: str  # from what Pillow found, never from the address


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    timeout: float  # seconds for the whole fetch, redirects included
    allow_loopback: bool = False

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.IMPORT_MEDIA_MAX_MB * 1024 * 1024,
            timeout=float(settings.IMPORT_MEDIA_TIMEOUT),
            allow_loopback=settings.IMPORT_MEDIA_ALLOW_LOOPBACK,
        )


def fetch_image(url: str, *, limits: Limits) -> Fetched:
    deadline = time.monotonic() + limits.timeout
    for _ in range(MAX_REDIRECTS + 1):
        response, connection = _request(url, limits=limits, deadline=deadline)
        try:
            if response.status in _REDIRECTS:
                location = response.getheader("Location") or ""
                if not location:
                    raise FetchRefused(f"the server answered {response.status} without a Location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchRefused(f"the server answered {response.status} {response.reason}")
            data = _body(response, connection, limits=limits, deadline=deadline)
        finally:
            connection.close()
        return Fetched(data=data, extension=_image_format(data))
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


def _request(
    url: str, *, limits: Limits, deadline: float
) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    try:
        url = web_address(url, max_length=2000)
    except NotAWebAddress as why:
        raise FetchRefused(f"not a web address ({why})") from None
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise FetchRefused("the address carries a user name or password")
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise FetchRefused("the address has an unreadable port") from None
    address = _public_address(host, port, allow_loopback=limits.allow_loopback)
    timeout = _remaining(deadline)
    connection: http.client.HTTPConnection
    if parts.scheme.lower() == "https":
        connection = _PinnedHTTPS(host, port, address=address, timeout=timeout)
    else:
        connection = _PinnedHTTP(host, port, address=address, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "GET",
            path,
            headers={
                "User-Agent": "Broadsheet import (copying a post's images)",
                "Accept": "image/*",
                "Accept-Encoding": "identity",
            },
        )
        return connection.getresponse(), connection
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise FetchRefused(f"the server could not be reached ({_reason(error)})") from None


def _public_address(host: str, port: int, *, allow_loopback: bool) -> str:
    """The one address to connect to; every address the name has must be allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchRefused(f"the host {host!r} cannot be found ({_reason(error)})") from None
    addresses = [str(info[4][0]).split("%", 1)[0] for info in found]
    if not addresses:
        raise FetchRefused(f"the host {host!r} has no address")
    for text in addresses:
        if not _allowed(ipaddress.ip_address(text), allow_loopback=allow_loopback):
            raise FetchRefused(
                f"{host} is at {text}, a private or local address; only public addresses are "
                "fetched"
            )
    return addresses[0]


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_loopback: bool) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return _allowed(embedded, allow_loopback=allow_loopback)
    if allow_loopback and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused("it took longer than the time allowed (IMPORT_MEDIA_TIMEOUT)")
    return left


def _body(
    response: http.client.HTTPResponse,
    connection: http.client.HTTPConnection,
    *,
    limits: Limits,
    deadline: float,
) -> bytes:
    kind = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
    if not kind.startswith("image/"):
        raise FetchRefused(f"it is not an image (Content-Type {kind or 'missing'})")
    too_big = FetchRefused(
        f"it is larger than {limits.max_bytes // (1024 * 1024):,} MB (IMPORT_MEDIA_MAX_MB)"
    )
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    while True:
        if connection.sock is not None:  # each read may take only what is left of the time
            connection.sock.settimeout(_remaining(deadline))
        try:
            chunk = response.read1(64 * 1024)  # one read from the socket: the clock is seen
        except (OSError, http.client.HTTPException) as error:
            raise FetchRefused(f"the download broke off ({_reason(error)})") from None
        if not chunk:
            break
        size += len(chunk)
        if size > limits.max_bytes:
            raise too_big
        chunks.append(chunk)
        _remaining(deadline)
    return b"".join(chunks)


def _image_format(data: bytes) -> str:
    """The file's own format, checked by decoding it; a decompression bomb is refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FetchRefused("it is not an image Pillow can read, or too many pixels") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise FetchRefused(f"the image is damaged ({_reason(error)})") from None
    if kind not in FORMATS:
        raise FetchRefused(f"{kind or 'its'} format is not kept (PNG, JPEG, GIF and WebP are)")
    return FORMATS[kind]


def _reason(error: BaseException) -> str:
    return str(error) or type(error).__name__


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As _PinnedHTTP, with the certificate checked against the host's name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)

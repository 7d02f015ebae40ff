"""Fetching a page or file from another site without letting the address steer the server:
whoever names the address (an export, a Webmention's source) can point it anywhere.

Only http and https; the host is resolved once and every address it resolves to must be a
public one (no loopback, private, link-local, shared, reserved or multicast address, nor one
hidden in an IPv6 form), and the connection goes to that same address, so a second lookup
cannot swap it for an inside one; redirects are followed a few times, each checked the same
way; the whole fetch has a deadline and the body a size cap.

`allow_local` (tests only, through settings no environment variable sets) lets 127.0.0.1
and ::1 through, so tests can use a real local HTTP server.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from broadsheet.core.webaddress import NotAWebAddress, web_address

MAX_REDIRECTS = 3
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchRefused(Exception):
    """Why nothing was fetched, in words for a report or a status page."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    timeout: float  # seconds for the whole fetch, redirects included
    allow_local: bool = False
    setting: str = "the timeout"  # named in messages: which setting to raise
    size_setting: str = "the size limit"


@dataclass(frozen=True)
class Answer:
    """A final answer (after redirects): its status, headers, address and body."""

    status: int
    url: str  # after redirects
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


# Decides, from the final answer's status and headers, whether its body is wanted.
BodyWanted = Callable[[int, dict[str, str]], bool]


def fetch(
    url: str,
    *,
    limits: Limits,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    want_body: BodyWanted = lambda status, headers: status == 200,
) -> Answer:
    """The answer to a request for `url`, redirects followed (a POST is not redirected: its
    answer is returned as it came)."""
    deadline = time.monotonic() + limits.timeout
    for _ in range(MAX_REDIRECTS + 1):
        response, connection = request(
            url, limits=limits, deadline=deadline, method=method, headers=headers, data=data
        )
        try:
            named = _named(response.getheaders())
            if response.status in _REDIRECTS and method == "GET":
                location = named.get("location", "")
                if not location:
                    raise FetchRefused(f"the server answered {response.status} without a Location")
                url = urljoin(url, location)
                continue
            body = b""
            if want_body(response.status, named):
                body = read_body(response, connection, limits=limits, deadline=deadline)
            return Answer(status=response.status, url=url, headers=named, body=body)
        finally:
            connection.close()
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


def _named(headers: list[tuple[str, str]]) -> dict[str, str]:
    """Headers by lower-case name; a repeated one (Link) joined with commas, as HTTP allows."""
    named: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        named[key] = f"{named[key]}, {value}" if key in named else value
    return named


def request(
    url: str,
    *,
    limits: Limits,
    deadline: float,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    """One request to a checked address; the caller closes the connection."""
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
    address = public_address(host, port, allow_local=limits.allow_local)
    connection = _connection(parts.scheme.lower(), host, port, address, remaining(deadline, limits))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path, body=data, headers=headers or {})
        return connection.getresponse(), connection
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise FetchRefused(f"the server could not be reached ({reason(error)})") from None


def _connection(
    scheme: str, host: str, port: int, address: str, timeout: float
) -> http.client.HTTPConnection:
    if scheme == "https":
        return _PinnedHTTPS(host, port, address=address, timeout=timeout)
    return _PinnedHTTP(host, port, address=address, timeout=timeout)


def public_address(host: str, port: int, *, allow_local: bool) -> str:
    """The one address to connect to; every address the name has must be allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchRefused(f"the host {host!r} cannot be found ({reason(error)})") from None
    addresses = [str(info[4][0]).split("%", 1)[0] for info in found]
    if not addresses:
        raise FetchRefused(f"the host {host!r} has no address")
    for text in addresses:
        if not is_allowed(ipaddress.ip_address(text), allow_local=allow_local):
            raise FetchRefused(
                f"{host} is at {text}, a private or local address; only public addresses are "
                "fetched"
            )
    return addresses[0]


def is_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_local: bool) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_allowed(embedded, allow_local=allow_local)
    if allow_local and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast


def remaining(deadline: float, limits: Limits) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused(f"it took longer than the time allowed ({limits.setting})")
    return left


def read_body(
    response: http.client.HTTPResponse,
    connection: http.client.HTTPConnection,
    *,
    limits: Limits,
    deadline: float,
) -> bytes:
    """The body, read against the clock and the size cap (a declared length over the cap is
    refused before reading)."""
    too_big = FetchRefused(f"it is larger than {_size(limits.max_bytes)} ({limits.size_setting})")
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    while True:
        if connection.sock is not None:  # each read may take only what is left of the time
            connection.sock.settimeout(remaining(deadline, limits))
        try:
            chunk = response.read1(64 * 1024)  # one read from the socket: the clock is seen
        except (OSError, http.client.HTTPException) as error:
            raise FetchRefused(f"the download broke off ({reason(error)})") from None
        if not chunk:
            break
        size += len(chunk)
        if size > limits.max_bytes:
            raise too_big
        chunks.append(chunk)
        remaining(deadline, limits)
    return b"".join(chunks)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count // (1024 * 1024):,} MB"
    return f"{max(1, count // 1024):,} KB"


def reason(error: BaseException) -> str:
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

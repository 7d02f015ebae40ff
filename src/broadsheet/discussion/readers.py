"""Who a reader is, for likes and reports (decision 0090): an account by its id; a guest by
a signed cookie holding a random token, and by a keyed hash of their address. Neither the
token nor the address is stored: only keyed hashes of them are.

The cookie is not a personal one (core.cache.personal_cookies): it changes nothing on the
page, which stays the cached one every anonymous reader gets."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

READER_COOKIE = "broadsheet_reader"
_SALT = "broadsheet.reader"
_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Reader:
    key: str  # "u:<id>" or "g:<hash of the cookie's token>"
    address: str  # a guest's address, hashed ("" for an account)
    new_token: str = ""  # a guest's first token: the response sets the cookie


def _keyed(purpose: str, value: str) -> str:
    secret = hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:40]


def _network(ip: str | None) -> str:
    """The address as a person holds it: IPv6 hosts get a /64 each."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def reader_of(request: HttpRequest, ip: str | None) -> Reader:
    if request.user.is_authenticated:
        return Reader(key=f"u:{request.user.pk}", address="")
    token, new = "", ""
    raw = request.COOKIES.get(READER_COOKIE, "")
    if raw:
        try:
            token = str(signing.loads(raw, salt=_SALT))
        except signing.BadSignature:
            token = ""
    if not token:
        token = new = secrets.token_urlsafe(18)
    network = _network(ip)
    return Reader(
        key=f"g:{_keyed('reader', token)}",
        address=_keyed("address", network) if network else "",
        new_token=new,
    )


def remember_reader(request: HttpRequest, response: HttpResponse, reader: Reader) -> None:
    if reader.new_token:
        response.set_cookie(
            READER_COOKIE, signing.dumps(reader.new_token, salt=_SALT), max_age=_YEAR,
            httponly=True, samesite="Lax", secure=request.is_secure(),
        )  # fmt: skip

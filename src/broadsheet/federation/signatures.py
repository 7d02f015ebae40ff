"""RSA keys and HTTP Signatures as the fediverse uses them (draft-cavage-http-signatures-12,
`rsa-sha256`, with a `Digest: SHA-256=` header on POST), written here: the maintained Python
libraries implement RFC 9421, which Mastodon does not speak (decision 0095)."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNED_ON_POST = ("(request-target)", "host", "date", "digest")
SIGNED_ON_GET = ("(request-target)", "host", "date")
_PARAM = re.compile(r'(\w+)="([^"]*)"')


class BadSignature(Exception):
    """Why a request's signature is refused (the 401's body)."""


def key_pair() -> tuple[str, str]:
    """A new 2048-bit RSA key pair as PEM text: (private, public)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def digest_matches(header: str, body: bytes) -> bool:
    """Whether a `Digest` header (RFC 3230: `SHA-256=…`, the name in any case, perhaps among
    others) or a `Content-Digest` (RFC 9530: `sha-256=:…:`) is the body's SHA-256."""
    wanted = digest(body).split("=", 1)[1]
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "sha-256" and value.strip(":") == wanted:
            return True
    return False


def http_date(when: datetime | None = None) -> str:
    return format_datetime(when or datetime.now(UTC), usegmt=True)


def sign(*, method: str, url: str, key_id: str, private_pem: str, body: bytes | None = None,
         when: datetime | None = None) -> dict[str, str]:  # fmt: skip
    """The headers that sign this request: Host, Date, (Digest) and Signature."""
    parts = urlsplit(url)
    headers = {"host": parts.netloc, "date": http_date(when)}
    names: tuple[str, ...] = SIGNED_ON_GET
    if body is not None:
        headers["digest"] = digest(body)
        names = SIGNED_ON_POST
    target = f"{method.lower()} {parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    text = _signing_text(names, {**headers, "(request-target)": target})
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    value = base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256()))
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{value.decode()}"'
    )
    return {name.title(): value for name, value in headers.items()}


@dataclass(frozen=True)
class Parsed:
    key_id: str
    headers: tuple[str, ...]
    signature: bytes
    raw: str


def parse(header: str) -> Parsed:
    params = dict(_PARAM.findall(header or ""))
    if not params.get("keyId") or not params.get("signature"):
        raise BadSignature("The request is not signed (an HTTP Signature with a keyId).")
    algorithm = params.get("algorithm", "rsa-sha256").lower()
    if algorithm not in ("rsa-sha256", "hs2019"):
        raise BadSignature(f"The signature algorithm {algorithm!r} is not accepted.")
    names = tuple(params.get("headers", "date").lower().split())
    try:
        value = base64.b64decode(params["signature"], validate=True)
    except ValueError:
        raise BadSignature("The signature is not base64.") from None
    return Parsed(key_id=params["keyId"], headers=names, signature=value, raw=header)


def verify(parsed: Parsed, *, method: str, target: str, headers: dict[str, str],
           public_pem: str) -> None:  # fmt: skip
    """Raises BadSignature unless the signature over the named headers is the key's.
    `headers`: the request's, by lower-case name; `target`: its path and query."""
    required = SIGNED_ON_POST if method.upper() == "POST" else SIGNED_ON_GET
    missing = [name for name in required if name not in parsed.headers]
    if missing:
        raise BadSignature(f"The signature must cover {', '.join(missing)}.")
    values = {**headers, "(request-target)": f"{method.lower()} {target}"}
    absent = [name for name in parsed.headers if name not in values]
    if absent:
        raise BadSignature(f"The signed header {absent[0]} is missing.")
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
    except ValueError:
        raise BadSignature("The actor's public key cannot be read.") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadSignature("The actor's key is not an RSA key.")
    text = _signing_text(parsed.headers, values)
    try:
        key.verify(parsed.signature, text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise BadSignature("The signature does not match the actor's key.") from None


def date_within(value: str, *, seconds: int, now: datetime | None = None) -> bool:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return False
    if when.tzinfo is None:
        return False
    return abs(((now or datetime.now(UTC)) - when).total_seconds()) <= seconds


def _signing_text(names: tuple[str, ...], values: dict[str, str]) -> str:
    return "\n".join(f"{name}: {values[name]}" for name in names)

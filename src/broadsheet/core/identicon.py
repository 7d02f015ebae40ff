"""Identicons drawn locally: a symmetric 5×5 pattern in one hue, as SVG.

The key is an HMAC of the person's email (or account id) under the site's secret, so the image
is stable for a person but, unlike a Gravatar hash, cannot be reversed into their address.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from django.conf import settings


def identicon_key(identity: str) -> str:
    return _key(settings.SECRET_KEY, identity.strip().lower())


@functools.lru_cache(maxsize=4096)
def _key(secret: str, normalised: str) -> str:
    # Asked for every comment of every page rendered: the same writers come back.
    return hmac.new(secret.encode(), normalised.encode(), hashlib.sha256).hexdigest()[:16]


def identicon_svg(key: str, *, size: int = 80) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    cell = size // 5
    rects = []
    for row in range(5):
        for col in range(3):
            if digest[2 + row * 3 + col] % 2 == 0:
                continue
            for x in {col, 4 - col}:
                rects.append(
                    f'<rect x="{x * cell}" y="{row * cell}" width="{cell}" height="{cell}"/>'
                )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="identicon">'
        f'<rect width="{size}" height="{size}" fill="hsl({hue} 30% 92%)"/>'
        f'<g fill="hsl({hue} 55% 40%)">{"".join(rects)}</g></svg>'
    )

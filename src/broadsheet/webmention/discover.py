"""Finding a page's Webmention endpoint (W3C Webmention 3.1.2): an HTTP `Link` header with
rel "webmention" first, then the first `<link>` or `<a>` element with that rel in the HTML;
a relative address is resolved against the page's address after redirects, and an empty one
is the page itself. `rel` holds a list of values, in any case; a Link header may hold
several links, and several headers."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from broadsheet.core.safefetch import Answer
from broadsheet.webmention.parse import document

# One link of a Link header: <address> then its parameters, up to the next comma outside quotes.
_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[^;,"=]+(?:=(?:"[^"]*"|[^;,]*))?)*)')
_REL = re.compile(r';\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))', re.IGNORECASE)


def endpoint(answer: Answer) -> str | None:
    """The endpoint's absolute address, or None when the page has none."""
    found = _from_header(answer.header("link"))
    if found is None and _is_html(answer):
        found = _from_html(answer.body, answer.url)
    if found is None:
        return None
    return urljoin(answer.url, found)


def _from_header(header: str) -> str | None:
    for match in _LINK.finditer(header):
        for rel in _REL.finditer(match.group(2)):
            if "webmention" in (rel.group(1) or rel.group(2) or "").lower().split():
                return match.group(1).strip()
    return None


def _is_html(answer: Answer) -> bool:
    kind = answer.header("content-type").split(";", 1)[0].strip().lower()
    return kind in ("", "text/html", "application/xhtml+xml")


def _from_html(body: bytes, url: str) -> str | None:
    tree = document(body, url)
    if tree is None:
        return None
    for element in tree.iter("link", "a"):
        rels = (element.get("rel") or "").lower().split()
        if "webmention" in rels and element.get("href") is not None:
            return element.get("href").strip()
    return None

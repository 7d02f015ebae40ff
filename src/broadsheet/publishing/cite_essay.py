""" "Cite this essay": the essay itself as a reference, pinned to the version being read (its
permanent address, …/slug/v/N/, and that version's date), in the site's citation style, APA
and MLA (through publishing.csl) and as BibTeX, RIS and CSL-JSON (publishing.bibformats).

Each styled form is formatted once per item and style and kept in the cache: citeproc takes
15-50 ms a style, and the item changes only with a new version, title or author name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from broadsheet.core.memo import Kept
from broadsheet.core.models import SiteSettings
from broadsheet.publishing import csl
from broadsheet.publishing.bibformats import to_bibtex, to_ris
from broadsheet.publishing.citations import parse_name, reference_key
from broadsheet.publishing.citing import site_style
from broadsheet.publishing.csl_json import reference_to_csl
from broadsheet.publishing.models import Post, Reference
from broadsheet.publishing.revisions import version_url

_CACHE_SECONDS = 30 * 86400


@dataclass(frozen=True)
class CiteForm:
    label: str
    slug: str  # the element's id: cite-<slug>
    html: SafeString  # a styled citation's HTML, or the text of a plain one (escaped)
    plain: bool


_NO_BOX = mark_safe("")


@dataclass(frozen=True)
class EssayCitation:
    version: int
    day: str  # the version's date, ISO
    url: str  # its permanent address, absolute
    item: dict[str, Any]  # the CSL-JSON item
    forms: list[CiteForm]
    html: SafeString = _NO_BOX  # the whole box (publishing/_cite_essay.html)


def _person(author: Any) -> dict[str, str]:
    """A writer as a CSL name: their account's family and given names when they gave them,
    else their public name read as "Given Family" (an organisation's single name whole)."""
    if getattr(author, "last_name", ""):
        return {"family": author.last_name, "given": author.first_name}
    words = str(author.display_name).split()
    if len(words) < 2:
        return parse_name(str(author.display_name))
    return {"family": words[-1], "given": " ".join(words[:-1])}


def essay_reference(*, post: Post, authors: Sequence[Any], version: int, at: datetime) -> Reference:
    """The essay at `version` as an (unsaved) Reference: a blog post in the site."""
    site = SiteSettings.current().shown_title
    reference = Reference(
        kind=Reference.Kind.BLOG_POST,
        title=post.title,
        contributors={"author": [_person(a) for a in authors]} if authors else {},
        container_title=site,
        issued=timezone.localdate(at).isoformat(),
        url=f"{settings.SITE_URL}{version_url(post, version)}",
        note=f"Version {version}.",
    )
    reference.key = reference_key(reference)
    return reference


# The box is the same for the same essay, version, names, site, style and language: each web
# process keeps the last few it made, with their HTML, so a page render makes none of it.
_BOXES: Kept[tuple[Any, ...], EssayCitation] = Kept(256)


def essay_citation(
    *, post: Post, authors: Sequence[Any], version: int, at: datetime
) -> EssayCitation:
    """ "Cite this essay" for `version` of `post`, published `at`, with the box's HTML."""
    key = (
        post.pk, post.title, version_url(post, version), version, timezone.localdate(at),
        tuple(tuple(sorted(_person(a).items())) for a in authors),
        SiteSettings.current().title, settings.SITE_NAME, settings.SITE_URL, get_language(),
        site_style(),
    )  # fmt: skip
    found = _BOXES.get(key)
    if found is None:
        found = _made(post=post, authors=authors, version=version, at=at)
        html = render_to_string("publishing/_cite_essay.html", {"cite": found})
        found = replace(found, html=mark_safe(html))
        _BOXES.put(key, found)
    return found


def _made(*, post: Post, authors: Sequence[Any], version: int, at: datetime) -> EssayCitation:
    reference = essay_reference(post=post, authors=authors, version=version, at=at)
    item = reference_to_csl(reference)
    item.pop("note", None)  # the version is CSL's own variable (MLA prints "Version 2")
    item["version"] = str(version)
    own = site_style()
    styles = [own] + [s for s in ("apa", "modern-language-association") if s != own]
    forms = [
        CiteForm(
            (
                # Translators: a citation style's name, e.g. "Chicago (this site’s style)".
                gettext("%(style)s (this site’s style)") % {"style": csl.STYLES[s]}
                if s == own
                else csl.STYLES[s]
            ),
            s,
            _styled(item, s),
            False,
        )
        for s in styles
    ]
    forms += [
        CiteForm("BibTeX", "bibtex", _text(to_bibtex([reference])), True),
        CiteForm("RIS", "ris", _text(to_ris([reference])), True),
        CiteForm(
            "CSL-JSON", "csl-json", _text(json.dumps(item, ensure_ascii=False, indent=2)), True
        ),
    ]
    return EssayCitation(version, reference.issued, reference.url, item, forms)


def pinned_citation(
    *, post: Post, authors: Sequence[Any], version: int, published: datetime | None
) -> EssayCitation | None:
    """ "Cite this essay" for version `version` of a public essay (none for pages, drafts and
    private posts), `published` being when that version was published. Version 1 is dated as
    the essay was first published: an imported essay's first version is taken on import."""
    if post.is_page or not post.is_public or not version:
        return None
    at = post.published_at if version == 1 and post.published_at else published
    if at is None:
        return None
    return essay_citation(post=post, authors=authors, version=version, at=at)


# The same item in the same style is the same HTML: each web process keeps the last few it
# made or read, so a page render reads no cache file for them (three per essay page).
_STYLED: Kept[str, str] = Kept(512)


def _styled(item: dict[str, Any], style: str) -> SafeString:
    """The item in `style`, as citeproc's HTML (it escapes every value of the item), in the
    page's language: the reader copies it into their own writing."""
    locale = csl.locale_for(get_language() or "en")
    named = [item, style] if locale == csl.DEFAULT_LOCALE else [item, style, locale]
    digest = hashlib.sha256(json.dumps(named, sort_keys=True).encode()).hexdigest()
    key = f"cite-essay:{digest[:40]}"
    html = _STYLED.get(key)
    if html is None:
        html = cache.get(key)
        if html is None:
            html = (csl.format_bibliography([item], style, locale) or [""])[0]
            cache.set(key, html, _CACHE_SECONDS)
        _STYLED.put(key, html)
    return mark_safe(html)


def _text(text: str) -> SafeString:
    """Text for the inside of a `<pre>`: only `&`, `<` and `>` mean anything there, so quotes
    stay quotes (CSL-JSON has dozens; the page's weight is a target)."""
    plain = text.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return mark_safe(plain)

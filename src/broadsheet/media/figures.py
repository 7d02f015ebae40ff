"""Library images in an essay's Markdown, rendered as figures (decision 0041).

A library image is written as a Markdown image on a line of its own, addressed by its file's
own address (what the studio's picker offers):

    ![A lighthouse at dusk](/media/library/2026/12/lighthouse.jpg "The light at Skerrow Point")

so the text still means the same in an export or another Markdown tool. On render every such
image whose address names a library file (…/media/library/… or an import's …/media/imports/…,
whatever the host: local disk, an S3 bucket or its public domain) becomes a <figure>: <picture> with a WebP srcset, an <img>
with the original format's srcset, sizes, width, height, lazy loading and the alt text, and a
<figcaption> with the caption and the credit. The Markdown's own alt text and title (the
caption) win; the library's fill what the Markdown leaves blank; the credit is the library's.
All the images of one render are looked up in one query. Anything else stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from django.utils.html import escape
from markdown_it.token import Token

from broadsheet.media.models import FOLDER, MediaItem

SIZES = "(min-width: 44rem) 39rem, 100vw"  # the column of text (--measure), else the screen
# The library's uploads, and the images an import copied (decision 0026), which join it.
_LIBRARY_PATH = re.compile(rf"/media/((?:{FOLDER}|imports)/[^?#]+)$")


def library_name(url: str) -> str | None:
    """The storage name an address points at, if it is a library file's."""
    match = _LIBRARY_PATH.search(unquote(urlsplit(url.strip()).path))
    return match.group(1) if match else None


class LibraryImages:
    """One render's library images: found in the tokens (and any extra addresses, such as the
    featured image), fetched in one query, turned into HTML."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.extra = [url for url in extra if url]
        self.items: dict[str, MediaItem] = {}
        self.looked_up: set[str] = set()

    def transform(self, tokens: list[Token]) -> list[Token]:
        """The hook core.markdown.render_markdown calls: lone library images → figures."""
        found = list(_lone_images(tokens))
        self._fetch([str(image.attrGet("src") or "") for _, image in found])
        result: list[Token] = []
        skip: set[int] = set()
        replaced = {}
        for index, image in found:
            item = self.get(str(image.attrGet("src") or ""))
            if item is not None:
                replaced[index] = _figure(item, image)
        for index, token in enumerate(tokens):
            if index in skip:
                continue
            if index in replaced:
                block = Token("html_block", "", 0, content=replaced[index], map=token.map)
                result.append(block)
                skip.update({index + 1, index + 2})
                continue
            result.append(token)
        return result

    def get(self, url: str) -> MediaItem | None:
        name = library_name(url)
        return self.items.get(name) if name else None

    def featured_html(self, url: str) -> str:
        """The featured image as an <img> with its srcset, when it is a library image."""
        self._fetch([url])
        item = self.get(url)
        if item is None:
            return ""
        return _picture(item, alt=item.alt_text, eager=True)

    def _fetch(self, urls: list[str]) -> None:
        """Look up the library files these addresses (and the extra ones) name, once."""
        names = {n for n in (library_name(u) for u in [*urls, *self.extra]) if n}
        names -= self.looked_up
        if names:
            self.looked_up |= names
            found = MediaItem.objects.filter(file__in=names)
            self.items.update({item.file.name: item for item in found})


def _lone_images(tokens: list[Token]) -> Iterable[tuple[int, Token]]:
    """(index of paragraph_open, the image) for each paragraph that is one image alone."""
    for index in range(len(tokens) - 2):
        opening, inline = tokens[index], tokens[index + 1]
        if opening.type != "paragraph_open" or inline.type != "inline":
            continue
        children = [c for c in inline.children or () if c.type != "text" or c.content.strip()]
        if len(children) == 1 and children[0].type == "image":
            yield index, children[0]


def _alt(image: Token) -> str:
    return " ".join("".join(c.content for c in image.children or ()).split())


def _figure(item: MediaItem, image: Token) -> str:
    caption = str(image.attrGet("title") or "").strip() or item.caption
    parts: list[str] = []
    if caption:
        parts.append(escape(caption))
    if item.credit:
        parts.append(f'<small class="credit">{escape(item.credit)}</small>')
    figcaption = f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""
    picture = _picture(item, alt=_alt(image) or item.alt_text, eager=False)
    return f'<figure class="media-figure">{picture}{figcaption}</figure>\n'


def _picture(item: MediaItem, *, alt: str, eager: bool) -> str:
    loading = 'fetchpriority="high"' if eager else 'loading="lazy"'
    srcset = item.srcset(item.mime_type)
    own = f' srcset="{escape(srcset)}" sizes="{SIZES}"' if srcset else ""
    img = (
        f'<img src="{escape(item.url)}"{own} width="{item.width}" height="{item.height}" '
        f'alt="{escape(alt)}" {loading} decoding="async">'
    )
    webp = item.srcset("image/webp") if item.mime_type != "image/webp" else ""
    if not webp:
        return img
    source = f'<source type="image/webp" srcset="{escape(webp)}" sizes="{SIZES}">'
    return f"<picture>{source}{img}</picture>"


_SOURCE = re.compile(r"<source\b[^>]*>|</?picture>")
_RESPONSIVE = re.compile(r'\s(?:srcset|sizes|loading|decoding|fetchpriority)="[^"]*"')
_IMG_SIZE = re.compile(r'<img\b([^>]*?)\swidth="(\d+)" height="(\d+)"')
EMAIL_WIDTH = 600  # the column most email clients lay out


def figures_for_email(markup: str) -> str:
    """Figures as email clients show them: the <img> alone (most ignore <picture>, srcset
    and lazy loading), no wider than an email's column."""

    def narrower(match: re.Match[str]) -> str:
        width, height = int(match.group(2)), int(match.group(3))
        if width > EMAIL_WIDTH:
            width, height = EMAIL_WIDTH, max(1, round(height * EMAIL_WIDTH / width))
        return f'<img{match.group(1)} width="{width}" height="{height}"'

    markup = _RESPONSIVE.sub("", _SOURCE.sub("", markup))
    return _IMG_SIZE.sub(narrower, markup)

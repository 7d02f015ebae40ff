"""The images of an imported site that still live at the old site's addresses.

Without `--media download` they are only counted, and the report says how many posts show
images from which old hosts. With it, each image (an <img>, a Markdown image, a figure's link
to the full-size file, a featured image) on an old host is fetched through importers.fetch and
stored in MEDIA storage under imports/<host>/, named by a hash of its old address, and every
occurrence of the old address in the post is rewritten. There is no media library yet, so the
files are plain MEDIA files (decision 0026). The same address is fetched once per run, and a
file already stored by an earlier run is reused without fetching it again.

Downloads happen outside the database transactions (`prepare`), so a slow old site never holds
the database's write lock.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify

from broadsheet.importers.fetch import FORMATS, FetchRefused, Limits, fetch_image
from broadsheet.importers.progress import ImportReport

FOLDER = "imports"
_URL = re.compile(r"""https?://[^\s"'<>()\[\]\\]+""", re.I)
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


@dataclass
class OldSiteImages:
    hosts: set[str]  # the old site's hosts, without "www."
    attachment_urls: set[str]  # files the export lists (an image whatever its extension)
    report: ImportReport
    download: bool = False
    dry_run: bool = False
    limits: Limits | None = None
    copied: dict[str, str] = field(default_factory=dict)  # old address → address here
    refused: dict[str, str] = field(default_factory=dict)  # old address → why not
    left: dict[str, set[str]] = field(default_factory=dict)  # old address → posts showing it

    @classmethod
    def for_site(
        cls,
        *,
        site_urls: Iterable[str],
        attachment_urls: Iterable[str],
        report: ImportReport,
        download: bool,
        dry_run: bool,
    ) -> OldSiteImages:
        urls = {u for u in attachment_urls if u}
        hosts = {_host(u) for u in [*site_urls, *urls] if _host(u)}
        # WordPress.com's own name is not the blog's host: its images are on the blog's.
        hosts.discard("wordpress.com")
        return cls(
            hosts=hosts,
            attachment_urls=urls,
            report=report,
            download=download,
            dry_run=dry_run,
            limits=Limits.from_settings() if download else None,
        )

    def found(self, text: str) -> list[str]:
        """Addresses of images on the old hosts in a post's Markdown (or a single address)."""
        seen: dict[str, None] = {}
        # Already copied here: on the same domain as the old site, never fetched again.
        here = settings.SITE_URL.rstrip("/") + settings.MEDIA_URL
        for match in _URL.finditer(text):
            url = match.group(0).rstrip(".,;:!?")
            if _host(url) not in self.hosts or url.startswith(here):
                continue
            plain = html.unescape(url)
            if plain in self.attachment_urls or urlsplit(plain).path.lower().endswith(
                _IMAGE_EXTENSIONS
            ):
                seen[url] = None
        return list(seen)

    def prepare(self, texts: Iterable[str]) -> None:
        """Copy the images these texts show (outside any transaction): --media download."""
        if not self.download or self.dry_run:
            return
        for text in texts:
            for url in self.found(text):
                if url not in self.copied and url not in self.refused:
                    self._copy(url)

    def rewrite(self, text: str) -> str:
        """The text with every copied image's old address replaced by its address here: a
        full one (SITE_URL and the storage's URL), as WordPress writes them, so feeds and a
        WXR export show the images wherever they are read."""
        # Longest first: "photo.jpg?w=300" is rewritten before "photo.jpg" can cut into it.
        for url in sorted(self.found(text), key=len, reverse=True):
            here = self.copied.get(url)
            if here is not None:
                if here.startswith("/"):
                    here = settings.SITE_URL.rstrip("/") + here
                text = text.replace(url, here)
        return text

    def shown(self, text: str, *, post: str) -> None:
        """Note the old images a post still shows once it is written, for the report."""
        for url in self.found(text):
            self.left.setdefault(url, set()).add(post)

    def finish(self) -> None:
        for url, why in self.refused.items():
            self.report.warn(url, f"this image was not copied ({why}); it stays at that address")
        if not self.left:
            return
        posts = len(set().union(*self.left.values()))
        hosts = ", ".join(sorted({_host(u) for u in self.left}))
        count = f"{len(self.left):,} image{'s' if len(self.left) != 1 else ''}"
        if self.download and self.dry_run:
            self.report.notes.append(
                f"{count} in {posts:,} post(s) would be copied here from {hosts} "
                "(a dry run fetches nothing)."
            )
        elif not self.download:
            self.report.notes.append(
                f"{count} in {posts:,} post(s) are still shown from the old site ({hosts}): "
                "they disappear when it does. `--media download` copies them into this "
                "site's media and rewrites their addresses."
            )

    def _copy(self, url: str) -> None:
        assert self.limits is not None
        name = self._stored(url)
        if name is None:
            try:
                fetched = fetch_image(html.unescape(url), limits=self.limits)
            except FetchRefused as why:
                self.refused[url] = str(why)
                return
            name = default_storage.save(
                f"{self._stem(url)}.{fetched.extension}", ContentFile(fetched.data)
            )
            self.report.add("images")
        else:
            self.report.add("images", new=False)
        self.copied[url] = default_storage.url(name)

    def _stem(self, url: str) -> str:
        """imports/<host>/<hash of the address>-<its file name>: the same address always gets
        the same name, and no name from the file can reach outside the folder."""
        digest = hashlib.sha256(url.encode()).hexdigest()[:16]
        path = unquote(urlsplit(html.unescape(url)).path)
        base = slugify(path.rsplit("/", 1)[-1].rsplit(".", 1)[0], allow_unicode=False)[:60]
        host = slugify(_host(url).replace(".", "-"))[:80] or "old-site"
        return f"{FOLDER}/{host}/{digest}-{base or 'image'}"

    def _stored(self, url: str) -> str | None:
        stem = self._stem(url)
        for extension in FORMATS.values():
            if default_storage.exists(f"{stem}.{extension}"):
                return f"{stem}.{extension}"
        return None

"""Which post here a comment thread from elsewhere belongs to, found from the address it had
(its permalink, a page path, or an old address kept as a redirect) or from the WordPress post id
a Disqus thread identifier carries ("42 http://old.example/?p=42"). Nothing is ever created:
a thread that matches no post is the caller's to report.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from django.urls import Resolver404, resolve

from broadsheet.core.webaddress import is_web_address
from broadsheet.importers.models import ImportedObject
from broadsheet.importers.progress import ImportReport
from broadsheet.publishing.models import Post, PostRedirect

# The WordPress Disqus plugin's thread identifier: the post id, a space, its short link.
_WORDPRESS_IDENTIFIER = re.compile(r"^\s*(\d+)\s+(https?://\S+)\s*$")
_COMMENT_PAGE = re.compile(r"/comment-page-\d+/?$")


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


class PostFinder:
    """Answers are remembered: a file names the same address once per comment."""

    def __init__(self) -> None:
        self._by_address: dict[str, int | None] = {}
        self._wordpress_sources: dict[str, list[str]] | None = None

    def by_address(self, address: str) -> int | None:
        """The post at an address (absolute URL or path) of this site or of the old one."""
        address = address.strip()
        if not address.startswith("/") and not is_web_address(address):
            return None
        if address not in self._by_address:
            self._by_address[address] = self._find(address)
        return self._by_address[address]

    def by_wordpress_identifier(self, identifier: str) -> int | None:
        """The post a WordPress import here made from the post id in a Disqus identifier."""
        match = _WORDPRESS_IDENTIFIER.match(identifier)
        if match is None:
            return None
        wordpress_id, url = match.groups()
        sources = self._sources_by_host().get(_host(url), [])
        if not sources:
            return None
        found = (
            ImportedObject.objects.filter(source__in=sources, kind="post", source_id=wordpress_id)
            .values_list("object_id", flat=True)
            .first()
        )
        if found is None or not Post.objects.filter(pk=found).exists():
            return None
        return found

    def _sources_by_host(self) -> dict[str, list[str]]:
        if self._wordpress_sources is None:
            self._wordpress_sources = {}
            for source in (
                ImportedObject.objects.filter(kind="post", source__startswith="wordpress:")
                .values_list("source", flat=True)
                .distinct()
            ):
                host = _host(source.removeprefix("wordpress:"))
                self._wordpress_sources.setdefault(host, []).append(source)
        return self._wordpress_sources

    def _find(self, address: str) -> int | None:
        parts = urlsplit(address)
        path = unquote(parts.path) or "/"
        found = self._current(path)
        if found is not None:
            return found
        old = [path + (f"?{parts.query}" if parts.query else "")]
        old.append(path[:-1] if path.endswith("/") and len(path) > 1 else path + "/")
        if parts.query:
            old.append(path)
        for old_path in old:
            found = (
                PostRedirect.objects.filter(old_path=old_path[:500])
                .values_list("post_id", flat=True)
                .first()
            )
            if found is not None:
                return found
        return None

    def _current(self, path: str) -> int | None:
        """A post's or page's own address here (its date is not checked: slugs are unique)."""
        try:
            match = resolve(path if path.endswith("/") else path + "/")
        except Resolver404:
            return None
        if match.view_name in ("publishing:post", "publishing:post_comment_page"):
            return (
                Post.objects.filter(kind=Post.Kind.POST, slug=match.kwargs["slug"])
                .values_list("pk", flat=True)
                .first()
            )
        if match.view_name == "publishing:page":
            page_path = _COMMENT_PAGE.sub("", "/" + match.kwargs["path"].strip("/") + "/")
            slugs = [s for s in page_path.split("/") if s]
            if not slugs:
                return None
            for page in Post.objects.filter(kind=Post.Kind.PAGE, slug=slugs[-1]).select_related(
                "parent__parent__parent"
            ):
                if page.page_path == "/".join(slugs):
                    return page.pk
        return None


def report_no_thread_matched(
    *, report: ImportReport, threads: int, comments: int, matching: str
) -> None:
    """When comments were left out only because no thread is a post here, the report says that
    first, and how threads are matched, instead of a bare "nothing to change"."""
    if report.imported or report.unchanged or not threads:
        return
    nothing = "Nothing would be imported" if report.dry_run else "Nothing was imported"
    report.headline = (
        f"{nothing}: none of the {threads:,} thread{'s' if threads != 1 else ''} with comments "
        f"in the file ({comments:,} comment{'s' if comments != 1 else ''}) matched a post here."
    )
    report.notes.append(
        f"{matching} Each thread is listed below with its address: import the posts first "
        "(`broadsheet import wordpress`), or publish them at those addresses, then run this "
        "import again."
    )

"""Writing imported records: id mapping for idempotency, threaded comments in bulk, and the
denormalised data (counts, threads, search, archive list) put right after bulk writes.

Every importer (WordPress, Disqus, Isso) turns its file into `CommentRecord`s and calls
`CommentWriter`, so threading, statuses and counts behave the same whatever the source.
"""

from __future__ import annotations

import html
import ipaddress
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from broadsheet.core.markdown import render_comment_markdown
from broadsheet.core.sanitize import clean_comment_html, without_nul
from broadsheet.core.webaddress import NotAWebAddress, web_address
from broadsheet.discussion.models import Comment
from broadsheet.importers.models import ImportedObject
from broadsheet.importers.progress import ImportReport
from broadsheet.publishing.models import Post

MAX_NAME, MAX_EMAIL, MAX_URL, MAX_AGENT = 245, 100, 200, 254
_BLANK_LINES = re.compile(r"\n\s*\n")
_BLOCK_START = re.compile(r"<(?:p|div|blockquote|pre|ul|ol|dl|table|h[1-6])\b", re.I)


class Mapping:
    """Source ids → ids here for one source, read from and written to ImportedObject."""

    # Up to this many remembered records of a kind are read at once, after which the kind
    # needs no more lookups; a larger history is looked up a batch at a time (bounded memory).
    PRELOAD_LIMIT = 500_000

    def __init__(self, source: str) -> None:
        self.source = source
        self._known: dict[str, dict[str, int]] = {}  # kind → source id → our id
        self._complete: set[str] = set()  # kinds wholly in _known
        self._absent: dict[str, set[str]] = {}  # ids asked about and known not to be there

    def _kind(self, kind: str) -> dict[str, int]:
        return self._known.setdefault(kind, {})

    def load(self, kind: str) -> None:
        """Read every mapping of a kind at once if there are not too many; then an id that is
        not here is new, without asking the database."""
        remembered = ImportedObject.objects.filter(source=self.source, kind=kind)
        if remembered.count() > self.PRELOAD_LIMIT:
            return
        self._kind(kind).update(remembered.values_list("source_id", "object_id"))
        self._complete.add(kind)

    def get(self, kind: str, source_id: str) -> int | None:
        return self.get_many(kind, [source_id]).get(str(source_id))

    def get_many(self, kind: str, source_ids: Iterable[str]) -> dict[str, int]:
        known = self._kind(kind)
        wanted = [str(s) for s in source_ids]
        absent = self._absent.setdefault(kind, set())
        missing = (
            []
            if kind in self._complete
            else sorted({s for s in wanted if s not in known and s not in absent})
        )
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            found = dict(
                ImportedObject.objects.filter(
                    source=self.source, kind=kind, source_id__in=chunk
                ).values_list("source_id", "object_id")
            )
            known.update(found)
            absent.update(s for s in chunk if s not in found)
        return {s: known[s] for s in wanted if s in known}

    def forget(self, kind: str) -> None:
        """Drop what is held for a kind (it stays in the database), so memory does not grow
        with the file; lookups of that kind go to the database again."""
        self._known.pop(kind, None)
        self._absent.pop(kind, None)
        self._complete.discard(kind)

    def stand_in(self, kind: str, source_id: str) -> None:
        """A dry run's placeholder, so later records still find what they refer to."""
        self._kind(kind)[str(source_id)] = -1
        self._absent.get(kind, set()).discard(str(source_id))

    def remember(self, kind: str, source_id: str, object_id: int) -> None:
        self.remember_many(kind, [(str(source_id), object_id)])

    def remember_many(self, kind: str, pairs: list[tuple[str, int]]) -> None:
        ImportedObject.objects.bulk_create(
            (
                ImportedObject(source=self.source, kind=kind, source_id=s, object_id=o)
                for s, o in pairs
            ),
            batch_size=1000,
        )
        self._kind(kind).update(pairs)
        self._absent.get(kind, set()).difference_update(s for s, _ in pairs)


@dataclass
class CommentRecord:
    source_id: str
    post_id: int  # the post here
    parent_source_id: str | None
    body: str  # as the source holds it: plain text, or WordPress's limited HTML
    created_at: datetime
    status: str = Comment.Status.APPROVED
    kind: str = Comment.Kind.COMMENT
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    user_id: int | None = None
    where: str = ""  # for messages: "item 12, comment 101"
    # "auto": Markdown unless the text holds HTML; "wordpress": WordPress's comment text,
    # shown as WordPress shows it (paragraphs, line breaks, bare links; no Markdown).
    markup: str = "auto"  # or "markdown": always our comment Markdown (Isso)
    # Deleted at the source but kept there for its replies: stored as our tombstone
    # ("This comment was deleted."); one left with no replies after the import is removed.
    removed: bool = False
    children: list[CommentRecord] = field(default_factory=list)


def comment_html(body: str, markup: str = "auto") -> tuple[str, str]:
    """(source kept for editing, rendered HTML). Plain text is rendered as our comments are;
    text with HTML (WordPress allows a few tags) is sanitised, blank lines made paragraphs."""
    body = without_nul(body).replace("\r\n", "\n").strip()
    if markup == "markdown" or (markup == "auto" and "<" not in body and "&" not in body):
        return body, render_comment_markdown(body)
    body_text = html.escape(body, quote=False) if "<" not in body else body
    paragraphs = [p.strip() for p in _BLANK_LINES.split(body_text) if p.strip()]
    rendered = "".join(
        p if _BLOCK_START.match(p) else f"<p>{_link_bare_urls(p).replace(chr(10), '<br>')}</p>"
        for p in paragraphs
    )
    return body, clean_comment_html(rendered)


_BARE_URL = re.compile(r"(?<![\"'=>/])\bhttps?://[^\s<>\"']+")


def _link_bare_urls(text: str) -> str:
    """WordPress's make_clickable, roughly: bare http(s) addresses outside tags become links."""
    if "http" not in text or "<a " in text:
        return text

    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        trail = ""
        while url and url[-1] in ".,;:!?)":
            trail = url[-1] + trail
            url = url[:-1]
        return f'<a href="{url}">{url}</a>{trail}'

    return _BARE_URL.sub(link, text)


def clean_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def checked_address(
    value: str, *, report: ImportReport, where: str, what: str, max_length: int = MAX_URL
) -> str:
    """An address from a file, through the same check as the forms'; one that fails is left
    out with a line in the report (never stored, never silently)."""
    try:
        return web_address(without_nul(value), max_length=max_length)
    except NotAWebAddress as why:
        shown = repr(value) if len(value) <= 60 else repr(value[:57]) + "…"
        report.warn(where, f"{what} {shown} was left out: {why}")
        return ""


def plain(value: str, limit: int) -> str:
    return html.unescape(without_nul(value)).strip()[:limit]


class CommentWriter:
    """Writes comments for one source in bulk, parents before replies, each exactly once.

    A reply whose parent has not been written yet waits for it; `finish()` writes the ones
    whose parent never came as top-level comments, with a warning naming them.
    """

    def __init__(self, mapping: Mapping, report: ImportReport, *, dry_run: bool) -> None:
        self.mapping = mapping
        self.report = report
        self.dry_run = dry_run
        self.waiting: dict[str, list[CommentRecord]] = {}
        self.touched_posts: set[int] = set()
        self.written = 0  # comments stored so far
        self._seen: set[str] = set()

    def add(self, records: list[CommentRecord]) -> None:
        """Write what can be written now (one batch; the caller holds the transaction)."""
        ready: list[CommentRecord] = []
        known = self.mapping.get_many("comment", [r.source_id for r in records])
        parents = self.mapping.get_many(
            "comment", [r.parent_source_id for r in records if r.parent_source_id]
        )
        for record in records:
            if record.source_id in self._seen:
                self.report.skip(record.where, f"comment {record.source_id} appears twice")
                continue
            self._seen.add(record.source_id)
            if record.source_id in known:
                self.report.add("comments", new=False)
                continue
            parent = record.parent_source_id
            if parent and parent not in parents and parent not in self._seen:
                self.waiting.setdefault(parent, []).append(record)
                continue
            ready.append(record)
        self._write(ready)

    def forget_seen(self) -> None:
        """Duplicates are then caught by the database's memory of ids instead of this set
        (for sources that keep each thread together, so memory stays flat)."""
        self._seen.clear()

    def finish(self) -> None:
        """Write the replies still waiting: those whose parent never came become top-level
        comments (with a warning); the others follow their parents as usual."""
        waiting = [r for rs in self.waiting.values() for r in rs]
        self.waiting = {}
        waiting_ids = {r.source_id for r in waiting}
        known = self.mapping.get_many("comment", [r.parent_source_id or "" for r in waiting])
        for record in waiting:
            parent = record.parent_source_id
            if parent and parent not in waiting_ids and parent not in known:
                self.report.warn(
                    record.where,
                    f"comment {record.source_id} answers comment {parent}, which is not in "
                    "the file; kept as a top-level comment",
                )
                record.parent_source_id = None
        self._write(waiting, finishing=True)

    def _write(self, records: list[CommentRecord], *, finishing: bool = False) -> None:
        while records:
            parents_here = self.mapping.get_many(
                "comment", [r.parent_source_id for r in records if r.parent_source_id]
            )
            parent_rows = {
                c.pk: c
                for c in Comment.objects.filter(pk__in=set(parents_here.values())).only(
                    "pk", "thread_id", "depth", "post_id"
                )
            }
            now_rows: list[tuple[CommentRecord, Comment]] = []
            later: list[CommentRecord] = []
            for record in records:
                parent_row = None
                if record.parent_source_id:
                    parent_pk = parents_here.get(record.parent_source_id)
                    if parent_pk is None:  # its parent is not written yet
                        later.append(record)
                        continue
                    parent_row = parent_rows.get(parent_pk)
                    if parent_row is not None and parent_row.post_id != record.post_id:
                        self.report.warn(
                            record.where,
                            f"comment {record.source_id} answers a comment on another post; "
                            "kept as a top-level comment",
                        )
                        parent_row = None
                now_rows.append((record, self._row(record, parent_row)))
            if not now_rows:
                if not finishing:
                    # Parents still waiting themselves: these wait with them.
                    for record in later:
                        self.waiting.setdefault(record.parent_source_id or "", []).append(record)
                    return
                # Replies that answer each other in a circle: the circle is cut at the top.
                for record in later:
                    self.report.warn(
                        record.where,
                        f"comment {record.source_id} is part of a circle of replies; kept as a "
                        "top-level comment",
                    )
                    record.parent_source_id = None
            else:
                self._store(now_rows)
            records = later

    def _row(self, record: CommentRecord, parent: Comment | None) -> Comment:
        body, body_html = comment_html(record.body, record.markup)
        if record.removed:
            body, body_html = "", ""
        return Comment(
            post_id=record.post_id,
            parent_id=parent.pk if parent else None,
            thread_id=parent.thread_id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            kind=record.kind,
            status=Comment.Status.APPROVED if record.removed else record.status,
            removed=record.removed,
            user_id=record.user_id,
            author_name=plain(record.author_name, MAX_NAME),
            author_email=plain(record.author_email, MAX_EMAIL),
            author_url=plain(record.author_url, MAX_URL),
            ip_address=clean_ip(record.ip_address),
            user_agent=plain(record.user_agent, MAX_AGENT),
            body=body,
            body_html=body_html,
            created_at=record.created_at,
            modified_at=record.created_at,
        )

    def _store(self, rows: list[tuple[CommentRecord, Comment]]) -> None:
        for record, _ in rows:
            self.report.add("comments")
            self.touched_posts.add(record.post_id)
        if self.dry_run:
            # Nothing is written; ids stand in so replies further down still find a parent.
            for record, _ in rows:
                self.mapping.stand_in("comment", record.source_id)
            return
        # A top-level row's thread is set by the database as it is written (decision 0134).
        created = Comment.objects.bulk_create([row for _, row in rows])
        self.mapping.remember_many(
            "comment",
            [(record.source_id, row.pk) for (record, _), row in zip(rows, created, strict=True)],
        )
        self.written += len(created)


def recount_comments(post_ids: Iterable[int]) -> None:
    """Post.comment_count = its approved, not removed comments, Webmention likes and reposts
    left out (discussion.models.counted), after bulk writes."""
    ids = list(post_ids)
    approved = (
        Comment.objects.filter(post=OuterRef("pk"), status=Comment.Status.APPROVED, removed=False)
        .exclude(mention__in=Comment.REACTIONS)
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    from broadsheet.discussion.rendering import refresh_cards, stale_cards

    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        Post.objects.filter(pk__in=chunk).update(comment_count=Coalesce(Subquery(approved), 0))
        # Bulk writes skip Comment.save(): build the stored cards of the approved ones here.
        refresh_cards(stale_cards().filter(post_id__in=chunk).iterator(2000))


def prune_tombstones(post_ids: Iterable[int]) -> int:
    """Imported tombstones nobody answered: the source kept them only for replies it had."""
    deleted = 0
    ids = list(post_ids)
    while True:  # a tombstone answered only by tombstones goes once they have gone
        leaves = Comment.objects.filter(post_id__in=ids, removed=True, replies__isnull=True)
        count, _ = leaves.delete()
        deleted += count
        if not count:
            return deleted


def reindex_posts(post_ids: Iterable[int]) -> None:
    """Search rows for posts whose comments were written in bulk (signals do not see those)."""
    from broadsheet.search.services import search_index_post_comments

    for post_id in post_ids:
        search_index_post_comments(post_id=post_id)


def forget_listings() -> None:
    """An import writes in bulk, past the actions and the signals: any page may show what it
    wrote (new posts, comments under cached posts, the archive list)."""
    from broadsheet.core import effects

    effects.navigation()
    effects.pages(site=True)


@contextmanager
def dry_run_rollback(dry_run: bool) -> Iterator[None]:
    """A dry run does all the work in one transaction and rolls it back: the report is what a
    real run would say, and nothing stays."""
    if not dry_run:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)

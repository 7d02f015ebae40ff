"""`broadsheet import disqus FILE.xml`: the comments of a Disqus export onto the posts here.

A Disqus export is one `<disqus xmlns="http://disqus.com">` document: `<category>`s, then
`<thread>`s (one per page Disqus saw, with its `<link>` and its `<id>` identifier), then
`<post>`s (the comments, each naming its thread and perhaps its parent by `dsq:id`). The file
is read once as a stream and its elements freed as they are read, so memory stays bounded
whatever its size. Each thread is matched to a post here by its identifier (a WordPress post
id an earlier `import wordpress` remembered) or its address; no post is ever created, and the
comments of a thread that matches nothing are skipped and counted in the report.

Comments are written in batches, each in its own transaction with its posts' counts, so an
interruption leaves whole batches; each comment is remembered by its Disqus id under
`disqus:<forum>`, so a second run (or a newer export) writes only what is new.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.importers.addresses import PostFinder, report_no_thread_matched
from broadsheet.importers.batches import CommentBatches
from broadsheet.importers.progress import CountingReader, ImportProblem, ImportReport, Progress
from broadsheet.importers.safexml import iterparse, read_prologue, refuse_declarations
from broadsheet.importers.writing import CommentRecord, dry_run_rollback

NS = "http://disqus.com"
DSQ = "http://disqus.com/disqus-internals"
BATCH = 1000
_ID = f"{{{DSQ}}}id"
MATCHING = (
    "A Disqus thread belongs to a post here found by the WordPress post id in the thread's "
    'identifier ("42 https://old.example/?p=42", remembered by an earlier `broadsheet import '
    "wordpress`), or by its address (the post's address here, or an old address kept as a "
    "redirect); no post is ever created for a thread."
)
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8 = {"utf-8", "utf8", "us-ascii", "ascii"}
_PRE = re.compile(r"(<pre\b.*?</pre\s*>)", re.I | re.S)
_PARAGRAPH = re.compile(r"\s*</?p(?:\s[^>]*)?>\s*", re.I)
_BREAK = re.compile(r"[ \t]*<br\s*/?>[ \t]*", re.I)
_BLANKS = re.compile(r"\n{3,}")
_BOLD = re.compile(r"<(/?)b(?:\s[^>]*)?>", re.I)
_ITALIC = re.compile(r"<(/?)i(?:\s[^>]*)?>", re.I)


def disqus_import(*, path: Path, dry_run: bool, progress: Progress, report: ImportReport) -> None:
    check_prologue(path)
    with path.open("rb") as raw, dry_run_rollback(dry_run):
        reader = CountingReader(raw)
        importer = _Importer(report=report, dry_run=dry_run)
        for element in _elements(reader):
            importer.element(element)
            progress.update(done=reader.position, comments=int(element.tag == f"{{{NS}}}post"))
        importer.finish()


# Reading --------------------------------------------------------------------------------------


def check_prologue(path: Path) -> None:
    """Refuse, before parsing, what a Disqus export never holds: a DTD (the way to entity
    bombs and external entities) and any encoding but UTF-8."""
    head = read_prologue(path, expected="a Disqus export (XML)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportProblem(
            "line 1: the file is UTF-16, but a Disqus export is UTF-8; it was probably saved "
            "again by an editor. Use the file Disqus sent (Admin → Community → Export)."
        )
    head = head.removeprefix(b"\xef\xbb\xbf")
    declared = _ENCODING.match(head)
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8:
        raise ImportProblem(
            f"line 1: the file declares the encoding {declared.group(1).decode('ascii')!r}, "
            "but a Disqus export is UTF-8; it was probably converted by another program. "
            "Use the file Disqus sent (Admin → Community → Export)."
        )
    refuse_declarations(
        head,
        root=b"<disqus",
        source="a Disqus export",
        advice="Use the file Disqus sent (Admin → Community → Export).",
    )


def _elements(reader: CountingReader) -> Iterator[Any]:
    """The root's children (category, thread, post), each whole, in file order."""
    events = iterparse(reader)
    depth = 0
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    _check_root(element)
                continue
            depth -= 1
            if depth != 1:
                continue
            yield element
            # Free what has been read: the element and the siblings before it.
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position and error.position[0] else None
        place = f"line {line}" if line else f"byte {reader.position:,}"
        raise ImportProblem(
            f"{place}: the XML is broken ({error.msg}). If the export was cut short, download "
            "it again; the comments read before this point have been imported in whole "
            "batches, and running the import again continues from there."
        ) from None


def _check_root(element: Any) -> None:
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ImportProblem(
            "line 1: the file declares a DOCTYPE, which a Disqus export never does; it was "
            "refused so that no entity can be expanded."
        )
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == f"{{{NS}}}disqus":
        return
    local = tag.rsplit("}", 1)[-1]
    hint = (
        " It looks like a WordPress export: use `broadsheet import wordpress` for it."
        if local == "rss"
        else ""
    )
    raise ImportProblem(
        f"line {element.sourceline}: the document is <{local}>, not a Disqus export "
        f'(<disqus xmlns="{NS}">).{hint}'
    )


def _text(element: Any, path: str) -> str:
    return (element.findtext(path, namespaces={"d": NS}) or "").strip()


def _true(element: Any, path: str) -> bool:
    return _text(element, path).lower() == "true"


def _utc(value: str) -> datetime | None:
    """Disqus writes UTC as 2012-12-12T12:12:12Z (older exports without the Z)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def message_text(message: str) -> str:
    """Disqus's message HTML as comment text the way WordPress keeps it: paragraphs apart by
    blank lines, line breaks as newlines, inline markup kept (and sanitised when shown).
    Newlines in the HTML itself are only spaces, except inside <pre>."""
    parts = []
    for n, part in enumerate(_PRE.split(message.replace("\r\n", "\n"))):
        if n % 2:
            parts.append(f"\n\n{part}\n\n")
            continue
        part = re.sub(r"\s*\n\s*", " ", part)
        part = _PARAGRAPH.sub("\n\n", part)
        part = _BREAK.sub("\n", part)
        # Disqus's editor writes <b> and <i>; comments here allow <strong> and <em>.
        part = _BOLD.sub(r"<\1strong>", part)
        parts.append(_ITALIC.sub(r"<\1em>", part))
    text = _BLANKS.sub("\n\n", "".join(parts)).strip()
    if "<" in text:
        return text
    unescaped = html.unescape(text)
    if "<" not in unescaped:
        return unescaped  # no markup at all: plain text, escaped when shown
    # Only escaped "<"s ("I &lt;3 this"): kept as the HTML it is, so they stay escaped.
    return message.strip()


# Writing --------------------------------------------------------------------------------------


@dataclass
class _Thread:
    line: int
    identifier: str
    link: str
    created: datetime | None
    post_id: int | None = None
    matched: bool = False  # looked for: most threads of an export have no comments at all

    @property
    def address(self) -> str:
        return self.link or self.identifier or "(none)"


class _Importer:
    def __init__(self, *, report: ImportReport, dry_run: bool) -> None:
        self.report = report
        self.dry_run = dry_run
        self.forum = ""
        self.finder = PostFinder()
        self.threads: dict[str, _Thread] = {}
        self._batches: CommentBatches | None = None
        self.unmatched: Counter[str] = Counter()  # thread dsq:id → comments skipped
        self.undeclared: Counter[str] = Counter()
        self.users_by_email: dict[str, int | None] = {}

    def element(self, element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == f"{{{NS}}}category":
            self.forum = self.forum or _text(element, "d:forum")
        elif tag == f"{{{NS}}}thread":
            self.forum = self.forum or _text(element, "d:forum")
            self.thread(element)
        elif tag == f"{{{NS}}}post":
            self.post(element)

    def thread(self, element: Any) -> None:
        dsq_id = element.get(_ID, "")
        where = f"line {element.sourceline}, thread {dsq_id or '?'}"
        if not dsq_id:
            self.report.warn(where, "it has no dsq:id, so no comment can name it; left out")
            return
        if dsq_id in self.threads:
            self.report.warn(where, f"thread {dsq_id} is declared twice; the first one is kept")
            return
        self.threads[dsq_id] = _Thread(
            line=element.sourceline,
            identifier=_text(element, "d:id"),
            link=_text(element, "d:link"),
            created=_utc(_text(element, "d:createdAt")),
        )

    def _post_for(self, thread: _Thread) -> int | None:
        if not thread.matched:
            identifier = thread.identifier
            thread.post_id = (
                self.finder.by_wordpress_identifier(identifier)
                or self.finder.by_address(thread.link)
                or self.finder.by_address(identifier.split()[-1] if identifier else "")
            )
            thread.matched = True
        return thread.post_id

    def post(self, element: Any) -> None:
        dsq_id = element.get(_ID, "")
        where = f"line {element.sourceline}, post {dsq_id or '?'}"
        if not dsq_id:
            self.report.skip(where, "no dsq:id")
            return
        thread_element = element.find(f"{{{NS}}}thread")
        thread_id = thread_element.get(_ID, "") if thread_element is not None else ""
        thread = self.threads.get(thread_id)
        if thread is None:
            self.undeclared[thread_id] += 1
            return
        post_id = self._post_for(thread)
        if post_id is None:
            self.unmatched[thread_id] += 1
            return
        created = _utc(_text(element, "d:createdAt"))
        if created is None:
            created = thread.created or datetime.now(UTC)
            self.report.warn(where, "no readable createdAt; dated with its thread")
        parent = element.find(f"{{{NS}}}parent")
        status = Comment.Status.APPROVED
        removed = False
        if _true(element, "d:isSpam"):
            status = Comment.Status.SPAM
        elif _true(element, "d:isDeleted"):
            # Shown by Disqus as "This comment was deleted." above its replies: our tombstone,
            # pruned after the import when nobody answered it.
            removed = True
        name = _text(element, "d:author/d:name")
        username = _text(element, "d:author/d:username")
        email = _text(element, "d:author/d:email")
        registered = bool(username) and not _true(element, "d:author/d:isAnonymous")
        self.batches.add(
            CommentRecord(
                source_id=dsq_id,
                post_id=post_id,
                parent_source_id=(parent.get(_ID) or None) if parent is not None else None,
                body=message_text(element.findtext(f"{{{NS}}}message") or ""),
                markup="wordpress",
                removed=removed,
                created_at=created,
                status=status,
                author_name=name or username,
                author_email=email,
                ip_address=_text(element, "d:ipAddress") or _text(element, "d:author/d:ipAddress"),
                user_id=self._account(email) if registered else None,
                where=where,
            )
        )

    def _account(self, email: str) -> int | None:
        """A Disqus account's comments belong to the account here with the same address."""
        key = email.lower()
        if not key:
            return None
        if key not in self.users_by_email:
            self.users_by_email[key] = (
                User.objects.filter(email__iexact=key).values_list("pk", flat=True).first()
            )
        return self.users_by_email[key]

    @property
    def batches(self) -> CommentBatches:
        if self._batches is None:
            # Disqus ids are the forum's; a newer export of the same forum continues this one.
            self._batches = CommentBatches(
                source=f"disqus:{self.forum or 'unknown'}"[:300],
                report=self.report,
                dry_run=self.dry_run,
                size=BATCH,
            )
        return self._batches

    def finish(self) -> None:
        self.batches.finish()
        report_no_thread_matched(
            report=self.report,
            threads=len(self.unmatched),
            comments=sum(self.unmatched.values()),
            matching=MATCHING,
        )
        for thread_id, count in self.unmatched.items():
            thread = self.threads[thread_id]
            self.report.skip(
                f"line {thread.line}, thread {thread_id}",
                f"no post here has the address {thread.address}; its {_comments(count)} "
                "were left out (import the posts first, or publish the post at that address)",
            )
        for thread_id, count in self.undeclared.items():
            self.report.skip(
                f"thread {thread_id or '(none named)'}",
                f"{_comments(count)} name a thread that is not declared before them in the "
                "file; left out",
            )


def _comments(count: int) -> str:
    return f"{count:,} comment" + ("" if count == 1 else "s")

"""Publishing a post from a Markdown file with YAML front matter (`broadsheet publish FILE.md`).

Idempotent by slug: publishing the same file twice changes nothing the second time. Every
problem is reported with the file name and line; unknown authors and categories are errors,
never silently created (tags, as in WordPress, are created when new).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from broadsheet.publishing.citations import parse_name, reference_key, unique_key
from broadsheet.publishing.citing import (
    duplicate_message,
    render_essay,
    unknown_key_message,
    unused_message,
)
from broadsheet.publishing.models import Category, Post, Reference, Tag
from broadsheet.publishing.services import post_save

FIELDS = {
    "title", "slug", "date", "status", "authors", "categories", "tags", "excerpt", "comments",
    "kind", "references", "sticky", "parent", "menu_order",
}  # fmt: skip
REFERENCE_FIELDS = {
    "kind", "key", "author", "editor", "translator", "title", "original_title", "container_title",
    "publisher", "place", "issued", "volume", "issue", "pages", "url", "doi", "isbn", "archive",
    "archive_location", "accessed", "note", "uncited",
}  # fmt: skip


class PublishError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class PublishResult:
    post: Post
    outcome: str  # "created", "updated" or "unchanged"


class _Reader:
    """Collects problems as `file:line: message` while reading the front matter."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.filename}:{line}: {message}")


def _split(text: str, reader: _Reader) -> tuple[str, str, int]:
    """Return (front matter, body, the body's first line number - 1)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        reader.problem(
            1, "the file must start with front matter: a line '---', YAML fields, and another '---'"
        )
        return "", text, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 1
    reader.problem(
        1, "the front matter opened by '---' on line 1 is never closed by another '---' line"
    )
    return "", "", 0


def _key_lines(node: yaml.Node | None) -> dict[str, tuple[int, yaml.Node]]:
    """Line (1-based, within the file) of each top-level key, and its value node."""
    found: dict[str, tuple[int, yaml.Node]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            found[str(key_node.value)] = (key_node.start_mark.line + 2, value_node)
    return found


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _parse_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        moment = datetime.fromisoformat(str(value).strip())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def publish_markdown_file(*, text: str, filename: str, dry_run: bool = False) -> PublishResult:
    reader = _Reader(filename)
    front_text, body, body_offset = _split(text, reader)
    if reader.problems:
        raise PublishError(reader.problems)
    try:
        node = yaml.compose(front_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(front_text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise PublishError(
            [f"{filename}:{line}: the front matter is not valid YAML ({problem})"]
        ) from None
    if not isinstance(data, dict):
        raise PublishError([f"{filename}:2: the front matter must be 'field: value' lines"])
    lines = _key_lines(node)

    def line_of(key: str) -> int:
        return lines.get(key, (1, None))[0]

    def item_line(key: str, index: int) -> int:
        value_node = lines.get(key, (1, None))[1]
        if isinstance(value_node, yaml.SequenceNode) and index < len(value_node.value):
            return int(value_node.value[index].start_mark.line) + 2
        return line_of(key)

    for key in data:
        if key not in FIELDS:
            reader.problem(
                line_of(str(key)),
                f"unknown field '{key}' (known fields: {', '.join(sorted(FIELDS))})",
            )

    title = _text(data.get("title"))
    if not title:
        reader.problem(line_of("title") if "title" in data else 1, "the field 'title' is required")
    slug = _text(data.get("slug")) or slugify(title, allow_unicode=True)
    if data.get("slug") is not None and slug != slugify(slug, allow_unicode=True):
        reader.problem(
            line_of("slug"),
            f"the slug '{slug}' may contain only letters, digits, hyphens and underscores",
        )

    kind = _text(data.get("kind")) or Post.Kind.POST
    if kind not in Post.Kind.values:
        reader.problem(line_of("kind"), f"kind must be 'post' or 'page', not '{kind}'")
        kind = Post.Kind.POST
    status = _text(data.get("status")) or Post.Status.PUBLISHED
    if status not in Post.Status.values:
        reader.problem(
            line_of("status"),
            f"status must be one of {', '.join(Post.Status.values)}, not '{status}'",
        )
        status = Post.Status.DRAFT

    published_at = None
    unreadable_date = False  # reported as such, not again as missing
    if data.get("date") is not None:
        try:
            published_at = _parse_datetime(data["date"])
        except ValueError:
            unreadable_date = True
            reader.problem(
                line_of("date"),
                f"the date '{data['date']}' is not a date; write it as 2026-03-14 or 2026-03-14 09:30",
            )
    if status == Post.Status.PUBLISHED and published_at and published_at > timezone.now():
        status = Post.Status.SCHEDULED
    if status == Post.Status.SCHEDULED and published_at is None and not unreadable_date:
        reader.problem(
            line_of("date") if "date" in data else line_of("status"),
            "a scheduled post needs a 'date' to go live, e.g. date: 2026-03-14 09:30",
        )

    comments = _text(data.get("comments")) or "open"
    if comments not in ("open", "closed"):
        reader.problem(
            line_of("comments"), f"comments must be 'open' or 'closed', not '{comments}'"
        )

    User = get_user_model()
    usernames = [_text(u) for u in _as_list(data.get("authors"))]
    if not usernames:
        reader.problem(
            line_of("authors") if "authors" in data else 1,
            "at least one author is required: authors: [username]",
        )
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    for index, username in enumerate(usernames):
        if username not in users:
            reader.problem(
                item_line("authors", index),
                f"unknown author '{username}': create the account first (broadsheet createsuperuser, or the admin)",
            )

    categories = []
    for index, path in enumerate(_as_list(data.get("categories"))):
        category = _category_by_path(_text(path))
        if category is None:
            reader.problem(
                item_line("categories", index),
                f"unknown category '{path}': add it in the admin first (write nested ones as Parent/Child)",
            )
        else:
            categories.append(category)

    parent = None
    if data.get("parent"):
        parent = Post.objects.pages().filter(slug=_text(data["parent"])).first()
        if parent is None:
            reader.problem(line_of("parent"), f"unknown parent page '{data['parent']}'")

    references, reference_lines = _read_references(
        data.get("references"), reader, lines.get("references", (1, None))
    )
    _check_citations(body, body_offset, references, reference_lines, reader)
    if reader.problems:
        raise PublishError(reader.problems)

    digest = hashlib.sha256(
        json.dumps([data, body], default=str, sort_keys=True).encode()
    ).hexdigest()
    existing = Post.objects.filter(kind=kind, slug=slug).first()
    if existing is not None and existing.source_digest == digest:
        return PublishResult(existing, "unchanged")
    if dry_run:
        return PublishResult(
            existing or Post(kind=kind, slug=slug, title=title),
            "updated" if existing else "created",
        )

    with transaction.atomic():
        post = existing or Post(kind=kind, slug=slug)
        post.title = title
        post.excerpt = _text(data.get("excerpt"))
        post.body = body
        post.status = status
        post.published_at = published_at or post.published_at
        post.comments_open = comments == "open"
        post.sticky = bool(data.get("sticky", False))
        post.parent = parent
        post.menu_order = int(data.get("menu_order") or 0)
        post.source_digest = digest
        tags = [_tag(_text(name)) for name in _as_list(data.get("tags")) if _text(name)]
        authors = [users[u] for u in usernames]
        post_save(
            post=post,
            authors=authors,
            categories=categories,
            tags=tags,
            references=references,
            by=authors[0] if authors else None,  # the file's first author made this revision
        )
    return PublishResult(post, "updated" if existing else "created")


def _check_citations(
    body: str,
    body_offset: int,
    references: list[dict[str, Any]],
    reference_lines: list[int],
    reader: _Reader,
) -> None:
    """Problems of the body (footnotes, citations) at their lines in the file; a reference
    never cited is reported at its entry in the front matter."""
    unsaved = [Reference(**fields) for fields in references]
    taken = {r.key for r in unsaved if r.key}
    for reference in unsaved:
        if not reference.key:
            reference.key = unique_key(reference_key(reference), taken)
            taken.add(reference.key)
    essay = render_essay(body, unsaved, line_offset=body_offset)
    for problem in essay.rendered.problems:
        reader.problem(problem.line, problem.message)
    for line, key in essay.unknown:
        reader.problem(line, unknown_key_message(key))
    for reference in essay.unused:
        reader.problem(reference_lines[unsaved.index(reference)], unused_message(reference))
    for key in essay.duplicates:
        index = next(i for i, r in enumerate(unsaved) if r.key == key)
        reader.problem(reference_lines[index], duplicate_message(key))


def _category_by_path(path: str) -> Category | None:
    """'History/Maritime History' by names or slugs, walking from the top level down."""
    parent: Category | None = None
    for part in (p.strip() for p in path.split("/") if p.strip()):
        siblings = Category.objects.filter(parent=parent)
        parent = (
            siblings.filter(name__iexact=part).first()
            or siblings.filter(slug=slugify(part, allow_unicode=True)).first()
        )
        if parent is None:
            return None
    return parent


def _tag(name: str) -> Tag:
    slug = slugify(name, allow_unicode=True) or "tag"
    tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    return tag


def _read_references(
    value: Any, reader: _Reader, where: tuple[int, Any]
) -> tuple[list[dict[str, Any]], list[int]]:
    """Each entry's fields, and the line each entry starts on."""
    line, node = where
    if value is None:
        return [], []
    if not isinstance(value, list):
        reader.problem(
            line, "references must be a list, each entry starting with '- kind: book' or similar"
        )
        return [], []
    result, lines = [], []
    for index, entry in enumerate(value):
        entry_line = (
            node.value[index].start_mark.line + 2 if isinstance(node, yaml.SequenceNode) else line
        )
        if not isinstance(entry, dict):
            reader.problem(entry_line, "each reference must be a set of fields such as 'title: …'")
            continue
        unknown = set(entry) - REFERENCE_FIELDS
        if unknown:
            reader.problem(
                entry_line,
                f"unknown reference field(s) {', '.join(sorted(map(str, unknown)))} (known: {', '.join(sorted(REFERENCE_FIELDS))})",
            )
        kind = _text(entry.get("kind")) or Reference.Kind.BOOK
        if kind not in Reference.Kind.values:
            reader.problem(
                entry_line,
                f"unknown reference kind '{kind}' (one of {', '.join(Reference.Kind.values)})",
            )
        if not _text(entry.get("title")):
            reader.problem(entry_line, "every reference needs a title")
        if not isinstance(entry.get("uncited", False), bool):
            reader.problem(entry_line, "uncited must be true or false")
        accessed = None
        if entry.get("accessed"):
            try:
                accessed = (
                    entry["accessed"]
                    if isinstance(entry["accessed"], date)
                    else date.fromisoformat(_text(entry["accessed"]))
                )
            except ValueError:
                reader.problem(
                    entry_line, f"accessed date '{entry['accessed']}' is not a date like 2026-02-01"
                )
        fields: dict[str, Any] = {
            name: _text(entry.get(name))
            for name in REFERENCE_FIELDS
            - {"kind", "author", "editor", "translator", "accessed", "uncited"}
        }
        fields.update(
            kind=kind,
            accessed=accessed,
            uncited=entry.get("uncited") is True,
            contributors={
                role: [parse_name(_text(n)) for n in _as_list(entry.get(role)) if _text(n)]
                for role in ("author", "editor", "translator")
                if entry.get(role)
            },
        )
        result.append(fields)
        lines.append(entry_line)
    return result, lines

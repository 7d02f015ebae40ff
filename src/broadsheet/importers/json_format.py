"""`broadsheet import json FILE`: a Broadsheet JSON export (docs/export-format.md) back in.

Into an empty site it recreates everything as it was: the same ids (so comment permalinks
keep working), slugs, dates, statuses, threads and references. Into a site that already has
content, the file's records are added beside it under new ids where theirs are taken; every
record is remembered (ImportedObject, source `json:<the file's site url>`), so a second import
of the same file changes nothing.

The file is read as a stream and written in one transaction: a file that turns out broken or
inconsistent halfway (a reply whose comment is not in the file, a post by an unknown account)
leaves the site exactly as it was, with a message naming the record.

Accounts come without passwords (the file has none): each person sets one with "Forgot your
password?" or signs in by e-mailed code or with their social account as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction

from broadsheet.accounts.models import User
from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.importers.json_accounts import account_restore
from broadsheet.importers.json_comments import CommentRestorer, comment_counts_update
from broadsheet.importers.json_export import (
    CATEGORY_FIELDS,
    CITATION_SETTINGS_FIELDS,
    DISCUSSION_SETTINGS_FIELDS,
    FORMAT,
    MENTION_FIELDS,
    POST_FIELDS,
    REDIRECT_FIELDS,
    REFERENCE_FIELDS,
    SITE_SETTINGS_FIELDS,
    SUBSCRIPTION_FIELDS,
    TAG_FIELDS,
    VERSION,
)
from broadsheet.importers.json_media import media_restore
from broadsheet.importers.json_records import BATCH, IdMap, field_values, id_list, object_of, shown
from broadsheet.importers.json_stream import JsonStream
from broadsheet.importers.models import ImportRun
from broadsheet.importers.progress import ImportProblem, ImportReport, Progress
from broadsheet.importers.writing import checked_address
from broadsheet.media.models import MediaItem
from broadsheet.notifications.models import Subscription
from broadsheet.publishing.additions import post_mark
from broadsheet.publishing.citations import reference_html, reference_key
from broadsheet.publishing.models import (
    Category,
    CitationSettings,
    Post,
    PostAuthor,
    PostRedirect,
    Reference,
    Tag,
)
from broadsheet.publishing.revisions import revisions_imported
from broadsheet.publishing.services import post_render
from broadsheet.webmention.models import Mention
from broadsheet.webmention.published import MARK as MENTION_MARK

SECTIONS = [
    "accounts",
    "categories",
    "tags",
    "media",
    "posts",
    "post_redirects",
    "comments",
    "subscriptions",
    "mentions",
]
_HEAD = ["format", "version", "generated_at", "site", "settings"]
# Absent from files written before the media library, and before Webmention.
OPTIONAL_SECTIONS = {"media", "mentions"}


def json_import(*, path: Path, dry_run: bool, progress: Progress, report: ImportReport) -> None:
    report.dry_run = dry_run
    try:
        raw = path.open("rb")
    except OSError as error:
        raise ImportProblem(f"the file cannot be read ({error.strerror}).") from None
    with raw:
        importer = _Importer(stream=JsonStream(raw), report=report, progress=progress)
        try:
            with transaction.atomic():
                importer.run()
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    importer.remember_run(path)
        except DatabaseError as error:
            raise ImportProblem(
                f"{importer.where}: the database refused it ({error}). Nothing was imported."
            ) from None
    if not dry_run and not report.changed_nothing:
        # Everything was written in bulk, past the signals that keep these up to date.
        from broadsheet.importers.writing import forget_listings
        from broadsheet.search.services import search_index_rebuild

        search_index_rebuild()
        forget_listings()


@dataclass
class _Links:
    authors: list[int]
    categories: list[int]
    tags: list[int]
    references: list[Reference]


@dataclass
class _Importer:
    stream: JsonStream
    report: ImportReport
    progress: Progress
    where: str = "the start of the file"
    ids: IdMap | None = None
    # Whether a table was empty when the import began: then the file's ids are kept.
    keep_ids: dict[type[models.Model], bool] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    page_parents: list[tuple[str, int, int]] = field(default_factory=list)
    comments: CommentRestorer | None = None
    new_posts: set[int] = field(default_factory=set)

    def run(self) -> None:
        for model in (User, Category, Tag, Post, Comment):
            self.keep_ids[model] = not model.objects.exists()
        members = self.stream.members()
        for index, (key, is_array) in enumerate(members):
            self.where = f'"{key}"'
            if index == 0 and key != "format":
                raise ImportProblem(
                    'this is not a Broadsheet export: it does not begin with "format": '
                    f'"{FORMAT}". (A WordPress export is imported with `broadsheet import '
                    "wordpress`, Disqus and Isso with `import disqus` and `import isso`.)"
                )
            if key in SECTIONS:
                if not is_array:
                    raise ImportProblem(f'"{key}" must be a list [ … ].')
                self._section(key)
            elif key in _HEAD:
                self._head(key, self.stream.value())
            else:
                self.report.warn(key, "is not part of this version of the format; ignored")
                for _ in self.stream.elements() if is_array else [self.stream.value()]:
                    pass
            self.seen.append(key)
            self.progress.update(done=self.stream.bytes_read)
        required = [
            "format",
            "version",
            "site",
            *(s for s in SECTIONS if s not in OPTIONAL_SECTIONS),
        ]
        missing = [key for key in required if key not in self.seen]
        if missing:
            raise ImportProblem(
                f"the file has no {', '.join(repr(m) for m in missing)}: it is not a complete "
                "export (or was cut short). Nothing was imported."
            )
        self.where = "the end of the file"
        self._finish()

    def remember_run(self, path: Path) -> None:
        ImportRun.objects.create(
            format="json",
            file_name=path.name[:300],
            file_sha256=self.stream.sha256.hexdigest(),
            file_size=self.stream.bytes_read,
            status=ImportRun.Status.DONE,
            progress_done=self.stream.bytes_read,
            progress_total=self.stream.bytes_read,
            report="\n".join(self.report.lines()),
        )

    # The head ----------------------------------------------------------------------------

    def _head(self, key: str, value: Any) -> None:
        if key == "format" and value != FORMAT:
            raise ImportProblem(
                f'"format" is {shown(value)}, not "{FORMAT}": this is not a Broadsheet export.'
            )
        if key == "version":
            if self.seen != ["format"]:
                raise ImportProblem('"version" must come right after "format".')
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ImportProblem(f'"version" is {shown(value)}, not a version number.')
            if value > VERSION:
                raise ImportProblem(
                    f"the file is in version {value} of the export format, newer than this "
                    f"Broadsheet reads (version {VERSION}). Update Broadsheet, then import it."
                )
        if key == "site":
            url = object_of(value, '"site"').get("url")
            if not isinstance(url, str) or not url:
                raise ImportProblem('"site": "url" (the address of the exported site) is missing.')
            self.ids = IdMap(f"json:{url.rstrip('/')}"[:300])
        if key == "settings":
            self._settings(object_of(value, '"settings"'))

    def _settings(self, value: dict[str, Any]) -> None:
        singletons: list[
            tuple[str, type[SiteSettings | DiscussionSettings | CitationSettings], list[str]]
        ] = [
            ("site", SiteSettings, SITE_SETTINGS_FIELDS),
            ("discussion", DiscussionSettings, DISCUSSION_SETTINGS_FIELDS),
            ("citations", CitationSettings, CITATION_SETTINGS_FIELDS),
        ]
        for key, model, names in singletons:
            if key == "citations" and key not in value:
                continue  # files written before the citation style was a setting
            where = f"settings.{key}"
            values = field_values(model, names, object_of(value.get(key), where), where)
            current = model.objects.filter(pk=1).first()
            if current is None:
                model(pk=1, **values).save()
                self.report.add("settings")
            elif all(getattr(current, k) == v for k, v in values.items()):
                self.report.add("settings", new=False)
            else:
                self.report.warn(
                    where,
                    "this site's settings differ from the file's and were kept; change them "
                    "in the admin if the file's are wanted",
                )

    # Sections ----------------------------------------------------------------------------

    def _section(self, key: str) -> None:
        if self.ids is None:
            raise ImportProblem(
                f'"site" (with the exported site\'s "url") must come before "{key}".'
            )
        later = [s for s in self.seen if s in SECTIONS and SECTIONS.index(s) > SECTIONS.index(key)]
        if later:
            raise ImportProblem(
                f'"{key}" comes after "{later[0]}": the sections must be in the order '
                f"{', '.join(SECTIONS)}, as `broadsheet export json` writes them."
            )
        records = self._records(key)
        if key == "accounts":
            self.ids.load("account")
            for index, row in records:
                account_restore(
                    ids=self.ids,
                    report=self.report,
                    keep_id=self.keep_ids[User],
                    index=index,
                    row=row,
                )
        elif key == "categories":
            self._categories(list(records))
        elif key == "tags":
            self.ids.load("tag")
            for index, row in records:
                self._tag(index, row)
        elif key == "media":
            self.keep_ids[MediaItem] = not MediaItem.objects.exists()
            for index, row in records:
                media_restore(ids=self.ids, report=self.report, index=index, row=row,
                              keep_id=self.keep_ids[MediaItem])  # fmt: skip
        elif key == "posts":
            self.ids.load("post")
            for batch in _batches(records):
                self._posts(batch)
            self._page_parents()
        elif key == "post_redirects":
            for index, row in records:
                self._redirect(index, row)
        elif key == "comments":
            self.comments = CommentRestorer(
                ids=self.ids, report=self.report, keep_ids=self.keep_ids[Comment]
            )
            for batch in _batches(records):
                self.comments.add(batch)
        elif key == "subscriptions":
            for index, row in records:
                self._subscription(index, row)
        elif key == "mentions":
            for index, row in records:
                self._mention(index, row)

    def _records(self, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
        for index, row in enumerate(self.stream.elements()):
            self.where = f"{key}[{index}]"
            yield index, object_of(row, self.where)
            self.progress.update(done=self.stream.bytes_read)
            self.progress.counts = self.report.imported.copy()

    def _known(self, kind: str, source_id: int, where: str, what: str) -> int:
        assert self.ids is not None
        return self.ids.required(kind, source_id, where, what)

    def _new_id(self, model: type[models.Model], source_id: int) -> dict[str, int]:
        return {"pk": source_id} if self.keep_ids.get(model) else {}

    # Categories and tags -----------------------------------------------------------------

    def _categories(self, records: list[tuple[int, dict[str, Any]]]) -> None:
        """Parents first, whatever the file's order; there are few categories."""
        assert self.ids is not None
        known = self.ids.load("category")
        pending = [
            (index, field_values(Category, CATEGORY_FIELDS, row, f"categories[{index}]"))
            for index, row in records
        ]
        while pending:
            waiting = []
            for index, values in pending:
                parent = values["parent_id"]
                if parent is not None and parent not in known:
                    waiting.append((index, values))
                    continue
                self.where = f"categories[{index}]"
                self._category(values, known)
            if len(waiting) == len(pending):
                index, values = waiting[0]
                raise ImportProblem(
                    f"categories[{index}]: parent {values['parent_id']} is not in the file."
                )
            pending = waiting

    def _category(self, values: dict[str, Any], known: dict[int, int]) -> None:
        assert self.ids is not None
        source_id = values.pop("id")
        if source_id in known:
            self.report.add("categories", new=False)
            return
        parent = known[values["parent_id"]] if values["parent_id"] is not None else None
        values["parent_id"] = parent
        category = Category.objects.filter(slug=values["slug"], parent_id=parent).first()
        if category is None:
            category = Category(**values, **self._new_id(Category, source_id))
            category.save(force_insert=True)
            self.report.add("categories")
        else:
            self.report.add("categories", new=False)
        self.ids.remember("category", [(source_id, category.pk)])

    def _tag(self, index: int, row: dict[str, Any]) -> None:
        assert self.ids is not None
        values = field_values(Tag, TAG_FIELDS, row, f"tags[{index}]")
        source_id = values.pop("id")
        if source_id in self.ids.load("tag"):
            self.report.add("tags", new=False)
            return
        tag = Tag.objects.filter(slug=values["slug"]).first()
        if tag is None:
            tag = Tag.objects.create(**values, **self._new_id(Tag, source_id))
            self.report.add("tags")
        else:
            self.report.add("tags", new=False)
        self.ids.remember("tag", [(source_id, tag.pk)])

    # Posts -------------------------------------------------------------------------------

    def _posts(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        assert self.ids is not None
        known = self.ids.load("post")
        new: list[tuple[int, Post, _Links]] = []
        taken: set[tuple[str, str]] = set()
        for index, row in batch:
            read = self._post_of(index, row, known, taken)
            if read is not None:
                new.append(read)
        if new:
            self._posts_write(new)

    def _post_of(
        self, index: int, row: dict[str, Any], known: Any, taken: set[tuple[str, str]]
    ) -> tuple[int, Post, _Links] | None:
        """One row as an unsaved post and its links (None when it was imported before)."""
        where = self.where = f"posts[{index}]"
        values = field_values(Post, POST_FIELDS, row, where)
        values["featured_image"] = checked_address(
            values["featured_image"],
            report=self.report,
            where=where,
            what='"featured_image"',
            max_length=1000,
        )
        source_id, parent = values.pop("id"), values.pop("parent_id")
        values.pop("comment_count")  # counted again from the comments
        kind = "pages" if values["kind"] == Post.Kind.PAGE else "posts"
        if source_id in known:
            self.report.add(kind, new=False)
            return None
        links = _Links(
            authors=[
                self._known("account", a, where, "author") for a in id_list(row, "authors", where)
            ],
            categories=[
                self._known("category", c, where, "category")
                for c in id_list(row, "categories", where)
            ],
            tags=[self._known("tag", t, where, "tag") for t in id_list(row, "tags", where)],
            references=self._references(row, where),
        )
        values["slug"] = self._free_slug(values["kind"], values["slug"], taken, where)
        taken.add((values["kind"], values["slug"]))
        post = Post(**values, **self._new_id(Post, source_id))
        post_render(post=post, references=links.references)
        if parent is not None:
            self.page_parents.append((where, source_id, parent))
        self.report.add(kind)
        return source_id, post, links

    def _posts_write(self, new: list[tuple[int, Post, _Links]]) -> None:
        """The batch's posts, their links, and each one's revision 1, in bulk."""
        assert self.ids is not None
        created = Post.objects.bulk_create([post for _, post, _ in new])
        self.ids.remember("post", [(s, p.pk) for (s, _, _), p in zip(new, created, strict=True)])
        self.new_posts.update(p.pk for p in created)
        linked = [(links, post) for (_, _, links), post in zip(new, created, strict=True)]
        PostAuthor.objects.bulk_create(
            PostAuthor(post=post, author_id=a, position=n)
            for links, post in linked
            for n, a in enumerate(links.authors)
        )
        Post.categories.through.objects.bulk_create(
            Post.categories.through(post_id=post.pk, category_id=c)
            for links, post in linked
            for c in links.categories
        )
        Post.tags.through.objects.bulk_create(
            Post.tags.through(post_id=post.pk, tag_id=t)
            for links, post in linked
            for t in links.tags
        )
        for links, post in linked:
            for reference in links.references:
                reference.post = post
        Reference.objects.bulk_create(r for links, _ in linked for r in links.references)
        # Each imported post's text is its revision 1 (and a public one's version 1).
        revisions_imported(
            posts=created, references={post.pk: links.references for links, post in linked}
        )

    def _references(self, row: dict[str, Any], where: str) -> list[Reference]:
        items = row.get("references")
        if not isinstance(items, list):
            raise ImportProblem(f'{where}: "references" must be a list.')
        references = []
        for number, item in enumerate(items):
            here = f"{where}.references[{number}]"
            row = object_of(item, here)
            # Files written before citations listed every reference: they stay listed.
            row = row if "uncited" in row else {**row, "uncited": True}
            reference = Reference(**field_values(Reference, REFERENCE_FIELDS, row, here))
            try:
                reference.key = reference.key or reference_key(reference)
                reference.html = reference_html(reference)
            except (AttributeError, TypeError, ValueError, KeyError, IndexError):
                raise ImportProblem(
                    f'{here}: "contributors" must look like {{"author": [{{"family": "…", '
                    '"given": "…"}]}.'
                ) from None
            references.append(reference)
        return references

    def _free_slug(self, kind: str, slug: str, taken: set[tuple[str, str]], where: str) -> str:
        wanted, n = slug, 2
        while (kind, slug) in taken or Post.objects.filter(kind=kind, slug=slug).exists():
            slug = f"{wanted[:190]}-{n}"
            n += 1
        if slug != wanted:
            self.report.warn(where, f"the address {wanted!r} is taken here; it is now {slug!r}")
        return slug

    def _page_parents(self) -> None:
        for where, source_id, parent in self.page_parents:
            self.where = where
            ours = self._known("post", parent, where, "parent")
            Post.objects.filter(pk=self._known("post", source_id, where, "post")).update(
                parent_id=ours
            )
        self.page_parents = []

    # Redirects and subscriptions ---------------------------------------------------------

    def _redirect(self, index: int, row: dict[str, Any]) -> None:
        where = f"post_redirects[{index}]"
        values = field_values(PostRedirect, REDIRECT_FIELDS, row, where)
        values["post_id"] = self._known("post", values["post_id"], where, "post")
        existing = PostRedirect.objects.filter(old_path=values["old_path"]).first()
        if existing is None:
            PostRedirect.objects.create(**values)
            self.report.add("redirects")
        elif existing.post_id == values["post_id"]:
            self.report.add("redirects", new=False)
        else:
            self.report.warn(
                where, f"{values['old_path']} already leads to another post here; kept"
            )

    def _subscription(self, index: int, row: dict[str, Any]) -> None:
        where = f"subscriptions[{index}]"
        values = field_values(Subscription, SUBSCRIPTION_FIELDS, row, where)
        if values["post_id"] is not None:
            values["post_id"] = self._known("post", values["post_id"], where, "post")
        if values["user_id"] is not None:
            values["user_id"] = self._known("account", values["user_id"], where, "account")
        same = Subscription.objects.filter(
            email=values["email"], kind=values["kind"], post_id=values["post_id"]
        )
        if same.exists():
            self.report.add("subscriptions", new=False)
        else:
            Subscription.objects.create(**values)
            self.report.add("subscriptions")

    def _mention(self, index: int, row: dict[str, Any]) -> None:
        where = f"mentions[{index}]"
        values = field_values(Mention, MENTION_FIELDS, row, where)
        values["post_id"] = self._known("post", values["post_id"], where, "post")
        if values["comment_id"] is not None:
            assert self.ids is not None
            found = self.ids.lookup("comment", [values["comment_id"]])
            values["comment_id"] = found.get(values["comment_id"])
        if Mention.objects.filter(source=values["source"], target=values["target"]).exists():
            self.report.add("mentions", new=False)
        else:
            Mention.objects.create(**values)
            self.report.add("mentions")
        if values["kind"] in Comment.REACTIONS:
            post_mark(values["post_id"], MENTION_MARK)  # its page shows the faces

    # The end -----------------------------------------------------------------------------

    def _finish(self) -> None:
        assert self.comments is not None
        self.comments.finish()
        comment_counts_update(post_ids=self.comments.touched_posts | self.new_posts)
        if any(self.keep_ids.values()):
            # Rows were written with the file's ids: PostgreSQL's counters must move past them.
            models_kept = [m for m, kept in self.keep_ids.items() if kept]
            statements = connection.ops.sequence_reset_sql(no_style(), models_kept)
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def _batches(
    records: Iterator[tuple[int, dict[str, Any]]],
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch

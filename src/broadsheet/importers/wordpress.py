"""`broadsheet import wordpress FILE.xml`: a WordPress export (WXR 1.0–1.2) into Broadsheet.

Authors, categories (with parents), tags, posts and pages (status, slug, dates in UTC,
excerpt, sticky, content turned into Markdown, footnotes, featured image) and their comments
(threads, statuses, kinds, authors, IP addresses, accounts). Each item is written in its own
transaction with the place reached, so an interrupted import resumes after the last whole item;
every record is remembered by its WordPress id, so a second run changes nothing. Old addresses
(the permalink, /?p=ID, /?page_id=ID) answer with a 301 to the new ones.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from broadsheet.accounts.models import Profile, User
from broadsheet.core.languages import normalize_tag, site_language, validate_language_tag
from broadsheet.core.sanitize import without_nul
from broadsheet.importers.html import Converted, short_markdown, wordpress_to_markdown
from broadsheet.importers.media import OldSiteImages
from broadsheet.importers.models import ImportRun
from broadsheet.importers.progress import ImportProblem, ImportReport, Progress
from broadsheet.importers.shortcodes import Attachment
from broadsheet.importers.wordpress_comments import ItemComments
from broadsheet.importers.writing import Mapping, checked_address, dry_run_rollback, forget_listings
from broadsheet.importers.wxr import (
    Author,
    Item,
    Site,
    Term,
    read_attachments,
    read_wxr,
    wordpress_utc,
)
from broadsheet.media.figures import library_name
from broadsheet.media.services import library_adopt
from broadsheet.publishing.models import Category, Post, PostRedirect, Reference, Revision, Tag
from broadsheet.publishing.revisions import revision_take
from broadsheet.publishing.services import post_rerender, post_save

_STATUSES = {
    "publish": Post.Status.PUBLISHED,
    "future": Post.Status.SCHEDULED,
    "draft": Post.Status.DRAFT,
    "pending": Post.Status.PENDING,
    "private": Post.Status.PRIVATE,
}
_REFERENCE_FIELDS = {
    f.name
    for f in Reference._meta.concrete_fields
    if f.name not in ("id", "post", "html") and f.editable
}


def wordpress_import(
    *,
    path: Path,
    dry_run: bool,
    progress: Progress,
    report: ImportReport,
    media: str = "keep",
) -> None:
    """`media="download"` copies the posts' images from the old site (importers.media)."""
    digest = _sha256(path)
    site, attachments = read_attachments(path)
    reader, records = read_wxr(path)
    with dry_run_rollback(dry_run):
        run = _run_for(path, digest, dry_run)
        importer = _Importer(run=run, report=report, attachments=attachments)
        importer.media = OldSiteImages.for_site(
            site_urls=[site.base_site_url, site.base_blog_url, site.link],
            attachment_urls=importer.attachments.values(),
            report=report,
            download=media == "download",
            dry_run=dry_run,
        )
        for record in records:
            if isinstance(record, Site):
                importer.site(record)
            elif isinstance(record, Author):
                with transaction.atomic():
                    importer.author(record)
            elif isinstance(record, Term):
                with transaction.atomic():
                    importer.term(record)
            elif record.index < run.checkpoint and record.post_type != "attachment":
                # Written by the interrupted run of this same file: nothing to look up.
                importer.already_done(record)
            else:
                importer.prepare(record)  # images are fetched outside the transaction
                with transaction.atomic():
                    importer.item(record)
                    run.checkpoint = max(run.checkpoint, record.index + 1)
                    run.progress_done = reader.position
                    run.updated_at = timezone.now()
                    run.save(update_fields=["checkpoint", "progress_done", "updated_at"])
            progress.update(done=reader.position)
            progress.counts = importer.report.imported.copy()
        with transaction.atomic():
            importer.finish()
            run.status = ImportRun.Status.DONE
            run.report = "\n".join(report.lines())
            run.save(update_fields=["status", "report"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _run_for(path: Path, digest: str, dry_run: bool) -> ImportRun:
    """The unfinished run of this same file, to resume after its last whole item; or a new one."""
    unfinished = (
        ImportRun.objects.filter(
            format="wordpress",
            file_sha256=digest,
            dry_run=False,
            # Also a run the admin queued for this file: the worker is reading it now.
            status__in=[ImportRun.Status.RUNNING, ImportRun.Status.FAILED],
        )
        .order_by("-created_at")
        .first()
    )
    if unfinished is not None and not dry_run:
        return unfinished
    return ImportRun.objects.create(
        format="wordpress",
        file_name=path.name[:300],
        file_sha256=digest,
        file_size=path.stat().st_size,
        status=ImportRun.Status.RUNNING,
        dry_run=dry_run,
        progress_total=path.stat().st_size,
    )


def term_slug(slug: str, name: str = "") -> str:
    """A category's or tag's slug as it is stored and remembered here. WordPress writes a
    Unicode slug percent-encoded (`%d1%84…`), in its own nicename and wherever it names it as
    a parent, so every reference to a term goes through this one function."""
    return slugify(unquote(slug) or name, allow_unicode=True)[:200]


class _Importer:
    def __init__(
        self, *, run: ImportRun, report: ImportReport, attachments: dict[str, Attachment]
    ) -> None:
        self.run = run
        self.report = report
        self.mapping = Mapping("wordpress:unknown")
        self.language = ""  # the exporting site's, when the channel names one
        self.comments = ItemComments(mapping=self.mapping, report=report)
        self.logins: dict[str, int] = {}
        self.all_attachments = attachments  # from a first pass over the file
        self.attachments = {i: a.url for i, a in attachments.items() if a.url}
        self.media = OldSiteImages(hosts=set(), attachment_urls=set(), report=report)
        self._converted: tuple[int, Converted] | None = None
        self.featured: dict[int, str] = {}  # our post id → attachment id
        self.page_parents: dict[int, str] = {}  # our page id → WordPress parent id

    # Channel -----------------------------------------------------------------------------

    def site(self, site: Site) -> None:
        base = (site.base_site_url or site.link).rstrip("/")
        if urlsplit(base).hostname == "wordpress.com" and site.base_blog_url:
            # WordPress.com names itself as every blog's "site": the blog is what is imported.
            base = site.base_blog_url.rstrip("/")
        if not site.wxr_version and not base:
            raise ImportProblem(
                "the channel has neither wp:wxr_version nor wp:base_site_url: this is not a "
                "WordPress export."
            )
        self.mapping = Mapping(f"wordpress:{base}"[:300])
        self.comments = ItemComments(mapping=self.mapping, report=self.report)
        self.language = export_language(site.language)
        # Comments are looked up an item at a time (WordPress keeps a thread within its post)
        # and forgotten after it, so memory does not grow with the file.
        for kind in ("author", "category", "post"):
            self.mapping.load(kind)

    def author(self, author: Author) -> None:
        where = f"line {author.line}, author {author.login or author.id}"
        if not author.login:
            self.report.skip(where, "no login name")
            return
        known = self.mapping.get("author", author.id)
        if known is not None:
            self.logins[author.login] = known
            self.report.add("authors", new=False)
            return
        user = User.objects.filter(username=author.login[:150]).first()
        if user is None and author.email:
            user = User.objects.filter(email__iexact=author.email).first()
        if user is not None:
            self.report.warn(where, f"matched the existing account {user.username!r}")
        else:
            user = User.objects.create_user(
                username=author.login[:150],
                email=author.email[:254],
                first_name=author.first_name[:150],
                last_name=author.last_name[:150],
            )
            Profile.objects.filter(user=user).update(
                display_name=without_nul(author.display_name)[:150]
            )
            group = Group.objects.filter(name="Author").first()
            if group is not None:
                user.groups.add(group)
            self.report.add("authors")
        self.mapping.remember("author", author.id, user.pk)
        self.logins[author.login] = user.pk

    def term(self, term: Term) -> None:
        where = f"line {term.line}, {term.taxonomy} {term.slug or term.name}"
        slug = term_slug(term.slug, term.name)
        name = html.unescape(without_nul(term.name))[:200] or slug
        if not slug:
            self.report.skip(where, "no slug and no name")
            return
        if term.taxonomy == "post_tag":
            _, created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
            self.report.add("tags", new=created)
            return
        if self.mapping.get("category", slug) is not None:
            self.report.add("categories", new=False)
            return
        parent = None
        if term.parent_slug:
            parent_id = self.mapping.get("category", term_slug(term.parent_slug))
            if parent_id is None:
                self.report.warn(where, f"its parent {term.parent_slug!r} is not in the file")
            else:
                parent = Category.objects.get(pk=parent_id)
        # Our exports name a category by its slug among its siblings when WordPress needed a
        # site-wide unique one ("history-modern" for history/modern).
        own_slug = slugify(term.meta.get("_broadsheet_slug", ""), allow_unicode=True)[:200] or slug
        category = Category.objects.filter(slug=own_slug, parent=parent).first()
        if category is None:
            category = Category(
                name=name, slug=own_slug, parent=parent, description=without_nul(term.description)
            )
            category.save()
            self.report.add("categories")
        else:
            self.report.add("categories", new=False)
        self.mapping.remember("category", slug, category.pk)

    # Items -------------------------------------------------------------------------------

    def item(self, item: Item) -> None:
        where = f"line {item.line}, item {item.post_id or item.index}"
        kind = item.post_type or "post"
        self.comments.items_seen.add(item.post_id)
        if kind == "attachment":
            # Read in the first pass; here only a file address that is not one is reported.
            checked_address(
                item.attachment_url,
                report=self.report,
                where=f"line {item.line}, attachment {item.post_id}",
                what="its file address",
                max_length=1000,
            )
            self.comments.of_attachment(item, deferred=False)
            return
        if kind not in ("post", "page"):
            self.report.skip(where, f"post type {kind!r} is not imported (only posts and pages)")
            return
        if item.status in ("trash", "auto-draft", "inherit"):
            self.report.skip(where, f"its status is {item.status!r}")
            return
        if not item.post_id:
            self.report.skip(where, "no wp:post_id")
            return
        post_id = self.mapping.get("post", item.post_id)
        existed = post_id is not None
        if post_id is not None:
            self.report.add("pages" if kind == "page" else "posts", new=False)
            self._existing_images(post_id)
        else:
            post_id = self._create_post(item, where, kind)
        if item.meta.get("_thumbnail_id"):
            self.featured[post_id] = item.meta["_thumbnail_id"]
        self.comments.write(item, post_id, existed=existed)

    def already_done(self, item: Item) -> None:
        if item.post_type in ("post", "page") and item.status not in ("trash", "auto-draft"):
            self.report.add("pages" if item.post_type == "page" else "posts", new=False)
            for _ in item.comments:
                self.report.add("comments", new=False)

    def _create_post(self, item: Item, where: str, kind: str) -> int:
        status = _STATUSES.get(item.status)
        if status is None:
            self.report.warn(where, f"status {item.status!r} is unknown; imported as a draft")
            status = Post.Status.DRAFT
        if item.post_password:
            self.report.warn(where, "was password-protected in WordPress; imported as private")
            status = Post.Status.PRIVATE
        published = wordpress_utc(item.post_date_gmt, item.post_date)
        if status in Post.UNPUBLISHED:
            published = None
        title = html.unescape(without_nul(item.title)).strip()[:300] or "(no title)"
        converted = self.converted(item)
        for warning in converted.warnings:
            self.report.warn(where, warning)
        if converted.unconverted:
            self.report.warn(where, _unconverted(converted))
        body = self.media.rewrite(item.meta.get("_broadsheet_markdown") or converted.markdown)
        post = Post(
            kind=Post.Kind.PAGE if kind == "page" else Post.Kind.POST,
            title=title,
            slug=self._free_slug(item, kind, title, where),
            excerpt=short_markdown(item.excerpt) if item.excerpt.strip() else "",
            body=body,
            status=status,
            published_at=published,
            comments_open=item.comment_status != "closed",
            sticky=item.is_sticky == "1",
            menu_order=_int(item.menu_order),
            created_at=published or timezone.now(),
            language=item_language(item, self.language),
        )
        authors = self._authors(item, where)
        categories, tags = self._labels(item, where)
        post_save(
            post=post,
            authors=authors,
            categories=categories,
            tags=tags,
            notify=False,
            origin=Revision.Origin.IMPORTED,
        )
        self._references(item, post, where)
        # One revision, "imported", with the references written after the post.
        revision_take(
            post=post, by=None, origin=Revision.Origin.IMPORTED, amend_at=post.modified_at
        )
        modified = wordpress_utc(item.post_modified_gmt)
        if modified is not None:
            Post.objects.filter(pk=post.pk).update(modified_at=modified)
        self.mapping.remember("post", item.post_id, post.pk)
        if kind == "page" and item.post_parent not in ("", "0"):
            self.page_parents[post.pk] = item.post_parent
        self._old_addresses(item, post, kind)
        self.report.add("pages" if kind == "page" else "posts")
        self.media.shown(body, post=post.slug)
        return post.pk

    def converted(self, item: Item) -> Converted:
        """The item's content as Markdown, made once (prepare() needs it before item())."""
        if self._converted is None or self._converted[0] != item.index:
            converted = wordpress_to_markdown(
                item.content,
                footnotes_meta=item.meta.get("footnotes", ""),
                attachments=self.all_attachments,
                post_id=item.post_id,
            )
            self._converted = (item.index, converted)
        return self._converted[1]

    def prepare(self, item: Item) -> None:
        """With --media download: copy the images this item's post shows, before the
        transaction that writes it."""
        if self.media.download and item.post_type == "attachment":
            self.media.prepare([self.attachments.get(item.post_id, "")])  # for the library
            return
        if not self.media.download or item.post_type not in ("post", "page", ""):
            return
        if item.status in ("trash", "auto-draft", "inherit") or not item.post_id:
            return
        post_id = self.mapping.get("post", item.post_id)
        if post_id is None:
            body = item.meta.get("_broadsheet_markdown") or self.converted(item).markdown
        else:
            body = Post.objects.filter(pk=post_id).values_list("body", flat=True).first() or ""
        featured = self.attachments.get(item.meta.get("_thumbnail_id", ""), "")
        self.media.prepare([body, featured])

    def _existing_images(self, post_id: int) -> None:
        """An earlier import's post: its old images are copied now if asked, else counted."""
        post = Post.objects.filter(pk=post_id).first()
        if post is None:
            return
        body = self.media.rewrite(post.body)
        featured = self.media.rewrite(post.featured_image)
        if (body, featured) != (post.body, post.featured_image):
            post.body, post.featured_image = body, featured
            post_save(post=post, notify=False, origin=Revision.Origin.IMPORTED)
        self.media.shown(f"{post.body} {post.featured_image}", post=post.slug)

    def _authors(self, item: Item, where: str) -> list[User]:
        """dc:creator, or all of a Broadsheet post's authors in order (WordPress holds one)."""
        logins = [item.creator]
        if item.meta.get("_broadsheet_authors"):
            try:
                listed = json.loads(item.meta["_broadsheet_authors"])
                logins = [str(login) for login in listed] or logins
            except ValueError:
                self.report.warn(where, "its _broadsheet_authors meta is not JSON; one author kept")
        ids = []
        for login in logins:
            found = self.logins.get(login)
            if found is None:
                self.report.warn(where, f"its author {login!r} is not in the file's authors")
            elif found not in ids:
                ids.append(found)
        users = User.objects.in_bulk(ids)
        return [users[i] for i in ids if i in users]

    def _free_slug(self, item: Item, kind: str, title: str, where: str) -> str:
        wanted = unquote(item.post_name).strip() or slugify(title, allow_unicode=True)
        wanted = slugify(wanted, allow_unicode=True)[:190] or f"{kind}-{item.post_id}"
        slug, n = wanted, 2
        our_kind = Post.Kind.PAGE if kind == "page" else Post.Kind.POST
        while Post.objects.filter(kind=our_kind, slug=slug).exists():
            slug = f"{wanted}-{n}"
            n += 1
        if slug != wanted:
            self.report.warn(where, f"the address {wanted!r} was taken here; it is now {slug!r}")
        return slug

    def _labels(self, item: Item, where: str) -> tuple[list[Category], list[Tag]]:
        category_ids, tag_slugs = [], []
        for domain, nicename, name in item.terms:
            slug = term_slug(nicename, name)
            if domain == "category":
                found = self.mapping.get("category", slug)
                if found is None:  # named on the item only
                    category, _ = Category.objects.get_or_create(
                        slug=slug, parent=None, defaults={"name": html.unescape(name) or slug}
                    )
                    self.mapping.remember("category", slug, category.pk)
                    found = category.pk
                category_ids.append(found)
            elif domain == "post_tag" and slug:
                Tag.objects.get_or_create(slug=slug, defaults={"name": html.unescape(name) or slug})
                tag_slugs.append(slug)
        return (
            list(Category.objects.filter(pk__in=category_ids)),
            list(Tag.objects.filter(slug__in=tag_slugs)),
        )

    def _references(self, item: Item, post: Post, where: str) -> None:
        """Our own exports carry structured references; WordPress's do not. The post is
        rendered again with them (its citations and bibliography)."""
        raw = item.meta.get("_broadsheet_references")
        if not raw:
            return
        self._save_references(raw, post, where)
        post_rerender(post=post)

    def _save_references(self, raw: str, post: Post, where: str) -> None:
        try:
            references = json.loads(raw)
        except ValueError:
            self.report.warn(where, "its _broadsheet_references meta is not JSON; left out")
            return
        for position, fields in enumerate(references if isinstance(references, list) else []):
            if not isinstance(fields, dict):
                continue
            kept = {k: v for k, v in fields.items() if k in _REFERENCE_FIELDS}
            kept.setdefault("position", position)
            # Exports from before citations listed every reference: keep them listed.
            kept.setdefault("uncited", True)
            if kept.get("accessed"):
                try:
                    kept["accessed"] = date.fromisoformat(str(kept["accessed"]))
                except ValueError:
                    self.report.warn(where, f"reference {position + 1}: accessed date unreadable")
                    kept["accessed"] = None
            try:
                Reference(post=post, **kept).save()
            except (TypeError, ValueError) as error:
                self.report.warn(where, f"reference {position + 1} left out ({error})")

    def _old_addresses(self, item: Item, post: Post, kind: str) -> None:
        old = [f"/?page_id={item.post_id}" if kind == "page" else f"/?p={item.post_id}"]
        if kind == "page":
            old.append(f"/?p={item.post_id}")
        link = urlsplit(item.link)
        path = unquote(link.path) + (f"?{link.query}" if link.query else "")
        if link.path and path != post.get_absolute_url():
            old.append(path)
        for old_path in old:
            PostRedirect.objects.update_or_create(old_path=old_path[:500], defaults={"post": post})

    # After the last item -----------------------------------------------------------------

    def finish(self) -> None:
        for page_id, wordpress_parent in self.page_parents.items():
            parent = self.mapping.get("post", wordpress_parent)
            if parent is None:
                self.report.warn(
                    f"page {page_id}", f"its parent {wordpress_parent} is not in the file"
                )
                continue
            Post.objects.filter(pk=page_id).update(parent_id=parent)
        for post_id, attachment_id in self.featured.items():
            url = self.media.rewrite(self.attachments.get(attachment_id, ""))
            if url:
                Post.objects.filter(pk=post_id, featured_image="").update(featured_image=url[:1000])
                slug = Post.objects.filter(pk=post_id).values_list("slug", flat=True).first()
                self.media.shown(url, post=slug or str(post_id))
        self._library()
        self.media.finish()
        self.comments.finish()
        forget_listings()

    def _library(self) -> None:
        """The attachments copied here join the media library with their alt text, caption
        and credit; posts showing them become figures (media.services.library_adopt)."""
        for attachment in self.all_attachments.values():
            copied = self.media.copied.get(attachment.url)
            name = library_name(copied) if copied else None
            if name and library_adopt(
                name=name, alt_text=attachment.alt, caption=attachment.caption,
                credit=attachment.credit,
            ):  # fmt: skip
                self.report.add("library images")


def _unconverted(converted: Converted) -> str:
    names = ", ".join(
        f"[{name}]" + (f" ×{count}" if count > 1 else "")
        for name, count in sorted(converted.unconverted.items())
    )
    return (
        f"shortcodes left as text, since a WordPress plugin drew them and nothing here does: "
        f"{names}. Edit the post to replace them."
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def export_language(tag: str) -> str:
    """A language tag the export names, normalised ("de-DE"), or "" when it names none or
    something that is not a tag."""
    tag = tag.strip()
    try:
        validate_language_tag(tag)
    except ValidationError:
        return ""
    return normalize_tag(tag)


def item_language(item: Item, site_language_tag: str) -> str:
    """A post's language: its own where a multilingual plugin exported one (Polylang files
    each post under a `language` term, WPML keeps `_wpml_language`), else the exporting
    site's, else this site's (decision 0107)."""
    own = [nicename for domain, nicename, _ in item.terms if domain == "language"]
    for candidate in [*own, item.meta.get("_wpml_language", ""), site_language_tag]:
        tag = export_language(candidate)
        if tag:
            return tag
    return site_language()

"""`broadsheet export wordpress`: the whole site as WXR 1.2, the file WordPress's importer reads.

Written as a stream: the channel, then one `wp:author`, `wp:category`, `wp:tag` and `item` at a
time, with posts and comments read by `.iterator()`, so memory does not grow with the site.

What WordPress cannot hold travels as post meta that WordPress keeps and ignores and that
`broadsheet import wordpress` prefers: `_broadsheet_markdown` (the Markdown source),
`_broadsheet_references` (the references, JSON with our field names) and
`_broadsheet_authors` (every author's login, in order, when there are several). The content
WordPress shows is our rendered HTML (body, references, notes) in one Custom HTML block, so
WordPress shows it as we do instead of adding paragraphs and line breaks of its own.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from email.utils import format_datetime
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Prefetch, Q
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.core.models import SiteSettings
from broadsheet.core.webaddress import absolute_html
from broadsheet.discussion.models import Comment
from broadsheet.importers.progress import Progress
from broadsheet.media.figures import library_name
from broadsheet.media.models import MediaItem
from broadsheet.publishing.models import Category, Post, PostAuthor, Reference, Tag

WXR_VERSION = "1.2"
NO_DATE = "0000-00-00 00:00:00"  # WordPress's date of a draft that was never given one
_WP_DATE = "%Y-%m-%d %H:%M:%S"
# Characters XML 1.0 cannot carry at all (not even escaped): most C0 controls, lone
# surrogates, U+FFFE and U+FFFF. They are dropped rather than making the file unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

POST_STATUSES: dict[str, str] = {
    Post.Status.DRAFT: "draft",
    Post.Status.PENDING: "pending",
    Post.Status.SCHEDULED: "future",
    Post.Status.PUBLISHED: "publish",
    Post.Status.PRIVATE: "private",
}
COMMENT_STATUSES: dict[str, str] = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}
REFERENCE_FIELDS = [
    f.name
    for f in Reference._meta.concrete_fields
    if f.name not in ("id", "post", "html") and f.editable
]


def xml_text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def cdata(value: object) -> str:
    """Text as CDATA; a `]]>` inside is split across two sections, as WordPress does."""
    text = xml_text(value).replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{text}]]>"


def _element(name: str, value: object, *, raw: bool = False) -> str:
    return f"<{name}>{escape(xml_text(value)) if raw else cdata(value)}</{name}>"


def _elements(*pairs: tuple[str, object]) -> str:
    return "".join(_element(name, value) for name, value in pairs)


def _meta(tag: str, key: str, value: str) -> str:
    return f"\t\t<wp:{tag}>{_element('wp:meta_key', key)}{_element('wp:meta_value', value)}</wp:{tag}>\n"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _language() -> str:
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}-{region.upper()}" if region else language


@dataclass
class _Dates:
    zone: tzinfo

    def local(self, moment: datetime | None) -> str:
        return moment.astimezone(self.zone).strftime(_WP_DATE) if moment else NO_DATE

    @staticmethod
    def gmt(moment: datetime | None) -> str:
        return moment.astimezone(UTC).strftime(_WP_DATE) if moment else NO_DATE

    @staticmethod
    def rfc2822(moment: datetime) -> str:
        return format_datetime(moment.astimezone(UTC))


def wordpress_export(*, output: TextIO, progress: Progress | None = None) -> Counter[str]:
    """Write the site as WXR to `output`; returns what was written ("posts": 12, …)."""
    kinds = ["authors", "categories", "tags", "posts", "pages", "comments", "images"]
    written: Counter[str] = Counter(dict.fromkeys(kinds, 0))
    dates = _Dates(ZoneInfo(settings.TIME_ZONE))
    output.write(_head(dates))
    for chunk in _authors():
        output.write(chunk)
        written["authors"] += 1
    nicenames = _category_nicenames()
    for chunk in _categories(nicenames):
        output.write(chunk)
        written["categories"] += 1
    # Term ids are shared by all of WordPress's taxonomies: tags are numbered after categories.
    tag_offset = Category.objects.aggregate(top=Max("pk"))["top"] or 0
    for tag in Tag.objects.order_by("pk").iterator():
        output.write(_tag(tag, tag_offset))
        written["tags"] += 1
    # Attachments are items too, numbered after every post: featured images that are not
    # library images, then the library's images.
    ids = _AttachmentIds.for_site()
    for post in _posts():
        for chunk in _item(post, dates, nicenames, ids, written):
            output.write(chunk)
        written["pages" if post.is_page else "posts"] += 1
        if progress is not None:
            progress.update(done=written["posts"] + written["pages"] + written["comments"])
    for item in MediaItem.objects.select_related("uploader").order_by("pk").iterator():
        output.write(_library_attachment(item, dates, ids.library + item.pk))
        written["images"] += 1
    output.write("</channel>\n</rss>\n")
    return written


def _head(dates: _Dates) -> str:
    site = SiteSettings.current()
    now = timezone.now()
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        f'<!-- generator="Broadsheet" created="{dates.local(now)[:16]}" -->\n'
        '<rss version="2.0"\n'
        '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:wp="http://wordpress.org/export/1.2/"\n'
        ">\n<channel>\n"
        f"\t<title>{escape(xml_text(site.title))}</title>\n"
        f"\t<link>{escape(settings.SITE_URL)}</link>\n"
        f"\t<description>{escape(xml_text(site.tagline))}</description>\n"
        f"\t<pubDate>{dates.rfc2822(now)}</pubDate>\n"
        f"\t<language>{escape(_language())}</language>\n"
        f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{escape(settings.SITE_URL)}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{escape(settings.SITE_URL)}</wp:base_blog_url>\n\n"
    )


def _authors() -> Iterator[str]:
    """Every account that wrote a post or a comment: WordPress maps comments to users by id."""
    wrote = Exists(PostAuthor.objects.filter(author=OuterRef("pk")))
    commented = Exists(Comment.objects.filter(user=OuterRef("pk")))
    users = User.objects.filter(Q(wrote) | Q(commented)).select_related("profile").order_by("pk")
    for user in users.iterator(chunk_size=500):
        fields = _elements(
            ("wp:author_login", user.username),
            ("wp:author_email", user.email),
            ("wp:author_display_name", user.display_name),
            ("wp:author_first_name", user.first_name),
            ("wp:author_last_name", user.last_name),
        )
        yield f"\t<wp:author><wp:author_id>{user.pk}</wp:author_id>{fields}</wp:author>\n"


def _category_nicenames() -> dict[int, str]:
    """Category id → its slug in WordPress, parents before children (the dict's order).

    WordPress wants a category's slug unique in the whole taxonomy, where we want it unique
    among its siblings only; a repeated one becomes `parent-child`, as WordPress names it.
    """
    categories = list(Category.objects.only("pk", "slug", "parent_id", "name"))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    nicenames: dict[int, str] = {}
    used: set[str] = set()
    queue = sorted(children.get(None, []), key=lambda c: (c.name, c.pk))
    while queue:
        category = queue.pop(0)
        nicename = category.slug
        if nicename in used and category.parent_id is not None:
            nicename = f"{nicenames[category.parent_id]}-{category.slug}"
        base, n = nicename, 2
        while nicename in used:
            nicename, n = f"{base}-{n}", n + 1
        used.add(nicename)
        nicenames[category.pk] = nicename
        queue.extend(sorted(children.get(category.pk, []), key=lambda c: (c.name, c.pk)))
    return nicenames


def _categories(nicenames: dict[int, str]) -> Iterator[str]:
    by_id = Category.objects.in_bulk(list(nicenames))
    for pk, nicename in nicenames.items():
        category = by_id[pk]
        parent = nicenames[category.parent_id] if category.parent_id else ""
        fields = _elements(
            ("wp:category_nicename", nicename),
            ("wp:category_parent", parent),
            ("wp:cat_name", category.name),
            ("wp:category_description", category.description),
        )
        if nicename != category.slug:  # renamed for WordPress: our slug travels as term meta
            fields += _meta("termmeta", "_broadsheet_slug", category.slug).strip()
        yield f"\t<wp:category><wp:term_id>{pk}</wp:term_id>{fields}</wp:category>\n"


def _tag(tag: Tag, offset: int) -> str:
    fields = _elements(("wp:tag_slug", tag.slug), ("wp:tag_name", tag.name))
    return f"\t<wp:tag><wp:term_id>{offset + tag.pk}</wp:term_id>{fields}</wp:tag>\n"


def _posts() -> Iterator[Post]:
    authors = PostAuthor.objects.select_related("author").order_by("position", "id")
    return (
        Post.objects.order_by("pk")
        .prefetch_related(
            Prefetch("postauthor_set", queryset=authors, to_attr="ordered_authors"),
            "categories",
            "tags",
            "references",
        )
        .iterator(chunk_size=100)
    )


def post_content_html(post: Post) -> str:
    """What a reader sees of the post, in one piece: body, references, then notes."""
    parts = [post.body_html]
    if post.bibliography_html:
        parts.append(
            f'<section class="references"><h2>References</h2>{post.bibliography_html}</section>'
        )
    if post.footnotes_html:
        parts.append(f'<section class="footnotes"><h2>Notes</h2>\n{post.footnotes_html}</section>')
    return "\n".join(part.strip() for part in parts if part.strip())


def references_json(post: Post) -> str:
    rows = []
    for reference in post.references.all():
        row = {name: getattr(reference, name) for name in REFERENCE_FIELDS}
        row["accessed"] = reference.accessed.isoformat() if reference.accessed else None
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False)


@dataclass(frozen=True)
class _AttachmentIds:
    featured: int  # a featured image that is not the library's: this + the post's id
    library: int  # a library image: this + its id
    names: dict[str, int]  # a library image's storage name → its id

    @classmethod
    def for_site(cls) -> _AttachmentIds:
        top = Post.objects.aggregate(top=Max("pk"))["top"] or 0
        return cls(top, 2 * top, dict(MediaItem.objects.values_list("file", "pk")))

    def thumbnail(self, post: Post) -> tuple[int, bool]:
        """The attachment id of the post's featured image, and whether it is the library's."""
        item = self.names.get(library_name(post.featured_image) or "")
        return (self.library + item, True) if item else (self.featured + post.pk, False)


def _item(
    post: Post,
    dates: _Dates,
    nicenames: dict[int, str],
    ids: _AttachmentIds,
    written: Counter[str],
) -> Iterator[str]:
    authors = [pa.author for pa in getattr(post, "ordered_authors", [])]
    creator = authors[0].username if authors else ""
    yield _item_head(post, dates, creator)
    for category in post.categories.all():
        nicename = nicenames.get(category.pk, category.slug)
        yield f'\t\t<category domain="category" nicename={quoteattr(xml_text(nicename))}>{cdata(category.name)}</category>\n'
    for tag in post.tags.all():
        yield f'\t\t<category domain="post_tag" nicename={quoteattr(xml_text(tag.slug))}>{cdata(tag.name)}</category>\n'
    yield _meta("postmeta", "_broadsheet_markdown", post.body)
    if post.references.all():
        yield _meta("postmeta", "_broadsheet_references", references_json(post))
    if len(authors) > 1:
        logins = json.dumps([a.username for a in authors], ensure_ascii=False)
        yield _meta("postmeta", "_broadsheet_authors", logins)
    thumbnail, in_library = ids.thumbnail(post)
    if post.featured_image:
        yield _meta("postmeta", "_thumbnail_id", str(thumbnail))
    for comment in (
        Comment.objects.filter(post_id=post.pk)
        .select_related("user__profile")
        .order_by("pk")
        .iterator(chunk_size=1000)
    ):
        yield _comment(comment, dates)
        written["comments"] += 1
    yield "\t</item>\n"
    if post.featured_image and not in_library:
        yield _attachment(post, dates, creator, thumbnail)


def _item_head(post: Post, dates: _Dates, creator: str) -> str:
    """The item's own elements, before its terms, meta and comments."""
    published = post.published_at
    shown = published or post.created_at
    html = absolute_html(post_content_html(post), settings.SITE_URL)  # read on another site
    content = f"<!-- wp:html -->\n{html}\n<!-- /wp:html -->" if html else ""
    excerpt = post.excerpt_html.strip() if post.excerpt.strip() else ""
    discussion = "open" if post.comments_open else "closed"
    return (
        "\t<item>\n"
        f"\t\t{_element('title', post.title)}\n"
        f"\t\t<link>{escape(xml_text(_absolute(post.get_absolute_url())))}</link>\n"
        f"\t\t<pubDate>{dates.rfc2822(shown)}</pubDate>\n"
        f"\t\t{_element('dc:creator', creator)}\n"
        f'\t\t<guid isPermaLink="false">{escape(settings.SITE_URL)}/?p={post.pk}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t{_element('content:encoded', content)}\n"
        f"\t\t{_element('excerpt:encoded', excerpt)}\n"
        f"\t\t<wp:post_id>{post.pk}</wp:post_id>\n"
        f"\t\t{_element('wp:post_date', dates.local(shown))}"
        f"{_element('wp:post_date_gmt', dates.gmt(published))}\n"
        f"\t\t{_element('wp:post_modified', dates.local(post.modified_at))}"
        f"{_element('wp:post_modified_gmt', dates.gmt(post.modified_at))}\n"
        f"\t\t{_elements(('wp:comment_status', discussion), ('wp:ping_status', discussion))}\n"
        f"\t\t{_element('wp:post_name', post.slug)}"
        f"{_element('wp:status', POST_STATUSES[post.status])}\n"
        f"\t\t<wp:post_parent>{post.parent_id or 0}</wp:post_parent>"
        f"<wp:menu_order>{post.menu_order}</wp:menu_order>"
        f"{_element('wp:post_type', 'page' if post.is_page else 'post')}\n"
        f"\t\t{_element('wp:post_password', '')}<wp:is_sticky>{int(post.sticky)}</wp:is_sticky>\n"
    )


def _comment(comment: Comment, dates: _Dates) -> str:
    user = comment.user
    name = comment.author_name or (user.display_name if user else "")
    email = comment.author_email or (user.email if user else "")
    kind = "comment" if comment.kind == Comment.Kind.COMMENT else comment.kind
    meta = _meta("commentmeta", "_broadsheet_removed", "1") if comment.removed else ""
    if comment.mention:
        # A Webmention's type, as WordPress's Semantic Linkbacks plugin keeps it: its sites
        # show likes and reposts as faces and leave them out of the comment count, as we do.
        meta += _meta("commentmeta", "semantic_linkbacks_type", comment.mention)
    # The Markdown source, not our HTML: WordPress shows comment text through its own
    # filters (paragraphs from blank lines, links made clickable), and plain text reads well.
    return (
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{comment.pk}</wp:comment_id>"
        f"{_element('wp:comment_author', name)}{_element('wp:comment_author_email', email)}"
        f"{_element('wp:comment_author_url', comment.author_url, raw=True)}"
        f"{_element('wp:comment_author_IP', comment.ip_address or '')}\n"
        f"\t\t\t{_element('wp:comment_date', dates.local(comment.created_at))}"
        f"{_element('wp:comment_date_gmt', dates.gmt(comment.created_at))}\n"
        f"\t\t\t{_element('wp:comment_content', comment.body)}\n"
        f"\t\t\t{_element('wp:comment_approved', COMMENT_STATUSES[comment.status])}"
        f"{_element('wp:comment_type', kind)}"
        f"<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>"
        f"<wp:comment_user_id>{comment.user_id or 0}</wp:comment_user_id>\n"
        f"{meta}"
        "\t\t</wp:comment>\n"
    )


def _attachment(post: Post, dates: _Dates, creator: str, attachment_id: int) -> str:
    url = post.featured_image
    name = url.rstrip("/").rsplit("/", 1)[-1] or f"image-{post.pk}"
    shown = post.published_at or post.created_at
    return (
        "\t<item>\n"
        f"\t\t{_element('title', name)}\n"
        f"\t\t<link>{escape(xml_text(url))}</link>\n"
        f"\t\t<pubDate>{dates.rfc2822(shown)}</pubDate>\n"
        f"\t\t{_element('dc:creator', creator)}\n"
        f'\t\t<guid isPermaLink="false">{escape(xml_text(url))}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t{_element('content:encoded', '')}{_element('excerpt:encoded', '')}\n"
        f"\t\t<wp:post_id>{attachment_id}</wp:post_id>\n"
        f"\t\t{_element('wp:post_date', dates.local(shown))}"
        f"{_element('wp:post_date_gmt', dates.gmt(shown))}\n"
        f"\t\t{_elements(('wp:comment_status', 'closed'), ('wp:ping_status', 'closed'))}\n"
        f"\t\t{_element('wp:post_name', f'featured-image-{post.pk}')}"
        f"{_element('wp:status', 'inherit')}\n"
        f"\t\t<wp:post_parent>{post.pk}</wp:post_parent><wp:menu_order>0</wp:menu_order>"
        f"{_element('wp:post_type', 'attachment')}\n"
        f"\t\t{_element('wp:post_password', '')}<wp:is_sticky>0</wp:is_sticky>\n"
        f"\t\t<wp:attachment_url>{escape(xml_text(url))}</wp:attachment_url>\n"
        "\t</item>\n"
    )


def _library_attachment(item: MediaItem, dates: _Dates, attachment_id: int) -> str:
    """A library image as WordPress's attachment: the caption as its excerpt, the alt text
    as `_wp_attachment_image_alt`, the credit (WordPress has no field for it) as
    `_broadsheet_credit`; the file at its full address, to be fetched by an importer."""
    url = item.absolute_url
    creator = item.uploader.username if item.uploader else ""
    return (
        "\t<item>\n"
        f"\t\t{_element('title', item.original_name.rsplit('.', 1)[0])}\n"
        f"\t\t<link>{escape(xml_text(url))}</link>\n"
        f"\t\t<pubDate>{dates.rfc2822(item.created_at)}</pubDate>\n"
        f"\t\t{_element('dc:creator', creator)}\n"
        f'\t\t<guid isPermaLink="false">{escape(xml_text(url))}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t{_element('content:encoded', '')}{_element('excerpt:encoded', item.caption)}\n"
        f"\t\t<wp:post_id>{attachment_id}</wp:post_id>\n"
        f"\t\t{_element('wp:post_date', dates.local(item.created_at))}"
        f"{_element('wp:post_date_gmt', dates.gmt(item.created_at))}\n"
        f"\t\t{_elements(('wp:comment_status', 'closed'), ('wp:ping_status', 'closed'))}\n"
        f"\t\t{_element('wp:post_name', f'image-{item.pk}')}"
        f"{_element('wp:status', 'inherit')}\n"
        "\t\t<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>"
        f"{_element('wp:post_type', 'attachment')}\n"
        f"\t\t{_element('wp:post_password', '')}<wp:is_sticky>0</wp:is_sticky>\n"
        f"\t\t<wp:attachment_url>{escape(xml_text(url))}</wp:attachment_url>\n"
        + (_meta("postmeta", "_wp_attachment_image_alt", item.alt_text) if item.alt_text else "")
        + (_meta("postmeta", "_broadsheet_credit", item.credit) if item.credit else "")
        + "\t</item>\n"
    )

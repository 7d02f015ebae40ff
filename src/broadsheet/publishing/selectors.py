"""Reads for publishing. Each page costs a fixed number of queries, whatever the content."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.dates import MONTHS
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from broadsheet.core.numerals import localize_digits
from broadsheet.core.requestmemo import forget, remembered
from broadsheet.core.sql import select_models, select_one
from broadsheet.publishing.models import (
    Category,
    Post,
    PostAuthor,
    PostQuerySet,
    Reference,
    Tag,
)

# A post's authors in their order, as `post.author_links` (shared with search indexing).
AUTHOR_LINKS: Any = Prefetch(
    "postauthor_set",
    queryset=PostAuthor.objects.select_related("author__profile").order_by("position", "id"),
    to_attr="author_links",
)


def _listing() -> PostQuerySet:
    # Lists show public posts to everyone, signed in or not (decision 0022): a private post
    # is read at its own address by those who may.
    return (
        Post.objects.public()
        .posts()
        .prefetch_related(AUTHOR_LINKS, "categories")
        .defer("body", "body_html", "footnotes_html", "featured_image_html", "toc")
    )


def _paginate(queryset: QuerySet[Post], page: int) -> Page[Post]:
    paginator = Paginator(queryset, settings.POSTS_PER_PAGE, allow_empty_first_page=True)
    try:
        return paginator.page(page)
    except EmptyPage:
        raise Http404("There is no such page of posts.") from None


def post_list_home(*, page: int) -> Page[Post]:
    return _paginate(_listing().order_by("-sticky", "-published_at", "-id"), page)


def post_list_for_author(*, author: Any, page: int) -> Page[Post]:
    return _paginate(_listing().filter(authors=author), page)


def post_list_for_category(*, category: Category, page: int) -> Page[Post]:
    # WordPress shows a category's posts together with those of its subcategories.
    within = Q(categories__path=category.path) | Q(categories__path__startswith=f"{category.path}/")
    return _paginate(_listing().filter(within).distinct(), page)


def post_list_for_tag(*, tag: Tag, page: int) -> Page[Post]:
    return _paginate(_listing().filter(tags=tag), page)


@dataclass(frozen=True)
class ArchivePeriod:
    """A month (`on` is its first day) or a day with published posts, and how many."""

    on: date
    count: int
    url: str

    @property
    def month_name(self) -> str:
        return str(MONTHS[self.on.month])


@dataclass(frozen=True)
class ArchiveYear:
    year: int
    count: int
    url: str
    months: list[ArchivePeriod]


# A safety net for writes that bypass the Post signals (raw SQL, a queryset .update()).
_ARCHIVE_MONTHS_MAX_AGE = 3600


def _navigation_key(language: str | None = None) -> str:
    # Months are counted in the site's time zone, as permalinks date posts.
    # One copy per language: the archive list's month names and counts are translated.
    zone = timezone.get_current_timezone_name()
    language = language or get_language() or settings.LANGUAGE_CODE
    return f"broadsheet:publishing:navigation:{zone}:{language}:v3"


@dataclass(frozen=True)
class MenuItem:
    title: str
    url: str


@dataclass(frozen=True)
class Navigation:
    """What every page shows of the whole site: the header's menu and the footer's archive
    list, as data and as the markup the pages print (rendered once, when this is cached)."""

    rows: list[tuple[int, int, int]]  # (year, month, posts)
    menu: list[MenuItem]
    menu_html: str
    archive_html: str


def _navigation() -> Navigation:
    """Cached until a post or page is saved or deleted, or until the next scheduled one goes
    live, so a page costs no query for it, and read once per request."""
    return remembered(_navigation_key(), _navigation_read)


def _navigation_read() -> Navigation:
    key = _navigation_key()
    found = cache.get(key)
    if found is None:
        rows, menu, timeout = _navigation_rows()
        found = Navigation(
            rows=rows,
            menu=menu,
            menu_html=render_to_string("includes/site_menu.html", {"menu_pages": menu}).strip(),
            archive_html=render_to_string(
                "includes/archive_list.html", {"archive_months": _archive_years(rows)}
            ).strip(),
        )
        cache.set(key, found, timeout=timeout)
    return found


def archive_months() -> list[ArchiveYear]:
    """Years and months with published posts, newest first, with their counts (the footer)."""
    return _archive_years(_navigation().rows)


def menu_pages() -> list[MenuItem]:
    """Top-level pages with a menu order, in that order (the header's menu)."""
    return _navigation().menu


def navigation_markup() -> tuple[SafeString, SafeString]:
    """The header's menu and the footer's archive list, ready to print."""
    found = _navigation()
    return mark_safe(found.menu_html), mark_safe(found.archive_html)  # rendered by templates


def archive_months_forget() -> None:
    """Drop the cached archive list and menu: the navigation effect (publishing.effects), run
    after the commit of a change that moves a post or page in them."""
    keys = {_navigation_key(), *(_navigation_key(code) for code, _ in settings.LANGUAGES)}
    for key in keys:
        cache.delete(key)
        forget(key)


def _navigation_rows() -> tuple[list[tuple[int, int, int]], list[MenuItem], int]:
    now = timezone.now()
    zone = timezone.get_current_timezone()
    rows = (
        Post.objects.public()
        .posts()
        .annotate(
            year=ExtractYear("published_at", tzinfo=zone),
            month=ExtractMonth("published_at", tzinfo=zone),
        )
        .values_list("year", "month")
        .annotate(count=Count("id"))
        .order_by("-year", "-month")
    )
    menu = [
        MenuItem(title=page.title, url=page.get_absolute_url())
        for page in Post.objects.public()
        .pages()
        .filter(menu_order__gt=0, parent__isnull=True)
        .only("title", "slug", "kind", "parent_id")
        .order_by("menu_order", "title")
    ]
    # A scheduled post or page appears by itself when its time comes, so the lists expire then.
    next_due = (
        Post.objects.filter(status=Post.Status.SCHEDULED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    timeout = _ARCHIVE_MONTHS_MAX_AGE
    if next_due is not None:
        timeout = max(1, min(timeout, math.ceil((next_due - now).total_seconds())))
    return [(year, month, count) for year, month, count in rows], menu, timeout


def _archive_years(rows: list[tuple[int, int, int]]) -> list[ArchiveYear]:
    years = []
    for year, group in groupby(rows, key=itemgetter(0)):
        url = reverse("publishing:year", args=[year])
        months = [
            ArchivePeriod(on=date(year, month, 1), count=count, url=f"{url}{month:02d}/")
            for _, month, count in group
        ]
        years.append(
            ArchiveYear(year=year, count=sum(m.count for m in months), url=url, months=months)
        )
    return years


@dataclass
class DateArchive:
    """A year, month or day archive: one page of its posts, and its months (of a year) or days
    (of a month) with their counts."""

    on: date
    kind: Literal["year", "month", "day"]
    page: Page[Post]
    url: str
    periods: list[ArchivePeriod]

    @property
    def name(self) -> str:
        """The period in the page's language: "2026", "March 2026", "March 14, 2026"."""
        formats = {"year": "Y", "month": "YEAR_MONTH_FORMAT", "day": "DATE_FORMAT"}
        return localize_digits(dateformat.format(self.on, get_format(formats[self.kind])))

    @property
    def heading(self) -> str:
        """WordPress's words: "Year: 2026", "Month: March 2026", "Day: March 14, 2026"."""
        headings = {
            "year": gettext("Year: %(name)s"),
            "month": gettext("Month: %(name)s"),
            "day": gettext("Day: %(name)s"),
        }
        return headings[self.kind] % {"name": self.name}


def _day_start(on: date) -> datetime:
    # Converted here, so a date at the edge of the calendar is a 404, not a driver error.
    return datetime.combine(on, time.min, tzinfo=timezone.get_current_timezone()).astimezone(UTC)


def post_list_for_date(
    *, year: int, month: int | None = None, day: int | None = None, page: int
) -> DateArchive:
    """The posts published in a year, a month or on a day, newest first. Days begin at
    midnight in the site's time zone, as the dates in permalinks do; an impossible date or
    one without posts is a 404."""
    try:
        first = date(year, 1 if month is None else month, 1 if day is None else day)
        if day is not None:
            after = first + timedelta(days=1)
        elif month is not None:
            after = date(year + month // 12, month % 12 + 1, 1)
        else:
            after = date(year + 1, 1, 1)
        start, end = _day_start(first), _day_start(after)
    except (ValueError, OverflowError):
        raise Http404("No such date.") from None
    within = Q(published_at__gte=start, published_at__lt=end)
    posts = _paginate(_listing().filter(within).order_by("-published_at", "-id"), page)
    if not posts.paginator.count:
        raise Http404("Nothing was published then.")

    year_url = reverse("publishing:year", args=[year])
    periods: list[ArchivePeriod] = []
    if day is not None:
        kind: Literal["year", "month", "day"] = "day"
        url = f"{year_url}{first.month:02d}/{first.day:02d}/"
    elif month is not None:
        kind, url = "month", f"{year_url}{first.month:02d}/"
        zone = timezone.get_current_timezone()
        days = (
            Post.objects.public()
            .posts()
            .filter(within)
            .annotate(day=ExtractDay("published_at", tzinfo=zone))
            .values_list("day")
            .annotate(count=Count("id"))
            .order_by("day")
        )
        periods = [
            ArchivePeriod(on=first.replace(day=d), count=count, url=f"{url}{d:02d}/")
            for d, count in days
        ]
    else:
        kind, url = "year", year_url
        # From the cached archive list: no query. Its counts are those every reader sees.
        periods = next((y.months for y in archive_months() if y.year == year), [])
    return DateArchive(on=first, kind=kind, page=posts, url=url, periods=periods)


def category_for_path(*, path: str) -> Category:
    """Resolve `parent/child`; a bare child slug is found too, for a redirect to its full path."""
    wanted = "/".join(s for s in path.strip("/").split("/") if s)
    category = Category.objects.filter(path=wanted).first()
    if category is None and "/" not in wanted:
        category = Category.objects.filter(slug=wanted).order_by("path").first()
    if category is None:
        raise Http404("No such category.")
    return category


@dataclass
class PostPermalinkResult:
    post: Post | None
    redirect_to: str | None = None


def _prefetched(instance: Any, name: str, objects: list[Any]) -> None:
    """Hand `instance.<name>.all()` its rows, as prefetch_related would."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def _with_details(post: Post) -> Post:
    """The post with what its page shows: authors in order (with profiles), categories,
    tags and references. Four short statements, as `prefetch_related` would read them."""
    from broadsheet.accounts.models import Profile, User
    from broadsheet.publishing.models import Reference

    quote = connection.ops.quote_name
    links, users = quote(PostAuthor._meta.db_table), quote(User._meta.db_table)
    profiles = quote(Profile._meta.db_table)
    # Each author's profile rides along as extra columns (every one is text: no conversion).
    profile_fields = [f.attname for f in Profile._meta.concrete_fields]
    authors = select_models(
        User,
        f"JOIN {links} ON {links}.author_id = {users}.id "
        f"LEFT JOIN {profiles} ON {profiles}.user_id = {users}.id "
        f"WHERE {links}.post_id = %s ORDER BY {links}.{quote('position')}, {links}.id",
        [post.pk],
        extra=", ".join(
            [
                f"{links}.id AS link_id, {links}.{quote('position')} AS link_position",
                *(f"{profiles}.{quote(a)} AS {quote('profile__' + a)}" for a in profile_fields),
            ]
        ),
    )
    author_links = []
    for user in authors:
        values = [user.__dict__.pop(f"profile__{a}") for a in profile_fields]
        profile = Profile.from_db(post._state.db, profile_fields, values) if values[0] else None
        # Both ways, as select_related caches them (None too: no query for a missing profile).
        User.profile.related.set_cached_value(user, profile)
        if profile is not None:
            Profile.user.field.set_cached_value(profile, user)
        link = PostAuthor(
            id=user.__dict__.pop("link_id"),
            post_id=post.pk,
            author_id=user.pk,
            position=user.__dict__.pop("link_position"),
        )
        link.author = user
        author_links.append(link)
    post.author_links = author_links  # type: ignore[attr-defined]
    for name, model in (("categories", Category), ("tags", Tag)):
        through = quote(getattr(Post, name).through._meta.db_table)
        table = quote(model._meta.db_table)
        column = f"{model._meta.model_name}_id"
        _prefetched(post, name, select_models(
            model,
            f"JOIN {through} ON {through}.{column} = {table}.id WHERE {through}.post_id = %s "
            f"ORDER BY {table}.{quote('name')}, {table}.id",
            [post.pk],
        ))  # fmt: skip
    references = quote(Reference._meta.db_table)
    _prefetched(post, "references", select_models(
        Reference,
        f"WHERE {references}.post_id = %s ORDER BY {references}.{quote('position')}, {references}.id",
        [post.pk],
    ))  # fmt: skip
    return post


def post_for_permalink(
    *, user: Any, year: int, month: int, day: int, slug: str
) -> PostPermalinkResult:
    try:
        on = date(year, month, day)
    except ValueError:
        raise Http404("No such date.") from None
    posts = connection.ops.quote_name(Post._meta.db_table)
    candidates = [
        post
        for post in select_models(
            Post,
            f"WHERE {posts}.slug = %s AND {posts}.kind = %s ORDER BY {posts}.published_at DESC, "
            f"{posts}.id DESC",
            [slug, Post.Kind.POST],
        )
        if post.is_visible_to(user)
    ]
    for post in candidates:
        # Compared as dates, not addresses: reverse() percent-encodes a non-ASCII slug.
        if post.published_at is not None and timezone.localdate(post.published_at) == on:
            return PostPermalinkResult(_with_details(post))
    if candidates:
        # Right slug, wrong date: WordPress answers with the canonical address.
        return PostPermalinkResult(None, redirect_to=candidates[0].get_absolute_url())
    raise Http404("No such post.")


_BIBLIOGRAPHY_ENTRY = re.compile(r'<li id="ref-([^"]+)"')


def post_bibliography(*, post: Post) -> list[Reference]:
    """The references the post's bibliography shows (the cited ones and those marked uncited,
    decided when it was rendered), in its order: what its downloads hold."""
    by_key = {reference.key: reference for reference in post.references.all()}
    keys = dict.fromkeys(_BIBLIOGRAPHY_ENTRY.findall(post.bibliography_html))
    return [by_key[key] for key in keys if key in by_key]


def post_for_preview(*, pk: int, user: Any) -> Post:
    """Any post the reader may read or edit, whatever its status (WordPress previews a post
    to whoever may edit it). Others' drafts are a 404, so their existence is not told."""
    post = Post.objects.filter(pk=pk).first()
    if post is None or not post.may_be_previewed_by(user):
        raise Http404("No such post.")
    return _with_details(post)


def page_for_path(*, user: Any, path: str) -> Post:
    slugs = [s for s in path.strip("/").split("/") if s]
    if not slugs:
        raise Http404("No such page.")
    pages = Post.objects.visible(user).pages().filter(slug=slugs[-1])
    for page in pages.select_related("parent__parent"):
        if page.page_path == "/".join(slugs):
            return _with_details(page)
    raise Http404("No such page.")


@dataclass
class Neighbours:
    previous: Post | None
    next: Post | None


def post_neighbours(*, post: Post) -> Neighbours:
    """The public posts published just before and just after, as WordPress's post
    navigation; the same for every reader, like every list (decision 0022)."""
    if post.kind != Post.Kind.POST or post.published_at is None:
        return Neighbours(None, None)
    # Two short statements written out (decision 0019), with `public()`'s rule in SQL.
    posts = connection.ops.quote_name(Post._meta.db_table)
    live, params = PostQuerySet.public_sql()
    adapt = connection.ops.adapt_datetimefield_value

    def neighbour(compare: str, order: str) -> Post | None:
        found = select_models(
            Post,
            f"WHERE {live} AND {posts}.kind = %s "
            f"AND {posts}.id <> %s AND {posts}.published_at {compare} %s "
            f"ORDER BY {posts}.published_at {order}, {posts}.id {order} LIMIT 1",
            [*params, Post.Kind.POST, post.pk, adapt(post.published_at)],
            only=("title", "slug", "published_at", "kind"),
        )
        return found[0] if found else None

    return Neighbours(neighbour("<=", "DESC"), neighbour(">=", "ASC"))


def post_for_comments(*, pk: int | None, user: Any) -> Post | None:
    """The post a comment form names, if the reader may see it."""
    if not pk:
        return None
    post = Post.objects.visible(user).filter(pk=pk).first()
    return _with_details(post) if post is not None else None


# What writing a comment reads from its post: the rules (open, public, age), the address to
# go back to (a page's address walks its parents), the subject of the confirmation email and
# the version the comment is written on (its anchor's revision too).
_COMMENT_POST_FIELDS = (
    "kind", "title", "slug", "status", "published_at", "comments_open", "parent_id",
    "revision", "version",
)  # fmt: skip


def post_for_comment_submit(*, pk: int | None, user: Any) -> Post | None:
    """The post a comment is written to, if the reader may see it: one query for only the
    fields writing a comment reads. The page's selector (`post_for_comments`) loads the whole
    post with its authors, labels and references, needed only when a comment is refused and
    the page shown again.
    """
    if not pk:
        return None
    # Written out (it runs for every comment posted), then held to the rule of `visible()`.
    post = select_one(Post, pk, only=_COMMENT_POST_FIELDS)
    return post if post is not None and post.is_visible_to(user) else None

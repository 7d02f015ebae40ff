"""Fill a database with a large, realistic site for the benchmarks.

    DATABASE_URL=sqlite:////tmp/site.sqlite3 .venv/bin/python bench/generate_site.py \\
        [--posts 10000] [--comments 100000] [--seed 1871]

Authors, nested categories, tags, long-form posts with footnotes and references, a few pages,
and threaded discussions (a long tail: most posts have a handful of comments, a few have
thousands). Bodies are the demo essays and some composed ones, rendered once through the
project's Markdown renderer and reused with a distinct opening paragraph per post; everything
is written with bulk_create in batches, which is some hundred times faster than the per-post
save service and stores the same columns.

On its own the script migrates the database DATABASE_URL names (SQLite or PostgreSQL) and
fills it. Benchmarks import it: `setup_django()`, then `generate_site()`; `throwaway_postgres()`
makes and drops a database of its own on a PostgreSQL server.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import secrets
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "src" / "broadsheet" / "core" / "demo"
BATCH = 2000
LEAD = "ZQLEADPARAGRAPHQZ"  # replaced per post in the Markdown and in the rendered HTML
COMMENT_TAIL = "ZQCOMMENTTAILQZ"


def setup_django(*, database_url: str, data_dir: Path) -> None:
    """Configure Django for a bench run against `database_url` and migrate it."""
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    # A site on PostgreSQL must be given its key (the settings refuse one made in DATA_DIR).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0, interactive=False)


@contextmanager
def throwaway_postgres(server_url: str, *, prefix: str = "bs_bench") -> Iterator[str]:
    """A new, empty database on the server `server_url` points at, dropped afterwards.

    The database named in `server_url` itself is never written to.
    """
    import psycopg

    parts = urlsplit(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class GeneratedSite:
    posts: int
    pages: int
    comments: int
    busiest_post_url: str  # the post with the most approved comments
    busiest_post_comments: int
    largest_category_path: str  # the top-level category with the most posts, subcategories included
    common_tag_slug: str
    seconds: float


# --- words --------------------------------------------------------------------------------

ADJECTIVES = (
    "Quiet", "Northern", "Forgotten", "Salt", "Uncounted", "Long", "Lamp-lit", "Small", "Tidal",
    "Official", "Wet", "Second", "Unwritten", "Hidden", "Winter", "Outer", "Narrow", "Borrowed",
)  # fmt: skip
NOUNS = (
    "Ledger", "Register", "Harbour", "Keeper", "Lamp", "Archive", "Storm", "Census", "Logbook",
    "Lighthouse", "Ferry", "Quay", "Almanac", "Inventory", "Parish", "Survey", "Chart", "Relief",
)  # fmt: skip
PLACES = (
    "Skerrow", "Westhaven", "Carrick Ness", "Holm", "Dunmore", "Fairisle", "Rathlin", "Inchcape",
    "Bressay", "Sule Skerry", "Copeland", "Muckle Flugga", "Tuskar", "Eddystone", "Longships",
)  # fmt: skip
TOPICS = (
    "barometric pressure", "household accounts", "shipwreck inquiries", "oil consumption",
    "relief rotations", "fog signals", "keepers' wives", "inspection reports", "tide tables",
    "seabird counts", "coal deliveries", "letters home", "school attendance", "storm damage",
    "parish registers", "customs ledgers", "harbour dues", "pilotage fees", "wreck salvage",
)  # fmt: skip
FIRST_NAMES = (
    "Ingrid", "Geoff", "Margaret", "Tomás", "Aisha", "Ruth", "Owen", "Mei", "Lionel", "Alice",
    "Peter", "Farah", "Callum", "Nadia", "Eilidh", "Jonas", "Priya", "Hamish", "Sofia", "Kwame",
)  # fmt: skip
SURNAMES = (
    "Solberg", "Tarrant", "Oduya", "Fenwick", "Sato", "Ashcombe", "Merriden", "Callow", "Draycott",
    "MacLeod", "Okafor", "Lindqvist", "Harcourt", "Brennan", "Duval", "Nakamura", "Rossi", "Ahmed",
)  # fmt: skip
CATEGORIES = {
    "History": ("Maritime History", "Economic History", "Family History", "Local History"),
    "Archives": ("Methods", "Digitisation", "Cataloguing"),
    "Science": ("Climate", "Oceanography", "Ornithology"),
    "Reviews": ("Books", "Exhibitions"),
    "Essays": (),
    "Notes": (),
    "Letters": (),
    "Field Trips": ("Scotland", "Ireland", "Norway"),
}
REFERENCES: tuple[dict[str, Any], ...] = (
    {"kind": "book", "title": "Keepers of the Outer Light: Lighthouse Service on the Northern Coasts, 1820–1914",
     "contributors": {"author": [{"family": "Ashcombe", "given": "Lionel"}]},
     "publisher": "Thornbury & Vale", "place": "Edinburgh", "issued": "1998", "isbn": "978-1-90412-733-8"},
    {"kind": "chapter", "title": "Household Economies on Remote Stations",
     "contributors": {"author": [{"family": "Merriden", "given": "Alice"}],
                      "editor": [{"family": "Callow", "given": "Peter"}, {"family": "Draycott", "given": "Ruth"}]},
     "container_title": "Work and Family on the Nineteenth-Century Coast", "pages": "45–67",
     "publisher": "Larkspur University Press", "place": "Bristol", "issued": "2004"},
    {"kind": "article-journal",
     "title": "Recovering Nineteenth-Century Marine Pressure Observations from Lighthouse Registers",
     "contributors": {"author": [{"family": "Fenwick", "given": "Owen"}, {"family": "Sato", "given": "Mei"}]},
     "container_title": "Journal of Historical Climatology", "volume": "12", "issue": "3",
     "pages": "211–239", "issued": "2017", "doi": "10.5555/jhc.2017.0123"},
    {"kind": "manuscript", "title": "Journal of the Skerrow Light, 1868–1874",
     "contributors": {"author": [{"literal": "Northern Lighthouse Board"}]},
     "archive": "National Records of Scotland", "archive_location": "NLB 4/1/12", "issued": "1874"},
    {"kind": "webpage", "title": "Lighthouse Registers Transcription Project",
     "contributors": {"author": [{"literal": "Coastal Archives Network"}]},
     "container_title": "Coastal Archives Network", "url": "https://example.org/registers/",
     "issued": "2021-06"},
    {"kind": "article-newspaper", "title": "Keeper's Wife Recalls Twenty Winters on the Rock",
     "contributors": {"author": [{"family": "Brennan", "given": "Nora"}]},
     "container_title": "The Westhaven Courier", "issued": "1931-02-14", "pages": "4"},
    {"kind": "report", "title": "Report of the Commissioners on Lights, Buoys and Beacons",
     "contributors": {"author": [{"literal": "Royal Commission on Lights"}]},
     "publisher": "HMSO", "place": "London", "issued": "1861", "volume": "2"},
    {"kind": "book", "title": "Fog and Signal: Sound on the Coast",
     "contributors": {"author": [{"family": "Lindqvist", "given": "Jonas"}],
                      "translator": [{"family": "Harcourt", "given": "Ellen"}]},
     "original_title": "Dimma och signal", "publisher": "Norrland Press", "place": "Umeå", "issued": "2011"},
)  # fmt: skip


def _sentence(rng: random.Random) -> str:
    return rng.choice(
        (
            f"The {rng.choice(NOUNS).lower()} at {rng.choice(PLACES)} records {rng.choice(TOPICS)} with a care nobody asked for.",
            f"Read beside the {rng.choice(NOUNS).lower()}, the entries on {rng.choice(TOPICS)} change meaning.",
            f"Between {rng.randint(1820, 1870)} and {rng.randint(1871, 1914)} the keepers at {rng.choice(PLACES)} wrote about {rng.choice(TOPICS)} almost every day.",
            f"What the inspectors wanted was {rng.choice(TOPICS)}; what they got was a record of {rng.choice(TOPICS)}.",
            f"Nobody at {rng.choice(PLACES)} thought of the {rng.choice(NOUNS).lower()} as evidence, which is why it is such good evidence.",
        )
    )


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _composed_body(rng: random.Random, sections: int) -> str:
    """A Markdown essay: sections, emphasis, links, a quotation, a list, a table and notes."""
    parts: list[str] = []
    note = 0
    for number in range(sections):
        parts.append(f"## {rng.choice(ADJECTIVES)} {rng.choice(NOUNS).lower()}s")
        for _ in range(rng.randint(2, 5)):
            text = _paragraph(rng, rng.randint(3, 7))
            if rng.random() < 0.5:
                note += 1
                text += f"[^{note}]"
            if rng.random() < 0.3:
                text += (
                    f" See [the {rng.choice(NOUNS).lower()}](https://example.org/{number}/{note})."
                )
            parts.append(text.replace(" care ", " *care* ", 1))
        if number % 3 == 1:
            parts.append(f"> {_paragraph(rng, 2)}")
        if number % 4 == 2:
            parts.append("\n".join(f"- {_sentence(rng)}" for _ in range(4)))
        if number % 5 == 3:
            rows = "\n".join(
                f"| {year} | {rng.uniform(29.5, 30.2):.2f} | {rng.randint(0, 9)} |"
                for year in range(1871, 1876)
            )
            parts.append(f"| Year | Mean barometer | Wrecks |\n|---|--:|--:|\n{rows}")
    parts += [f"[^{n}]: {_sentence(rng)}" for n in range(1, note + 1)]
    return "\n\n".join(parts) + "\n"


def _demo_bodies() -> list[str]:
    bodies = []
    for path in sorted(DEMO_DIR.glob("0[1-4]-*.md")):
        text = path.read_text(encoding="utf-8")
        bodies.append(text.split("\n---\n", 1)[1] if text.startswith("---\n") else text)
    return bodies


def _demo_comment_bodies() -> list[str]:
    found: list[str] = []

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            found.append(str(entry["body"]).strip())
            walk(entry.get("replies") or [])

    walk(yaml.safe_load((DEMO_DIR / "comments.yaml").read_text(encoding="utf-8"))["comments"])
    return found


@dataclass(frozen=True)
class _Body:
    body: str
    body_html: str
    footnotes_html: str
    toc: list[dict[str, Any]]
    word_count: int


def _rendered_bodies(rng: random.Random) -> list[_Body]:
    """A handful of distinct bodies, rendered once; each opens with the LEAD placeholder."""
    from broadsheet.publishing.models import Post
    from broadsheet.publishing.services import post_render

    sources = [*_demo_bodies(), *(_composed_body(rng, n) for n in (2, 6, 12, 20))]
    bodies = []
    for source in sources:
        post = Post(title="Template", body=f"{LEAD}\n\n{source}")
        post_render(post=post)
        bodies.append(
            _Body(post.body, post.body_html, post.footnotes_html, post.toc, post.word_count)
        )
    return bodies


# --- the site -------------------------------------------------------------------------------


def _people(rng: random.Random, count: int, *, prefix: str, staff: bool) -> list[Any]:
    from broadsheet.accounts.models import Profile, User

    users = []
    for n in range(count):
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], SURNAMES[(n * 7) % len(SURNAMES)]
        user, created = User.objects.get_or_create(
            username=f"{prefix}{n}",
            defaults={"email": f"{first}.{last}{n}@example.org".lower(), "is_staff": staff},
        )
        if created:
            profile, _ = Profile.objects.get_or_create(user=user)
            profile.display_name = f"{first} {last}"
            profile.bio = f"{first} writes about {rng.choice(TOPICS)} at {rng.choice(PLACES)}."
            profile.save()
        users.append(user)
    return users


def _categories() -> list[Any]:
    """Leaf-first: posts are filed in subcategories more often than in their parents."""
    from django.utils.text import slugify

    from broadsheet.publishing.models import Category

    leaves, parents = [], []
    for name, children in CATEGORIES.items():
        parent, _ = Category.objects.get_or_create(
            parent=None, slug=slugify(name), defaults={"name": name}
        )
        parents.append(parent)
        for child in children:
            category, _ = Category.objects.get_or_create(
                parent=parent, slug=slugify(child), defaults={"name": child}
            )
            leaves.append(category)
    return leaves + parents


def _tags(rng: random.Random, count: int) -> list[Any]:
    from django.utils.text import slugify

    from broadsheet.publishing.models import Tag

    names: list[str] = []
    words = [*TOPICS, *(p.lower() for p in PLACES), *(n.lower() for n in NOUNS)]
    for word in words:
        names.append(word)
    while len(names) < count:
        names.append(f"{rng.choice(ADJECTIVES).lower()} {rng.choice(words)}")
    names = list(dict.fromkeys(names))[:count]
    slugs = {slugify(name): name for name in names}
    existing = set(Tag.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    Tag.objects.bulk_create(
        Tag(name=name, slug=slug) for slug, name in slugs.items() if slug not in existing
    )
    by_slug = {tag.slug: tag for tag in Tag.objects.filter(slug__in=slugs)}
    return [by_slug[slug] for slug in slugs]


def _zipf(count: int, exponent: float = 1.0) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def generate_site(
    *,
    posts: int = 10_000,
    comments: int = 100_000,
    seed: int = 1871,
    pages: int = 20,
    index_search: bool = True,
    progress: Callable[[str], None] | None = None,
) -> GeneratedSite:
    """Add a generated site to the (migrated) database Django is configured for."""
    from django.db import transaction
    from django.db.models import Count, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from broadsheet.discussion.models import Comment
    from broadsheet.publishing.models import Post, PostAuthor, Reference, Tag

    say = progress or (lambda message: None)
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)

    with transaction.atomic():
        bodies = _rendered_bodies(rng)
        comment_bodies = _rendered_comment_bodies()
        authors = _people(rng, 12, prefix="writer", staff=True)
        readers = _people(rng, 60, prefix="reader", staff=False)
        categories = _categories()
        tags = _tags(rng, 400)
        say(
            f"rendered {len(bodies)} bodies and {len(comment_bodies)} comments; people, categories, tags"
        )

        first_post = _next_id(Post)
        post_ids = list(range(first_post, first_post + posts))
        span = timedelta(days=365 * 12).total_seconds()
        offsets = sorted(rng.uniform(0, span) for _ in post_ids)
        statuses = rng.choices(
            [Post.Status.PUBLISHED, Post.Status.DRAFT, Post.Status.PRIVATE, Post.Status.SCHEDULED],
            weights=[96.5, 2, 1, 0.5],
            k=posts,
        )
        author_weights = _zipf(len(authors), 0.8)
        category_weights = _zipf(len(categories), 0.7)
        tag_weights = _zipf(len(tags), 1.1)
        public: list[tuple[int, datetime]] = []
        post_authors: list[Any] = []
        post_categories: list[Any] = []
        post_tags: list[Any] = []
        references: list[Any] = []
        reference_templates = _reference_templates()

        def post_rows() -> Iterator[Any]:
            for index, (post_id, offset, status) in enumerate(
                zip(post_ids, offsets, statuses, strict=True)
            ):
                published: datetime | None = now - timedelta(seconds=span - offset + 3600)
                if status == Post.Status.DRAFT:
                    published = None
                elif status == Post.Status.SCHEDULED:
                    published = now + timedelta(days=rng.randint(1, 30))
                elif published is not None and status == Post.Status.PUBLISHED:
                    public.append((post_id, published))
                title = f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} of {rng.choice(PLACES)}"
                if rng.random() < 0.4:
                    title += f": {rng.choice(TOPICS).capitalize()}, {rng.randint(1820, 1914)}"
                lead = f"{_paragraph(rng, 3)} (Essay {post_id}.)"
                body = rng.choice(bodies)
                written = published or now - timedelta(days=rng.randint(1, 60))
                post = Post(
                    id=post_id,
                    kind=Post.Kind.POST,
                    title=title,
                    slug=f"{title.split(':')[0].lower().replace(' ', '-')}-{post_id}",
                    body=body.body.replace(LEAD, lead, 1),
                    body_html=body.body_html.replace(LEAD, html.escape(lead), 1),
                    footnotes_html=body.footnotes_html,
                    excerpt_html=f"<p>{html.escape(lead)}</p>",
                    toc=body.toc,
                    word_count=body.word_count + len(lead.split()) - 1,
                    status=status,
                    published_at=published,
                    created_at=written - timedelta(hours=rng.randint(1, 200)),
                    modified_at=min(now, written + timedelta(minutes=rng.randint(0, 60 * 24 * 30))),
                    sticky=index in (posts - 3, posts - 40),
                )
                # The links are collected before the post is handed over, so that each batch
                # of posts is written together with all of its links.
                chosen = rng.choices(
                    authors, weights=author_weights, k=2 if rng.random() < 0.1 else 1
                )
                for position, author in enumerate(dict.fromkeys(chosen)):
                    post_authors.append(
                        PostAuthor(post_id=post_id, author=author, position=position)
                    )
                filed = rng.choices(
                    categories, weights=category_weights, k=rng.choice((1, 1, 1, 2))
                )
                for category in dict.fromkeys(filed):
                    post_categories.append(
                        Post.categories.through(post_id=post_id, category_id=category.pk)
                    )
                for tag in dict.fromkeys(
                    rng.choices(tags, weights=tag_weights, k=rng.randint(0, 6))
                ):
                    post_tags.append(Post.tags.through(post_id=post_id, tag_id=tag.pk))
                if rng.random() < 0.4:
                    for position in range(rng.randint(1, 8)):
                        references.append(Reference(post_id=post_id, position=position, **rng.choice(reference_templates)))  # fmt: skip
                yield post

        for batch in _batches(post_rows(), BATCH):
            Post.objects.bulk_create(batch)
            PostAuthor.objects.bulk_create(post_authors)
            Post.categories.through.objects.bulk_create(post_categories)
            Post.tags.through.objects.bulk_create(post_tags)
            Reference.objects.bulk_create(references)
            for pending in (post_authors, post_categories, post_tags, references):
                pending.clear()
            say(f"posts up to {batch[-1].pk}")
        # Explicit ids were used; PostgreSQL's sequences must move past them (SQLite's do).
        _reset_sequences([Post])
        made_pages = _pages(rng, bodies, authors, count=pages, now=now, suffix=first_post)

        first_comment = _next_id(Comment)
        made = 0
        for batch in _batches(
            _comment_rows(rng, public, comments, first_comment, comment_bodies, readers, now),
            BATCH,
        ):
            Comment.objects.bulk_create(batch)
            made += len(batch)
            if made % 20_000 < BATCH:
                say(f"comments: {made:,}")

        _reset_sequences([Comment])
        approved = (
            Comment.objects.filter(post=OuterRef("pk"), status=Comment.Status.APPROVED)
            .order_by()
            .values("post")
            .annotate(n=Count("pk"))
            .values("n")
        )
        Post.objects.filter(pk__gte=first_post).update(
            comment_count=Coalesce(Subquery(approved), 0)
        )

    if index_search:
        try:
            from broadsheet.search.services import search_index_rebuild
        except ImportError:
            pass
        else:
            say("rebuilding the search index")
            search_index_rebuild()

    # A PostgreSQL site this size has been analysed by autovacuum long before it serves readers;
    # without statistics the planner misjudges a freshly bulk-loaded table (a 4 ms query takes
    # 200 ms). SQLite is left alone: Django never runs ANALYZE there, so neither do we.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    busiest = Post.objects.filter(pk__gte=first_post).order_by("-comment_count").first()
    assert busiest is not None
    top_level = [c for c in categories if c.parent_id is None]
    largest = max(
        top_level,
        key=lambda c: Post.objects.filter(
            Q(categories__path=c.path) | Q(categories__path__startswith=f"{c.path}/")
        ).count(),
    )
    common_tag = (
        Tag.objects.filter(pk__in=[t.pk for t in tags])
        .annotate(n=Count("posts"))
        .order_by("-n", "slug")
        .first()
    )
    assert common_tag is not None
    return GeneratedSite(
        posts=posts,
        pages=made_pages,
        comments=made,
        busiest_post_url=busiest.get_absolute_url(),
        busiest_post_comments=busiest.comment_count,
        largest_category_path=largest.path,
        common_tag_slug=common_tag.slug,
        seconds=time.perf_counter() - started,
    )


def _reset_sequences(models: list[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _batches(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _reference_templates() -> list[dict[str, Any]]:
    """Reference fields with their derived key and HTML, worked out once (as save() would)."""
    from broadsheet.publishing.citations import reference_html, reference_key
    from broadsheet.publishing.models import Reference

    templates = []
    for fields in REFERENCES:
        reference = Reference(**fields)
        templates.append(
            {**fields, "key": reference_key(reference), "html": reference_html(reference)}
        )
    return templates


def _rendered_comment_bodies() -> list[tuple[str, str]]:
    from broadsheet.core.markdown import render_comment_markdown

    return [
        (body, render_comment_markdown(f"{body}\n\n{COMMENT_TAIL}"))
        for body in _demo_comment_bodies()
    ]


def _pages(
    rng: random.Random,
    bodies: list[_Body],
    authors: list[Any],
    *,
    count: int,
    now: datetime,
    suffix: int,
) -> int:
    from broadsheet.publishing.models import Post, PostAuthor

    made = []
    for n in range(count):
        body = bodies[n % len(bodies)]
        lead = _paragraph(rng, 2)
        parent = made[n % 4] if n >= 4 and n % 3 == 0 else None
        page = Post.objects.create(
            kind=Post.Kind.PAGE,
            title=f"About the {rng.choice(NOUNS).lower()}s {n}",
            slug=f"about-{n}-{suffix}",
            body=body.body.replace(LEAD, lead, 1),
            body_html=body.body_html.replace(LEAD, html.escape(lead), 1),
            footnotes_html=body.footnotes_html,
            excerpt_html=f"<p>{html.escape(lead)}</p>",
            toc=body.toc,
            word_count=body.word_count,
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=rng.randint(30, 4000)),
            modified_at=now - timedelta(days=rng.randint(0, 29)),
            parent=parent,
            menu_order=n + 1 if n < 5 else 0,
        )
        PostAuthor.objects.create(post=page, author=authors[0])
        made.append(page)
    return len(made)


def _comment_rows(
    rng: random.Random,
    public: list[tuple[int, datetime]],
    total: int,
    first_id: int,
    bodies: list[tuple[str, str]],
    readers: list[Any],
    now: datetime,
) -> Iterator[Any]:
    """Threaded discussions over the public posts: a long tail of comments per post, replies
    up to five levels deep (WordPress's default), a few held or caught as spam."""
    from broadsheet.discussion.models import Comment

    if not public:
        return
    # Pareto weights: most posts get a few comments, a handful get a thousand or more.
    weights = [min(rng.paretovariate(1.3), 400.0) for _ in public]
    per_post = [0] * len(public)
    for index in rng.choices(range(len(public)), weights=weights, k=total):
        per_post[index] += 1
    statuses = (Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.PENDING)
    next_id = first_id
    for (post_id, published), count in zip(public, per_post, strict=True):
        if not count:
            continue
        window = max(60.0, min((now - published).total_seconds(), 90 * 86400.0))
        moments = sorted(
            published + timedelta(seconds=rng.uniform(60, window)) for _ in range(count)
        )
        parents: list[
            tuple[int, int, int]
        ] = []  # (id, thread, depth) of approved comments that may get replies
        for moment in moments:
            status = rng.choices(statuses, weights=(96, 2.5, 1.5))[0]
            parent = None
            if parents and status != Comment.Status.SPAM and rng.random() < 0.55:
                parent = rng.choice(parents[-25:])
            comment_id, next_id = next_id, next_id + 1
            thread, depth = (parent[1], parent[2] + 1) if parent else (comment_id, 0)
            body, body_html = rng.choice(bodies)
            tail = _sentence(rng)
            reader = rng.choice(readers) if rng.random() < 0.12 else None
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            yield Comment(
                id=comment_id,
                post_id=post_id,
                parent_id=parent[0] if parent else None,
                thread_id=thread,
                depth=depth,
                status=status,
                status_changed_at=moment,
                user=reader,
                author_name=reader.display_name if reader else f"{first} {last}",
                author_email=reader.email if reader else f"{first}.{last}@example.com".lower(),
                author_url=f"https://example.net/~{last.lower()}" if rng.random() < 0.2 else "",
                ip_address=f"203.0.113.{rng.randint(1, 254)}",
                user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                body=f"{body}\n\n{tail}",
                body_html=body_html.replace(COMMENT_TAIL, html.escape(tail), 1),
                created_at=moment,
                modified_at=moment,
            )
            if status == Comment.Status.APPROVED and depth < 4:
                parents.append((comment_id, thread, depth))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1871)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        parser.error(
            "set DATABASE_URL to the database to fill, e.g. sqlite:////tmp/site.sqlite3 or "
            "postgres://postgres@127.0.0.1:5432/bench_site (an empty one: it is migrated here)"
        )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(database_url=database_url, data_dir=Path(tmp))
        site = generate_site(
            posts=args.posts, comments=args.comments, seed=args.seed, progress=print
        )
    print(
        f"{site.posts:,} posts, {site.pages} pages and {site.comments:,} comments in "
        f"{site.seconds:.0f} s; busiest post {site.busiest_post_url} "
        f"({site.busiest_post_comments:,} approved comments), largest category "
        f"{site.largest_category_path}, commonest tag {site.common_tag_slug}"
    )


if __name__ == "__main__":
    main()

"""Time the feeds and sitemaps of a large generated site (10,000 posts, 100,000 comments).

    .venv/bin/python bench/feeds.py [--database sqlite|postgres] [--runs 60]

The site comes from bench/generate_site.py. SQLite: a file in a temporary folder. PostgreSQL:
a throw-away database made for the run and dropped after it, on the server DATABASE_URL
points at (postgres://postgres@127.0.0.1:5432/postgres when unset); `--database` defaults to
PostgreSQL when DATABASE_URL is a postgres:// address.

In-process through the whole middleware stack with Django's test client and no page cache,
every request unconditional (a feed reader's 304s cost nothing to speak of). The baseline, a
trivial view (the identicon SVG) through the same stack, is measured in the same rounds: each
round asks for every address once, so a noisy neighbour slows all of them alike, and the ratios
stay comparable where absolute times do not. Every timed response is checked to be rendered,
not a page-cache hit (the run stops otherwise): with the cache on, as this ran until 2026-12,
every figure after the warm-up was a hit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_site import generate_site, setup_django, throwaway_postgres
from measured import expect

SLOW_MS = 50.0


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    environment_url = os.environ.get("DATABASE_URL", "")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default="postgres" if environment_url.startswith("postgres") else "sqlite",
    )
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1871)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.database == "sqlite":
            database = nullcontext(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        else:
            server = (
                environment_url
                if environment_url.startswith("postgres")
                else "postgres://postgres@127.0.0.1:5432/postgres"
            )
            database = throwaway_postgres(server)
        with database as database_url:
            setup_django(database_url=database_url, data_dir=Path(tmp))
            site = generate_site(
                posts=args.posts, comments=args.comments, seed=args.seed, index_search=False
            )
            _run(site, args.runs, args.database)


def _run(site: object, runs: int, database: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from broadsheet.publishing.models import Post
    from generate_site import GeneratedSite

    assert isinstance(site, GeneratedSite)
    from django.conf import settings

    settings.PAGE_CACHE = False  # every request renders
    client = Client()
    # A post with a comment or two: its feed must not cost more than the busiest post's.
    quiet = Post.objects.public().posts().filter(comment_count__range=(1, 3)).first()
    assert quiet is not None
    addresses = {
        "baseline (trivial view)": "/identicon/" + "0" * 32 + ".svg",
        "RSS /feed/": "/feed/",
        "Atom /feed/atom/": "/feed/atom/",
        "JSON Feed /feed/json/": "/feed/json/",
        "comments /comments/feed/": "/comments/feed/",
        f"category /category/{site.largest_category_path}/feed/": f"/category/{site.largest_category_path}/feed/",
        f"tag /tag/{site.common_tag_slug}/feed/": f"/tag/{site.common_tag_slug}/feed/",
        f"post comments ({site.busiest_post_comments:,} comments)": f"{site.busiest_post_url}feed/",
        f"post comments ({quiet.comment_count} comments)": f"{quiet.get_absolute_url()}feed/",
        "sitemap index /sitemap.xml": "/sitemap.xml",
        "posts sitemap /sitemap-posts.xml": "/sitemap-posts.xml",
    }  # fmt: skip

    def fetch(url: str) -> float:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        expect(response.headers, "rendered", url)
        return elapsed

    for url in addresses.values():  # warm up: templates, connection, the interpreter's caches
        for _ in range(5):
            fetch(url)
    samples: dict[str, list[float]] = {name: [] for name in addresses}
    for _ in range(runs):
        for name, url in addresses.items():
            samples[name].append(fetch(url))
    shape = {}
    for name, url in addresses.items():
        with CaptureQueriesContext(connection) as queries:
            size = len(client.get(url).content)
        shape[name] = (len(queries.captured_queries), size)

    base = statistics.median(samples["baseline (trivial view)"])
    base_p95 = _p95(samples["baseline (trivial view)"])
    print(
        f"{database}: {site.posts:,} posts, {site.comments:,} comments "
        f"(generated in {site.seconds:.0f} s); {runs} rounds, Python {sys.version.split()[0]}"
    )
    print(
        f"{'address':58} {'median ms':>9} {'p95 ms':>8} {'x base':>7} {'p95 x':>6} {'queries':>7} {'bytes':>9}"
    )
    slow = []
    for name, values in samples.items():
        median, p95 = statistics.median(values), _p95(values)
        queries, size = shape[name]
        print(
            f"{name:58} {median:9.2f} {p95:8.2f} {median / base:6.1f}x {p95 / base_p95:5.1f}x {queries:7d} {size:9,}"
        )
        if median > SLOW_MS:
            slow.append(name)
    if slow:
        print(f"slower than {SLOW_MS:.0f} ms median: {', '.join(slow)}")


if __name__ == "__main__":
    main()

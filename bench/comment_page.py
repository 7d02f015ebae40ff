"""Render a post with 20, 200 and 2,000 comments (no page cache) and report the median time.

    .venv/bin/python bench/comment_page.py [--runs 40]

In-process through the whole middleware stack, against a fresh SQLite database. Threads are
five levels deep, as on the reference WordPress. The baseline, measured in the same run, is
the same post with no comments, so the ratios show what the discussion adds. Every timed
response is checked to be rendered, not a page-cache hit: the run stops otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measured import expect
from post_page import _setup


def _make_post(slug: str, comments: int) -> str:
    from datetime import timedelta

    from django.utils import timezone

    from broadsheet.accounts.models import User
    from broadsheet.discussion.models import Comment
    from broadsheet.discussion.services import comment_create_stored
    from broadsheet.publishing.models import Post
    from broadsheet.publishing.services import post_save

    essay = Post.objects.get(slug="the-ledger-and-the-lamp")
    post = Post(title=f"{comments} comments", slug=slug, body=essay.body, status=Post.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(days=1))  # fmt: skip
    post_save(post=post, authors=[User.objects.get(username="mhale")])
    start = timezone.now() - timedelta(hours=20)
    made = 0
    while made < comments:
        parent: Comment | None = None
        for _ in range(5):
            if made >= comments:
                break
            parent = comment_create_stored(
                post=post, parent=parent, body=f"Comment {made}: a considered reply with *emphasis* and a link https://example.org/{made}.",
                status=Comment.Status.APPROVED, created_at=start + timedelta(seconds=made),
                author_name=f"Reader {made % 97}", author_email=f"reader{made % 97}@example.org",
            )  # fmt: skip
            made += 1
    return post.get_absolute_url()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        settings.PAGE_CACHE = False  # every request renders
        client = Client()
        sizes = [0, 20, 200, 2000]
        urls = {n: _make_post(f"bench-{n}", n) for n in sizes}
        for url in urls.values():  # warm up every page first, so none is measured cold
            for _ in range(5):
                assert client.get(url).status_code == 200
        # Rounds ask for every page once: a noisy neighbour slows all of them alike.
        samples: dict[int, list[float]] = {n: [] for n in sizes}
        for _ in range(args.runs):
            for n, url in urls.items():
                start = time.perf_counter()
                response = client.get(url)
                samples[n].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
                expect(response.headers, "rendered", f"post with {n} comments")
        results = {}
        for n, url in urls.items():
            with CaptureQueriesContext(connection) as queries:
                size = len(client.get(url).content)
            results[n] = (statistics.median(samples[n]), len(queries.captured_queries), size)
        base = results[0][0]
        print(f"{'comments':>9} {'median ms':>10} {'queries':>8} {'bytes':>10} {'x baseline':>11}")
        for n, (median, queries_count, size) in results.items():
            print(f"{n:>9} {median:10.2f} {queries_count:>8} {size:>10,} {median / base:>10.1f}x")
        print(
            f"({args.runs} rounds; baseline = the same post with no comments, in the same rounds)"
        )


if __name__ == "__main__":
    main()

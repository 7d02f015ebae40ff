#!/usr/bin/env python
"""Profile the two API paths bench/compare_isso.py measures, in one process, page cache off.

    .venv/bin/python bench/profile_api.py [--requests 60] [--posts 60] [--top 25] [--sort tottime]

Builds the same site as compare_isso.py (`broadsheet import wordpress` of the WordPress peer's
export into SQLite, the peer's Discussion settings with first-time guests published), then runs
through Django's whole stack (every middleware, `PAGE_CACHE=false`: every answer rendered):

1. `GET /api/v1/threads/<id>/comments` of "Contextualizing ‘Stalinism’" (177 comments);
2. `POST /api/v1/comments` as a new guest each time (every fourth a reply), as the bench does.

For each it prints the mean milliseconds per request, the SQL queries per request, and the
cProfile table of the functions that cost most. The times are of this machine as it is (load
from other processes included): compare the shares of the total between two versions of the
code, not absolute figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compare import DISCUSSION_OPTIONS
from compare_isso import DISCUSSION, SLUG, WXR, Comment, thread_from_wxr

RATE = 1_000_000


def build(folder: Path, wxr: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SITE_URL": "http://testserver",
        "TRUST_X_FORWARDED_FOR": "true",
        "DEBUG": "false",
        "PAGE_CACHE": "false",
        "API_RATE_PER_IP": str(RATE),
        "API_RATE_PER_TOKEN": str(RATE),
    }
    env.pop("REDIS_URL", None)

    def command(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "broadsheet.cli", *args], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    command("migrate", "--no-input")
    command("import", "wordpress", str(wxr))
    values = {
        name: kind(int(DISCUSSION[name])) if kind is not str else DISCUSSION[name]
        for name, kind in DISCUSSION_OPTIONS.items() if name in DISCUSSION
    }  # fmt: skip
    command("shell", "-c", (
        "from broadsheet.discussion.models import DiscussionSettings as D\n"
        f"s = D.current()\nfor k, v in {values!r}.items(): setattr(s, k, v)\n"
        "s.full_clean(); s.save()\n"
        "from broadsheet.discussion.tasks import rebuild_comment_cards as r\nr.func()"
    ))  # fmt: skip
    return env


def profiled(label: str, runs: int, one: Callable[[int], None], top: int, sort: str) -> None:
    from django.db import connection

    for i in range(3):  # warm: imports, first connections, settings caches
        one(10_000 + i)
    queries: list[str] = []

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        one(20_000)
    # Without the profiler first: CPU time of this process (less moved by the machine's load
    # than the clock), then wall time.
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(runs):
        one(30_000 + i)
    cpu = (time.process_time() - cpu) / runs * 1000
    wall = (time.perf_counter() - wall) / runs * 1000
    print(f"\n== {label}: {cpu:.2f} ms CPU, {wall:.2f} ms wall per request, no profiler")
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for i in range(runs):
        one(i)
    profile.disable()
    spent = (time.perf_counter() - started) / runs * 1000
    print(f"== {label}: {spent:.2f} ms per request with the profiler, "
          f"{len(queries)} SQL queries")  # fmt: skip
    for sql in queries:
        print(f"   {sql[:150]}")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(sort)
    stats.print_stats(top)
    print(out.getvalue().split("\n", 6)[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--requests", type=int, default=60, help="thread fetches profiled")
    parser.add_argument("--posts", type=int, default=60, help="comment POSTs profiled")
    parser.add_argument("--top", type=int, default=25, help="rows of each profile")
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--wxr", type=Path, default=WXR, help="the WordPress peer's export")
    args = parser.parse_args()

    comments: list[Comment] = thread_from_wxr(args.wxr, SLUG)
    with tempfile.TemporaryDirectory(prefix="broadsheet-profile-") as tmp:
        env = build(Path(tmp), args.wxr)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
        import django

        django.setup()
        from django.test import Client

        from broadsheet.publishing.models import Post

        post = Post.objects.get(slug=SLUG)
        client = Client()
        path = f"/api/v1/threads/{post.pk}/comments"
        first = client.get(path)
        assert first.status_code == 200, first.content[:300]
        print(f"thread {post.pk}: {first.json()['count']} comments, {len(first.content):,} bytes")

        def fetch(i: int) -> None:
            response = client.get(path)
            assert response.status_code == 200 and "X-Page-Cache" not in response

        parents = [c["id"] for c in first.json()["comments"] if c["parent"] is None][:20]

        def post_one(i: int) -> None:
            source = comments[i % len(comments)]
            body = {"thread": post.pk, "body": f"{source.text}\n\n({i})", "name": f"Guest {i}",
                    "email": f"guest{i}@example.org", "website": source.website,
                    "parent": parents[i % len(parents)] if i % 4 == 0 else None}  # fmt: skip
            response = client.post(path.rsplit("/threads", 1)[0] + "/comments",
                                   json.dumps(body), content_type="application/json",
                                   HTTP_X_FORWARDED_FOR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}")  # fmt: skip
            assert response.status_code == 201, response.content[:300]

        profiled("GET thread comments (uncached)", args.requests, fetch, args.top, args.sort)
        profiled("POST a comment", args.posts, post_one, args.top, args.sort)


if __name__ == "__main__":
    main()

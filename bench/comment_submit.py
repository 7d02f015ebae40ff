"""Post guest comments to a running `broadsheet serve` from 1 and from 16 concurrent clients.

    .venv/bin/python bench/comment_submit.py [--per-client 25] [--workers 2]

Starts its own server (Granian, `--workers` processes) on a free loopback port against a fresh
SQLite database, with the flood check keyed on X-Forwarded-For so that each simulated reader
has an address of their own. Every comment is a real form POST with the page's signed
`shown_at` token. Afterwards it checks that no comment was lost or stored twice and that the
post's approved count matches its comments. The baseline, measured in the same run, is GET of
the same post page (cache off), so the ratio shows what a write costs against a read.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measured import Served, expect_all, served_by
from post_page import _setup

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _client(
    base: str, client_id: int, count: int, post_id: int, token: str, errors: list[str]
) -> None:
    opener = urllib.request.build_opener(_NoRedirect)
    for i in range(count):
        n = client_id * 100_000 + i
        data = urllib.parse.urlencode({
            "comment": f"Benchmark comment {n}: the inspectors' initials tell us who read the journal.",
            "author": f"Reader {n}", "email": f"reader{n}@example.org", "url": "",
            "post_id": post_id, "parent_id": 0, "shown_at": token, "hp": "",
        }).encode()  # fmt: skip
        request = urllib.request.Request(
            base + "/comments/post/",
            data=data,
            headers={"X-Forwarded-For": f"198.18.{client_id}.{i % 250 + 1}"},
        )
        try:
            opener.open(request, timeout=30)
            errors.append(f"client {client_id}: expected a redirect")
        except urllib.error.HTTPError as answer:
            if answer.code != 302:
                errors.append(f"client {client_id} comment {i}: HTTP {answer.code}")


def _run(
    base: str, clients: int, first_id: int, per_client: int, post_id: int, token: str
) -> tuple[float, list[str]]:
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=_client, args=(base, first_id + c, per_client, post_id, token, errors)
        )
        for c in range(clients)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, errors


def _reads(base: str, clients: int, per_client: int) -> float:
    served: list[Served] = []

    def fetch() -> None:
        for _ in range(per_client):
            with urllib.request.urlopen(base + ESSAY, timeout=30) as answer:
                answer.read()
                served.append(served_by(answer.headers))

    threads = [threading.Thread(target=fetch) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    expect_all(served, "rendered", "the baseline's page GET")
    return clients * per_client / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-client", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        from broadsheet.discussion.models import Comment, DiscussionSettings
        from broadsheet.publishing.models import Post

        settings = DiscussionSettings.current()
        settings.comment_previously_approved = False
        settings.minimum_seconds_on_page = 0
        settings.save()
        post = Post.objects.get(slug="the-ledger-and-the-lamp")
        before = post.comments.count()

        port = _free_port()
        env = {**os.environ, "TRUST_X_FORWARDED_FOR": "true", "ALLOWED_HOSTS": "127.0.0.1",
               "PAGE_CACHE": "false"}  # fmt: skip
        server = subprocess.Popen(
            [sys.executable, "-m", "broadsheet.cli", "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    page = urllib.request.urlopen(base + ESSAY, timeout=2).read().decode()
                    break
                except OSError:
                    time.sleep(0.1)
            match = re.search(r'name="shown_at" value="([^"]+)"', page)
            assert match, "the comment form has no shown_at token"
            token = match.group(1)

            print(
                f"{'clients':>8} {'comments':>9} {'seconds':>8} {'comments/s':>11} {'page GETs/s':>12} {'write/read':>11}"
            )
            expected = before
            for first_id, clients in ((0, 1), (1, 16)):
                reads = _reads(base, clients, args.per_client)
                elapsed, errors = _run(base, clients, first_id, args.per_client, post.pk, token)
                if errors:
                    raise SystemExit("\n".join(errors[:10]))
                made = clients * args.per_client
                expected += made
                rate = made / elapsed
                print(
                    f"{clients:>8} {made:>9} {elapsed:>8.2f} {rate:>11.1f} {reads:>12.1f} {rate / reads:>10.2f}x"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)

        stored = Comment.objects.filter(post=post)
        bodies = list(stored.values_list("body", flat=True))
        post.refresh_from_db()
        approved = stored.filter(status=Comment.Status.APPROVED, removed=False).count()
        print(f"stored {len(bodies) - before} new comments, expected {expected - before}; "
              f"duplicates: {len(bodies) - len(set(bodies))}; post count {post.comment_count} = approved {approved}")  # fmt: skip
        assert len(bodies) == expected, "comments were lost or stored twice"
        assert len(bodies) == len(set(bodies)), "a comment was stored twice"
        assert post.comment_count == approved, "the post's comment count drifted"
        print("OK: none lost, none duplicated, counts right")


if __name__ == "__main__":
    main()

"""What responding to passages adds to a post page: bytes, and the page cache's hits.

    .venv/bin/python bench/respond_weight.py [--baseline-src DIR] [--requests 500]

Imports the reference WordPress's export (`../shared/peers/wordpress/seed-site.wxr.xml`, the
one bench/compare.py imports) into a fresh Broadsheet as compare.py does (its `Broadsheet`
class: every comment on one page, threaded five deep, avatars on), and the demo into another,
and serves each with the page cache on. For the 200-comment post (a quarter of its top-level
comments responding to passages: their quotes in the thread, the markers beside the essay) and
the demo essay (one anchored response on its first paragraph) it prints the page's bytes and
the time of `--requests` page-cache hits one after another on one connection.

With `--baseline-src` (a checkout of the code before, e.g. `git archive main | tar -x -C
/tmp/base`), the same is measured with that code in the same run, and the ratios printed: the
target is ≤ 1.10 for the bytes; hits are served before Django, so their time should not move.
This is used where compare.py cannot run (it needs the WordPress peer and wrk).
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import PEER, WP_POST_200, Broadsheet, fetch
from measured import expect

DEMO_ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"
SETTINGS = {
    "page_comments": "0", "thread_comments": "1", "thread_comments_depth": "5",
    "show_avatars": "1", "comments_notify": "0", "moderation_notify": "0",
}  # fmt: skip
ANCHOR = (
    "from broadsheet.discussion.services import Commenter, comment_submit\n"
    "from broadsheet.core.anchoring import Selector\n"
    "from broadsheet.publishing.models import Post\n"
    "from broadsheet.publishing.passages import post_passages\n"
    "post = Post.objects.get(slug='the-ledger-and-the-lamp')\n"
    "first = post_passages(post)[0]\n"
    "comment_submit(post=post, commenter=Commenter(name='Bench', email='b@example.org',"
    " is_moderator=True), body='On the opening.', anchor=Selector(first.id, first.text[:40],"
    " '', '', 0, 40))\n"
)


# A quarter of the 200-comment post's top-level comments respond to a passage (a sentence of
# up to 80 characters, each passage in turn): the quotes in the thread and the markers beside
# the essay are both in the bytes measured. Anchors are written as comment_submit writes them.
ANCHOR_IMPORTED = (
    "from broadsheet.core.anchoring import select\n"
    "from broadsheet.discussion.models import Anchor, Comment\n"
    "from broadsheet.publishing.models import Post\n"
    "from broadsheet.publishing.passages import post_passages\n"
    "post = Post.objects.get(slug='contextualizing-stalinism')\n"
    "texts = [p for p in post_passages(post) if len(p.text) > 40]\n"
    "top = Comment.objects.filter(post=post, depth=0, status='approved').order_by('id')\n"
    "for i, comment in enumerate(list(top)[::4]):\n"
    "    p = texts[i % len(texts)]\n"
    "    s = select(texts, passage=p.id, exact=p.text[:80].rsplit(' ', 1)[0])\n"
    "    Anchor.objects.create(comment=comment, post=post, passage=s.passage, exact=s.exact,"
    " prefix=s.prefix, suffix=s.suffix, start=s.start, end=s.end, revision=post.revision,"
    " version=post.version, current_passage=s.passage, current_exact=s.exact,"
    " current_start=s.start, current_end=s.end, located_version=post.version)\n"
    "import sys; print(f'{i + 1} of {top.count()} top-level comments anchored', file=sys.stderr)\n"
)


def hits(base: str, path: str, count: int) -> float:
    """Milliseconds per page-cache hit, one connection, one request after another."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    fetch(base + path)  # stored
    expect(fetch(base + path)[1], "hit", f"{path} from the page cache")
    started = time.perf_counter()
    for _ in range(count):
        connection.request("GET", path)
        answer = connection.getresponse()
        answer.read()
        if answer.getheader("X-Page-Cache") != "hit":
            raise SystemExit(f"{path} was rendered, not served from the page cache")
    connection.close()
    return (time.perf_counter() - started) * 1000 / count


def measure(src: str | None, count: int) -> dict[str, tuple[int, float]]:
    """Bytes and hit time of each page, with the code in `src` (None: this checkout)."""
    if src:
        os.environ["PYTHONPATH"] = src  # before the installed package on sys.path
    else:
        os.environ.pop("PYTHONPATH", None)
    imported = Broadsheet(Path(tempfile.mkdtemp(prefix="respond-weight-")), workers=1)
    imported.load(PEER / "seed-site.wxr.xml", SETTINGS)
    demo = Broadsheet(Path(tempfile.mkdtemp(prefix="respond-weight-")), workers=1)
    demo.command("migrate", "--no-input")
    demo.command("demo")
    demo.command("collectstatic", "--no-input")
    if not src:
        demo.command("shell", "-c", ANCHOR)
        imported.command("shell", "-c", ANCHOR_IMPORTED)
    found = {}
    for name, site, path in (
        ("200-comment post", imported, WP_POST_200),
        ("demo essay", demo, DEMO_ESSAY),
    ):
        with site.serving(page_cache=True):
            status, _, body = fetch(site.base + path)
            assert status == 200, (path, status)
            found[name] = (len(body), hits(site.base, path, count))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline-src", default="")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    now = measure(None, args.requests)
    before = measure(args.baseline_src, args.requests) if args.baseline_src else {}
    print(f"{'page':<18} {'bytes':>10} {'hit ms':>8} {'bytes before':>13} {'hit ms before':>14} "
          f"{'bytes ÷':>8} {'hit ÷':>7}")  # fmt: skip
    for name, (size, hit) in now.items():
        if name in before:
            old_size, old_hit = before[name]
            print(f"{name:<18} {size:>10,} {hit:>8.3f} {old_size:>13,} {old_hit:>14.3f} "
                  f"{size / old_size:>8.3f} {hit / old_hit:>7.2f}")  # fmt: skip
        else:
            print(f"{name:<18} {size:>10,} {hit:>8.3f}")


if __name__ == "__main__":
    main()

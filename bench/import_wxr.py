"""Import a large WordPress export: wall time and peak memory.

    .venv/bin/python bench/import_wxr.py [--posts 1000] [--comments 100000] [--database URL]

Writes a WXR 1.2 file with `--posts` posts (Gutenberg markup, footnotes, categories, tags)
and `--comments` comments threaded up to five deep (a long tail: a few posts hold thousands),
then runs `broadsheet import wordpress` on it in a fresh process against an empty database
(SQLite in a temporary folder unless `--database` names a PostgreSQL server, where a
throwaway database is made and dropped), and reports wall time and the importing process's
peak resident memory. The baseline, measured in the same run on the same file, is reading it
with lxml's iterparse and doing nothing: the ratio is the import's cost per byte read.
Targets: ≤ 60 s and ≤ 300 MB for 1,000 posts and 100,000 comments.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_site import throwaway_postgres

REPO = Path(__file__).resolve().parents[1]
WORDS = [
    "harbour",
    "keeper",
    "lamp",
    "ledger",
    "weather",
    "wreck",
    "household",
    "journal",
    "barometer",
    "inspector",
    "relief",
    "boat",
    "storm",
    "gale",
    "oil",
    "store",
    "passage",
    "entry",
    "record",
    "station",
    "volume",
    "archive",
    "parish",
    "shore",
    "tide",
    "rock",
    "signal",
    "light",
    "watch",
    "night",
    "morning",
    "letter",
    "report",
    "account",
    "supply",
    "winter",
    "spring",
]


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."


def _post_content(rng: random.Random, n: int) -> tuple[str, str]:
    blocks = []
    notes = []
    for section in range(5):
        blocks.append(f"<!-- wp:heading --><h2>Section {section + 1}</h2><!-- /wp:heading -->")
        for _ in range(3):
            text = escape(" ".join(_sentence(rng) for _ in range(5)))
            if len(notes) < 3 and rng.random() < 0.3:
                note = f"n{n}-{len(notes)}"
                notes.append({"id": note, "content": _sentence(rng)})
                text += f'<sup data-fn="{note}" class="fn"><a href="#{note}" id="{note}-link">{len(notes)}</a></sup>'
            blocks.append(f"<!-- wp:paragraph --><p>{text}</p><!-- /wp:paragraph -->")
    import json

    return "\n\n".join(blocks) + "\n\n<!-- wp:footnotes /-->", json.dumps(notes)


def write_wxr(path: Path, *, posts: int, comments: int, seed: int = 1871) -> None:
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(posts)]  # a long tail of discussions
    per_post = [0] * posts
    for index in rng.choices(range(posts), weights=weights, k=comments):
        per_post[index] += 1
    comment_id = 1
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Bench Essays</title><link>https://bench.example.org</link>"
            "<description>generated</description><wp:wxr_version>1.2</wp:wxr_version>"
            "<wp:base_site_url>https://bench.example.org</wp:base_site_url>"
            "<wp:base_blog_url>https://bench.example.org</wp:base_blog_url>\n"
        )
        for a in range(5):
            out.write(
                f"<wp:author><wp:author_id>{a + 1}</wp:author_id><wp:author_login>{_cdata(f'writer{a}')}"
                f"</wp:author_login><wp:author_email>{_cdata(f'writer{a}@example.org')}</wp:author_email>"
                f"<wp:author_display_name>{_cdata(f'Writer {a}')}</wp:author_display_name>"
                "<wp:author_first_name></wp:author_first_name><wp:author_last_name></wp:author_last_name></wp:author>\n"
            )
        for c in range(10):
            parent = f"topic-{c // 3}" if c >= 3 else ""
            out.write(
                f"<wp:category><wp:term_id>{c + 1}</wp:term_id><wp:category_nicename>{_cdata(f'topic-{c}')}"
                f"</wp:category_nicename><wp:category_parent>{_cdata(parent)}</wp:category_parent>"
                f"<wp:cat_name>{_cdata(f'Topic {c}')}</wp:cat_name></wp:category>\n"
            )
        for n in range(posts):
            day = 1 + n % 28
            month = 1 + (n // 28) % 12
            year = 2010 + n // 336
            date = f"{year}-{month:02d}-{day:02d} 09:{n % 60:02d}:00"
            content, notes = _post_content(rng, n)
            out.write(
                f"<item><title>{_cdata(f'Essay {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}')}</title>"
                f"<link>https://bench.example.org/{year}/{month:02d}/{day:02d}/essay-{n}/</link>"
                f"<dc:creator>{_cdata(f'writer{n % 5}')}</dc:creator>"
                f'<guid isPermaLink="false">https://bench.example.org/?p={n + 1}</guid>'
                f"<content:encoded>{_cdata(content)}</content:encoded><excerpt:encoded></excerpt:encoded>"
                f"<wp:post_id>{n + 1}</wp:post_id><wp:post_date>{_cdata(date)}</wp:post_date>"
                f"<wp:post_date_gmt>{_cdata(date)}</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>"
                f"<wp:post_name>{_cdata(f'essay-{n}')}</wp:post_name><wp:status>publish</wp:status>"
                "<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>"
                "<wp:post_type>post</wp:post_type><wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>"
                f'<category domain="category" nicename="topic-{n % 10}">{_cdata(f"Topic {n % 10}")}</category>'
                f'<category domain="post_tag" nicename="tag-{n % 40}">{_cdata(f"tag {n % 40}")}</category>'
                f"<wp:postmeta><wp:meta_key>footnotes</wp:meta_key><wp:meta_value>{_cdata(notes)}</wp:meta_value></wp:postmeta>\n"
            )
            open_parents: list[tuple[int, int]] = []  # (id, depth)
            for k in range(per_post[n]):
                parent, depth = 0, 0
                if open_parents and rng.random() < 0.6:
                    parent, parent_depth = rng.choice(open_parents)
                    depth = parent_depth + 1
                status = "1" if rng.random() > 0.05 else rng.choice(["0", "trash"])
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>{_cdata(f'Reader {comment_id % 997}')}</wp:comment_author>"
                    f"<wp:comment_author_email>{_cdata(f'reader{comment_id % 997}@example.net')}</wp:comment_author_email>"
                    "<wp:comment_author_url></wp:comment_author_url>"
                    f"<wp:comment_author_IP>{_cdata(f'203.0.113.{comment_id % 250}')}</wp:comment_author_IP>"
                    f"<wp:comment_date>{_cdata(date)}</wp:comment_date><wp:comment_date_gmt>{_cdata(date)}</wp:comment_date_gmt>"
                    f"<wp:comment_content>{_cdata(' '.join(_sentence(rng) for _ in range(rng.randint(1, 4))))}</wp:comment_content>"
                    f"<wp:comment_approved>{status}</wp:comment_approved><wp:comment_type>comment</wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
                )
                if depth < 4 and status == "1":
                    open_parents.append((comment_id, depth))
                comment_id += 1
                del k
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def _parse_only(path: Path) -> float:
    from lxml import etree

    started = time.perf_counter()
    for _, element in etree.iterparse(str(path), events=("end",), resolve_entities=False):
        if element.tag == "item":
            element.clear()
    return time.perf_counter() - started


def _import(path: Path, database_url: str, data_dir: Path) -> tuple[float, float, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(data_dir)}
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))  # required with PostgreSQL
    env.pop("REDIS_URL", None)
    broadsheet = str(Path(sys.executable).with_name("broadsheet"))
    subprocess.run([broadsheet, "migrate", "-v0"], env=env, check=True)
    output, errors = data_dir / "import.out", data_dir / "import.err"
    started = time.perf_counter()
    with output.open("w") as out, errors.open("w") as err:
        process = subprocess.Popen(
            [broadsheet, "import", "wordpress", str(path)], env=env, stdout=out, stderr=err
        )
        # wait4: the peak memory of this process alone (RUSAGE_CHILDREN is the largest of all
        # children so far, which was the migration's when that was bigger).
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"the import failed:\n{errors.read_text()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, output.read_text().strip().splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument(
        "--database", default="", help="postgres://… server for a throwaway database"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "export.xml"
        started = time.perf_counter()
        write_wxr(path, posts=args.posts, comments=args.comments)
        print(
            f"wrote {path.stat().st_size / 1e6:.1f} MB WXR: {args.posts:,} posts, "
            f"{args.comments:,} comments in {time.perf_counter() - started:.1f} s"
        )
        baseline = _parse_only(path)
        if args.database.startswith("postgres"):
            with throwaway_postgres(args.database) as url:
                seconds, peak_mb, summary = _import(path, url, folder)
            database = "PostgreSQL"
        else:
            seconds, peak_mb, summary = _import(path, f"sqlite:///{folder / 'db.sqlite3'}", folder)
            database = "SQLite"
    print(summary)
    # The figures are an import's only if everything written was imported.
    wanted = f"{args.posts:,} posts, {args.comments:,} comments"
    if wanted not in summary:
        raise SystemExit(f"bench: the file holds {wanted}, but the import said: {summary}")
    print(f"{'':24} {'seconds':>9} {'peak MB':>8}")
    print(f"{'baseline (parse only)':24} {baseline:9.1f}")
    print(
        f"{'import, ' + database:24} {seconds:9.1f} {peak_mb:8.0f}   ({seconds / baseline:.0f}x the parse)"
    )
    ok_time, ok_memory = seconds <= 60, peak_mb <= 300
    print(
        f"targets: ≤ 60 s {'met' if ok_time else 'MISSED'}, "
        f"≤ 300 MB {'met' if ok_memory else 'MISSED'}"
    )


if __name__ == "__main__":
    main()

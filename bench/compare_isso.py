"""Broadsheet beside Isso, on this machine, with the same 200-comment thread.

    .venv/bin/python bench/compare_isso.py [--duration 10] [--connections 32] [--posts 100]
                                           [--repeat 3] [--workers N]

In one run:

1. installs Isso and gunicorn from the package index into a temporary virtualenv and writes
   an isso.cfg: SQLite in the temporary folder, moderation off (so POSTs publish), the guard on
   with its per-minute `ratelimit` and `direct-reply` limits at 1,000,000 (the largest figure
   that changes nothing else) and `reply-to-self` allowed, `trusted-proxies = 127.0.0.1` so
   each guest's X-Forwarded-For is its address, hashes and Markdown as shipped (pbkdf2,
   mistune); serves it as Isso's documentation recommends for production, `gunicorn --preload`
   with the `isso.run` WSGI application and ISSO_SETTINGS, one worker per core; and once with
   its built-in server (`isso -c isso.cfg run`) for the thread fetch only;
2. imports the WordPress peer's export (`../shared/peers/wordpress/seed-site.wxr.xml`) into a
   fresh Broadsheet with `broadsheet import wordpress`, as bench/compare.py does, with the
   peer's Discussion settings except that a first-time guest's comment publishes (as Isso's
   does with moderation off); loads the same post's comments into Isso through its API
   (`POST /new?uri=…`): the approved ones (177 of the peer's 200; the pending and spam ones
   are shown by neither), same texts, authors, emails, websites and parents (Isso keeps one
   level of replies: a deeper reply hangs under its top-level comment there);
3. drives both with wrk on loopback (`-t2 -c32 -d10s`): the thread as JSON (Isso
   `GET /?uri=…`, Broadsheet `GET /api/v1/threads/{id}/comments`), Broadsheet once with
   `PAGE_CACHE=false` (every request renders) and once with its cache on, and with its cache
   on once more as a browser asks, `Accept-Encoding: gzip` (a row for information: the targets
   take the rows without it, where both send the same bytes);
4. POSTs `--posts` comments to each, one after another over one keep-alive connection from
   Python (the same loop for both): JSON, a new guest name, email and address each, every
   fourth a reply to one of the first 20 top-level comments;
5. counts the bytes a browser downloads to show the thread: the embed script and the requests
   it makes before the thread shows (Isso: `/config`, then `/?uri=…&nested_limit=5`;
   Broadsheet: the sign-in options, `threads?url=…`, then page 1), each as served with
   `Accept-Encoding: gzip, deflate, br`, and the same bodies gzipped (-6) on both sides, as
   a proxy in front of either would;
6. prints one side-by-side table of the median of `--repeat` runs (3: this machine is shared)
   with every run's rate, and the issue's targets as met or MISSED.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from compare import (
    BENCH_EMAIL,
    PEER,
    WP_POST_200,
    Broadsheet,
    Result,
    fetch,
    free_port,
    measure,
    median_round,
    median_run,
    ratio,
    resolve,
    wait_for,
)
from measured import served_by

WXR = PEER / "seed-site.wxr.xml"
SLUG = "contextualizing-stalinism"
TITLE = "Contextualizing ‘Stalinism’"
WP_NS = {"wp": "http://wordpress.org/export/1.2/"}
# The peer's Settings → Discussion (seed.php), but a guest's first comment publishes: Isso's
# moderation is off, so both systems do the same work for a POST.
DISCUSSION = {
    "thread_comments": "1", "thread_comments_depth": "5", "page_comments": "0",
    "comment_order": "asc", "close_comments_for_old_posts": "0", "comment_moderation": "0",
    "comment_previously_approved": "0", "comments_notify": "0", "moderation_notify": "0",
    "show_avatars": "1",
}  # fmt: skip
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}
RATE = 1_000_000  # per minute: Isso's guard and Broadsheet's API limits, for both
TARGETS = {"uncached": 15.0, "cached": 500.0, "post": 2.0}


@dataclass
class Comment:
    key: int  # the WordPress id
    parent: int  # 0 for a top-level comment
    author: str
    email: str
    website: str
    text: str


def thread_from_wxr(wxr: Path, slug: str) -> list[Comment]:
    """The post's approved comments in the export, parents before their replies."""
    # The peer's own export beside this repository, not input from elsewhere.
    for item in ET.parse(wxr).iter("item"):  # noqa: S314
        if item.findtext("wp:post_name", namespaces=WP_NS) != slug:
            continue
        found = [
            Comment(
                key=int(c.findtext("wp:comment_id", "0", WP_NS)),
                parent=int(c.findtext("wp:comment_parent", "0", WP_NS)),
                author=c.findtext("wp:comment_author", "", WP_NS),
                email=c.findtext("wp:comment_author_email", "", WP_NS),
                website=c.findtext("wp:comment_author_url", "", WP_NS),
                text=c.findtext("wp:comment_content", "", WP_NS),
            )
            for c in item.findall("wp:comment", WP_NS)
            if c.findtext("wp:comment_approved", namespaces=WP_NS) == "1"
        ]
        return sorted(found, key=lambda c: c.key)
    raise SystemExit(f"{wxr} has no post {slug!r}")


def isso_body(comment: Comment, parent: int | None) -> dict[str, object]:
    return {
        "text": comment.text, "author": comment.author, "email": comment.email or None,
        "website": comment.website or None, "parent": parent, "title": TITLE,
    }  # fmt: skip


def guest(i: int, run: str) -> Comment:
    return Comment(
        key=-i, parent=0, author=f"Bench Guest {i}", email=f"guest{i}-{run}@{BENCH_EMAIL}",
        website=f"https://guest{i}.example.org/",
        text=f"Benchmark comment {i} of run {run}. Lorem ipsum dolor sit amet, consectetur "
        "adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.",
    )  # fmt: skip


def guest_address(i: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"198.18.{i // 250}.{i % 250 + 1}"}


# ---------------------------------------------------------------------------- wrk, one run at a time
def measure_idle(
    target: str,
    system: str,
    url: str,
    args: argparse.Namespace,
    served: str | None = None,
    headers: dict[str, str] | None = None,
) -> Result:
    """compare.measure's median of `--repeat` wrk runs, each started on an idle server: a
    server slower than wrk's connections still holds the last run's queued requests when wrk
    stops, and the next run would be timed behind them (Isso's sync workers were at 0 req/s).
    measure()'s first fetch waits behind that queue."""
    once = argparse.Namespace(**{**vars(args), "repeat": 1})
    runs = [
        measure(target, system, url, once, headers=headers, served=served)
        for _ in range(args.repeat)
    ]
    found: Result = median_run([(r.rps, r) for r in runs])[1]
    found.note = " ".join(
        filter(None, [found.note, "runs: " + " / ".join(f"{r.rps:.1f}" for r in runs)])
    )
    return found


# ---------------------------------------------------------------------------- sequential POSTs
def post_json(
    base: str, path: str, bodies: list[tuple[dict[str, object], dict[str, str]]]
) -> Result:
    """POST each JSON body one after another over one keep-alive connection (a new one only
    when the server closes it, as gunicorn's sync workers do after every answer)."""
    parsed = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    times: list[float] = []
    codes: dict[int, int] = {}
    start = time.perf_counter()
    for body, headers in bodies:
        began = time.perf_counter()
        connection.request("POST", path, json.dumps(body).encode(),
                           {"Content-Type": "application/json", **headers})  # fmt: skip
        answer = connection.getresponse()
        answer.read()
        if answer.will_close:
            connection.close()
        times.append((time.perf_counter() - began) * 1000)
        codes[answer.status] = codes.get(answer.status, 0) + 1
    total = time.perf_counter() - start
    connection.close()
    times.sort()
    status = " ".join(f"{code}×{n}" for code, n in sorted(codes.items()))
    return Result("comment POST", "", len(times) / total, times[len(times) // 2],
                  times[min(len(times) - 1, int(len(times) * 0.99))], 0, status)  # fmt: skip


def post_rounds(
    system: str, base: str, path: str, make: object, args: argparse.Namespace, run: str
) -> Result:
    """`--repeat` rounds of `--posts` new guests each; the median round."""
    rounds = []
    for n in range(args.repeat):
        first = 1 + n * args.posts
        bodies = [
            (make(guest(i, run), i), guest_address(i)) for i in range(first, first + args.posts)
        ]  # type: ignore[operator]
        rounds.append(post_json(base, path, bodies))
    result, spread = median_round(rounds)
    result.system, result.note = system, f"rounds: {spread}"
    print(f"  {'comment POST':<24} {system:<26} {result.rps:>9.1f} /s  p50 {result.p50:8.2f} ms  "
          f"p99 {result.p99:8.2f} ms  HTTP {result.status} (rounds: {spread})", flush=True)  # fmt: skip
    if set(result.status.split()) - {f"201×{args.posts}"}:
        raise SystemExit(f"bench: {system}'s POSTs did not all publish ({result.status})")
    return result


# ---------------------------------------------------------------------------- Isso
class Isso:
    def __init__(self, folder: Path, workers: int) -> None:
        self.folder = folder
        self.workers = workers
        self.venv = folder / "venv"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.config = folder / "isso.cfg"
        self.version = ""

    def install(self) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
        pip = subprocess.run([str(self.venv / "bin/pip"), "install", "--quiet", "isso", "gunicorn"],
                             capture_output=True, text=True)  # fmt: skip
        if pip.returncode:
            raise SystemExit(f"pip install isso gunicorn failed:\n{pip.stderr[-2000:]}")
        self.version = subprocess.run(
            [str(self.venv / "bin/pip"), "list", "--format=freeze"], capture_output=True, text=True
        ).stdout
        self.version = ", ".join(
            line.replace("==", " ") for line in self.version.splitlines()
            if line.lower().startswith(("isso==", "gunicorn=="))
        )  # fmt: skip
        # The host is the embedding site's origin (CORS); nothing is fetched from it because
        # every new thread is given its title.
        self.config.write_text(f"""[general]
dbpath = {self.folder}/comments.db
host = http://127.0.0.1:{free_port()}/
[moderation]
enabled = false
[server]
listen = {self.base}
trusted-proxies = 127.0.0.1
[guard]
enabled = true
ratelimit = {RATE}
direct-reply = {RATE}
reply-to-self = true
""")

    @contextlib.contextmanager
    def serving(self, *, builtin: bool = False) -> Iterator[Isso]:
        env = {**os.environ, "ISSO_SETTINGS": str(self.config)}
        command = (
            [str(self.venv / "bin/isso"), "-c", str(self.config), "run"]
            if builtin
            else [str(self.venv / "bin/gunicorn"), "--preload", "--workers", str(self.workers),
                  "--bind", f"127.0.0.1:{self.port}", "isso.run"]
        )  # fmt: skip
        server = subprocess.Popen(command, env=env, cwd=self.folder, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        try:
            wait_for(self.base + "/config")
            yield self
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    def load(self, uri: str, comments: list[Comment]) -> None:
        ids: dict[int, int] = {}
        path = "/new?" + urllib.parse.urlencode({"uri": uri})
        for n, comment in enumerate(comments):
            body = isso_body(comment, ids.get(comment.parent) if comment.parent else None)
            status, answer = self.post(path, body, guest_address(10_000 + n))
            if status != 201:
                raise SystemExit(f"Isso refused comment {comment.key}: HTTP {status} {answer!r}")
            ids[comment.key] = int(answer["id"])

    def post(self, path: str, body: dict[str, object], headers: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", path, json.dumps(body).encode(),
                               {"Content-Type": "application/json", **headers})  # fmt: skip
            answer = connection.getresponse()
            raw = answer.read()
            return answer.status, json.loads(raw) if answer.status == 201 else {"body": raw[:200]}
        finally:
            connection.close()

    def thread(self, uri: str) -> list[dict]:  # type: ignore[type-arg]
        return json.loads(fetch(self.base + "/?" + urllib.parse.urlencode({"uri": uri}))[2])[
            "replies"
        ]  # type: ignore[no-any-return]


def isso_count(replies: list[dict]) -> int:  # type: ignore[type-arg]
    return sum(1 + isso_count(r.get("replies") or []) for r in replies)


# ---------------------------------------------------------------------------- bytes
@dataclass
class Weight:
    system: str
    parts: list[tuple[str, int, int, str]]  # what, bytes as served, gzip -6 bytes, encoding

    @property
    def served(self) -> int:
        return sum(p[1] for p in self.parts)

    @property
    def gzipped(self) -> int:
        return sum(p[2] for p in self.parts)


def weigh(system: str, urls: list[tuple[str, str]]) -> Weight:
    """Each URL's body as a browser receives it, and its decoded body gzipped at level 6."""
    parts = []
    for what, url in urls:
        status, headers, body = fetch(url, BROWSER)
        if status != 200:
            raise SystemExit(f"bench: {url} answered {status}")
        encoding = (headers.get("Content-Encoding") or "identity").lower()
        plain = decoded(body, encoding)
        parts.append((what, len(body), len(gzip.compress(plain, 6)), encoding))
    return Weight(system, parts)


def decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli  # type: ignore[import-not-found]  # only when a server chose it

        return brotli.decompress(body)  # type: ignore[no-any-return]
    if encoding == "deflate":
        import zlib

        return zlib.decompress(body)
    return body


# ---------------------------------------------------------------------------- Broadsheet
def broadsheet_thread(site: Broadsheet, path: str) -> int:
    status, _, body = fetch(
        site.base + "/api/v1/threads?" + urllib.parse.urlencode({"url": site.base + path})
    )
    if status != 200:
        raise SystemExit(
            f"bench: Broadsheet's API has no thread for {path}: HTTP {status} {body[:200]!r}"
        )
    return int(json.loads(body)["id"])


def broadsheet_body(thread: int) -> object:
    def make(comment: Comment, i: int, parents: list[int]) -> dict[str, object]:
        parent = parents[i % len(parents)] if i % 4 == 0 and parents else None
        return {"thread": thread, "parent": parent, "body": comment.text, "name": comment.author,
                "email": comment.email, "website": comment.website}  # fmt: skip

    return make


# ---------------------------------------------------------------------------- the run
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each; the median is reported"
    )
    parser.add_argument(
        "--posts", type=int, default=100, help="comments POSTed per round, per system"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes, for both (default: one per core)")  # fmt: skip
    parser.add_argument("--wxr", type=Path, default=WXR, help="the WordPress peer's export")
    args = parser.parse_args()

    run = f"{int(time.time())}-{os.getpid()}"
    comments = thread_from_wxr(args.wxr, SLUG)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="broadsheet-isso-") as tmp:
        folder = Path(tmp)
        isso = Isso(folder / "isso", args.workers)
        isso.folder.mkdir()
        started = time.perf_counter()
        isso.install()
        print(f"installed {isso.version} in {time.perf_counter() - started:.0f} s", flush=True)
        broadsheet = Broadsheet(folder / "broadsheet", args.workers)
        broadsheet.folder.mkdir()
        # The API's per-minute limits as high as Isso's guard is set: wrk comes from one address.
        broadsheet.env.update(API_RATE_PER_IP=str(RATE), API_RATE_PER_TOKEN=str(RATE))
        broadsheet.load(args.wxr, DISCUSSION)

        uri = WP_POST_200
        fetch_url = isso.base + "/?" + urllib.parse.urlencode({"uri": uri})
        with isso.serving():
            started = time.perf_counter()
            isso.load(uri, comments)
            print(f"loaded {len(comments)} comments into Isso through its API in "
                  f"{time.perf_counter() - started:.1f} s; it shows {isso_count(isso.thread(uri))}", flush=True)  # fmt: skip
            print(f"Isso under gunicorn, {args.workers} workers:", flush=True)
            results.append(measure_idle("thread fetch (JSON)", "Isso, gunicorn", fetch_url, args))
            embed_first = isso.base + "/?" + urllib.parse.urlencode({"uri": uri, "nested_limit": 5})
            isso_weight = weigh("Isso", [("embed.min.js", isso.base + "/js/embed.min.js"),
                                         ("/config", isso.base + "/config"),
                                         ("first thread fetch", embed_first)])  # fmt: skip
        with isso.serving(builtin=True):
            print("Isso's built-in server (isso run):", flush=True)
            builtin_args = argparse.Namespace(**{**vars(args), "repeat": 1})
            results.append(
                measure("thread fetch (JSON)", "Isso, built-in server", fetch_url, builtin_args)
            )

        with broadsheet.serving(page_cache=False) as site:
            path = resolve(site.base, uri).removeprefix(site.base)
            thread = broadsheet_thread(site, path)
            api = f"{site.base}/api/v1/threads/{thread}/comments"
            shown = json.loads(fetch(api)[2])
            print(f"Broadsheet's thread {thread} shows {shown['count']} comments "
                  f"({len(shown['comments'])} on page {shown['page']} of {shown['pages']})", flush=True)  # fmt: skip
            print("Broadsheet, PAGE_CACHE=false (every request renders):", flush=True)
            results.append(
                measure_idle(
                    "thread fetch (JSON)", "Broadsheet, uncached", api, args, served="rendered"
                )
            )

        with broadsheet.serving(page_cache=True) as site:
            fetch(api)
            cached = served_by(fetch(api)[1])
            print(f"Broadsheet, page cache on (its answers are served: {cached}):", flush=True)
            results.append(
                measure_idle(
                    "thread fetch (JSON)", "Broadsheet, cache on", api, args, served=cached
                )
            )
            # As a browser asks (not a target: the row above is): its gzipped bytes.
            results.append(
                measure_idle(
                    "thread fetch (JSON)", "Broadsheet, cache, gzip", api, args, served=cached,
                    headers={"Accept-Encoding": "gzip"},
                )
            )  # fmt: skip
            bs_weight = weigh("Broadsheet", [
                ("embed.js", site.base + "/embed.js"),
                ("sign-in options", site.base + "/embed/sign-in/options"),
                ("thread lookup", site.base + "/api/v1/threads?" + urllib.parse.urlencode({"url": site.base + path})),
                ("first thread fetch", api + "?page=1"),
            ])  # fmt: skip
            print(f"comment POSTs, {args.posts} per round, one after another:", flush=True)
            parents = [c["id"] for c in shown["comments"] if c["parent"] is None][:20]
            make = broadsheet_body(thread)
            results.append(post_rounds("Broadsheet", site.base, "/api/v1/comments",
                                       lambda c, i: make(c, i, parents), args, run))  # type: ignore[operator]  # fmt: skip

        with isso.serving():
            top = [r["id"] for r in isso.thread(uri)][:20]
            path_new = "/new?" + urllib.parse.urlencode({"uri": uri})

            def isso_make(comment: Comment, i: int) -> dict[str, object]:
                return isso_body(comment, top[i % len(top)] if i % 4 == 0 else None)

            results.append(post_rounds("Isso, gunicorn", isso.base, path_new, isso_make, args, run))

    report(results, [isso_weight, bs_weight], args, isso.version)


def report(
    results: list[Result], weights: list[Weight], args: argparse.Namespace, version: str
) -> None:
    def find(target: str, system: str) -> Result:
        return next(r for r in results if r.target == target and r.system == system)

    print()
    print(f"{version}; wrk -t{args.threads} -c{args.connections} -d{args.duration}s on loopback; "
          f"{args.workers} workers each; {os.cpu_count()} cores shared by the servers and the load generator")  # fmt: skip
    header = f"{'measurement':<22} {'system':<24} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'bytes':>9}  {'÷ Isso':>9}"
    print(header)
    print("-" * len(header))
    for r in results:
        isso = next(i for i in results if i.target == r.target and i.system == "Isso, gunicorn")
        vs = ratio(r.rps, isso.rps) if r.system.startswith("Broadsheet") else ""
        size = f"{r.size:,}" if r.size else r.status
        print(f"{r.target:<22} {r.system:<24} {r.rps:>10,.1f} {r.p50:>9.2f} {r.p99:>9.2f} {size:>9}  {vs:>9}"
              + (f"  ({r.note})" if r.note else ""))  # fmt: skip
    print("\nbytes to show the thread (embed script + its first requests):")
    for w in weights:
        parts = "; ".join(
            f"{what} {served:,} ({encoding}), gzip {gz:,}" for what, served, gz, encoding in w.parts
        )
        print(f"  {w.system:<11} as served {w.served:>8,}  both gzipped {w.gzipped:>8,}   {parts}")

    def check(label: str, value: float, target: float, smaller: bool = False) -> None:
        met = value < target if smaller else value >= target
        print(
            f"  {label:<52} {value:>9.2f}  ({'<' if smaller else '≥'} {target:g}) {'met' if met else 'MISSED'}"
        )

    def over(a: float, b: float) -> float:
        return a / b if b else float("inf")  # b finished nothing in the time

    fetch, isso = "thread fetch (JSON)", find("thread fetch (JSON)", "Isso, gunicorn").rps
    print("\ntargets:")
    check(
        "thread fetch uncached ÷ Isso",
        over(find(fetch, "Broadsheet, uncached").rps, isso),
        TARGETS["uncached"],
    )
    check(
        "thread fetch, cache on ÷ Isso",
        over(find(fetch, "Broadsheet, cache on").rps, isso),
        TARGETS["cached"],
    )
    posts = over(find("comment POST", "Broadsheet").rps, find("comment POST", "Isso, gunicorn").rps)
    check("comment POST ÷ Isso", posts, TARGETS["post"])
    isso_w, bs_w = weights
    check(
        "embed + first fetch, as served ÷ Isso's",
        over(bs_w.served, isso_w.served),
        1.0,
        smaller=True,
    )
    check(
        "embed + first fetch, both gzipped ÷ Isso's",
        over(bs_w.gzipped, isso_w.gzipped),
        1.0,
        smaller=True,
    )


if __name__ == "__main__":
    main()

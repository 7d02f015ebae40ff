"""Broadsheet beside the reference WordPress, on this machine, with the same posts and comments.

    .venv/bin/python bench/compare.py [--duration 10] [--connections 32] [--posts 200]
                                      [--repeat 3]

In one run:

1. starts the reference WordPress (`../shared/peers/wordpress/setup.sh start`, run from a
   temporary folder; the full `setup.sh` the first time on a machine, which installs it) unless
   it already answers, and has it export its content as WXR;
2. imports that export into a fresh Broadsheet (SQLite in a temporary folder) with
   `broadsheet import wordpress`, copies WordPress's Discussion settings (threaded five deep,
   every comment on one page, avatars on, notification emails off, as the peer is seeded), and
   serves it with `broadsheet serve` (one worker per core);
3. saves each system's two post pages and serves them from nginx as static files: what this
   machine can do at most for the same bytes;
4. drives everything with wrk on loopback (`-t2 -c32 -d10s`, as the peer's bench.sh):
   the post with 200 comments and the one with 2,000 (Broadsheet's page cache on: hits; then
   a second Broadsheet server with `PAGE_CACHE=false`: every request renders), the home page,
   the feed, and a conditional GET of the first post with the validator its last answer gave;
5. posts `--posts` guest comments to each, one after another over one keep-alive connection
   with curl (as bench.sh): a new name and email each, every fourth a reply. WordPress's flood
   check is off (the peer's mu-plugin); Broadsheet keeps its own and is told each reader's
   address with X-Forwarded-For, as a proxy in front of it would. Both hold these first-time
   guests for moderation, and each system's are removed after its POSTs: every page is
   measured with the export's comments alone (WordPress's before its POSTs, Broadsheet's
   uncached ones after);
   Every measurement runs `--repeat` times (3) on both systems alike, and the median run is
   reported (this machine is shared; one run can be 10% off), with every run's rate;
6. prints one table (requests/s, p50, p99, bytes; Broadsheet ÷ WordPress and Broadsheet ÷
   nginx-static) and the issue's targets, then stops what it started and removes its comments
   from WordPress.

Peak memory is each Broadsheet worker process's VmHWM after its runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PEER = Path(os.environ.get("WORDPRESS_PEER", REPO.parent / "shared" / "peers" / "wordpress"))
WP = "http://127.0.0.1:8081"
WP_POST_200 = "/2023/03/14/contextualizing-stalinism/"
WP_POST_2000 = "/2024/01/15/open-thread-reader-questions/"
WP_PIDS = {
    "nginx": Path("/run/nginx-wpbench.pid"),
    "php-fpm": Path("/run/php/wpbench-fpm.pid"),
    "mariadb": Path("/run/mysqld/mysqld.pid"),
}
BENCH_EMAIL = "bench.invalid"
# WordPress options and Broadsheet's DiscussionSettings fields of the same name.
DISCUSSION_OPTIONS = {
    "close_comments_for_old_posts": bool, "comment_max_links": int, "comment_moderation": bool,
    "comment_order": str, "comment_previously_approved": bool, "comment_registration": bool,
    "comments_notify": bool, "comments_per_page": int, "default_comments_page": str,
    "moderation_notify": bool, "page_comments": bool, "require_name_email": bool,
    "show_avatars": bool, "show_comments_cookies_opt_in": bool, "thread_comments": bool,
    "thread_comments_depth": int,
}  # fmt: skip


# ---------------------------------------------------------------------------- small helpers
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (names in any case) and body; 304s and errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read()


def answers(url: str) -> bool:
    try:
        return fetch(url)[0] == 200
    except OSError:
        return False


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers(url):
            return
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def pid_alive(pidfile: Path) -> bool:
    try:
        os.kill(int(pidfile.read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True


def children(pid: int) -> list[int]:
    """Every descendant of `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):  # gone while read
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        for child, parent in parents.items():
            if parent == current:
                found.append(child)
                queue.append(child)
    return found


def peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# ---------------------------------------------------------------------------- wrk
@dataclass
class Result:
    target: str
    system: str
    rps: float
    p50: float  # ms
    p99: float  # ms
    size: int
    status: str = "200"
    note: str = ""


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


# Counts how each response was served, so a figure named "cache hit" or "renders" (or "304")
# is held to it. Every wrk run uses it, WordPress's and nginx's too, so all pay its cost alike.
WRK_COUNT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
hit, rendered, not_modified = 0, 0, 0
function response(status, headers, body)
  local cached = headers["X-Page-Cache"] or headers["x-page-cache"]
  if status == 304 then not_modified = not_modified + 1
  elseif cached == "hit" then hit = hit + 1
  else rendered = rendered + 1 end
end
function done(summary, latency, requests)
  local h, r, n = 0, 0, 0
  for _, t in ipairs(threads) do
    h, r, n = h + t:get("hit"), r + t:get("rendered"), n + t:get("not_modified")
  end
  io.write(string.format("served: hit %d rendered %d not-modified %d\\n", h, r, n))
end
"""
SERVED = ("hit", "rendered", "not-modified")


def wrk(
    url: str,
    args: argparse.Namespace,
    headers: dict[str, str] | None = None,
    served: str | None = None,
) -> tuple[float, float, float, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_COUNT)
        script.flush()
        command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
                   "--timeout", "30s", "--latency", "-s", script.name]  # fmt: skip
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        out = subprocess.run(
            [*command, url], capture_output=True, text=True, timeout=args.duration + 90
        ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    problems = []
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        problems.append(f"{match.group(1)} non-2xx")
    if match := re.search(r"Socket errors: (.*)", out):
        problems.append(f"socket errors: {match.group(1)}")
    counted = re.search(r"served: hit (\d+) rendered (\d+) not-modified (\d+)", out)
    assert counted, out
    kinds = dict(zip(SERVED, map(int, counted.groups()), strict=True))
    others = {kind: n for kind, n in kinds.items() if kind != served and n}
    if served is not None and others:
        raise SystemExit(
            f"bench: {url} is timed as {served}, but wrk counted {kinds}: "
            "the figure would not measure what it names."
        )
    return rps, p50, p99, "; ".join(problems)


def median_run(runs: list[Any]) -> Any:
    """The run with the median rate: this machine is shared, and one run can be 10% off."""
    return sorted(runs, key=lambda run: run[0])[len(runs) // 2]


def measure(target: str, system: str, url: str, args: argparse.Namespace,
            headers: dict[str, str] | None = None, served: str | None = None) -> Result:  # fmt: skip
    """`served`: how every response must have been served (None for the peers, which do not say)."""
    status, _, body = fetch(url, headers)
    fetch(url, headers)  # warm
    runs = [wrk(url, args, headers, served) for _ in range(args.repeat)]
    rps, p50, p99, problems = median_run(runs)
    result = Result(target, system, rps, p50, p99, len(body), str(status), problems)
    spread = " / ".join(f"{run[0]:.1f}" for run in runs)
    print(f"  {target:<24} {system:<26} {rps:>9.1f} req/s  p50 {p50:8.2f} ms  "
          f"p99 {p99:8.2f} ms  {len(body):>10,} B  HTTP {status} {problems} (runs: {spread})", flush=True)  # fmt: skip
    return result


# ---------------------------------------------------------------------------- guest comments
def post_comments(
    url: str, fields: list[dict[str, str]], headers: list[dict[str, str]], folder: Path
) -> Result:
    """POST each form one after another over one keep-alive connection (curl -K)."""
    config = folder / "comments.curlrc"
    lines = []
    for i, (form, extra) in enumerate(zip(fields, headers, strict=True)):
        if i:
            lines.append("next")
        lines.append(f'url = "{url}"')
        for name, value in form.items():
            lines.append(f'data-urlencode = "{name}={value}"')
        for name, value in extra.items():
            lines.append(f'header = "{name}: {value}"')
        lines += [
            'output = "/dev/null"',
            "max-time = 30",
            r'write-out = "%{http_code} %{time_total}\n"',
        ]
    config.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    out = subprocess.run(
        ["curl", "-s", "-K", str(config)], capture_output=True, text=True, timeout=600
    ).stdout
    total = time.perf_counter() - start
    answers_ = [line.split() for line in out.splitlines() if line.strip()]
    times = sorted(float(t) * 1000 for _, t in answers_)
    codes: dict[str, int] = {}
    for code, _ in answers_:
        codes[code] = codes.get(code, 0) + 1
    status = " ".join(f"{code}×{n}" for code, n in sorted(codes.items()))
    return Result("guest comment POST", "", len(answers_) / total, times[len(times) // 2],
                  times[min(len(times) - 1, int(len(times) * 0.99))], 0, status)  # fmt: skip


def rounds_of(args: argparse.Namespace) -> list[int]:
    """The first guest number of each round of POSTs."""
    return [1 + n * args.posts for n in range(args.repeat)]


def median_round(rounds: list[Result]) -> tuple[Result, str]:
    """The median round, and every round's rate."""
    found: Result = median_run([(r.rps, r) for r in rounds])[1]
    return found, " / ".join(f"{r.rps:.1f}" for r in rounds)


def comment_form(i: int, run: str) -> dict[str, str]:
    return {
        "author": f"Bench Guest {i}",
        "email": f"guest{i}-{run}@{BENCH_EMAIL}",
        "url": f"https://guest{i}.example.org/",
        "comment": f"Benchmark comment {i} of run {run}. Lorem ipsum dolor sit amet, consectetur "
        "adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.",
    }


# ---------------------------------------------------------------------------- WordPress
class WordPress:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[str] = []
        self.env = {**os.environ, "WP_OUT_DIR": str(folder / "wordpress-peer")}

    def setup(self, *command: str) -> None:
        subprocess.run(["bash", str(PEER / "setup.sh"), *command], cwd=self.folder, env=self.env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip

    def start(self) -> Path:
        before = {name for name, pidfile in WP_PIDS.items() if pid_alive(pidfile)}
        if not answers(WP + "/"):
            print("starting the reference WordPress (setup.sh start)", flush=True)
            # setup.sh writes an error-log snippet here; some machines' MariaDB lack the folder.
            Path("/etc/mysql/mariadb.conf.d").mkdir(parents=True, exist_ok=True)
            try:
                self.setup("start")
            except subprocess.CalledProcessError:
                print("setup.sh start failed: installing it first (setup.sh)", flush=True)
                self.setup()
            wait_for(WP + "/")
        self.started = [
            name for name, pidfile in WP_PIDS.items() if pid_alive(pidfile) and name not in before
        ]
        export = self.folder / "wordpress-peer" / "seed-site.wxr.xml"
        if not export.exists():
            self.setup("export")  # the content WordPress serves right now, as WXR
        return export

    def stop(self) -> None:
        for name in self.started:  # only what this run started: MariaDB may be the machine's
            with contextlib.suppress(OSError, ValueError):
                pid = int(WP_PIDS[name].read_text().strip())
                os.kill(pid, signal.SIGQUIT if name != "mariadb" else signal.SIGTERM)
        if self.started:
            print(f"stopped WordPress's {', '.join(self.started)}")

    def parents(self, post_id: int) -> list[int]:
        import json

        body = fetch(f"{WP}/wp-json/wp/v2/comments?post={post_id}&parent=0&per_page=20&_fields=id")[
            2
        ]
        return [item["id"] for item in json.loads(body)]

    def post_id(self, slug: str) -> int:
        import json

        return int(
            json.loads(fetch(f"{WP}/wp-json/wp/v2/posts?slug={slug}&_fields=id")[2])[0]["id"]
        )

    def discussion_options(self) -> dict[str, str]:
        """WordPress's Settings → Discussion, which Broadsheet's settings mirror name for name."""
        names = ", ".join(f"'{name}'" for name in DISCUSSION_OPTIONS)
        out = subprocess.run(
            ["mariadb", "-uroot", "-N", "wpbench", "-e",
             f"SELECT option_name, option_value FROM wp_options WHERE option_name IN ({names})"],  # noqa: S608
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return dict(line.split("\t", 1) for line in out.splitlines())

    # The SQL below is built from this run's own id and constants, never from input.
    def stored(self, run: str) -> str:
        out = subprocess.run(
            ["mariadb", "-uroot", "-N", "wpbench", "-e",
             f"SELECT comment_approved, COUNT(*) FROM wp_comments WHERE comment_author_email LIKE '%-{run}@{BENCH_EMAIL}' GROUP BY comment_approved"],  # noqa: S608
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        names = {"0": "pending", "1": "approved", "spam": "spam", "trash": "trash"}
        return ", ".join(
            f"{names.get(s, s)} {n}" for s, n in (line.split("\t") for line in out.splitlines())
        )

    def clean(self, post_id: int) -> None:
        subprocess.run(
            ["mariadb", "-uroot", "wpbench", "-e",
             f"DELETE m FROM wp_commentmeta m JOIN wp_comments c ON c.comment_ID = m.comment_id "  # noqa: S608
             f"WHERE c.comment_author_email LIKE '%@{BENCH_EMAIL}'; "
             f"DELETE FROM wp_comments WHERE comment_author_email LIKE '%@{BENCH_EMAIL}'; "
             f"UPDATE wp_posts p SET comment_count = (SELECT COUNT(*) FROM wp_comments c "
             f"WHERE c.comment_post_ID = p.ID AND c.comment_approved = '1') WHERE p.ID = {post_id};"],
            check=True,
        )  # fmt: skip


# ---------------------------------------------------------------------------- Broadsheet
class Broadsheet:
    def __init__(self, folder: Path, workers: int) -> None:
        self.folder = folder
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database = folder / "broadsheet.sqlite3"
        self.env = {
            **os.environ,
            "DATA_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.base,
            "TRUST_X_FORWARDED_FOR": "true",
            "DEBUG": "false",
        }
        self.env.pop("REDIS_URL", None)
        self.server: subprocess.Popen[bytes] | None = None

    def command(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "broadsheet.cli", *args], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    def load(self, wxr: Path, options: dict[str, str]) -> None:
        self.command("migrate", "--no-input")
        self.command("import", "wordpress", str(wxr))
        # The same Discussion settings as the WordPress beside it (a WXR does not carry them).
        values = {
            name: (kind(int(options[name])) if kind is not str else options[name])
            for name, kind in DISCUSSION_OPTIONS.items() if name in options
        }  # fmt: skip
        self.command("shell", "-c", (
            "from broadsheet.discussion.models import DiscussionSettings as D\n"
            f"s = D.current()\nfor k, v in {values!r}.items(): setattr(s, k, v)\ns.full_clean(); s.save()\n"
            # A running site's worker rebuilds the stored comment cards these settings make
            # stale (avatars, for one); no worker runs here, so it is done now.
            "from broadsheet.discussion.tasks import rebuild_comment_cards as r\nr.func()"
        ))  # fmt: skip
        self.command("collectstatic", "--no-input")

    @contextlib.contextmanager
    def serving(self, *, page_cache: bool) -> Iterator[Broadsheet]:
        env = {**self.env, "PAGE_CACHE": "true" if page_cache else "false"}
        self.server = subprocess.Popen(
            [sys.executable, "-m", "broadsheet.cli", "serve", "--no-collectstatic",
             "--port", str(self.port), "--workers", str(self.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(self.base + "/")
            yield self
        finally:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=30)
            self.server = None

    def worker_peaks(self) -> list[float]:
        assert self.server is not None
        return [peak_mb(pid) for pid in children(self.server.pid)]

    def clean(self, run: str) -> None:
        """Remove this run's guest comments, as WordPress.clean does there: its uncached pages
        are then measured with the export's comments alone, as WordPress's were (before its
        POSTs). None was approved, so no count, card or search row is theirs."""
        with contextlib.closing(sqlite3.connect(self.database)) as db, db:
            pattern = (f"%-{run}@{BENCH_EMAIL}",)
            shown = db.execute(
                "SELECT COUNT(*) FROM discussion_comment WHERE author_email LIKE ? AND status = 'approved'",
                pattern,
            ).fetchone()[0]
            if shown:
                raise SystemExit(f"bench: {shown} of Broadsheet's benchmark comments were approved")
            db.execute("DELETE FROM discussion_comment WHERE author_email LIKE ?", pattern)

    def stored(self, run: str) -> str:
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            rows = db.execute(
                "SELECT status, COUNT(*) FROM discussion_comment WHERE author_email LIKE ? GROUP BY status",
                (f"%-{run}@{BENCH_EMAIL}",),
            ).fetchall()
        return ", ".join(f"{status} {n}" for status, n in rows)


# ---------------------------------------------------------------------------- nginx-static
@contextlib.contextmanager
def nginx_static(folder: Path, pages: dict[str, bytes]) -> Iterator[str]:
    root = folder / "static"
    root.mkdir(parents=True)
    for name, body in pages.items():
        (root / name).write_bytes(body)
    for path in (folder, root, *root.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)  # nginx's workers run as nobody
    port = free_port()
    temp = folder / "nginx-temp"
    temp.mkdir()
    config = folder / "nginx.conf"
    config.write_text(f"""
worker_processes auto;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; }}
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
""")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([nginx, "-c", str(config), "-e", str(folder / "nginx-error.log")])
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/{next(iter(pages))}")
        yield base
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=30)


# ---------------------------------------------------------------------------- the run
def resolve(base: str, path: str) -> str:
    """Broadsheet's address for a WordPress permalink (a date in another time zone redirects)."""
    request = urllib.request.Request(base + path, method="HEAD")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.url


def comments_shown(body: bytes) -> int:
    return len(re.findall(rb'<li id="comment-\d+"', body))


def ratio(value: float, base: float) -> str:
    return f"{value / base:,.1f}×" if base else "–"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=3,
        help="runs of each measurement, on both systems alike; the median run is reported",
    )  # fmt: skip
    parser.add_argument(
        "--posts", type=int, default=200, help="guest comments POSTed to each system"
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="Broadsheet worker processes"
    )
    args = parser.parse_args()
    for tool in ("wrk", "curl", "nginx", "mariadb"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            raise SystemExit(
                f"{tool} is missing: apt-get install -y {'nginx-light' if tool == 'nginx' else tool}"
            )

    run = f"{int(time.time())}-{os.getpid()}"
    results: list[Result] = []
    memory: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="broadsheet-compare-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o711)  # nginx's workers (user nobody) pass through to the static pages
        wordpress = WordPress(folder)
        try:
            wxr = wordpress.start()
            broadsheet = Broadsheet(folder / "broadsheet", args.workers)
            broadsheet.folder.mkdir()
            started = time.perf_counter()
            broadsheet.load(wxr, wordpress.discussion_options())
            print(
                f"imported WordPress's export into Broadsheet in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            wp_pages = {
                n: fetch(WP + path)[2] for n, path in ((200, WP_POST_200), (2000, WP_POST_2000))
            }

            with broadsheet.serving(page_cache=True) as site:
                paths = {n: resolve(site.base, path).removeprefix(site.base) for n, path in
                         ((200, WP_POST_200), (2000, WP_POST_2000))}  # fmt: skip
                bs_pages = {n: fetch(site.base + paths[n])[2] for n in paths}
                for n in paths:
                    print(f"post with {n:,} comments: WordPress shows {comments_shown(wp_pages[n]):,}, "
                          f"Broadsheet {comments_shown(bs_pages[n]):,}", flush=True)  # fmt: skip
                found = re.search(rb'name="shown_at" value="([^"]+)"', bs_pages[200])
                assert found, "Broadsheet's post page has no comment form"
                token = found.group(1).decode()

                static = {f"{system}-{n}.html": page for system, pages in
                          (("wordpress", wp_pages), ("broadsheet", bs_pages)) for n, page in pages.items()}  # fmt: skip
                print("nginx serving each page as a static file:", flush=True)
                with nginx_static(folder / "nginx", static) as nginx:
                    for n in (200, 2000):
                        for system in ("wordpress", "broadsheet"):
                            results.append(measure(f"post, {n:,} comments", f"nginx-static ({system}'s page)",
                                                   f"{nginx}/{system}-{n}.html", args))  # fmt: skip

                print("WordPress (no page cache: every request runs PHP and MariaDB):", flush=True)
                for target, path in (("post, 200 comments", WP_POST_200), ("post, 2,000 comments", WP_POST_2000),
                                     ("home page", "/"), ("feed", "/feed/")):  # fmt: skip
                    results.append(measure(target, "WordPress", WP + path, args))
                _, wp_headers, _ = fetch(WP + WP_POST_200)
                conditional = (
                    {"If-Modified-Since": wp_headers["Last-Modified"]}
                    if "Last-Modified" in wp_headers
                    else {}
                )
                if "ETag" in wp_headers:
                    conditional["If-None-Match"] = wp_headers["ETag"]
                results.append(
                    measure(
                        "conditional GET, 200", "WordPress", WP + WP_POST_200, args, conditional
                    )
                )

                print("Broadsheet, page cache on (anonymous readers get stored pages):", flush=True)
                for target, path in (("post, 200 comments", paths[200]), ("post, 2,000 comments", paths[2000]),
                                     ("home page", "/"), ("feed", "/feed/")):  # fmt: skip
                    results.append(measure(target, "Broadsheet, cache hit", site.base + path, args,
                                           served="hit"))  # fmt: skip
                _, headers, _ = fetch(site.base + paths[200])
                conditional = {"If-None-Match": headers["ETag"]}
                if "Last-Modified" in headers:
                    conditional["If-Modified-Since"] = headers["Last-Modified"]
                results.append(
                    measure(
                        "conditional GET, 200",
                        "Broadsheet",
                        site.base + paths[200],
                        args,
                        conditional,
                        served="not-modified",
                    )
                )

                print(
                    f"guest comment POSTs, {args.posts} each, sequential over one connection:",
                    flush=True,
                )
                wp_id = wordpress.post_id("contextualizing-stalinism")
                wp_parents = wordpress.parents(wp_id)
                rounds: list[Result] = []
                try:
                    for first in rounds_of(args):  # each round: new guests, new words
                        forms: list[dict[str, str]] = []
                        extra: list[dict[str, str]] = []
                        for i in range(first, first + args.posts):
                            parent = (
                                wp_parents[i % len(wp_parents)] if i % 4 == 0 and wp_parents else 0
                            )
                            forms.append({**comment_form(i, run), "comment_post_ID": str(wp_id),
                                          "comment_parent": str(parent), "submit": "Post Comment"})  # fmt: skip
                            extra.append({})
                        rounds.append(
                            post_comments(WP + "/wp-comments-post.php", forms, extra, folder)
                        )
                    result, spread = median_round(rounds)
                    result.system, result.note = "WordPress", wordpress.stored(run)
                finally:
                    wordpress.clean(wp_id)
                results.append(result)
                print(
                    f"  WordPress: {result.rps:.1f}/s, {result.status}, stored: {result.note} (rounds: {spread})",
                    flush=True,
                )

                bs_id = int(re.search(rb'data-post-id="(\d+)"', bs_pages[200]).group(1))  # type: ignore[union-attr]
                bs_parents = [
                    int(x)
                    for x in re.findall(rb'<li id="comment-(\d+)" class="comment', bs_pages[200])
                ][:20]
                rounds = []
                for first in rounds_of(args):
                    forms, extra = [], []
                    for i in range(first, first + args.posts):
                        parent = bs_parents[i % len(bs_parents)] if i % 4 == 0 and bs_parents else 0
                        forms.append({**comment_form(i, run), "post_id": str(bs_id), "parent_id": str(parent),
                                      "shown_at": token, "hp": ""})  # fmt: skip
                        extra.append({"X-Forwarded-For": f"198.18.{i // 250}.{i % 250 + 1}"})
                    rounds.append(
                        post_comments(site.base + "/comments/post/", forms, extra, folder)
                    )
                result, spread = median_round(rounds)
                result.system, result.note = "Broadsheet", broadsheet.stored(run)
                results.append(result)
                print(
                    f"  Broadsheet: {result.rps:.1f}/s, {result.status}, stored: {result.note} (rounds: {spread})",
                    flush=True,
                )
                memory["page cache on"] = site.worker_peaks()
            broadsheet.clean(run)

            with broadsheet.serving(page_cache=False) as site:
                print("Broadsheet, PAGE_CACHE=false (every request renders):", flush=True)
                for target, path in (("post, 200 comments", paths[200]), ("post, 2,000 comments", paths[2000]),
                                     ("home page", "/"), ("feed", "/feed/")):  # fmt: skip
                    results.append(
                        measure(
                            target,
                            "Broadsheet, cache miss",
                            site.base + path,
                            args,
                            served="rendered",
                        )
                    )
                memory["page cache off"] = site.worker_peaks()
        finally:
            wordpress.stop()

    report(results, memory, args)


def report(results: list[Result], memory: dict[str, list[float]], args: argparse.Namespace) -> None:
    def find(target: str, system: str) -> Result:
        return next(r for r in results if r.target == target and r.system == system)

    print()
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s on loopback; "
          f"{os.cpu_count()} cores shared by the servers and the load generator")  # fmt: skip
    header = f"{'target':<22} {'system':<30} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'bytes':>11}  {'÷ WordPress':>11} {'÷ nginx-static':>14}"
    print(header)
    print("-" * len(header))
    for r in results:
        wp = next((w for w in results if w.target == r.target and w.system == "WordPress"), None)
        static = next(
            (
                s
                for s in results
                if s.target == r.target and s.system == "nginx-static (broadsheet's page)"
            ),
            None,
        )
        vs_wp = ratio(r.rps, wp.rps) if wp and r.system.startswith("Broadsheet") else ""
        vs_static = ratio(r.rps, static.rps) if static and r.system.startswith("Broadsheet") else ""
        size = f"{r.size:,}" if r.size else r.status
        print(f"{r.target:<22} {r.system:<30} {r.rps:>10,.1f} {r.p50:>9.2f} {r.p99:>9.2f} {size:>11}  {vs_wp:>11} {vs_static:>14}"
              + (f"  ({r.note})" if r.note else ""))  # fmt: skip
    print()
    for name, peaks in memory.items():
        print(
            f"Broadsheet peak memory per worker ({name}): "
            + ", ".join(f"{p:.0f} MB" for p in peaks)
        )

    def check(label: str, value: float, target: float, most: bool = False) -> None:
        met = value <= target if most else value >= target
        print(
            f"  {label:<58} {value:>9.2f}  ({'≤' if most else '≥'} {target:g}) {'met' if met else 'MISSED'}"
        )

    def over(a: Result, b: Result) -> float:
        return a.rps / b.rps if b.rps else float("inf")  # b finished no request in the time

    print("\ntargets:")
    hit = find("post, 200 comments", "Broadsheet, cache hit")
    wp200, wp2000 = (
        find("post, 200 comments", "WordPress"),
        find("post, 2,000 comments", "WordPress"),
    )
    check("cache hit, 200 comments ÷ WordPress", over(hit, wp200), 100)
    check("cache hit, 200 comments ÷ nginx-static (its own page)",
          hit.rps / find("post, 200 comments", "nginx-static (broadsheet's page)").rps, 0.4)  # fmt: skip
    check(
        "cache miss, 200 comments ÷ WordPress",
        over(find("post, 200 comments", "Broadsheet, cache miss"), wp200),
        10,
    )
    check(
        "cache miss, 2,000 comments ÷ WordPress",
        over(find("post, 2,000 comments", "Broadsheet, cache miss"), wp2000),
        20,
    )
    check(
        "guest comment POSTs ÷ WordPress",
        over(find("guest comment POST", "Broadsheet"), find("guest comment POST", "WordPress")),
        4,
    )
    check("page weight, 200 comments ÷ WordPress", hit.size / wp200.size, 0.5, most=True)
    check("peak MB per worker", max(p for peaks in memory.values() for p in peaks), 150, most=True)


if __name__ == "__main__":
    main()

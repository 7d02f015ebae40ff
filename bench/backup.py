"""`broadsheet backup` and `broadsheet restore` of a large site, against a plain copy of its file.

    .venv/bin/python bench/backup.py [--comments 100000] [--posts 10000] [--readers 8] [--seconds 10]

Builds a SQLite site (bench/generate_site.py), then in one run: copies the database file as
the baseline (the least any backup could cost), takes `broadsheet backup` and restores it into
a second, empty site, printing each time as a ratio to the copy and each command's peak memory
(its own process, from wait4; target ≤ 300 MB). Meanwhile a server (`broadsheet serve`, page
cache off so every read reaches the database) answers a read load from `--readers` threads:
its p99 during the backup against the same load without one (target within 2×). Exits
non-zero when a target is missed. Take its figures on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROADSHEET = [sys.executable, "-m", "broadsheet.cli"]
MEMORY_MB, P99_RATIO = 300, 2.0


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}"}
    env.pop("REDIS_URL", None)
    return {**env, **extra}


def _timed(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one `broadsheet` command, its own process."""
    started = time.perf_counter()
    process = subprocess.Popen([*BROADSHEET, *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"bench: broadsheet {' '.join(args)} failed ({process.returncode})")
    return seconds, usage.ru_maxrss / 1024  # kilobytes on Linux


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Readers:
    """Threads reading pages as fast as they are answered; each read's latency is kept."""

    def __init__(self, urls: list[str], count: int) -> None:
        self.urls, self.count = urls, count
        self.latencies: list[float] = []
        self.errors = 0
        self.running = threading.Event()
        self.lock = threading.Lock()

    def _read(self, n: int) -> None:
        i = n
        while self.running.is_set():
            url = self.urls[i % len(self.urls)]
            i += self.count
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    response.read()
            except OSError:
                with self.lock:
                    self.errors += 1
                continue
            with self.lock:
                self.latencies.append(time.perf_counter() - started)

    def measure(self, during: threading.Thread | None, seconds: float) -> float:
        """p99 in ms over `seconds` (or while `during` runs, if longer)."""
        self.latencies, self.errors = [], 0
        self.running.set()
        threads = [threading.Thread(target=self._read, args=(n,)) for n in range(self.count)]
        for thread in threads:
            thread.start()
        started = time.perf_counter()
        if during is not None:
            during.start()
        while time.perf_counter() - started < seconds or (during and during.is_alive()):
            time.sleep(0.05)
        self.running.clear()
        for thread in threads:
            thread.join()
        if len(self.latencies) < 20:
            raise SystemExit("bench: too few reads to measure a p99")
        return statistics.quantiles(self.latencies, n=100)[98] * 1000


def _build(data: Path, posts: int, comments: int) -> None:
    env = _env(data)
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate_site.py"), "--posts", str(posts),
         "--comments", str(comments)],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run([*BROADSHEET, "collectstatic", "--noinput", "-v0"], env=env, check=True)


def _urls(env: dict[str, str], base: str) -> list[str]:
    code = (
        "from broadsheet.publishing.models import Post;"
        "print('\\n'.join(p.get_absolute_url() for p in "
        "Post.objects.filter(status='published').order_by('-comment_count')[:20]))"
    )
    out = subprocess.run(
        [*BROADSHEET, "shell", "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout
    return [base + line for line in out.splitlines() if line.startswith("/")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as folder:
        run(Path(folder), args)


def run(root: Path, args: argparse.Namespace) -> None:
    one, two = root / "one", root / "two"
    one.mkdir()
    two.mkdir()
    print(f"Building a site of {args.posts:,} posts and {args.comments:,} comments …", flush=True)
    _build(one, args.posts, args.comments)
    database = one / "db.sqlite3"
    started = time.perf_counter()
    shutil.copyfile(database, root / "copy.sqlite3")
    copy_seconds = max(time.perf_counter() - started, 1e-6)
    size_mb = database.stat().st_size / 1024 / 1024

    port = _free_port()
    env = _env(one, PAGE_CACHE="false", SITE_URL=f"http://127.0.0.1:{port}")
    log = (root / "serve.log").open("w")
    server = subprocess.Popen(
        [*BROADSHEET, "serve", "--port", str(port), "--workers", "2", "--no-collectstatic"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/healthz")
        readers = Readers(_urls(env, base), args.readers)
        readers.measure(None, 2)  # warm-up
        quiet = readers.measure(None, args.seconds)
        archive = root / "site.tar"
        result: dict[str, tuple[float, float]] = {}
        backup = threading.Thread(
            target=lambda: result.update(backup=_timed(env, "backup", "--output", str(archive)))
        )
        busy = readers.measure(backup, args.seconds)
        backup.join()
    finally:
        server.terminate()
        server.wait(timeout=60)
    second = _env(two)
    subprocess.run([*BROADSHEET, "migrate", "--noinput", "-v0"], env=second, check=True)
    result["restore"] = _timed(second, "restore", str(archive))
    _report(size_mb, copy_seconds, result, quiet, busy, archive.stat().st_size)


def _wait(url: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _report(
    size_mb: float,
    copy_seconds: float,
    result: dict[str, tuple[float, float]],
    quiet: float,
    busy: float,
    archive_bytes: int,
) -> None:
    missed = []
    print(f"database {size_mb:,.1f} MB; plain file copy {copy_seconds:.3f} s")
    print(f"archive {archive_bytes / 1024 / 1024:,.1f} MB")
    for name, (seconds, peak) in result.items():
        print(
            f"{name:<8} {seconds:7.2f} s = {seconds / copy_seconds:6.1f}× the copy; "
            f"peak memory {peak:6.1f} MB (target ≤ {MEMORY_MB})"
        )
        if peak > MEMORY_MB:
            missed.append(f"{name} peak memory")
    ratio = busy / quiet
    print(
        f"reads p99: {quiet:.1f} ms without a backup, {busy:.1f} ms during one = {ratio:.2f}× "
        f"(target ≤ {P99_RATIO:g}×)"
    )
    if ratio > P99_RATIO:
        missed.append("p99 during the backup")
    print("Figures are only meaningful on a quiet machine.")
    if missed:
        raise SystemExit(f"bench: missed {', '.join(missed)}")


if __name__ == "__main__":
    main()

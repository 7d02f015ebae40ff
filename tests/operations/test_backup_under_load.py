"""The quality bar: a backup taken while 32 guests post comments through a live server holds
every comment acknowledged before it started, restores into a second site with the counts and
checksums right, and a flipped byte is refused. SQLite here; PostgreSQL on CI's second pass
(DATABASE_URL), as every test that runs `broadsheet` in other processes."""

from __future__ import annotations

import json
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from broadsheet.operations import archive
from tests.processes import BROADSHEET, broadsheet, broadsheet_env, free_port, stop, wait_until_up

GUESTS = 32
POST_ID = "from broadsheet.publishing.models import Post; print(Post.objects.filter(status='published').order_by('pk').first().pk)"
BODIES = "from broadsheet.discussion.models import Comment; print('\\n'.join(Comment.objects.filter(body__startswith='guest-').values_list('body', flat=True)))"
COUNTS = "from broadsheet.discussion.models import Comment; from broadsheet.accounts.models import User; from broadsheet.publishing.models import Post; print(Comment.objects.count(), Post.objects.count(), User.objects.count())"


def _last_line(env: dict[str, str], code: str) -> str:
    return broadsheet(env, "shell", "-c", code).stdout.strip().splitlines()[-1]


class Guests:
    """32 threads, each a guest posting comments from an address of its own until stopped;
    every acknowledged comment is noted with the moment its 201 arrived."""

    def __init__(self, base: str, thread: int) -> None:
        self.base, self.thread = base, thread
        self.acknowledged: list[tuple[float, str]] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._guest, args=(n,)) for n in range(GUESTS)]

    def _guest(self, n: int) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            body = f"guest-{n}-{i}: a comment posted during the backup test."
            data = {"thread": self.thread, "body": body, "name": f"Guest {n}"}
            data["email"] = f"guest{n}.{i}@example.org"
            request = urllib.request.Request(
                self.base + "/api/v1/comments",
                data=json.dumps(data).encode(),
                headers={
                    "Content-Type": "application/json",
                    "X-Forwarded-For": f"10.{n}.{i // 250}.{i % 250 + 1}",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    assert response.status == 201
            except (urllib.error.URLError, OSError) as error:
                with self.lock:
                    self.failures.append(f"{body}: {error}")
                continue
            with self.lock:
                self.acknowledged.append((time.monotonic(), body))

    def __enter__(self) -> Guests:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)


def test_a_backup_under_32_posting_guests_restores_every_acknowledged_comment(
    tmp_path: Path, subprocess_database_url: str, second_database_url: str
) -> None:
    (tmp_path / "one").mkdir()
    port = free_port()
    env = broadsheet_env(
        tmp_path / "one", subprocess_database_url,
        SITE_URL=f"http://127.0.0.1:{port}", API_RATE_PER_IP="100000",
        TRUST_X_FORWARDED_FOR="true", WEB_THREADS="4",
    )  # fmt: skip
    broadsheet(env, "migrate", "--noinput")
    broadsheet(env, "demo", "--verbosity", "0")
    post_id = int(_last_line(env, POST_ID))
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*BROADSHEET, "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    backup = tmp_path / "site.tar"
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/healthz", seconds=120)
        with Guests(base, post_id) as guests:
            while len(guests.acknowledged) < 3 * GUESTS and not guests.failures:
                time.sleep(0.1)
            started = time.monotonic()
            broadsheet(env, "backup", "--output", str(backup))
            during = len(guests.acknowledged)
            time.sleep(0.5)  # and they go on posting after it
        with urllib.request.urlopen(base + "/metrics", timeout=30) as response:
            metrics = response.read().decode()
    finally:
        stop(server)
    assert not guests.failures, guests.failures[:3]
    before = {body for moment, body in guests.acknowledged if moment < started}
    assert len(before) >= 3 * GUESTS and len(guests.acknowledged) > during > len(before)

    # Both web worker processes' counts, summed (prometheus-client's multiprocess mode).
    created = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("broadsheet_requests_total{") and 'status="201"' in line
    )
    assert created == len(guests.acknowledged)

    verified = archive.verify(backup)
    counts = verified.manifest["counts"]
    # The export was read in the database copy's own moment: the same comments.
    assert verified.manifest["export"]["comments"] == counts["discussion.comment"]

    (tmp_path / "two").mkdir()
    second = broadsheet_env(tmp_path / "two", second_database_url)
    broadsheet(second, "migrate", "--noinput")
    broadsheet(second, "restore", str(backup))
    restored = set(broadsheet(second, "shell", "-c", BODIES).stdout.split("\n"))
    assert before - restored == set()
    comments, posts, users = map(int, _last_line(second, COUNTS).split())
    assert (comments, posts, users) == (
        counts["discussion.comment"], counts["publishing.post"], counts["accounts.user"],
    )  # fmt: skip

    # One flipped byte in the database: refused, and the second site is left as it was.
    with tarfile.open(backup) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("database."))
    data = bytearray(backup.read_bytes())
    data[member.offset_data + member.size // 2] ^= 0x04
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    refused = subprocess.run(
        [*BROADSHEET, "restore", "--force", str(damaged)],
        env=second, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "does not match its SHA-256 checksum" in refused.stderr
    assert _last_line(second, COUNTS).split()[0] == str(comments)

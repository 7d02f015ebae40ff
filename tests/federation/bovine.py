"""A bovine-herd server (https://codeberg.org/bovine/bovine) started by the tests on a free
local port, with one account, alice, whom the tests drive through bovine's own client
(client-to-server: her outbox, authenticated with an Ed25519 key; Moo-Auth-1). Everything she
sends to this site — and every check of what this site sends her — is bovine's code."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Bovine:
    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.domain = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "BOVINE_DB_URL": f"sqlite://{folder / 'bovine.sqlite3'}"}
        self._store("create")
        self._store("register", "--domain", self.domain, "--handle", "alice")
        name = self._store("actor").split()[0]
        self.secret = self._store("key", "--new", name).split("Your new secret: ")[1].split()[0]
        self.log = open(folder / "bovine.log", "w")  # noqa: SIM115 (closed in close())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hypercorn", "tests.federation.bovine_app:app",
             "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.actor_id = self._wait_for_alice()

    def _store(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "bovine_store", *args], env=self.env,
                              check=True, capture_output=True, text=True, timeout=120).stdout  # fmt: skip

    def _wait_for_alice(self) -> str:
        url = f"{self.domain}/.well-known/webfinger?resource=acct:alice@127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                found = json.loads(urllib.request.urlopen(url, timeout=5).read())
                return str(found["links"][0]["href"])
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.3)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    # --- alice, through bovine's client (each call in a thread of its own) ----------------
    def _client(self) -> Any:
        from bovine import BovineClient

        return BovineClient(domain=self.domain, actor_id=self.actor_id, secret=self.secret)

    def lookup(self, account: str) -> str:
        """WebFinger, bovine's way."""
        from bovine.clients import lookup_uri_with_webfinger

        async def run() -> str:
            async with self._client() as alice:
                found, _ = await lookup_uri_with_webfinger(
                    alice.session, f"acct:{account}", domain=f"http://{account.split('@')[1]}"
                )
                return str(found)

        return _run(run)

    def send(self, build: Any) -> str:
        """`build(alice)` makes an activity; it goes to her outbox, bovine delivers it.
        Returns the activity's id."""

        async def run() -> str:
            async with self._client() as alice:
                answer = await alice.send_to_outbox(build(alice))
                assert answer.status in (200, 201, 202), await answer.text()
                return str(answer.headers.get("location", ""))

        return _run(run)

    def inbox(self) -> list[dict[str, Any]]:
        """What reached alice's inbox, newest first (bovine's reading of it)."""

        async def run() -> list[dict[str, Any]]:
            async with self._client() as alice:
                inbox = await alice.get(alice.information["inbox"])
                found = []
                first = inbox.get("first") or inbox.get("orderedItems")
                page = await alice.get(first) if isinstance(first, str) else inbox
                for item in page.get("orderedItems", []):
                    found.append(await alice.get(item) if isinstance(item, str) else item)
                return found

        return _run(run)

    def get(self, url: str) -> dict[str, Any]:
        """A document as alice's server gives it to her (its copy, or fetched for her)."""

        async def run() -> dict[str, Any]:
            async with self._client() as alice:
                try:
                    return dict(await alice.get(url))
                except Exception:  # not stored on her server: through its proxy
                    return dict(await alice.proxy(url))

        return _run(run)


def _run(coroutine: Any) -> Any:
    """`asyncio.run(coroutine())` in a thread of its own: the test's thread may already run an
    event loop (the browser tests' Playwright, when the whole suite shares a worker)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine())).result()

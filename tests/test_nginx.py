"""The nginx configuration in docs/nginx-broadsheet.conf, run as written in front of
`broadsheet serve`: anonymous pages are cached and revalidated, personal requests bypass it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.processes import broadsheet, broadsheet_env, free_port, wait_until_up

CONF = Path(__file__).resolve().parents[1] / "docs" / "nginx-broadsheet.conf"
ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _get(url: str, **headers: str) -> tuple[int, Any, bytes]:
    """Status, headers (looked up without regard to case) and body."""
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


@pytest.fixture
def nginx_in_front(tmp_path: Path, subprocess_database_url: str) -> Iterator[str]:
    env = broadsheet_env(tmp_path, subprocess_database_url)
    broadsheet(env, "migrate", "--noinput")
    broadsheet(env, "demo")
    app_port, proxy_port = free_port(), free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "broadsheet.cli",
            "serve",
            "--port",
            str(app_port),
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The documented file, with only the addresses and folders of this test changed.
    site = (
        CONF.read_text()
        .replace("/var/cache/nginx/broadsheet", str(tmp_path / "nginx-cache"))
        .replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
        .replace("listen 80;", f"listen 127.0.0.1:{proxy_port};")
    )
    (tmp_path / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'nginx-error.log'};\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path / 'body'};\n"
        f"  proxy_temp_path {tmp_path / 'proxy'};\n  include {tmp_path / 'site.conf'};\n}}\n"
    )
    proxy = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{app_port}/")
        wait_until_up(f"http://127.0.0.1:{proxy_port}/")
        yield f"http://127.0.0.1:{proxy_port}"
    finally:
        for process in (proxy, server):
            process.terminate()
        for process in (proxy, server):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_the_documented_nginx_configuration_caches_anonymous_pages_only(
    nginx_in_front: str,
) -> None:
    url = nginx_in_front + ESSAY
    first = _get(url)
    second = _get(url)
    assert first[0] == second[0] == 200
    assert first[1]["X-Cache-Status"] == "MISS"
    assert second[1]["X-Cache-Status"] == "HIT" and second[2] == first[2]

    for cookie in ("sessionid=abc", "broadsheet_pending=x", "messages=y"):
        status, headers, _ = _get(url, Cookie=cookie)
        assert status == 200 and headers["X-Cache-Status"] == "BYPASS", cookie

    # A private page (sign-in) is passed through and never stored.
    for _ in range(2):
        _, headers, _ = _get(nginx_in_front + "/accounts/login/")
        assert headers["X-Cache-Status"] in ("MISS", "EXPIRED")
        assert "private" in headers["Cache-Control"]

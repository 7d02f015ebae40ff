"""Another site, for the tests: a real HTTP server on 127.0.0.1 (an ephemeral port) that
serves pages the test writes, and keeps the Webmentions posted to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest


@dataclass
class Page:
    body: bytes | str = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "text/html; charset=utf-8"


class Site:
    """`pages[path]`: what a GET of the path answers; `/endless` streams 50 MB without saying
    its length; POSTs are kept in `received` (path, form fields)."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.received: list[tuple[str, dict[str, list[str]]]] = []
        self.post_status = 202
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.get(self)

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(size).decode())
                site.received.append((self.path, form))
                self.send_response(site.post_status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def get(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path == "/endless":
            return self._endless(handler)
        page = self.pages.get(handler.path, Page(b"Not here.", status=404))
        body = page.body.encode() if isinstance(page.body, str) else page.body
        handler.send_response(page.status)
        handler.send_header("Content-Type", page.content_type)
        for name, value in page.headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def _endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        try:
            for _ in range(800):  # 50 MB
                handler.wfile.write(b"<p>" + b"x" * 65_530 + b"</p>")
        except OSError:  # the reader gave up, as it should
            pass

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    other = Site()
    yield other
    other.close()


@pytest.fixture
def local_allowed(settings: object) -> None:
    settings.WEBMENTION_ALLOW_PRIVATE = True  # type: ignore[attr-defined]

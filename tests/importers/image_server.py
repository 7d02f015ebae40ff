"""A real HTTP server on 127.0.0.1 (an ephemeral port) serving the images, and the hostile
answers, that `--media download` meets on old sites."""

from __future__ import annotations

import contextlib
import io
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image


def image_bytes(kind: str, size: tuple[int, int] = (40, 30), color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small file whose header claims a huge image: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG", color="navy")
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
)


class ImageServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.slow_seconds = 0.5
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                server.answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        redirects = {
            "/redirect.png": "/wp-content/uploads/photo.png",
            "/to-metadata.png": "http://169.254.169.254/latest/meta-data/",
            "/to-private.png": "http://10.0.0.1/photo.png",
            "/loop.png": "/loop.png",
        }
        if path in redirects:
            handler.send_response(302)
            handler.send_header("Location", redirects[path])
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if path == "/slow.png":
            handler.send_response(200)
            handler.send_header("Content-Type", "image/png")
            handler.end_headers()
            try:
                for byte in PNG:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    time.sleep(self.slow_seconds)
            except OSError:  # the client gave up, as it should
                pass
            return
        if path == "/endless.png":  # no Content-Length: only the bytes read tell the size
            handler.send_response(200)
            handler.send_header("Content-Type", "image/png")
            handler.end_headers()
            try:
                handler.wfile.write(PNG)
                for _ in range(64):
                    handler.wfile.write(b"\x00" * 65536)
            except OSError:
                pass
            return
        files: dict[str, tuple[str, bytes, dict[str, str]]] = {
            "/wp-content/uploads/photo.png": ("image/png", PNG, {}),
            "/wp-content/uploads/photo-300x200.jpg": ("image/jpeg", JPEG, {}),
            "/wp-content/uploads/full.jpg": ("image/jpeg", image_bytes("JPEG", (80, 60)), {}),
            "/wp-content/uploads/gallery-1.png": ("image/png", image_bytes("PNG", color="red"), {}),
            "/wp-content/uploads/gallery-2.png": (
                "image/png",
                image_bytes("PNG", color="blue"),
                {},
            ),
            "/wp-content/uploads/featured.jpg": ("image/jpeg", image_bytes("JPEG", (60, 40)), {}),
            "/page.jpg": ("text/html", b"<html><script>alert(1)</script></html>", {}),
            "/lying.png": ("image/png", b"<html><script>alert(1)</script></html>", {}),
            "/drawing.svg": ("image/svg+xml", SVG, {}),
            "/bomb.png": ("image/png", png_claiming(30_000, 30_000), {}),
            "/declared-huge.png": ("image/png", PNG, {"Content-Length": str(10**10)}),
        }
        if path not in files:
            handler.send_error(404)
            return
        kind, body, headers = files[path]
        handler.send_response(200)
        handler.send_header("Content-Type", kind)
        if "Content-Length" not in headers:
            handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        with contextlib.suppress(OSError):
            handler.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def image_server() -> Iterator[ImageServer]:
    server = ImageServer()
    try:
        yield server
    finally:
        server.close()

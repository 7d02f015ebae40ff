"""The live test server, ending the connections still open when it stops.

A browser keeps its connections to the server open between pages and tests. When the run ends,
pytest-django stops the server (and stops sharing the in-memory test database's connection
with its threads) before the browser closes: each connection's thread then ends, closes that
connection from its own thread, and Django refuses that, one warning per connection. Here the
server ends its open connections, and waits for their threads, before it is stopped.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from django.core.servers.basehttp import ThreadedWSGIServer


class ClosingServer(ThreadedWSGIServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: dict[socket.socket, threading.Thread] = {}
        self._lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._open[request] = threading.current_thread()
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._open.pop(request, None)

    def end_connections(self, *, wait: float = 5.0) -> None:
        """Shut every open connection, and wait for its thread."""
        with self._lock:
            still_open = list(self._open.items())
        for connection, _ in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for _, thread in still_open:
            thread.join(timeout=wait)

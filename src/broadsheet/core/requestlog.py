"""The request id: made for every request Django answers, carried by each log record written
while answering it, sent back in X-Request-Id and shown on the error page ("quote this id"),
so a reader's report leads to the log lines and the traceback (broadsheet.operations.requests).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from contextvars import ContextVar

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
# An id a proxy in front already gave the request (nginx's $request_id) is kept if it looks
# like one; anything else a client sends is replaced.
_GIVEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(given: str | None = None) -> str:
    if given and _GIVEN.match(given):
        return given
    return secrets.token_hex(8)


def current_request_id() -> str:
    return REQUEST_ID.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, traceback if any,
    and the fields a request line carries (method, path, status, ms, view)."""

    FIELDS = ("method", "path", "status", "ms", "view")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
        }
        for name in self.FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)

"""Every request Django answers: an id, one log line, and its metrics.

Outermost middleware: the id is set before anything logs, and X-Request-Id is added after the
page cache stored the page (a stored page never carries another request's id). Requests the
page cache answers before Django (broadsheet.wsgi) are counted as page-cache hits in /metrics
and are not logged here: the access log of the proxy in front records them (decision 0087).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from broadsheet.core.metrics import RENDER_SECONDS, REQUESTS
from broadsheet.core.requestlog import REQUEST_ID, new_request_id

logger = logging.getLogger("broadsheet.request")


class RequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = new_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response["X-Request-Id"] = request_id
            self._record(request, response.status_code, seconds)
            return response
        finally:
            REQUEST_ID.reset(token)

    @staticmethod
    def _record(request: HttpRequest, status: int, seconds: float) -> None:
        match = request.resolver_match
        view = (match.view_name or match._func_path) if match is not None else "unresolved"
        REQUESTS.labels(view, str(status)).inc()
        RENDER_SECONDS.labels(view).observe(seconds)
        logger.info(
            "%s %s %s %.1fms %s",
            request.method,
            request.path,
            status,
            seconds * 1000,
            view,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "ms": round(seconds * 1000, 1),
                "view": view,
            },
        )

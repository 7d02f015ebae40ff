from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from broadsheet.core.cache import cache_policy
from broadsheet.operations import metrics
from broadsheet.operations.health import readiness


@require_safe
@cache_policy("never")
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers (nothing else is asked: a load balancer's liveness probe)."""
    return JsonResponse({"status": "ok"})


@require_safe
@cache_policy("never")
def readyz(request: HttpRequest) -> HttpResponse:
    ready, report = readiness()
    return JsonResponse(report, status=200 if ready else 503)


@require_safe
@cache_policy("never")
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics.allowed(request):
        return HttpResponse(
            "Metrics are served to this machine, or with METRICS_TOKEN.\n",
            status=403,
            content_type="text/plain",
        )
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)

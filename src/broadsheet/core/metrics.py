"""The site's Prometheus metrics, defined once here so every layer may count into them.

Served at /metrics by broadsheet.operations. Under `broadsheet serve` every web worker process
writes its counts to files in PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode;
the server sets it up) and a scrape adds them all up; elsewhere (tests, the worker, a shell)
they stay in the process (decision 0086).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "broadsheet_requests",
    "HTTP requests answered by Django, by view and status code.",
    ["view", "status"],
)
RENDER_SECONDS = Histogram(
    "broadsheet_render_seconds",
    "Time Django took to answer a request (page-cache hits in front of Django excluded).",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
PAGE_CACHE = Counter(
    "broadsheet_page_cache",
    "Page-cache lookups of cacheable requests: hit (answered from the cache) or miss.",
    ["result"],
)
COMMENTS = Counter(
    "broadsheet_comments",
    "Comments stored, by the status they were given (approved, pending, spam …).",
    ["outcome"],
)


# Looked up once: a hit is counted on the page cache's fastest path (broadsheet.wsgi).
_HIT, _MISS = PAGE_CACHE.labels("hit"), PAGE_CACHE.labels("miss")


def page_cache(hit: bool) -> None:
    (_HIT if hit else _MISS).inc()

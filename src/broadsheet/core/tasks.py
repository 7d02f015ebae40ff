"""Work for the worker that belongs to no app in particular."""

from __future__ import annotations

import json
import urllib.request

from django.conf import settings
from django_tasks import task


@task()
def purge_shared_caches(tags: list[str]) -> int:
    """Tell the cache in front of the site (PAGE_PURGE_URL) which pages changed; a failure is
    recorded on the task (and the pages expire by themselves after a day)."""
    body = json.dumps({"tags": tags}).encode()
    # PAGE_PURGE_URL is checked at start-up to be http(s).
    request = urllib.request.Request(  # noqa: S310
        settings.PAGE_PURGE_URL,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "Broadsheet purge"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return int(response.status)

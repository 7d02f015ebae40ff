"""Webmentions are sent when an essay becomes public and when a new version of it is
published (the `post_public` and `post_version` effects of publishing's actions)."""

from __future__ import annotations

from django.conf import settings

from broadsheet.core import effects


@effects.handles(effects.POST_PUBLIC)
@effects.handles(effects.POST_VERSION)
def _send_for(post_ids: set[int]) -> None:
    if not settings.WEBMENTION_SEND:
        return
    from broadsheet.webmention.tasks import send_webmentions

    for post_id in sorted(post_ids):
        send_webmentions.enqueue(post_id)

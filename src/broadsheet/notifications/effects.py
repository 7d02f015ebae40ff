"""Notifications do the notice effects that publishing's actions declare (core.effects)."""

from __future__ import annotations

from broadsheet.core import effects


@effects.handles(effects.POST_PUBLIC)
def _posts_public(post_ids: set[int]) -> None:
    from broadsheet.notifications.tasks import post_became_public

    for post_id in sorted(post_ids):
        post_became_public(post_id)

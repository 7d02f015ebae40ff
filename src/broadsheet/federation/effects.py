"""Federation follows the effects publishing and discussion already declare (decision 0097):
an essay made public or given a new version (`post_public`, `post_version`) is sent to its
followers; one made private or a draft again (its pages change: `pages`) is deleted there; an
author's answer to a fediverse reply (its search row is written: `search.comments`) is sent to
that reply's server; an author's edited profile (`profiles`) goes to their followers as an
Update of their actor (decision 0128), and the site's title or tagline (`settings`, Settings →
General) to the site's followers as an Update of the site's actor (decision 0137). Each queues
one task; nothing at all when FEDERATION_ENABLED is off."""

from __future__ import annotations

import threading

from django.conf import settings

from broadsheet.core import effects


class _Round(threading.local):
    queued: set[int]  # essays queued by post_public in this round (post_version follows)

    def __init__(self) -> None:
        self.queued = set()


_round = _Round()


@effects.handles(effects.POST_PUBLIC)
def _published(post_ids: set[int]) -> None:
    _round.queued.clear()
    if settings.FEDERATION_ENABLED:
        _queue(post_ids)
        _round.queued.update(post_ids)


@effects.handles(effects.POST_VERSION)
def _versioned(post_ids: set[int]) -> None:
    if settings.FEDERATION_ENABLED:
        _queue(post_ids - _round.queued)
    _round.queued.clear()


@effects.handles(effects.PAGES)
def _pages_changed(names: set[str]) -> None:
    _round.queued.clear()  # a round without post_version: nothing is left over for the next
    if not settings.FEDERATION_ENABLED:
        return
    ids = {int(name.split(":", 1)[1]) for name in names if name.startswith("post:")
           and name.split(":", 1)[1].isdigit()}  # fmt: skip
    if ids:
        from broadsheet.federation.selectors import federated_not_public

        _queue(set(federated_not_public(ids)))


@effects.handles(effects.SEARCH_COMMENTS)
def _comments_changed(comment_ids: set[int]) -> None:
    if not settings.FEDERATION_ENABLED:
        return
    from broadsheet.federation.selectors import answers_among
    from broadsheet.federation.tasks import federate_answer

    for comment_id in answers_among(comment_ids):
        federate_answer.enqueue(comment_id)


@effects.handles(effects.PROFILES)
def _profiles_changed(user_ids: set[int]) -> None:
    if not settings.FEDERATION_ENABLED:
        return
    from broadsheet.federation.selectors import followed_actors
    from broadsheet.federation.tasks import federate_actor

    for actor_id in followed_actors(user_ids):  # an account no one follows queues nothing
        federate_actor.enqueue(actor_id)


@effects.handles(effects.SETTINGS)
def _site_settings_changed(labels: set[str]) -> None:
    if not settings.FEDERATION_ENABLED or "core.sitesettings" not in labels:
        return
    from broadsheet.federation.selectors import followed_site_actor
    from broadsheet.federation.tasks import federate_actor

    actor_id = followed_site_actor()
    if actor_id is not None:  # no one follows the site: nothing to queue
        federate_actor.enqueue(actor_id)


def _queue(post_ids: set[int]) -> None:
    from broadsheet.federation.tasks import federate_post

    for post_id in sorted(post_ids):
        federate_post.enqueue(post_id)

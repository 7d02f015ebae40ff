"""Writes of corrections, each a named action (core.effects): a reader suggests, an author or
Editor accepts (the correction is published) or declines (the proposer is told why).

Emails go through the outbox (core.mail → notifications), queued in the action's transaction
and sent by the worker: a suggestion rolled back emails nobody.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from broadsheet.accounts.language import email_language, in_language
from broadsheet.core import effects
from broadsheet.core.anchoring import Selector
from broadsheet.core.effects import action
from broadsheet.core.mail import mail_send
from broadsheet.core.models import SiteSettings
from broadsheet.core.sanitize import without_nul
from broadsheet.corrections.models import Correction
from broadsheet.corrections.published import MARK
from broadsheet.corrections.sources import Source
from broadsheet.publishing.additions import post_mark
from broadsheet.publishing.models import Post

# Suggestions an hour, counted apart per IP address and per proposer (account or email).
CORRECTIONS_PER_HOUR = 5


class AlreadyDecided(Exception):
    """The suggestion was accepted or declined meanwhile (by someone else, or a second click)."""

    def __init__(self, correction: Correction) -> None:
        super().__init__(f"This suggestion was {correction.get_status_display().lower()} already.")
        self.message = str(self)


def over_the_limit(*, ip: str | None, proposer: str) -> bool:
    """Count one suggestion against the IP address and the proposer; True once either has made
    more than CORRECTIONS_PER_HOUR this hour (both counters advance: a flood uses up both)."""
    digest = hashlib.sha256(proposer.strip().lower().encode()).hexdigest()
    keys = [f"corrections:ip:{ip or 'unknown'}", f"corrections:who:{digest}"]
    return any([_counted(key) > CORRECTIONS_PER_HOUR for key in keys])


def _counted(key: str) -> int:
    # add() starts the hour's window once; incr() is atomic on the shared cache backends.
    cache.add(key, 0, timeout=60 * 60)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=60 * 60)
        return 1


def _site() -> str:
    return SiteSettings.current().title or "Broadsheet"


def _absolute(path: str) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL}{path}"


def readers_of(post: Post) -> list[Any]:
    """Who hears of a suggestion: the essay's authors, and the Editors and Administrators."""
    User = get_user_model()
    editors = (
        Q(is_superuser=True)
        | Q(groups__permissions__codename="edit_others_posts")
        | Q(user_permissions__codename="edit_others_posts")
    )
    people = list(User.objects.filter(editors, is_active=True).exclude(email="").distinct())
    for author in post.authors.filter(is_active=True).exclude(email=""):
        if author not in people:
            people.append(author)
    return people


def _tell_readers(correction: Correction) -> None:
    from django.urls import reverse

    context = {
        "site_name": _site(),
        "correction": correction,
        "post": correction.post,
        "studio_url": _absolute(reverse("studio:correction", args=[correction.pk])),
    }
    for person in readers_of(correction.post):
        # Each in its reader's language (decision 0118).
        with in_language(email_language(user=person)):
            mail_send(
                key=f"correction-{correction.pk}-to-{person.pk}",
                to=person.email,
                subject=_("[%(site)s] A correction suggested to “%(title)s”")
                % {"site": _site(), "title": correction.post.title},
                text=render_to_string("corrections/email/suggested.txt", context),
                reason="correction",
            )


@action
def correction_suggest(
    *,
    post: Post,
    selector: Selector,
    problem: str,
    fix: str,
    sources: Sequence[Source],
    credit: bool,
    user: Any,
    name: str,
    email: str,
) -> Correction:
    """Store a reader's suggestion (checked by the form) and email the essay's authors and
    Editors. Private: no page changes."""
    signed_in = user is not None and user.is_authenticated
    correction = Correction.objects.create(
        post=post,
        **asdict(selector),  # passage, exact, prefix, suffix, start, end
        revision=post.revision,
        version=post.version,
        problem=without_nul(problem).strip(),
        fix=without_nul(fix).strip(),
        sources=[source.as_json() for source in sources],
        credit=credit,
        user=user if signed_in else None,
        name=user.display_name if signed_in else without_nul(name).strip(),
        email=user.email if signed_in else without_nul(email).strip(),
    )
    _tell_readers(correction)
    return correction


def _decide(correction: Correction, by: Any, status: str) -> Correction:
    """Lock the row and check it is still waiting; then mark it decided."""
    current = Correction.objects.select_for_update().select_related("post").get(pk=correction.pk)
    if current.status != Correction.Status.PENDING:
        raise AlreadyDecided(current)
    current.status = status
    current.decided_at = timezone.now()
    current.decided_by = by if by is not None and by.is_authenticated else None
    return current


def _tell_proposer(correction: Correction, template: str, subject: str | Promise) -> None:
    """`subject` with %(site)s and %(title)s."""
    if not correction.email:
        return
    context = {"site_name": _site(), "correction": correction, "post": correction.post,
               "post_url": _absolute(correction.post.get_absolute_url())}  # fmt: skip
    # In the proposer's language: their account's, or the site's for a guest (decision 0118).
    with in_language(email_language(user=correction.user, email=correction.email)):
        mail_send(
            key=f"correction-{correction.pk}-{correction.status}",
            to=correction.email,
            subject=str(subject) % {"site": _site(), "title": correction.post.title},
            text=render_to_string(f"corrections/email/{template}.txt", context),
            reason="correction",
        )


@action
def correction_accept(*, correction: Correction, by: Any, note: str) -> Correction:
    """Publish the correction with the author's note of what changed (the text itself is
    revised in the studio's editor, before or after): the essay's page, the feeds and the
    site-wide list show it."""
    current = _decide(correction, by, Correction.Status.ACCEPTED)
    current.note = without_nul(note).strip()
    current.accepted_version = (
        Post.objects.filter(pk=current.post_id).values_list("version", flat=True).first()
    )
    current.save()
    post_mark(current.post_id, MARK)  # its page reads its corrections from now on
    _tell_proposer(
        current, "accepted", gettext_lazy("[%(site)s] Your correction was published: “%(title)s”")
    )
    # The essay's page (its list and JSON-LD), and the listings: feeds and /corrections/.
    effects.pages(posts=[current.post_id], listings=True)
    return current


@action
def correction_decline(*, correction: Correction, by: Any, reason: str) -> Correction:
    """Decline, with a reason emailed to the proposer. Nothing is published."""
    current = _decide(correction, by, Correction.Status.DECLINED)
    current.reason = without_nul(reason).strip()
    current.save()
    _tell_proposer(
        current,
        "declined",
        gettext_lazy("[%(site)s] About your suggested correction to “%(title)s”"),
    )
    return current

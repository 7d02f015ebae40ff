"""The public moderation log's pages: `/moderation/log/` (paged) and its Atom feed.

Both are public and cached as listings (they change with any comment readers saw, which
declares `listings`); with the log off they do not exist (404), so nothing public changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from broadsheet.core.cache import cache_policy
from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import DiscussionSettings
from broadsheet.moderation.log import LogLine, log_latest, log_page

FEED_ENTRIES = 20
# An empty log's feed has no date of its own (Django would write the time of the request, and
# no two renders would be the same): a fixed one, so the feed stays cacheable.
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


class _LogAtom(Atom1Feed):
    def latest_post_date(self) -> datetime:
        return super().latest_post_date() if self.items else _NEVER


def _log_on() -> None:
    if not DiscussionSettings.current().public_moderation_log:
        raise Http404("This site does not publish its moderation log.")


@cache_policy("public")
@require_safe
def log(request: HttpRequest, number: int = 1) -> HttpResponse:
    _log_on()
    page, lines = log_page(number)
    if number != page.number:
        raise Http404("There is no such page of the moderation log.")
    base = reverse("moderation:log")
    context = {"page_obj": page, "lines": lines, "pagination_base": base}
    return render(request, "moderation/log.html", context)


class LogFeed(Feed):
    """The latest removals, newest first: each links to its line of the log."""

    feed_type = _LogAtom

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        _log_on()

    def title(self) -> str:
        site = SiteSettings.current().shown_title
        return _("%(site)s: moderation log") % {"site": site}

    def link(self) -> str:
        return reverse("moderation:log")

    def subtitle(self) -> str:
        return _("Comments removed from the discussion, and why.")

    def items(self) -> list[LogLine]:
        return log_latest(FEED_ENTRIES)

    def item_title(self, item: LogLine) -> str:
        return item.sentence

    def item_description(self, item: LogLine) -> str:
        # Plain text, escaped by the feed generator: names and reasons are never markup.
        return _("%(sentence)s (on “%(title)s”)") % {
            "sentence": item.sentence,
            "title": item.post_title,
        }

    def item_link(self, item: LogLine) -> str:
        return f"{reverse('moderation:log')}#removal-{item.pk}"

    def item_pubdate(self, item: LogLine) -> Any:
        return item.removed_at


log_feed = cache_policy("public", max_age=300)(require_safe(LogFeed()))

"""The site-wide corrections feed, `/corrections/feed/` (RSS 2.0): each accepted correction an
item, linking to it at the end of its essay."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from broadsheet.core.models import SiteSettings
from broadsheet.corrections.models import Correction
from broadsheet.corrections.selectors import as_published, published_site_wide
from broadsheet.feeds.feeds import FEED_ITEMS, ConditionalFeed


class _Rss(Rss201rev2Feed):
    def latest_post_date(self) -> datetime:
        # Django dates a feed without items "now": an empty list would differ every second
        # (and every cached copy would look stale). Before the first correction: the epoch.
        if not self.items:
            return datetime(1970, 1, 1, tzinfo=UTC)
        return super().latest_post_date()


class CorrectionsFeed(ConditionalFeed):
    feed_type = _Rss

    def feed_items(self, obj: Any) -> list[Any]:
        return list(published_site_wide()[: FEED_ITEMS * 2])

    def item_stamp(self, item: Correction) -> datetime:
        return item.decided_at or item.created_at

    def object_stamp(self, obj: Any) -> str:
        return "corrections"

    def title(self, obj: Any = None) -> str:
        site = SiteSettings.current().shown_title
        return _("Corrections and updates · %(site)s") % {"site": site}

    def link(self, obj: Any = None) -> str:
        return "/corrections/"

    def description(self, obj: Any = None) -> str:
        return _("Corrections and updates to the essays, newest first.")

    def item_title(self, item: Correction) -> str:
        return _("Correction to “%(title)s”") % {"title": item.post.title}

    def item_description(self, item: Correction) -> str:
        published = as_published(item)
        credit = (
            "<p>%s</p>" % (_("Suggested by %(name)s.") % {"name": escape(published.credited)})
            if published.credited
            else ""
        )
        return linebreaks(escape(published.note)) + credit

    def item_link(self, item: Correction) -> str:
        return f"{item.post.get_absolute_url()}#correction-{item.pk}"

    def item_guid(self, item: Correction) -> str:
        return f"{settings.SITE_URL}/?p={item.post_id}#correction-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Correction) -> datetime:
        return item.decided_at or item.created_at

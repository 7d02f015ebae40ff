from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from broadsheet.studio.nav import tabs_for

register = template.Library()


@register.inclusion_tag("studio/_tabs.html", takes_context=True)
def studio_tabs(context: Any, post: Any = None) -> dict[str, Any]:
    """The site's tabs, or (given a saved post) that post's tabs; the current one marked."""
    request = context["request"]
    per_post = post is not None
    links = []
    for tab in tabs_for(request.user, per_post=per_post):
        url = reverse(tab.url_name, args=[post.pk] if per_post else [])
        links.append({"label": tab.label, "url": url, "current": url == request.path})
    return {"links": links, "per_post": per_post}


@register.simple_tag
def revision_when(revision: Any) -> str:
    """Who saved a revision and when ("Margaret Hale, Mar 14, 2026, 09:30"), or only when."""
    from django.utils.formats import date_format
    from django.utils.timezone import localtime
    from django.utils.translation import gettext

    from broadsheet.core.numerals import localize_digits

    # Translators: a date format for revisions (Django's date filter syntax).
    when = localize_digits(date_format(localtime(revision.created_at), gettext("M j, Y, H:i")))
    if revision.author:
        # Translators: who saved a revision, and when.
        return gettext("%(name)s, %(date)s") % {"name": revision.author.display_name, "date": when}
    return when

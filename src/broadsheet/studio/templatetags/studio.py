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

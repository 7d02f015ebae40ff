"""The site's menu and archive list, for the pages that print them (base.html)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from broadsheet.publishing.selectors import navigation_markup


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: read only by pages that print them; each is one string.
    return {
        "site_menu_html": SimpleLazyObject(lambda: navigation_markup()[0]),
        "archive_list_html": SimpleLazyObject(lambda: navigation_markup()[1]),
    }

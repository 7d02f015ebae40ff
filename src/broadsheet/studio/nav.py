"""The studio's tabs, so each feature adds its own without editing the base template.

    from broadsheet.studio.nav import add_tab
    add_tab(_("Media"), "studio:media", order=30, allowed=lambda user: user.has_perm(...))
    add_tab(_("Revisions"), "studio:revisions", order=20, per_post=True)

Labels are gettext_lazy: registered at import, shown in each reader's language.

Site tabs show on every studio page; per-post tabs show on a post's pages (reversed with the
post's id). Call `add_tab` at import time in your views module (studio/urls.py imports it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Tab:
    label: str | Promise
    url_name: str
    order: int
    per_post: bool
    allowed: Callable[[Any], bool] | None


TABS: list[Tab] = []


def add_tab(
    label: str | Promise,
    url_name: str,
    *,
    order: int = 50,
    per_post: bool = False,
    allowed: Callable[[Any], bool] | None = None,
) -> None:
    """Register a tab once (a repeated registration, as on a reload, is ignored)."""
    if any(tab.url_name == url_name for tab in TABS):
        return
    TABS.append(Tab(label, url_name, order, per_post, allowed))
    # Not by label: a lazy label is translated only when shown (and differs by language).
    TABS.sort(key=lambda tab: (tab.per_post, tab.order, tab.url_name))


def tabs_for(user: Any, *, per_post: bool) -> list[Tab]:
    return [
        tab
        for tab in TABS
        if tab.per_post == per_post and (tab.allowed is None or tab.allowed(user))
    ]

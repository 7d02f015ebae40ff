"""What a change to an account makes stale: declared once here, used by the accounts' actions
and by their signals (admin writes). Accounts also do the sign-in options effect."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from broadsheet.core import effects


def account_shown_changed(*, user_ids: Iterable[int]) -> None:
    """What readers see of these accounts changed (name, username, photo, website, bio):
    every page may show them (bylines, author boxes, comment cards), so do the cards and the
    search rows of their comments, and the copies other servers keep of their profiles."""
    ids = list(user_ids)
    effects.pages(site=True)
    effects.cards(people=ids)
    effects.search(people=ids)
    effects.profiles(user_ids=ids)


@effects.handles(effects.LOGIN_OPTIONS)
def _login_options(keys: set[Any]) -> None:
    from broadsheet.accounts.comment_login import forget_login_options

    forget_login_options()


@effects.handles(effects.SETTINGS)
def _settings(labels: set[str]) -> None:
    if "core.sitesettings" in labels:  # the site's own sign-in option carries its title
        effects.login_options()

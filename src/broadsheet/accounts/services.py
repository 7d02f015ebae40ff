"""Writes to accounts: named actions that declare what readers see change (accounts.effects).
Erasure is `accounts.privacy.personal_data_erase`."""

from __future__ import annotations

from collections.abc import Iterable

from broadsheet.accounts.effects import account_shown_changed
from broadsheet.accounts.models import Profile
from broadsheet.core.effects import action


@action
def profile_update(*, profile: Profile, fields: Iterable[str] | None = None) -> Profile:
    """Save a profile edited by its owner (or filled from a social account's claims): the
    name, photo and website are on their comment cards and every page that shows them."""
    profile.save(update_fields=list(fields) if fields is not None else None)
    account_shown_changed(user_ids=[profile.user_id])
    return profile

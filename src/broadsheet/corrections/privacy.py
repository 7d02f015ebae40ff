"""A proposer's personal data (name, address, account) in the personal-data export and erasure
(accounts.privacy, which sits below: registered in CorrectionsConfig.ready).

Erasure keeps the suggestion (the correction may be published, or still to be decided) and
drops who sent it: the name becomes "Anonymous", the address and the account go, and a
published correction no longer credits them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from broadsheet.accounts.privacy import PersonalDataKeeper, personal_data_register
from broadsheet.core import effects
from broadsheet.corrections.models import Correction


def _theirs(addresses: list[str], user: Any) -> QuerySet[Correction]:
    condition = Q(user=user) if user is not None else Q()
    for address in addresses:
        condition |= Q(email__iexact=address)
    if not condition:
        return Correction.objects.none()
    return Correction.objects.filter(condition)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _export(addresses: list[str], user: Any) -> list[dict[str, Any]]:
    rows = _theirs(addresses, user).select_related("post").order_by("created_at", "pk")
    return [
        {
            "id": row.pk,
            "post": {
                "title": row.post.title,
                "url": f"{settings.SITE_URL}{row.post.get_absolute_url()}",
            },
            "status": row.status,
            "date": row.created_at.isoformat(),
            "name": row.name,
            "email": row.email,
            "quote": row.exact,
            "problem": row.problem,
            "fix": row.fix,
            "sources": row.sources,
            "credit": row.credit,
        }
        for row in rows
    ]


def _erase(addresses: list[str], user: Any) -> int:
    rows = list(_theirs(addresses, user).select_for_update())
    credited = {row.post_id for row in rows if row.credit and row.status == "accepted"}
    for row in rows:
        row.name, row.email, row.user, row.credit = "Anonymous", "", None, False
    Correction.objects.bulk_update(rows, ["name", "email", "user", "credit"], batch_size=500)
    if credited:  # the published list named them
        effects.pages(posts=credited, listings=True)
    return len(rows)


def register() -> None:
    personal_data_register("corrections", PersonalDataKeeper(export=_export, erase=_erase))

"""Background work for accounts, run by `broadsheet worker` (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def privacy_link_send(email: str) -> bool:
    """Email the link to a guest's personal data, if we hold comments left with `email`."""
    from broadsheet.accounts.privacy import privacy_link_email

    return privacy_link_email(email=email)

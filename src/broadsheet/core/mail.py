"""How apps below notifications send email: through the sender notifications registers (its
outbox), never during the request.

The outbox lives in notifications, above accounts; accounts (allauth's emails, the personal-data
link) cannot import it, so notifications fills this registry when the apps are ready, as
contrib.admin's autodiscovery is filled from above.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class Sender(Protocol):
    def __call__(
        self, *, key: str, to: str, subject: str, text: str, html: str = "", reason: str = ""
    ) -> object: ...


_sender: Sender | None = None


def mail_sender_register(sender: Sender) -> None:
    """Called once by the app that delivers email (notifications: its outbox)."""
    global _sender
    _sender = sender


def mail_send(*, key: str, to: str, subject: str, text: str, html: str = "", reason: str) -> None:
    """Queue one email under `key` (queueing the same key twice sends it once)."""
    if _sender is None:
        raise ImproperlyConfigured(
            "No email sender is registered: add 'broadsheet.notifications' to INSTALLED_APPS "
            "(its outbox sends email through `broadsheet worker`)."
        )
    _sender(key=key, to=to, subject=subject, text=text, html=html, reason=reason)

"""Queueing and sending email through the outbox.

Requests only queue (a row, in the same transaction as the change that caused it); the worker
sends. Sending claims a batch with a lease, sends each email in turn and marks it sent at
once, retries failures with exponential backoff, and stops cleanly between two emails when
asked to, so a worker stopped mid-batch loses nothing and sends nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from broadsheet.notifications.models import OutgoingEmail

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
Status = OutgoingEmail.Status

# Set by the worker when it is asked to stop: the batch ends after the email being sent.
stop_requested = threading.Event()


def email_queue(
    *,
    key: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    headers: dict[str, str] | None = None,
    reason: str = "",
) -> OutgoingEmail:
    """Queue an email once per key; after the transaction commits the worker is woken."""
    email, created = OutgoingEmail.objects.get_or_create(
        key=key[:200],
        defaults={
            "to_address": to,
            "subject": " ".join(subject.split())[:300],  # no line breaks in a header
            "text_body": text,
            "html_body": html,
            "headers": headers or {},
            "reason": reason,
        },
    )
    # One wake-up per transaction, however many emails it queued (a rollback drops it too).
    if created and not any(entry[1] is _wake_worker for entry in db_connection.run_on_commit):
        transaction.on_commit(_wake_worker)
    return email


def _wake_worker() -> None:
    from broadsheet.notifications.tasks import send_due_emails

    try:
        send_due_emails.enqueue()
    except Exception:  # the periodic sweep sends it anyway; never fail a request for this
        logger.exception("Could not queue the email task; the next sweep will send it.")


def _message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


def _claim(limit: int, now: Any) -> list[OutgoingEmail]:
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, lease_until__lt=now
    )
    with transaction.atomic():
        ids = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(due)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        OutgoingEmail.objects.filter(pk__in=ids).update(
            status=Status.SENDING, lease_until=now + LEASE
        )
    return list(OutgoingEmail.objects.filter(pk__in=ids).order_by("next_attempt_at", "id"))


def outbox_send_due(
    *, limit: int = 200, now: Any = None, on_sent: Callable[[OutgoingEmail], None] | None = None
) -> int:
    """Send what is due; returns how many were sent."""
    now = now or timezone.now()
    batch = _claim(limit, now)
    if not batch:
        return 0
    sent = 0
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # the mail server is down: every email waits for its next try
        for email in batch:
            _failed(email, exc)
        return 0
    try:
        for email in batch:
            if stop_requested.is_set():
                # Hand the rest back at once instead of waiting for the lease to run out.
                OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
                    status=Status.PENDING, lease_until=None
                )
                continue
            message = EmailMultiAlternatives(
                subject=email.subject,
                body=email.text_body,
                to=[email.to_address],
                headers={"Message-ID": _message_id(email.key), **email.headers},
                connection=connection,
            )
            if email.html_body:
                message.attach_alternative(email.html_body, "text/html")
            try:
                message.send()
            except smtplib.SMTPRecipientsRefused as exc:
                _failed(email, exc, permanent=True)  # the server said no to this address
                continue
            except Exception as exc:  # timeouts, a server that is down or busy
                _failed(email, exc)
                continue
            OutgoingEmail.objects.filter(pk=email.pk).update(
                status=Status.SENT, sent_at=timezone.now(), lease_until=None
            )
            sent += 1
            if on_sent is not None:
                on_sent(email)
    finally:
        connection.close()
    return sent


def _failed(email: OutgoingEmail, exc: Exception, *, permanent: bool = False) -> None:
    attempts = email.attempts + 1
    gave_up = permanent or attempts >= MAX_ATTEMPTS
    delay = timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=Status.FAILED if gave_up else Status.PENDING,
        attempts=attempts,
        next_attempt_at=timezone.now() + delay,
        lease_until=None,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )
    logger.warning(
        "Email %s to %s failed (attempt %d): %s", email.key, email.to_address, attempts, exc
    )

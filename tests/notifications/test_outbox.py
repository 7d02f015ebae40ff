"""The outbox against a real SMTP server: once per key, retries with backoff, leases, and a
worker process stopped in the middle of a batch that loses nothing and sends nothing twice."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from broadsheet.notifications.models import OutgoingEmail
from broadsheet.notifications.outbox import email_queue, outbox_send_due
from broadsheet.notifications.tasks import publish_due_posts
from broadsheet.publishing.models import Post
from tests.factories import PostFactory
from tests.processes import broadsheet_env

pytestmark = pytest.mark.django_db(transaction=True)


def _queue(n: int = 1) -> None:
    for i in range(n):
        email_queue(
            key=f"test-{i}",
            to=f"reader{i}@example.org",
            subject="A reply\nwith a line break",
            text="Plain body",
            html="<p>HTML body</p>",
        )


def test_an_email_is_queued_once_per_key_and_sent_once(smtp_server: Any) -> None:
    _queue()
    _queue()
    assert OutgoingEmail.objects.count() == 1
    assert outbox_send_due() == 1
    assert outbox_send_due() == 0
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "A reply with a line break"
    assert message["Message-ID"].endswith("@127.0.0.1>")
    assert smtp_server.body(message, "plain").strip() == "Plain body"
    assert "<p>HTML body</p>" in smtp_server.body(message, "html")
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once the socket closes


def test_a_failure_is_retried_later_with_backoff(smtp_server: Any, settings: Any) -> None:
    _queue()
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _closed_port()  # a mail server that is down
    assert outbox_send_due() == 0
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()
    settings.EMAIL_PORT = working_port
    assert outbox_send_due() == 0  # not due yet
    assert outbox_send_due(now=timezone.now() + timedelta(minutes=1)) == 1
    assert len(smtp_server.wait_for(1)) == 1


def test_an_email_claimed_by_a_dead_worker_is_sent_when_its_lease_runs_out(
    smtp_server: Any,
) -> None:
    _queue()
    OutgoingEmail.objects.update(
        status=OutgoingEmail.Status.SENDING, lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert outbox_send_due() == 0  # another worker holds it
    assert outbox_send_due(now=timezone.now() + timedelta(minutes=2)) == 1


def test_scheduled_posts_go_live_when_due(author: Any) -> None:
    due = PostFactory(
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() - timedelta(seconds=5),
        authors=[author],
    )
    later = PostFactory(
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
        authors=[author],
    )
    assert publish_due_posts() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (Post.Status.PUBLISHED, Post.Status.SCHEDULED)


def _worker_env(tmp_path: Path, smtp_port: int, database: str) -> dict[str, str]:
    return broadsheet_env(
        tmp_path, database, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port), EMAIL_USE_TLS="false"
    )


QUEUE_500 = """
import django
django.setup()
from django.db import transaction
from broadsheet.notifications.outbox import email_queue
with transaction.atomic():
    for i in range(500):
        email_queue(key=f"batch-{i}", to=f"reader{i}@example.org", subject=f"Email {i}", text=f"Body {i}")
"""


def test_a_worker_stopped_mid_batch_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, smtp_server: Any, subprocess_database_url: str
) -> None:
    env = _worker_env(tmp_path, smtp_server.port, subprocess_database_url)
    subprocess.run(
        [sys.executable, "-m", "broadsheet.cli", "migrate", "--noinput"],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "broadsheet.cli", "flush", "--noinput"],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run([sys.executable, "-c", QUEUE_500], env=env, check=True, capture_output=True)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "broadsheet.cli", "worker", "--interval", "1"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    worker = start()
    deadline = time.monotonic() + 60
    while len(smtp_server.messages) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.send_signal(signal.SIGTERM)  # in the middle of the batch
    assert worker.wait(timeout=30) == 0
    stopped_at = len(smtp_server.messages)
    assert 0 < stopped_at < 500

    worker = start()
    try:
        smtp_server.wait_for(500, timeout=120)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    time.sleep(0.5)
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert len(subjects) == 500
    assert sorted(subjects) == sorted(f"Email {i}" for i in range(500))


def test_one_wake_up_per_transaction_and_none_after_a_rollback() -> None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        _queue(5)
    assert DBTaskResult.objects.count() == 1

    def failing_change() -> None:
        with transaction.atomic():
            email_queue(key="rolled-back", to="x@example.org", subject="s", text="t")
            raise RuntimeError("the change that caused the email failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert not OutgoingEmail.objects.filter(key="rolled-back").exists()
    with transaction.atomic():
        email_queue(key="after", to="x@example.org", subject="s", text="t")
    assert DBTaskResult.objects.count() == 2


def test_an_address_the_server_refuses_is_not_tried_again(settings: Any) -> None:
    """A real SMTP server that answers 550 for one recipient, as a mailbox that does not exist."""
    from aiosmtpd.controller import Controller

    class Refusing:
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address.startswith("nobody@"):
                return "550 5.1.1 No such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 Message accepted"

    controller = Controller(Refusing(), hostname="127.0.0.1", port=_closed_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        email_queue(key="bounce", to="nobody@example.org", subject="Hi", text="Hello")
        email_queue(key="fine", to="someone@example.org", subject="Hi", text="Hello")
        assert outbox_send_due() == 1
    finally:
        controller.stop()
    bounced = OutgoingEmail.objects.get(key="bounce")
    assert bounced.status == OutgoingEmail.Status.FAILED and "550" in bounced.last_error
    assert OutgoingEmail.objects.get(key="fine").status == OutgoingEmail.Status.SENT

"""core.mail: lower apps send email through the sender a higher app registered (the outbox)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from broadsheet.core import mail
from broadsheet.notifications.models import OutgoingEmail


@pytest.mark.django_db
def test_mail_send_queues_in_the_outbox_registered_by_notifications() -> None:
    mail.mail_send(key="k-1", to="rea@example.net", subject="Hi", text="Body", reason="account")
    mail.mail_send(key="k-1", to="rea@example.net", subject="Hi", text="Body", reason="account")
    [queued] = OutgoingEmail.objects.all()
    assert (queued.to_address, queued.status, queued.reason) == (
        "rea@example.net",
        "pending",
        "account",
    )


def test_without_a_registered_sender_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mail, "_sender", None)
    with pytest.raises(ImproperlyConfigured, match=r"broadsheet\.notifications"):
        mail.mail_send(key="k", to="a@example.org", subject="s", text="t", reason="r")

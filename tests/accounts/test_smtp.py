"""The loopback SMTP server receives what Django's real SMTP backend sends."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail

from tests.accounts.smtp import SMTPServer


def test_backend_points_at_the_server(smtp_server: SMTPServer) -> None:
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    assert settings.EMAIL_HOST == "127.0.0.1"
    assert smtp_server.port == settings.EMAIL_PORT


def test_plain_message(smtp_server: SMTPServer) -> None:
    sent = send_mail(
        "Confirm your address",
        "Hello,\n\nConfirm at https://broadsheet.test/accounts/confirm-email/abc:123/.\n",
        "Broadsheet <noreply@broadsheet.test>",
        ["reader@example.net"],
    )
    assert sent == 1

    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "Confirm your address"
    assert message["To"] == "reader@example.net"
    assert smtp_server.envelopes[0][:2] == ("noreply@broadsheet.test", ["reader@example.net"])
    assert "Confirm at" in (smtp_server.body(message) or "")
    assert smtp_server.body(message, "html") is None
    # The sentence's full stop is not part of the link.
    assert smtp_server.links(message) == ["https://broadsheet.test/accounts/confirm-email/abc:123/"]
    assert smtp_server.last_to("Reader@Example.net") is message


def test_multipart_message(smtp_server: SMTPServer) -> None:
    email = EmailMultiAlternatives(
        subject="Reset your password — Broadsheet",
        body="Reset: http://127.0.0.1:8000/accounts/password/reset/key/1-set/\nThanks",
        from_email="noreply@broadsheet.test",
        to=["other@example.net"],
        cc=["copy@example.net"],
    )
    email.attach_alternative(
        '<p><a href="http://127.0.0.1:8000/accounts/password/reset/key/1-set/?a=1&amp;b=2">'
        "Reset</a> your password</p>",
        "text/html",
    )
    email.send()

    (message,) = smtp_server.wait_for(1)
    # Non-ASCII subjects are encoded on the wire; the default policy decodes them back.
    assert message["Subject"] == "Reset your password — Broadsheet"
    assert message["To"] == "other@example.net"
    assert message.get_content_type() == "multipart/alternative"
    assert "Thanks" in (smtp_server.body(message) or "")
    html = smtp_server.body(message, "html") or ""
    assert '<a href="http://127.0.0.1:8000/accounts/password/reset/key/1-set/?a=1&amp;b=2">' in html
    # Links come from the plain part when there is one...
    assert smtp_server.links(message) == [
        "http://127.0.0.1:8000/accounts/password/reset/key/1-set/"
    ]
    # ...and from the (unescaped) HTML otherwise.
    html_only = EmailMultiAlternatives("x", "", "noreply@broadsheet.test", ["a@example.net"])
    html_only.content_subtype = "html"
    html_only.body = html
    html_only.send()
    assert smtp_server.links(smtp_server.wait_for(2)[-1]) == [
        "http://127.0.0.1:8000/accounts/password/reset/key/1-set/?a=1&b=2"
    ]
    # Cc recipients are envelope recipients too.
    assert smtp_server.last_to("copy@example.net")["Subject"] == message["Subject"]

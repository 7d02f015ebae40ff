"""discussion.gate: the discussion asks the moderating app about each new comment through
what that app registered, and never decides on its own."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet.discussion import gate
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.moderation.bans import barred_message
from broadsheet.moderation.rules import decide


def _candidate(**changes: Any) -> gate.Candidate:
    fields: dict[str, Any] = dict(
        post_author_ids=frozenset(), user_id=None, is_moderator=False, author_name="Ann",
        author_email="ann@example.org", author_url="", body="Hello.", body_html="<p>Hello.</p>",
        ip_address="192.0.2.7", user_agent="test",
    )  # fmt: skip
    return gate.Candidate(**{**fields, **changes})


def test_moderation_fills_the_gate() -> None:
    assert gate._gate == [gate.Gate(barred=barred_message, decide=decide)]


def test_the_registered_rules_decide(db: None) -> None:
    settings = DiscussionSettings.current()
    trusted = gate.decided(_candidate(is_moderator=True), settings)
    assert trusted == gate.Decision(Comment.Status.APPROVED)
    robot = gate.decided(_candidate(honeypot="I am a robot"), settings)
    assert robot.status == Comment.Status.SPAM
    assert gate.barred(user_id=None, email="ann@example.org", ip_address="192.0.2.7") is None


def test_without_a_moderating_app_nothing_is_decided(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "_gate", [])
    with pytest.raises(RuntimeError, match="moderation app is not installed"):
        gate.decided(_candidate(), DiscussionSettings())
    with pytest.raises(RuntimeError, match="moderation app is not installed"):
        gate.barred(user_id=None, email="", ip_address=None)

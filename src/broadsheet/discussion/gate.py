"""What decides a new comment, filled in by the app that moderates (moderation, a layer
above): whether its writer is barred, and its status — approved, held, trash or spam — with
the reason a moderator will read. The discussion asks through here and imports no moderation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from broadsheet.discussion.models import DiscussionSettings


@dataclass(frozen=True)
class Candidate:
    post_author_ids: frozenset[int]
    user_id: int | None
    is_moderator: bool
    author_name: str
    author_email: str
    author_url: str
    body: str
    body_html: str
    ip_address: str | None
    user_agent: str
    honeypot: str = ""
    seconds_on_page: float | None = None


@dataclass(frozen=True)
class Decision:
    status: str
    reason: str = ""
    spam_score: float | None = None


Barred = Callable[..., "str | None"]  # (user_id=, email=, ip_address=) -> the refusal, or None
Decide = Callable[[Candidate, "DiscussionSettings"], Decision]


@dataclass(frozen=True)
class Gate:
    barred: Barred
    decide: Decide


_gate: list[Gate] = []


def comment_gate_register(*, barred: Barred, decide: Decide) -> None:
    """Registered in the moderating app's ready(): the bans' check and the rules."""
    _gate[:] = [Gate(barred=barred, decide=decide)]


def _registered() -> Gate:
    if not _gate:
        raise RuntimeError("No app decides on comments: the moderation app is not installed.")
    return _gate[0]


def barred(*, user_id: int | None, email: str, ip_address: str | None) -> str | None:
    """What to tell a writer a moderator barred, or None."""
    return _registered().barred(user_id=user_id, email=email, ip_address=ip_address)


def decided(candidate: Candidate, settings: DiscussionSettings) -> Decision:
    return _registered().decide(candidate, settings)

"""What happens to a new comment that passed the submission checks: WordPress's approval
decision (check_comment, then the disallowed list), followed by Broadsheet's bot guards and
the learning spam filter. Every outcome carries the reason a moderator will see in the queue.
"""

from __future__ import annotations

import re

from django.utils.html import strip_tags

from broadsheet.discussion.gate import Candidate, Decision
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.selectors import comment_previously_approved
from broadsheet.moderation.spam import comment_tokens, spam_score

_LINK = re.compile(r"<a\s[^>]*href", re.I)


def _matching_word(words: list[str], candidate: Candidate) -> str | None:
    """Case-insensitive substring match, inside words too, as WordPress does."""
    if not words:
        return None
    haystacks = [
        candidate.author_name, candidate.author_email, candidate.author_url, candidate.body,
        strip_tags(candidate.body_html), candidate.ip_address or "", candidate.user_agent,
    ]  # fmt: skip
    lowered = [h.lower() for h in haystacks]
    for word in words:
        if any(word in h for h in lowered):
            return word
    return None


def _previously_approved(candidate: Candidate) -> bool:
    return comment_previously_approved(
        user_id=candidate.user_id, name=candidate.author_name, email=candidate.author_email
    )


def decide(candidate: Candidate, settings: DiscussionSettings) -> Decision:
    # Moderators and the post's own authors are trusted, as WordPress trusts moderate_comments.
    if candidate.is_moderator or (
        candidate.user_id is not None and candidate.user_id in candidate.post_author_ids
    ):
        return Decision(Comment.Status.APPROVED)

    decision = _approval(candidate, settings)

    word = _matching_word(settings.disallowed_words, candidate)
    if word is not None:
        return Decision(Comment.Status.TRASH, f"Contains the disallowed word “{word}”.")

    if candidate.honeypot.strip():
        return Decision(Comment.Status.SPAM, "Filled in the hidden field that only robots see.")
    if (
        candidate.seconds_on_page is not None
        and candidate.seconds_on_page < settings.minimum_seconds_on_page
    ):
        return Decision(
            Comment.Status.SPAM,
            f"Posted {max(candidate.seconds_on_page, 0):.1f} s after the page was shown "
            f"(the minimum is {settings.minimum_seconds_on_page} s).",
        )

    score = spam_score(
        tokens=comment_tokens(
            body=candidate.body,
            author_name=candidate.author_name,
            author_email=candidate.author_email,
            author_url=candidate.author_url,
        )
    )
    if score >= settings.spam_threshold:
        return Decision(
            Comment.Status.SPAM,
            f"Spam score {score:.2f} is at or above the threshold {settings.spam_threshold:.2f}.",
            score,
        )
    return Decision(decision.status, decision.reason, score)


def _approval(candidate: Candidate, settings: DiscussionSettings) -> Decision:
    """check_comment(): hold, or approve, in WordPress's order."""
    if settings.comment_moderation:
        return Decision(Comment.Status.PENDING, "Every comment is held: manual approval is on.")
    links = len(_LINK.findall(candidate.body_html))
    if settings.comment_max_links and links >= settings.comment_max_links:
        return Decision(
            Comment.Status.PENDING,
            f"Contains {links} links (comments with {settings.comment_max_links} or more are held).",
        )
    word = _matching_word(settings.moderation_words, candidate)
    if word is not None:
        return Decision(Comment.Status.PENDING, f"Contains the moderation word “{word}”.")
    if settings.comment_previously_approved and not _previously_approved(candidate):
        return Decision(
            Comment.Status.PENDING, "First comment from this author: held until one is approved."
        )
    return Decision(Comment.Status.APPROVED)

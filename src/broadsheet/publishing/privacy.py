"""An essay's credited author cannot erase their account from the personal-data page
(accounts.privacy, which sits below: registered in PublishingConfig.ready): the bylines of the
essays would break. The site's editors handle it."""

from __future__ import annotations

from broadsheet.accounts.models import User
from broadsheet.publishing.models import PostAuthor


def credited_author_refusal(user: User) -> str | None:
    if PostAuthor.objects.filter(author=user).exists():
        return (
            "You are credited as an author of essays here, so your account cannot be erased "
            "from this page. Please ask the site's editors."
        )
    return None

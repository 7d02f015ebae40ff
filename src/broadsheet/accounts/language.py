"""The language an account chose (Profile.language): for its pages and for the email it gets.

Pages: the choice is copied into the session when the account signs in or saves its profile,
and `AccountLanguageMiddleware` activates it for that session's requests, so a request reads
no profile (the session is read for `request.user` anyway). Requests with a session never
touch the shared page cache (core.pagecache), so a page rendered in the account's language is
never served to anyone else.

Email: written in the recipient's language — the chosen language of the account with that
address (or the given account), else the site's `LANGUAGE_CODE` (a guest gets the site's).
Decision 0118.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation

# The account's chosen language as copied into its session ("" for the site's).
SESSION_KEY = "broadsheet_language"


def offered(language: str | None) -> str:
    """`language` if the site offers it (settings.LANGUAGES), else ""."""
    if not language:
        return ""
    return language if language in {code for code, _ in settings.LANGUAGES} else ""


def account_language(user: Any, *, fresh: bool = False) -> str:
    """The language the account chose and the site still offers, "" when none: from the
    profile already read with the account (select_related), unless `fresh`."""
    from broadsheet.accounts.models import Profile

    if user is None or not getattr(user, "pk", None):
        return ""
    cached = user._state.fields_cache
    if "profile" in cached and not fresh:
        return offered(cached["profile"].language) if cached["profile"] is not None else ""
    chosen = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return offered(chosen)


def email_language(*, user: Any = None, email: str = "") -> str:
    """The language of an email to `user`, or to the address `email`: the account's chosen
    language, else the site's."""
    if user is not None:
        return account_language(user) or settings.LANGUAGE_CODE
    return email_languages([email]).get(email.strip().lower(), settings.LANGUAGE_CODE)


def email_languages(emails: Iterable[str]) -> dict[str, str]:
    """The language of an email to each address (lower-cased keys), in one query."""
    from broadsheet.accounts.models import User

    wanted = {email.strip().lower() for email in emails if email}
    languages = dict.fromkeys(wanted, settings.LANGUAGE_CODE)
    if not wanted:
        return languages
    chosen = (
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=wanted, is_active=True)
        .exclude(profile__language="")
        .order_by("pk")  # two accounts with one address: the oldest speaks for it
        .values_list("address", "profile__language")
    )
    for address, language in reversed(list(chosen)):
        if offered(language):
            languages[address] = language
    return languages


@contextmanager
def in_language(language: str) -> Iterator[str]:
    """Write an email (subject and body) in `language`; gives the language."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        yield language


def session_language_set(request: HttpRequest, language: str) -> None:
    """Remember the account's choice in its session (sign-in, profile saved)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) != language:
        session[SESSION_KEY] = language


class AccountLanguageMiddleware:
    """A signed-in account's chosen language for its requests (after LocaleMiddleware, which
    READER_LANGUAGE adds: the account's choice wins over the browser's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)  # no session, no account: nothing is read
        language = offered(request.session.get(SESSION_KEY))
        if not language and SESSION_KEY not in request.session and request.user.is_authenticated:
            # A session from before accounts chose languages: looked up once, then kept.
            language = account_language(request.user, fresh=True)
            session_language_set(request, language)
        if not language or not request.user.is_authenticated:
            return self.get_response(request)
        # override, not activate: the thread's next request must not inherit the language.
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

"""A signed-in reader chooses their language in their profile (decision 0118): their pages
speak it, no one else's do, and the shared page cache never mixes them up."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from broadsheet.accounts.language import SESSION_KEY
from broadsheet.accounts.models import Profile, User
from broadsheet.accounts.privacy import personal_data
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

LOCALE = "django.middleware.locale.LocaleMiddleware"


@pytest.fixture(autouse=True)
def _language_reset() -> Any:
    """LocaleMiddleware activates a language and leaves it for the thread's next request, which
    it then sets again; tests after these run without it."""
    yield
    translation.deactivate()


@pytest.fixture
def reader() -> User:
    return User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")


def _choose(client: Client, language: str) -> Any:
    return client.post("/accounts/profile/", {"display_name": "Rea", "language": language})


def test_choosing_german_makes_the_next_page_german(client: Client, reader: User) -> None:
    client.force_login(reader)
    page = client.get("/accounts/profile/").content.decode()
    assert '<option value="de">Deutsch</option>' in page  # each named in itself
    assert '<option value="" selected>The site&#x27;s language (English)</option>' in page
    assert '<html lang="en"' in page

    assert _choose(client, "de").status_code == 302
    assert Profile.objects.get(user=reader).language == "de"
    response = client.get("/accounts/profile/")
    page = response.content.decode()
    assert '<html lang="de"' in page and response["Content-Language"] == "de"
    with translation.override("de"):
        assert translation.gettext("Your profile was saved.") in page
    assert '<option value="de" selected>Deutsch</option>' in page

    _choose(client, "")  # back to the site's language
    assert '<html lang="en"' in client.get("/accounts/profile/").content.decode()


def test_the_choice_follows_the_account_to_a_new_sign_in(reader: User) -> None:
    Profile.objects.filter(user=reader).update(language="es")
    client = Client()
    client.force_login(reader)  # the sign-in copies it into the session
    assert client.session[SESSION_KEY] == "es"
    assert '<html lang="es"' in client.get("/accounts/profile/").content.decode()


def test_a_session_from_before_the_choice_existed_looks_it_up_once(reader: User) -> None:
    Profile.objects.filter(user=reader).update(language="de")
    client = Client()
    client.force_login(reader)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    assert '<html lang="de"' in client.get("/accounts/profile/").content.decode()
    assert client.session[SESSION_KEY] == "de"


def test_a_language_the_site_no_longer_offers_is_the_sites_again(
    client: Client, reader: User, settings: Any
) -> None:
    Profile.objects.filter(user=reader).update(language="ar")
    settings.LANGUAGES = [("en", "English"), ("de", "German")]
    client.force_login(reader)
    page = client.get("/accounts/profile/").content.decode()
    assert '<html lang="en"' in page and 'value="ar"' not in page
    assert _choose(client, "ar").status_code == 200  # not among the choices


def test_a_signed_in_german_page_never_reaches_or_comes_from_the_page_cache(
    client: Client, reader: User, author: Any, settings: Any
) -> None:
    settings.PAGE_CACHE = True
    post = PostFactory(title="Lamps", authors=[author])
    anonymous = Client()
    assert '<html lang="en"' in anonymous.get(post.get_absolute_url()).content.decode()
    assert anonymous.get(post.get_absolute_url())["X-Page-Cache"] == "hit"
    Profile.objects.filter(user=reader).update(language="de")
    client.force_login(reader)
    mine = client.get(post.get_absolute_url())
    assert '<html lang="de"' in mine.content.decode() and "X-Page-Cache" not in mine
    again = anonymous.get(post.get_absolute_url())
    assert '<html lang="en"' in again.content.decode() and again["X-Page-Cache"] == "hit"
    assert translation.get_language() == "en"  # the thread's next request is not German


def test_the_choice_costs_a_signed_in_page_no_query(
    client: Client, reader: User, author: Any
) -> None:
    post = PostFactory(title="Lamps", authors=[author])
    client.force_login(reader)
    client.get(post.get_absolute_url())  # warm what every page reads once per process
    with CaptureQueriesContext(connection) as english:
        client.get(post.get_absolute_url())
    _choose(client, "de")
    client.get(post.get_absolute_url())
    with CaptureQueriesContext(connection) as german:
        page = client.get(post.get_absolute_url()).content.decode()
    assert '<html lang="de"' in page
    assert len(german) == len(english), [q["sql"] for q in german]


def test_with_reader_language_the_choice_outlives_the_session(
    client: Client, reader: User, settings: Any
) -> None:
    settings.READER_LANGUAGE = True
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("django.middleware.common.CommonMiddleware"), LOCALE)
    settings.MIDDLEWARE = middleware
    client.force_login(reader)
    # The account's choice wins over the browser's.
    response = _choose(client, "es")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/accounts/profile/", headers={"accept-language": "de"})
    assert '<html lang="es"' in page.content.decode()
    client.post("/accounts/logout/")
    assert '<html lang="es"' in client.get("/").content.decode()  # the cookie, signed out
    client.force_login(reader)
    response = _choose(client, "")  # the browser's language again: the cookie goes
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""


def test_without_reader_language_saving_sets_no_language_cookie(
    client: Client, reader: User, settings: Any
) -> None:
    client.force_login(reader)
    assert settings.LANGUAGE_COOKIE_NAME not in _choose(client, "de").cookies


def test_the_language_is_in_the_personal_data_export(reader: User) -> None:
    Profile.objects.filter(user=reader).update(language="de")
    data = personal_data(email=reader.email, user=reader)
    assert data["profile"]["language"] == "de"


def test_a_password_reset_for_a_german_account_is_written_in_german(
    client: Client, reader: User
) -> None:
    from broadsheet.notifications.models import OutgoingEmail

    Profile.objects.filter(user=reader).update(language="de")
    client.post("/accounts/password/reset/", {"email": "rea@example.net"})
    email = OutgoingEmail.objects.get(to_address="rea@example.net")
    with translation.override("de"):
        german = translation.gettext("Password Reset Email")
    assert german != "Password Reset Email"  # allauth's own German catalog
    assert german in email.subject

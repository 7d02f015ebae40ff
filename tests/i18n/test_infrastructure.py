"""The translation layer's plumbing: settings, the reader's language and the page cache, the
JavaScript catalog, the <html lang>."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from django.utils import translation

from broadsheet.core import pagecache
from broadsheet.core.languages import direction, is_rtl, normalize_tag
from broadsheet.settings import _languages
from tests.factories import PostFactory

LOCALE = "django.middleware.locale.LocaleMiddleware"


def environ(path: str = "/", **headers: str) -> dict[str, Any]:
    meta = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "testserver",
    }
    meta.update(
        {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    )
    return meta


@pytest.fixture
def reader_language(settings: Any) -> None:
    """READER_LANGUAGE=true, as settings.py arranges it at start-up."""
    settings.READER_LANGUAGE = True
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("django.middleware.common.CommonMiddleware"), LOCALE)
    settings.MIDDLEWARE = middleware


def test_the_defaults_enable_english_german_spanish_and_arabic(settings: Any) -> None:
    assert settings.USE_I18N is True
    assert [code for code, _ in settings.LANGUAGES] == ["en", "de", "es", "ar"]
    assert LOCALE not in settings.MIDDLEWARE  # only with READER_LANGUAGE
    assert str(settings.LOCALE_PATHS[0]).endswith("broadsheet/locale")


def test_languages_put_the_site_language_first_and_refuse_unknown_codes() -> None:
    assert _languages(["en", "de"], "ar")[0] == ("ar", "Arabic")
    assert [c for c, _ in _languages(["en", "en", "de"], "en")] == ["en", "de"]
    with pytest.raises(ImproperlyConfigured, match="LANGUAGES"):
        _languages(["en", "klingon"], "en")
    with pytest.raises(ImproperlyConfigured, match="LANGUAGE_CODE"):
        _languages(["en"], "xx")


@pytest.mark.parametrize(
    ("tag", "rtl"),
    [("ar", True), ("he", True), ("fa", True), ("ur", True), ("yi", True), ("ar-EG", True)],
)
def test_right_to_left_languages(tag: str, rtl: bool) -> None:
    assert is_rtl(tag) is rtl and direction(tag) == "rtl"


@pytest.mark.parametrize("tag", ["en", "de", "es", "zh-Hans", "ja", "az-Latn", "xx-unknown"])
def test_left_to_right_languages(tag: str) -> None:
    assert direction(tag) == "ltr"


def test_a_script_subtag_decides_the_direction() -> None:
    assert direction("az-Arab") == "rtl" and direction("pa-Arab") == "rtl"
    assert direction("ku-Latn") == "ltr"
    assert normalize_tag("zh_hant_tw") == "zh-Hant-TW"


def test_a_single_language_site_keeps_exactly_its_page_key(settings: Any) -> None:
    """Without READER_LANGUAGE the key is what it always was: Accept-Language plays no part."""
    settings.READER_LANGUAGE = False
    address = "http://testserver/2026/03/14/essay/?"
    expected = pagecache._page_prefix + hashlib.sha256(address.encode()).hexdigest()
    assert pagecache.request_key(environ("/2026/03/14/essay/")) == expected
    assert pagecache.request_key(environ("/2026/03/14/essay/", accept_language="de")) == expected


def test_reader_languages_key_one_copy_per_enabled_language(reader_language: None) -> None:
    key = pagecache.request_key
    english = key(environ("/"))
    assert key(environ("/", accept_language="en-GB,en;q=0.8")) == english
    assert key(environ("/", accept_language="tlh, xx;q=0.5")) == english  # not enabled
    assert key(environ("/", accept_language="x" * 5000)) == english
    german = key(environ("/", accept_language="de-AT,de;q=0.9,en;q=0.5"))
    assert german != english
    assert key(environ("/", accept_language="de")) == german
    assert key(environ("/", cookie="django_language=de")) == german
    assert key(environ("/", cookie='django_language="<script>"; x=1')) == english
    assert key(environ("/", accept_language="de;q=abc, ar;q=-1, <x>")) in (english, german)
    assert key(environ("/", accept_language="ar")) not in (english, german)


@pytest.mark.django_db(transaction=True)
def test_reader_language_pages_vary_and_are_cached_per_language(
    reader_language: None, settings: Any, client: Client
) -> None:
    settings.PAGE_CACHE = True
    url = PostFactory(title="Lamps").get_absolute_url()
    german = client.get(url, headers={"Accept-Language": "de"})
    assert german["Content-Language"] == "de"
    assert "Accept-Language" in german["Vary"]
    assert '<html lang="de" dir="ltr">' in german.content.decode()
    arabic = client.get(url, headers={"Accept-Language": "ar"})
    assert '<html lang="ar" dir="rtl">' in arabic.content.decode()
    # Each copy is served from the cache to readers of its language only.
    again = client.get(url, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert again["X-Page-Cache"] == "hit" and again.content == german.content
    english = client.get(url, headers={"Accept-Language": "en"})
    assert '<html lang="en" dir="ltr">' in english.content.decode()
    # The WSGI front (before Django) finds the same entries by the same keys.
    front = environ(url, accept_language="ar")
    del front["HTTP_HOST"]  # as the test client sends it
    front |= {"SERVER_NAME": "testserver", "SERVER_PORT": "80"}
    key = pagecache.request_key(front)
    assert key is not None
    entry = pagecache.lookup(key)
    assert entry is not None and entry.content == arabic.content


@pytest.mark.django_db
def test_the_page_is_in_the_site_language(settings: Any, client: Client) -> None:
    html = client.get(PostFactory().get_absolute_url()).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    settings.LANGUAGE_CODE = "ar"
    with translation.override("ar"):
        html = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.django_db
def test_the_javascript_catalog_is_cached_like_a_static_file(client: Client) -> None:
    from broadsheet.core.views import javascript_catalog_url

    with translation.override("de"):
        url = javascript_catalog_url()
    assert url.startswith("/jsi18n/de/")
    response = client.get(url)
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert "django.catalog" in response.content.decode()
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    stale = client.get("/jsi18n/de/0123456789abcdef.js")
    assert stale.status_code == 200 and "immutable" not in stale["Cache-Control"]
    assert client.get("/jsi18n/tlh/x.js").status_code == 404
    assert client.get("/jsi18n/<script>/x.js").status_code == 404
    assert client.post(url).status_code == 405


@pytest.mark.django_db
def test_python_strings_are_translated_from_the_compiled_catalogs() -> None:
    from broadsheet.core.languages import validate_language_tag

    for language, expected in (("de", "Sprachkürzel"), ("es", "etiqueta"), ("ar", "رمز لغة")):
        with translation.override(language):
            with pytest.raises(ValidationError) as raised:
                validate_language_tag("not a tag")
            assert expected in str(raised.value.messages[0])

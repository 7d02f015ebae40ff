"""The site's chrome in the page's language: dates in the locale's formats (English as it always
was), digits as the language writes them, plural counts, the feeds' and the API's fixed words;
and a post's language where it shows outside its own page (listings, search, comment feeds, the
API). Assertions compare with gettext under translation.override, so they hold before and after
the catalogs are filled; Django's own words (month names) are asserted as Django translates them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext
from lxml import etree as ElementTree

from broadsheet.core.numerals import localize_digits
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db

MARCH_14 = datetime(2026, 3, 14, 10, 30, tzinfo=UTC)
SEPTEMBER_4 = datetime(2026, 9, 4, 10, 30, tzinfo=UTC)


def page(client: Client, url: str, language: str, settings: Any) -> str:
    """The page as a site in `language` serves it (LANGUAGE_CODE, the active language)."""
    settings.PAGE_CACHE = False
    settings.LANGUAGE_CODE = language
    with translation.override(language):
        return client.get(url).content.decode()


def arabic_essay(**fields: Any) -> Post:
    fields.setdefault("body", "نص المقالة.")
    return PostFactory(title="الموانئ والمنارات", language="ar", **fields)


def test_english_dates_are_printed_as_they_always_were(client: Client, settings: Any) -> None:
    post = PostFactory(published_at=SEPTEMBER_4, language="en")
    html = page(client, post.get_absolute_url(), "en", settings)
    # Not Django's English "Sept. 4, 2026": the site's format is kept (decision 0115).
    assert (
        '<time class="dt-published" datetime="2026-09-04T10:30:00+00:00">September 4, 2026</time>'
        in html
    )
    assert '<span class="reading-time">1 min read</span>' in html
    home = page(client, "/", "en", settings)
    assert 'datetime="2026-09-04T10:30:00+00:00">September 4, 2026</time></p>' in home


def test_a_german_post_page_dates_in_german(client: Client, settings: Any) -> None:
    post = PostFactory(published_at=MARCH_14, language="de")
    html = page(client, post.get_absolute_url(), "de", settings)
    with translation.override("de"):
        shown = date_filter(post.published_at, "DATE_FORMAT")
        minutes = ngettext("%(shown)s min read", "%(shown)s min read", 1) % {"shown": 1}
        posted = gettext("Posted by %(byline)s") % {"byline": ""}
    assert shown == "14. März 2026"  # Django's own month names and German format
    assert f'datetime="2026-03-14T10:30:00+00:00">{shown}</time>' in html
    assert f'<span class="reading-time">{minutes}</span>' in html
    assert f'<p class="entry-meta posted-by">{posted}<a class="author-name"' in html
    assert '<html lang="de" dir="ltr">' in html


def test_an_arabic_listing_shows_arabic_digits_but_keeps_machine_dates(
    client: Client, settings: Any
) -> None:
    arabic_essay(published_at=MARCH_14)
    html = page(client, "/", "ar", settings)
    with translation.override("ar"):
        shown = localize_digits(date_filter(MARCH_14, "DATE_FORMAT"))
    assert shown == "١٤ مارس، ٢٠٢٦"
    assert f'<time datetime="2026-03-14T10:30:00+00:00">{shown}</time>' in html
    # An essay in the page's own language carries no attributes (decision 0108).
    assert '<h2 class="entry-title"><a' in html


def test_archives_name_their_period_in_the_page_language(client: Client, settings: Any) -> None:
    PostFactory(published_at=MARCH_14)
    html = page(client, "/2026/03/", "de", settings)
    with translation.override("de"):
        heading = gettext("Month: <span>%(name)s</span>") % {"name": "März 2026"}
        count = ngettext("%(shown)s post", "%(shown)s posts", 1) % {"shown": 1}
        day = date_filter(MARCH_14, "MONTH_DAY_FORMAT")
    assert f'<h1 class="archive-title">{heading}</h1>' in html
    assert f'<p class="archive-count">{count}</p>' in html
    assert f">{day}</a>" in html and day == "14. März"
    # The footer's archive list is cached per language: German months, then English again.
    assert ">März</a>" in html
    english = page(client, "/2026/03/", "en", settings)
    assert ">March</a>" in english and ">März</a>" not in english


def test_a_listing_item_says_its_post_language_when_it_differs(
    client: Client, settings: Any
) -> None:
    arabic_essay()
    PostFactory(title="Lamps")
    html = page(client, "/", "en", settings)
    assert '<h2 class="entry-title" lang="ar" dir="rtl"><a href=' in html
    assert '<div class="entry-summary" lang="ar" dir="rtl">' in html
    assert '<h2 class="entry-title"><a href="' in html  # the English essay inherits the page's
    assert '<div class="entry-summary"><p>' in html


@pytest.mark.django_db(transaction=True)
def test_a_search_hit_says_its_post_language(client: Client, settings: Any) -> None:
    arabic_essay(body="مقالة عن المنارات.")
    PostFactory(title="Lighthouses", body="An essay on lighthouses.", language="en")
    arabic = page(client, "/?s=المنارات", "en", settings)
    assert 'lang="ar" dir="rtl">' in arabic
    assert '<p class="search-result__snippet" lang="ar" dir="rtl">' in arabic
    english = page(client, "/?s=lighthouses", "en", settings)
    assert ' lang="ar"' not in english and '<p class="search-result__snippet">' in english
    with translation.override("en"):
        one = ngettext("%(shown)s result", "%(shown)s results", 1) % {"shown": 1}
    assert f'<p class="search-count" role="status">{one}.</p>' in english


def test_comment_feeds_carry_each_item_post_language_and_translated_titles(
    client: Client, settings: Any
) -> None:
    arabic = arabic_essay()
    approved_comment(arabic, name="Ada Reader")
    approved_comment(PostFactory(title="Lamps"), name="Bo Reader")
    dc = "{http://purl.org/dc/elements/1.1/}language"
    rss = ElementTree.fromstring(client.get("/comments/feed/").content)
    assert sorted(i.findtext(dc) for i in rss.iter("item")) == ["ar", "en"]
    own = ElementTree.fromstring(client.get(f"{arabic.get_absolute_url()}feed/").content)
    assert [i.findtext(dc) for i in own.iter("item")] == ["ar"]
    settings.LANGUAGE_CODE = "de"
    with translation.override("de"):
        german = ElementTree.fromstring(client.get(f"{arabic.get_absolute_url()}feed/").content)
        title = gettext("Comments on: %(title)s") % {"title": arabic.title}
        item = gettext("Comment on %(title)s by %(name)s") % {
            "title": arabic.title,
            "name": "Ada Reader",
        }
    assert german.findtext("channel/title") == title
    assert german.findtext("channel/item/title") == item


def test_the_api_post_says_its_language(client: Client) -> None:
    arabic = arabic_essay()
    assert client.get(f"/api/v1/posts/{arabic.pk}").json()["language"] == "ar"
    listed = client.get("/api/v1/posts").json()["posts"]
    assert [p["language"] for p in listed] == ["ar"]


def test_api_errors_are_sentences_in_the_page_language(client: Client, settings: Any) -> None:
    settings.LANGUAGE_CODE = "es"
    with translation.override("es"):
        answer = client.get("/api/v1/posts/999999").json()
        expected = gettext("There is no public post with this id.")
    assert answer["error"] == {"code": "not_found", "message": expected}

"""Date archives (/2025/, /2025/03/, /2025/03/14/) and the footer's archive list."""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.notifications.tasks import publish_due_posts
from broadsheet.publishing import selectors
from broadsheet.publishing.models import Post
from broadsheet.publishing.selectors import archive_months
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _at(*parts: int) -> datetime:
    return timezone.make_aware(datetime(*parts))


def _post(title: str, when: datetime, **kwargs: Any) -> Post:
    slug = title.lower().replace(" ", "-")
    return PostFactory(title=title, slug=slug, published_at=when, **kwargs)


@pytest.fixture
def posts(db: None) -> dict[str, Post]:
    return {
        "morning": _post("Morning tide", _at(2025, 3, 14, 9, 30)),
        "evening": _post("Evening tide", _at(2025, 3, 14, 18, 0)),
        "early": _post("Early March", _at(2025, 3, 2, 12, 0)),
        "january": _post("January gale", _at(2025, 1, 20, 8, 0)),
        "last_year": _post("Year end", _at(2024, 12, 31, 23, 30)),
    }


class _Page(HTMLParser):
    """The parts of a page these tests read: the h1, the post titles, the archive navs."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.h1 = ""
        self.titles: list[str] = []
        self.navs: dict[str, list[tuple[str, str]]] = {}  # aria-label → (link text, href)
        self._in: list[str] = []
        self._nav: str | None = None
        self._href = ""
        self._text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "nav":
            self._nav = attributes.get("aria-label") or ""
            self.navs[self._nav] = []
        if tag in ("h1", "h2", "a"):
            self._in.append(tag)
            self._text = ""
            self._href = attributes.get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._nav = None
        if tag not in ("h1", "h2", "a") or not self._in:
            return
        self._in.pop()
        text = " ".join(self._text.split())
        if tag == "h1":
            self.h1 = text
        elif tag == "a" and "h2" in self._in:
            self.titles.append(text)
        elif tag == "a" and self._nav is not None:
            self.navs[self._nav].append((text, self._href))

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data


def _page(client: Client, path: str) -> _Page:
    response = client.get(path)
    assert response.status_code == 200, path
    return _Page(response.content.decode())


def test_year_month_and_day_archives_list_their_posts_newest_first(
    client: Client, posts: dict[str, Post]
) -> None:
    year = _page(client, "/2025/")
    assert year.h1 == "Year: 2025"
    assert year.titles == ["Evening tide", "Morning tide", "Early March", "January gale"]
    month = _page(client, "/2025/03/")
    assert month.h1 == "Month: March 2025"
    assert month.titles == ["Evening tide", "Morning tide", "Early March"]
    day = _page(client, "/2025/03/14/")
    assert day.h1 == "Day: March 14, 2025"
    assert day.titles == ["Evening tide", "Morning tide"]
    assert _page(client, "/2024/12/31/").titles == ["Year end"]


def test_date_archives_show_only_what_readers_may_see(
    client: Client, posts: dict[str, Post]
) -> None:
    _post("A draft", _at(2025, 3, 14, 10, 0), status=Post.Status.DRAFT)
    _post("Not yet", timezone.now() + timedelta(days=3), status=Post.Status.SCHEDULED)
    _post("Private notes", _at(2025, 3, 14, 11, 0), status=Post.Status.PRIVATE)
    _post("About", _at(2025, 3, 14, 12, 0), kind=Post.Kind.PAGE)
    assert _page(client, "/2025/03/14/").titles == ["Evening tide", "Morning tide"]
    assert "Not yet" not in client.get("/2026/").content.decode()
    # Lists are the same for everyone (decision 0022): even an Editor, who may read the
    # private post at its address, does not find it in the archive.
    editor = User.objects.create_user("editor", "editor@example.org")
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    assert _page(client, "/2025/03/14/").titles == ["Evening tide", "Morning tide"]


def test_year_archive_lists_its_months_with_counts(client: Client, posts: dict[str, Post]) -> None:
    page = _page(client, "/2025/")
    assert page.navs["Months of 2025"] == [("March", "/2025/03/"), ("January", "/2025/01/")]
    html = client.get("/2025/").content.decode()
    assert '<p class="archive-count">4 posts</p>' in html
    assert 'href="/2025/03/">March</a> <span class="archive-periods__count">(3<' in html


def test_month_archive_lists_its_days_with_counts(client: Client, posts: dict[str, Post]) -> None:
    page = _page(client, "/2025/03/")
    assert page.navs["Days of March 2025"] == [
        ("March 2", "/2025/03/02/"),
        ("March 14", "/2025/03/14/"),
    ]
    html = client.get("/2025/03/").content.decode()
    assert '<p class="archive-count">3 posts</p>' in html
    assert 'href="/2025/03/14/">March 14</a> <span class="archive-periods__count">(2<' in html
    assert '<p class="archive-count">1 post</p>' in client.get("/2025/01/").content.decode()


def test_date_archives_are_paged(client: Client, posts: dict[str, Post], settings: Any) -> None:
    settings.POSTS_PER_PAGE = 2
    first = client.get("/2025/").content.decode()
    assert 'href="/2025/page/2/"' in first
    second = _page(client, "/2025/page/2/")
    assert second.titles == ["Early March", "January gale"]
    assert _page(client, "/2025/03/page/2/").titles == ["Early March"]
    assert client.get("/2025/page/3/").status_code == 404
    assert client.get("/2025/03/14/page/2/").status_code == 404
    _post("Night tide", _at(2025, 3, 14, 23, 0))
    assert _page(client, "/2025/03/14/page/2/").titles == ["Morning tide"]


@pytest.mark.parametrize(
    "path",
    [
        "/2025/13/",
        "/2025/00/",
        "/2025/02/30/",
        "/2025/02/29/",
        "/2025/04/31/",
        "/2025/03/00/",
        "/2025/13/page/2/",
        "/0000/",
        "/9999/",
        "/9999/12/31/",
        "/2023/",  # no posts that year
        "/2025/02/",  # nor that month
        "/2025/03/15/",  # nor that day
        "/2025/page/0/",
    ],
)
def test_impossible_dates_and_empty_archives_are_not_found(
    client: Client, posts: dict[str, Post], path: str
) -> None:
    assert client.get(path).status_code == 404


def test_a_leap_day_is_a_date(client: Client, db: None) -> None:
    _post("Leap", _at(2024, 2, 29, 12, 0))
    assert _page(client, "/2024/02/29/").titles == ["Leap"]


def test_post_permalinks_still_resolve_beside_date_archives(client: Client, db: None) -> None:
    post = _post("Page", _at(2025, 3, 14, 9, 30))  # a post whose slug is "page"
    assert post.get_absolute_url() == "/2025/03/14/page/"
    html = client.get("/2025/03/14/page/").content.decode()
    assert '<h1 class="entry-title p-name">Page</h1>' in html
    assert client.get("/2025/03/14/page/feed/").status_code == 200
    assert client.get("/2025/03/14/").status_code == 200


def test_days_begin_at_midnight_in_the_site_time_zone(client: Client, settings: Any) -> None:
    settings.TIME_ZONE = "America/New_York"
    # 03:00 in London on New Year's Day is still New Year's Eve in New York.
    post = _post("Late", datetime.fromisoformat("2025-01-01T03:00:00+00:00"))
    assert post.get_absolute_url() == "/2024/12/31/late/"
    assert _page(client, "/2024/12/31/").titles == ["Late"]
    assert _page(client, "/2024/").titles == ["Late"]
    assert client.get("/2025/").status_code == 404
    [year] = archive_months()
    assert (year.year, [(m.month_name, m.count) for m in year.months]) == (2024, [("December", 1)])


def test_date_archive_pages_declare_a_public_cache_policy(
    client: Client, posts: dict[str, Post]
) -> None:
    for path in ("/2025/", "/2025/03/", "/2025/03/14/"):
        assert "public" in client.get(path)["Cache-Control"], path


@pytest.mark.parametrize(
    ("path", "queries"),
    # count, posts, their authors, their categories (+ the days of a month); the menu and the
    # archive list come from the cache
    [("/2025/", 4), ("/2025/03/", 5), ("/2025/03/14/", 4)],
)
def test_date_archive_query_count_is_fixed(
    client: Client, posts: dict[str, Post], django_assert_num_queries: Any, path: str, queries: int
) -> None:
    client.get(path)  # steady state: settings and the archive list are in the cache
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    for i in range(12):
        _post(f"More {i}", _at(2025, 3, 14, 10, i))
    client.get(path)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


# --- the footer's archive list -----------------------------------------------------------


def _footer(client: Client, path: str = "/") -> list[tuple[str, str]]:
    return _page(client, path).navs["Archives"]


def test_every_page_shows_the_archive_list_in_its_footer(
    client: Client, posts: dict[str, Post]
) -> None:
    expected = [
        ("2025", "/2025/"),
        ("March", "/2025/03/"),
        ("January", "/2025/01/"),
        ("2024", "/2024/"),
        ("December", "/2024/12/"),
    ]
    for path in ("/", posts["morning"].get_absolute_url(), "/2025/03/", "/no/such/page/"):
        response = client.get(path)
        assert _Page(response.content.decode()).navs["Archives"] == expected, path
    html = client.get("/").content.decode()
    footer = html[html.index('<footer class="site-footer"') :]
    assert 'href="/2025/">2025</a> <span class="archive-list__count">(4<' in footer
    assert 'href="/2025/03/">March</a> <span class="archive-list__count">(3<' in footer
    assert 'href="/2025/01/">January</a> <span class="archive-list__count">(1<' in footer
    assert 'href="/2024/12/">December</a> <span class="archive-list__count">(1<' in footer


def test_a_site_without_posts_has_no_archive_list(client: Client, db: None) -> None:
    assert "Archives" not in _Page(client.get("/").content.decode()).navs


def test_archive_list_costs_no_query_on_a_warm_cache(
    posts: dict[str, Post], django_assert_num_queries: Any
) -> None:
    # the months, the menu's pages, and when the next scheduled post or page is due
    with django_assert_num_queries(3):
        cold = archive_months()
    with django_assert_num_queries(0):
        assert archive_months() == cold
    assert [(y.year, y.count) for y in cold] == [(2025, 4), (2024, 1)]


def test_home_page_costs_no_query_more_for_the_archive_list(
    client: Client, posts: dict[str, Post], django_assert_num_queries: Any
) -> None:
    client.get("/")
    # count, posts, their authors, their categories: the archive list and menu are cached
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200


def _counts() -> list[tuple[int, list[tuple[int, int]]]]:
    return [(y.year, [(m.on.month, m.count) for m in y.months]) for y in archive_months()]


# The list is forgotten after the commit (core.effects): these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_archive_list_follows_publishing_unpublishing_and_deleting(
    posts: dict[str, Post],
) -> None:
    assert _counts() == [(2025, [(3, 3), (1, 1)]), (2024, [(12, 1)])]
    new = _post("February thaw", _at(2025, 2, 10, 9, 0))
    assert _counts() == [(2025, [(3, 3), (2, 1), (1, 1)]), (2024, [(12, 1)])]
    new.status = Post.Status.DRAFT
    post_save(post=new)
    assert _counts() == [(2025, [(3, 3), (1, 1)]), (2024, [(12, 1)])]
    posts["last_year"].delete()
    assert _counts() == [(2025, [(3, 3), (1, 1)])]
    Post.objects.filter(published_at__month=3).delete()
    assert _counts() == [(2025, [(1, 1)])]


# The list is forgotten after the commit (core.effects): these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_archive_list_follows_deletes_in_the_admin(client: Client, posts: dict[str, Post]) -> None:
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw-pw-pw-pw"))
    assert _counts()[0] == (2025, [(3, 3), (1, 1)])
    response = client.post(f"/admin/publishing/post/{posts['january'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _counts()[0] == (2025, [(3, 3)])
    response = client.post(
        "/admin/publishing/post/",
        {
            "action": "delete_selected",
            "_selected_action": [posts["morning"].pk, posts["evening"].pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert _counts()[0] == (2025, [(3, 1)])


# The list is forgotten after the commit (core.effects): these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_archive_list_follows_the_scheduled_publish_task(db: None) -> None:
    soon = _post("Soon", timezone.now() + timedelta(hours=2), status=Post.Status.SCHEDULED)
    assert _counts() == []
    # The clock moves on (written without signals, as time passes without any).
    Post.objects.filter(pk=soon.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    assert publish_due_posts() == 1
    local = timezone.localtime(Post.objects.get(pk=soon.pk).published_at)
    assert _counts() == [(local.year, [(local.month, 1)])]


class _RecordingCache:
    def __init__(self) -> None:
        self.timeouts: list[int | None] = []

    def get(self, key: str) -> Any:
        return cache.get(key)

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        self.timeouts.append(timeout)
        cache.set(key, value, timeout=timeout)

    def delete(self, key: str) -> None:
        cache.delete(key)


# The cached lists are forgotten after the commit (core.effects): this test commits.
@pytest.mark.django_db(transaction=True)
def test_archive_list_expires_when_the_next_scheduled_post_goes_live(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = _RecordingCache()
    monkeypatch.setattr(selectors, "cache", recording)
    _post("Now", timezone.now() - timedelta(days=1))
    archive_months()
    assert recording.timeouts[-1] == 3600  # at most an hour, for writes that send no signal
    _post("Later", timezone.now() + timedelta(minutes=10), status=Post.Status.SCHEDULED)
    archive_months()
    assert recording.timeouts[-1] is not None and 590 <= recording.timeouts[-1] <= 600

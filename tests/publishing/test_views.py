from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.factories import (
    AuthorFactory,
    CategoryFactory,
    PostFactory,
    ReferenceFactory,
    TagFactory,
    role_member,
)

pytestmark = pytest.mark.django_db


def _essay(author: Any, **kwargs: Any) -> Post:
    return PostFactory(
        title="Lamps and Ledgers",
        slug="lamps-and-ledgers",
        published_at=timezone.make_aware(timezone.datetime(2026, 3, 14, 9, 30)),
        body="Opening paragraph.[^1]\n\n## The logs\n\nText.\n\n## The weather\n\nMore.\n\n[^1]: A note.",
        authors=[author],
        **kwargs,
    )


def test_post_page_shows_the_whole_anatomy(client: Client, author: Any) -> None:
    history = CategoryFactory(name="History", slug="history")
    post = _essay(author, categories=[history], tags=[TagFactory(name="archives", slug="archives")])
    ReferenceFactory(post=post, title="The Keeper's Year")
    response = client.get("/2026/03/14/lamps-and-ledgers/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="entry-title p-name">Lamps and Ledgers</h1>' in html
    assert "Posted by" in html and ">Margaret Hale</a>" in html
    assert 'By <span class="p-author h-card">Margaret Hale</span>' in html
    assert 'datetime="2026-03-14T09:30:00+00:00">March 14, 2026</time>' in html
    assert '<nav class="toc"' in html and 'href="#the-logs"' in html
    assert '<h2 id="the-logs">The logs</h2>' in html
    assert 'class="author-bio"' in html and "is a researcher studying" in html
    assert '<h2 id="references-heading">References</h2>' in html and "The Keeper's Year" in html
    assert '<h2 id="footnotes-heading">Notes</h2>' in html and 'class="footnote-backref"' in html
    assert 'href="/category/history/"' in html and 'href="/tag/archives/"' in html
    assert 'id="comments"' in html
    # the order of the page, top to bottom
    order = [
        "entry-title",
        "posted-by",
        'class="byline"',
        'class="toc"',
        "entry-content",
        'class="author-bio"',
        'id="references-heading"',
        'id="footnotes-heading"',
        'id="comments"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_previous_and_next_post_links(client: Client, author: Any) -> None:
    now = timezone.now()
    older = PostFactory(title="Older", published_at=now - timedelta(days=3), authors=[author])
    middle = PostFactory(title="Middle", published_at=now - timedelta(days=2), authors=[author])
    newer = PostFactory(title="Newer", published_at=now - timedelta(days=1), authors=[author])
    html = client.get(middle.get_absolute_url()).content.decode()
    assert f'href="{older.get_absolute_url()}" rel="prev"' in html
    assert f'href="{newer.get_absolute_url()}" rel="next"' in html


def test_post_page_query_count_does_not_grow_with_content(
    client: Client, author: Any, django_assert_num_queries: Any
) -> None:
    small = _essay(author)
    client.get(small.get_absolute_url())  # steady state: the site settings are in the cache
    # post, authors, categories, tags, references, previous, next, comments (the menu is
    # cached; published corrections, shown notes, likes from other sites and the passages'
    # responses are read only for a post marked as having them: publishing.additions)
    with django_assert_num_queries(8) as small_ctx:
        assert client.get(small.get_absolute_url()).status_code == 200
    small_queries = len(small_ctx.captured_queries)  # a request clears the log: counted now

    cats = [CategoryFactory() for _ in range(6)]
    tags = [TagFactory() for _ in range(8)]
    coauthors = [AuthorFactory() for _ in range(3)]
    footnotes = "".join(f"Claim {i}.[^{i}]\n\n" for i in range(30)) + "".join(
        f"[^{i}]: Note {i}.\n" for i in range(30)
    )
    big = PostFactory(
        slug="big", body=footnotes, authors=[author, *coauthors], categories=cats, tags=tags
    )
    for _ in range(25):
        ReferenceFactory(post=big)
    client.get(big.get_absolute_url())  # steady state again: a new post cleared the archive list
    with django_assert_num_queries(small_queries):
        response = client.get(big.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="reference reference--book"') == 25


def test_home_lists_latest_posts_with_excerpts_and_pages(
    client: Client, author: Any, settings: Any
) -> None:
    settings.POSTS_PER_PAGE = 2
    now = timezone.now()
    for i in range(5):
        PostFactory(
            title=f"Essay {i}",
            published_at=now - timedelta(days=i),
            authors=[author],
            excerpt=f"Summary {i}.",
        )
    first = client.get("/").content.decode()
    assert "Essay 0" in first and "Essay 1" in first and "Essay 2" not in first
    assert "Summary 0." in first
    assert 'href="/page/2/"' in first
    third = client.get("/page/3/").content.decode()
    assert "Essay 4" in third and 'href="/page/2/"' in third
    assert client.get("/page/9/").status_code == 404


def test_home_query_count_is_fixed(
    client: Client, author: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(10):
        PostFactory(authors=[author], categories=[CategoryFactory()], title=f"Essay {i}")
    client.get("/")  # steady state: the site settings are in the cache
    with django_assert_max_num_queries(5):
        assert client.get("/").status_code == 200


def test_drafts_and_future_posts_are_not_public(client: Client, author: Any) -> None:
    draft = PostFactory(
        status=Post.Status.DRAFT, published_at=None, title="Secret draft", authors=[author]
    )
    future = PostFactory(
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=1),
        title="Future essay",
        authors=[author],
    )
    home = client.get("/").content.decode()
    assert "Secret draft" not in home and "Future essay" not in home
    assert client.get(future.get_absolute_url()).status_code == 404
    assert (
        client.get(draft.get_absolute_url()).status_code == 302
    )  # preview: staff only, sent to log in


def test_a_private_post_is_read_by_its_authors_and_editors_only(
    client: Client, author: Any
) -> None:
    post = PostFactory(status=Post.Status.PRIVATE, title="Private notes", authors=[author])
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(AuthorFactory(is_staff=True))  # staff, but neither its author nor an editor
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(role_member("Editor", "ed"))
    assert client.get(post.get_absolute_url()).status_code == 200
    client.force_login(author)
    assert client.get(post.get_absolute_url()).status_code == 200


def test_an_author_can_preview_their_draft(client: Client, author: Any) -> None:
    draft = PostFactory(
        status=Post.Status.DRAFT, published_at=None, title="Work in progress", authors=[author]
    )
    author.groups.add(Group.objects.get(name="Author"))
    client.force_login(author)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200 and "Work in progress" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_old_slug_answers_with_a_permanent_redirect(client: Client, author: Any) -> None:
    post = _essay(author)
    post.slug = "ledgers-and-lamps"
    post_save(post=post)
    response = client.get("/2026/03/14/lamps-and-ledgers/?utm=x")
    assert response.status_code == 301
    assert response["Location"] == "/2026/03/14/ledgers-and-lamps/?utm=x"


def test_a_wrong_date_redirects_to_the_canonical_permalink(client: Client, author: Any) -> None:
    _essay(author)
    response = client.get("/2025/01/01/lamps-and-ledgers/")
    assert response.status_code == 301 and response["Location"] == "/2026/03/14/lamps-and-ledgers/"
    assert client.get("/2026/02/31/lamps-and-ledgers/").status_code in (301, 404)


def test_author_category_and_tag_archives(client: Client, author: Any) -> None:
    parent = CategoryFactory(name="History", slug="history")
    child = CategoryFactory(name="Maritime", slug="maritime", parent=parent)
    tag = TagFactory(name="archives", slug="archives")
    PostFactory(title="In the child", categories=[child], tags=[tag], authors=[author])
    PostFactory(title="Elsewhere", authors=[AuthorFactory()])
    by_author = client.get("/author/mhale/").content.decode()
    assert (
        "Author: <span>Margaret Hale</span>" in by_author
        and "In the child" in by_author
        and "Elsewhere" not in by_author
    )
    parent_page = client.get("/category/history/").content.decode()
    assert (
        "In the child" in parent_page
    )  # a category shows its subcategories' posts, as in WordPress
    assert "In the child" in client.get("/category/history/maritime/").content.decode()
    assert client.get("/category/maritime/").status_code == 301
    assert client.get("/category/nope/").status_code == 404
    assert "In the child" in client.get("/tag/archives/").content.decode()
    assert client.get("/author/nobody/").status_code == 404


def test_static_pages_and_nested_pages(client: Client, author: Any) -> None:
    about = PostFactory(
        kind=Post.Kind.PAGE,
        title="About",
        slug="about",
        body="About us.",
        authors=[author],
        menu_order=1,
    )
    PostFactory(
        kind=Post.Kind.PAGE,
        title="Team",
        slug="team",
        parent=about,
        body="The team.",
        authors=[author],
    )
    response = client.get("/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "About us." in html and "Posted by" not in html
    assert '<a href="/about/">About</a>' in html  # in the site menu
    assert "The team." in client.get("/about/team/").content.decode()
    assert client.get("/team/").status_code == 404


# The cached lists are forgotten after the commit (core.effects): this test commits.
@pytest.mark.django_db(transaction=True)
def test_the_cached_menu_follows_every_change_to_its_pages(
    client: Client, author: Any, django_assert_num_queries: Any
) -> None:
    from broadsheet.publishing.selectors import MenuItem, menu_pages

    def menu() -> list[tuple[str, str]]:
        return [(item.title, item.url) for item in menu_pages()]

    about = PostFactory(kind=Post.Kind.PAGE, title="About", slug="about", menu_order=2)
    assert menu() == [("About", "/about/")]
    with django_assert_num_queries(0):
        assert menu() == [("About", "/about/")]
    contact = PostFactory(kind=Post.Kind.PAGE, title="Contact", slug="contact", menu_order=1)
    assert menu() == [("Contact", "/contact/"), ("About", "/about/")]
    about.title = "Who we are"
    about.save()
    assert menu() == [("Contact", "/contact/"), ("Who we are", "/about/")]
    contact.status = Post.Status.DRAFT
    contact.save()
    assert menu() == [("Who we are", "/about/")]
    about.delete()
    assert menu() == []
    # A page scheduled to go live: the cached lists expire when its time comes.
    from broadsheet.publishing.selectors import _navigation_rows

    PostFactory(kind=Post.Kind.PAGE, title="Soon", slug="soon", menu_order=1,
                status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(minutes=10))  # fmt: skip
    _, shown, expires_in = _navigation_rows()
    assert shown == [] and 590 <= expires_in <= 600
    Post.objects.filter(slug="soon").update(published_at=timezone.now() - timedelta(seconds=1))
    assert _navigation_rows()[1] == [MenuItem("Soon", "/soon/")]


def test_the_cached_menu_markup_escapes_page_titles(client: Client) -> None:
    PostFactory(kind=Post.Kind.PAGE, title="<script>alert(1)</script>", slug="x", menu_order=1)
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert '<a href="/x/">&lt;script&gt;alert(1)&lt;/script&gt;</a>' in html


def test_not_found_page_is_in_the_site_look(client: Client, db: None) -> None:
    response = client.get("/no/such/thing/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Nothing here" in html and 'class="site-header"' in html and "site.css" in html


@pytest.mark.parametrize(
    "path",
    [
        "/2026/99/99/x/",
        "/page/0/",
        "/page/99999999999999999999/",
        "/category/%00/",
        "/tag/%3Cscript%3E/",
        "/author/%3Cscript%3E/",
        "/" + "a/" * 200,
        "/preview/1/",
        "/identicon/zz.svg",
        "/media/../settings.py",
    ],
)
def test_odd_addresses_never_cause_a_server_error(client: Client, path: str, db: None) -> None:
    assert client.get(path).status_code in (200, 301, 302, 400, 404)


def test_an_unexpected_failure_shows_the_friendly_error_page(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A failure that cannot be produced through input: simulated by breaking the selector.
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("broadsheet.publishing.selectors.post_list_home", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "site.css" in html and "simulated failure" not in html


def test_security_headers(client: Client, db: None) -> None:
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # plain HTTP
    secure = client.get("/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_forms_may_post_to_the_sign_in_providers_set_up_and_nowhere_else(
    client: Client, db: None, settings: Any
) -> None:
    def form_action() -> list[str]:
        csp = client.get("/")["Content-Security-Policy"]
        return next(p for p in csp.split("; ") if p.startswith("form-action")).split()[1:]

    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert form_action() == ["'self'"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"APPS": [{"provider_id": "idp", "name": "Our IdP", "client_id": "x",
                                     "settings": {"server_url": "https://id.example.org/realms/a"}}]},
    }  # fmt: skip
    assert form_action() == ["'self'", "https://id.example.org"]


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry.callback))
    return found


def test_every_public_view_declares_a_cache_policy() -> None:
    missing = [
        path
        for path, callback in _patterns(get_resolver())
        if not path.startswith("admin/")
        # django-allauth's pages are private by default (next test)
        and not getattr(callback, "view_class", callback).__module__.startswith(
            ("allauth.", "django.views.generic")
        )
        and not hasattr(callback, "cache_policy")
    ]
    assert missing == []


def test_pages_without_a_declared_policy_are_private(client: Client, db: None) -> None:
    for path in ("/accounts/login/", "/accounts/signup/", "/admin/login/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "private" in response["Cache-Control"], path


def test_public_pages_are_cacheable_for_anonymous_readers_only(client: Client, author: Any) -> None:
    post = _essay(author)
    anonymous = client.get(post.get_absolute_url())
    assert "public" in anonymous["Cache-Control"]
    client.force_login(author)
    personal = client.get(post.get_absolute_url())
    assert "private" in personal["Cache-Control"]


def test_identicon_is_an_svg(client: Client, db: None) -> None:
    response = client.get("/identicon/" + "a" * 32 + ".svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_a_post_with_a_non_ascii_slug_answers_at_its_permalink(client: Client) -> None:
    post = PostFactory(title="Über alles", slug="über-alles")
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "Über alles" in response.content.decode()

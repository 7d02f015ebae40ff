"""Finding a page's Webmention endpoint, against a real second server: the cases of the
webmention.rocks discovery tests (Link header, <link>, <a>, relative and absolute addresses,
rel lists, comments, redirects), on pages written here."""

from __future__ import annotations

import pytest

from broadsheet.webmention.tasks import endpoint_for
from tests.webmention.site import Page, Site, local_allowed, site

__all__ = ["local_allowed", "site"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_allowed")]


def html(head: str = "", body: str = "") -> str:
    return (
        f"<!doctype html><html><head><title>A page</title>{head}</head><body>{body}</body></html>"
    )


def link(value: str) -> list[tuple[str, str]]:
    return [("Link", value)]


# (name, page, the endpoint's path on the site, or None when it has none)
CASES = [
    ("header-relative", Page(html(), headers=link('</e/1>; rel="webmention"')), "/e/1"),
    ("header-absolute", Page(html(), headers=link('<{base}/e/2>; rel="webmention"')), "/e/2"),
    ("link-relative", Page(html('<link rel="webmention" href="/e/3">')), "/e/3"),
    ("link-absolute", Page(html('<link rel="webmention" href="{base}/e/4">')), "/e/4"),
    ("a-relative", Page(html(body='<a rel="webmention" href="/e/5">endpoint</a>')), "/e/5"),
    ("a-absolute", Page(html(body='<a rel="webmention" href="{base}/e/6">e</a>')), "/e/6"),
    ("header-odd-case", Page(html(), headers=[("LinK", '</e/7>; REL="WebMention"')]), "/e/7"),
    ("header-unquoted-rel", Page(html(), headers=link("</e/8>; rel=webmention")), "/e/8"),
    ("link-rel-list", Page(html('<link rel="webmention somethingelse" href="/e/9">')), "/e/9"),
    ("header-rel-list", Page(html(), headers=link('</e/10>; rel="webmention other"')), "/e/10"),
    (
        "header-before-html",
        Page(
            html('<link rel="webmention" href="/wrong">'), headers=link('</e/11>; rel="webmention"')
        ),
        "/e/11",
    ),
    (
        "not-webmention-rel",
        Page(html('<link rel="not-webmention" href="/wrong"><link rel="webmention" href="/e/12">')),
        "/e/12",
    ),
    (
        "inside-a-comment",
        Page(
            html(
                '<!-- <link rel="webmention" href="/wrong"> --><link rel="webmention" href="/e/13">'
            )
        ),
        "/e/13",
    ),
    (
        "escaped-markup",
        Page(
            html(
                body='<code>&lt;a rel="webmention" href="/wrong"&gt;</code><a rel="webmention" href="/e/14">e</a>'
            )
        ),
        "/e/14",
    ),
    ("empty-href-is-the-page", Page(html('<link rel="webmention" href="">')), "/page"),
    (
        "a-before-link",
        Page(
            html(body='<a rel="webmention" href="/e/16">e</a><link rel="webmention" href="/wrong">')
        ),
        "/e/16",
    ),
    (
        "link-before-a",
        Page(
            html('<link rel="webmention" href="/e/17">', '<a rel="webmention" href="/wrong">e</a>')
        ),
        "/e/17",
    ),
    (
        "several-link-headers",
        Page(
            html(),
            headers=[("Link", '</other>; rel="other"'), ("Link", '</e/18>; rel="webmention"')],
        ),
        "/e/18",
    ),
    (
        "one-header-several-links",
        Page(html(), headers=link('</other>; rel="other", </e/19>; rel="webmention"')),
        "/e/19",
    ),
    (
        "link-without-href",
        Page(html('<link rel="webmention">', '<a rel="webmention" href="/e/20">e</a>')),
        "/e/20",
    ),
    (
        "query-string-kept",
        Page(html('<link rel="webmention" href="/e/21?version=1&amp;id=2">')),
        "/e/21?version=1&id=2",
    ),
    ("relative-to-the-page", Page(html('<link rel="webmention" href="e/22">')), "/e/22"),
    ("no-endpoint", Page(html(body='<a href="/e/none">a plain link</a>')), None),
    ("not-html", Page('<link rel="webmention" href="/wrong">', content_type="text/plain"), None),
]


@pytest.mark.parametrize(("page", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_endpoint_is_found_as_the_specification_says(
    site: Site, page: Page, expected: str | None
) -> None:
    page.body = str(page.body).replace("{base}", site.base)
    page.headers = [(name, value.replace("{base}", site.base)) for name, value in page.headers]
    site.pages["/page"] = page
    found = endpoint_for(site.url("/page"))
    assert found == (site.url(expected) if expected else None)


def test_a_relative_endpoint_is_resolved_against_the_address_after_redirects(site: Site) -> None:
    site.pages["/moved"] = Page(status=302, headers=[("Location", "/deeper/page")])
    site.pages["/deeper/page"] = Page(html('<link rel="webmention" href="endpoint">'))
    assert endpoint_for(site.url("/moved")) == site.url("/deeper/endpoint")


def test_an_endpoint_that_is_not_a_web_address_is_not_used(site: Site) -> None:
    site.pages["/page"] = Page(html('<link rel="webmention" href="javascript:alert(1)">'))
    assert endpoint_for(site.url("/page")) is None

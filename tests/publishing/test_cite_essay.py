""" "Cite this essay": the essay as a reference pinned to the version being read, in three
styles and three formats, with the same data in the page's metadata."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.publishing.bibformats import read_references
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.factories import AuthorFactory, PostFactory

pytestmark = pytest.mark.django_db

URL = "/2026/03/14/lamps-and-ledgers/"


def _essay(**kwargs: Any) -> Post:
    author = AuthorFactory(
        username="mhale", first_name="Margaret", last_name="Hale", profile__display_name="M. Hale"
    )
    values: dict[str, Any] = {
        "title": "Lamps and Ledgers",
        "slug": "lamps-and-ledgers",
        "published_at": timezone.make_aware(timezone.datetime(2026, 3, 14, 9, 30)),
        "authors": [author],
    }
    values.update(kwargs)
    return PostFactory(**values)


def _section(html: str) -> str:
    match = re.search(r'<section class="cite-essay".*?</section>', html, re.S)
    assert match, "no Cite this essay section"
    return match.group()


def _text(html: str, slug: str) -> str:
    match = re.search(rf'id="cite-{slug}">(.*?)</(?:p|pre)>', html, re.S)
    assert match, slug
    return unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def test_the_essay_is_cited_in_the_site_style_apa_and_mla(client: Client, settings: Any) -> None:
    settings.SITE_URL = "https://example.org"
    _essay()
    section = _section(client.get(URL).content.decode())
    permanent = f"https://example.org{URL}v/1/"
    assert f'href="{permanent}"' in section and "Version 1, 2026-03-14" in section
    chicago = _text(section, "chicago-author-date")
    # Chicago puts the full stop inside the quotation marks (the citation engine does).
    assert chicago.startswith("Hale, Margaret. 2026. “Lamps and Ledgers.”") and permanent in chicago
    assert _text(section, "apa").startswith("Hale, M. (2026, March 14). Lamps and Ledgers.")
    assert "Version 1, 14 Mar. 2026" in _text(section, "modern-language-association")
    assert "Chicago author–date (this site’s style)" in section


def test_a_german_page_cites_the_essay_in_german_terms(client: Client, settings: Any) -> None:
    """The reader copies the citation into their own writing: the page's language gives its
    month names and quotation marks (CSL's de-DE locale); the plain forms stay machine text."""
    settings.SITE_URL = "https://example.org"
    settings.LANGUAGE_CODE = "de"
    _essay()
    section = _section(client.get(URL).content.decode())
    assert _text(section, "apa").startswith("Hale, M. (2026, März 14). Lamps and Ledgers.")
    assert "„Lamps and Ledgers“" in _text(section, "chicago-author-date")
    assert "14. März 2026" in _text(section, "modern-language-association")
    assert "DA  - 2026/03/14" in _text(section, "ris")  # machine forms: the same in any language
    settings.LANGUAGE_CODE = "en"
    english = _section(client.get(URL).content.decode())  # kept apart: not the German ones
    assert _text(english, "apa").startswith("Hale, M. (2026, March 14).")


def test_an_essays_bibliography_is_in_the_essays_language(db: None) -> None:
    from tests.factories import ReferenceFactory

    post = PostFactory(body="Ein Satz [@marsh].", language="de")
    reference = ReferenceFactory(
        post=post, key="marsh", kind="webpage", title="Die Lampen", uncited=False,
        issued="2020-03-14", url="https://example.org/lampen", publisher="", place="",
    )  # fmt: skip
    post.refresh_from_db()
    assert reference.key == "marsh" and "März" in post.bibliography_html
    english = PostFactory(body="A sentence [@marsh].", language="en")
    ReferenceFactory(post=english, key="marsh", kind="webpage", title="The Lamps",
                     uncited=False, issued="2020-03-14", url="https://example.org/lamps",
                     publisher="", place="")  # fmt: skip
    english.refresh_from_db()
    assert "March" in english.bibliography_html and "März" not in english.bibliography_html


def test_the_plain_forms_read_back_as_the_essay(client: Client, settings: Any) -> None:
    settings.SITE_URL = "https://example.org"
    _essay()
    section = _section(client.get(URL).content.decode())
    for slug, name in [("bibtex", "BibTeX"), ("ris", "RIS"), ("csl-json", "CSL-JSON")]:
        result = read_references(_text(section, slug))
        assert result.format == name and result.problems == (), slug
        (entry,) = result.entries
        assert entry.fields["kind"] == "post-weblog"
        assert entry.fields["title"] == "Lamps and Ledgers"
        assert entry.fields["url"] == f"https://example.org{URL}v/1/"
        assert entry.fields["issued"] == "2026-03-14"
        assert entry.fields["contributors"]["author"] == [{"family": "Hale", "given": "Margaret"}]
    item = json.loads(_text(section, "csl-json"))
    assert item["version"] == "1" and item["type"] == "post-weblog"


def test_the_citation_follows_the_new_version_after_a_revision(client: Client) -> None:
    post = Post.objects.get(pk=_essay().pk)
    post.body = "A revised text."
    post_save(post=post)
    post = Post.objects.get(pk=post.pk)
    assert post.version == 2
    section = _section(client.get(URL).content.decode())
    assert f"{URL}v/2/" in section and f"Version 2, {post.version_at:%Y-%m-%d}" in section


def test_the_page_metadata_names_the_version(client: Client, settings: Any) -> None:
    settings.SITE_URL = "https://example.org"
    _essay()
    html = client.get(URL).content.decode()
    assert '<meta name="citation_online_date" content="2026/03/14">' in html
    assert (
        f'<meta name="citation_fulltext_html_url" content="https://example.org{URL}v/1/">' in html
    )
    (ld,) = [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        if '"BlogPosting"' in block
    ]
    assert ld["version"] == "1" and ld["archivedAt"] == f"https://example.org{URL}v/1/"


def test_the_copy_buttons_wait_for_the_script_and_the_text_is_plain(client: Client) -> None:
    _essay()
    html = client.get(URL).content.decode()
    section = _section(html)
    assert section.count('class="cite-essay__copy"') == 6
    assert all(
        " hidden>Copy</button>" in b for b in re.findall(r"<button[^>]*>Copy</button>", section)
    )
    assert "<details" in section and "<pre" in section
    assert 'src="/static/broadsheet/cite.js" defer' in html


def test_script_in_the_title_and_author_stays_text(client: Client) -> None:
    hostile = "<script>alert(1)</script>"
    author = AuthorFactory(first_name=hostile, last_name=hostile)
    _essay(title=f"Lamps {hostile}", authors=[author])
    section = _section(client.get(URL).content.decode())
    assert "<script>" not in section and "&lt;script&gt;" in section


@pytest.mark.parametrize("status", [Post.Status.DRAFT, Post.Status.PRIVATE])
def test_only_public_essays_are_offered_for_citing(client: Client, status: str) -> None:
    post = _essay(status=status)
    client.force_login(AuthorFactory(is_superuser=True, is_staff=True))
    html = client.get(f"/preview/{post.pk}/").content.decode()
    assert 'class="cite-essay"' not in html


def test_pages_are_not_essays(client: Client) -> None:
    PostFactory(kind=Post.Kind.PAGE, slug="about", title="About")
    assert 'class="cite-essay"' not in client.get("/about/").content.decode()


def test_the_styled_forms_are_formatted_once_and_kept(client: Client) -> None:
    from broadsheet.publishing import csl

    _essay()
    client.get(URL)
    before = csl.calls.count
    client.get(URL)
    assert csl.calls.count == before


def test_a_version_page_cites_that_version(client: Client, settings: Any) -> None:
    settings.SITE_URL = "https://example.org"
    post = Post.objects.get(pk=_essay().pk)
    post.body = "A revised text."
    post_save(post=post)
    html = client.get(f"{URL}v/1/").content.decode()
    section = _section(html)
    assert f'href="https://example.org{URL}v/1/"' in section
    assert "Version 1, 2026-03-14" in section
    assert f"https://example.org{URL}v/1/" in _text(section, "apa")
    assert (
        f'<meta name="citation_fulltext_html_url" content="https://example.org{URL}v/1/">' in html
    )
    assert '<meta name="citation_online_date" content="2026/03/14">' in html
    current = _section(client.get(URL).content.decode())
    assert f"{URL}v/2/" in current and f"{URL}v/1/" not in current


def test_the_kept_box_follows_every_input_at_once(client: Client, settings: Any) -> None:
    """Each web process keeps the whole box (decision 0130): a new title, author name, site
    title or citation style shows on the next page, never the box kept from before."""
    from broadsheet.core.models import SiteSettings
    from broadsheet.publishing.models import CitationSettings

    settings.SITE_URL = "https://example.org"
    post = _essay()
    first = _section(client.get(URL).content.decode())
    assert first == _section(client.get(URL).content.decode())  # the kept one, same bytes
    Post.objects.filter(pk=post.pk).update(title="Ledgers and Lamps")
    assert "Ledgers and Lamps" in _text(_section(client.get(URL).content.decode()), "apa")
    author = post.authors.get()
    author.last_name = "Thornton"
    author.save()
    assert _text(_section(client.get(URL).content.decode()), "apa").startswith("Thornton, M.")
    site = SiteSettings.current()
    site.title = "The Milton Review"
    site.save()
    assert "The Milton Review" in _text(_section(client.get(URL).content.decode()), "apa")
    style = CitationSettings.current()
    style.style = "apa"
    style.save()
    assert "APA (this site’s style)" in _section(client.get(URL).content.decode())

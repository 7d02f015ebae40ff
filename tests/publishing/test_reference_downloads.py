"""An essay's bibliography as BibTeX, RIS and CSL-JSON: linked under it, the same references
it shows, to the readers who may read the essay, cached like the page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.publishing.bibformats import read_references
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, ReferenceFactory, role_member

pytestmark = pytest.mark.django_db

URL = "/2026/03/14/lamps-and-ledgers/"


def _essay(**kwargs: Any) -> Post:
    values: dict[str, Any] = {
        "title": "Lamps and Ledgers",
        "slug": "lamps-and-ledgers",
        "published_at": timezone.make_aware(timezone.datetime(2026, 3, 14, 9, 30)),
    }
    values.update(kwargs)
    post = PostFactory(**values)
    ReferenceFactory(post=post, key="marsh1998", title="The Keeper's Year <script>x</script>")
    ReferenceFactory(post=post, key="hale2001", title="Ledgers", kind="article-journal")
    return Post.objects.get(pk=post.pk)


@pytest.mark.parametrize(
    ("extension", "media_type", "name"),
    [
        ("bib", "application/x-bibtex; charset=utf-8", "BibTeX"),
        ("ris", "application/x-research-info-systems; charset=utf-8", "RIS"),
        ("json", "application/vnd.citationstyles.csl+json; charset=utf-8", "CSL-JSON"),
    ],
)
def test_each_download_holds_the_bibliography_and_reads_back(
    client: Client, extension: str, media_type: str, name: str
) -> None:
    _essay()
    response = client.get(f"{URL}references.{extension}")
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="lamps-and-ledgers-references.{extension}"'
    )
    assert "public" in response["Cache-Control"]
    result = read_references(response.content.decode())
    assert result.format == name and result.problems == ()
    titles = {entry.fields["title"] for entry in result.entries}
    assert titles == {"The Keeper's Year <script>x</script>", "Ledgers"}


def test_the_csl_json_download_is_the_items_with_their_keys(client: Client) -> None:
    _essay()
    items = json.loads(client.get(f"{URL}references.json").content)
    assert sorted(item["id"] for item in items) == ["hale2001", "marsh1998"]


def test_the_downloads_are_linked_under_the_bibliography(client: Client) -> None:
    _essay()
    html = client.get(URL).content.decode()
    links = html.index('class="references__downloads"')
    assert html.index('id="references-heading"') < links < html.index('id="footnotes-heading"')
    for extension in ("bib", "ris", "json"):
        assert f'href="{URL}references.{extension}" download' in html


def test_an_essay_without_references_links_no_downloads(client: Client) -> None:
    PostFactory(
        slug="lamps-and-ledgers",
        published_at=timezone.make_aware(timezone.datetime(2026, 3, 14, 9, 30)),
    )
    assert "references__downloads" not in client.get(URL).content.decode()
    response = client.get(f"{URL}references.bib")
    assert response.status_code == 200 and response.content == b""


def test_other_extensions_are_not_found(client: Client) -> None:
    _essay()
    for name in ("references.txt", "references.bib.exe", "references.BIB"):
        assert client.get(f"{URL}{name}").status_code == 404


def test_a_draft_s_references_are_not_there_for_anyone_reading(client: Client) -> None:
    post = _essay(status=Post.Status.DRAFT)
    assert client.get(f"{URL}references.bib").status_code == 404
    client.force_login(role_member("Subscriber", "reader"))
    assert client.get(f"{URL}references.ris").status_code == 404
    assert post.pk


def test_a_private_essay_s_references_follow_the_essay_s_readers(client: Client) -> None:
    _essay(status=Post.Status.PRIVATE)
    assert client.get(f"{URL}references.json").status_code == 404
    client.force_login(role_member("Subscriber", "reader"))
    assert client.get(f"{URL}references.json").status_code == 404
    client.force_login(role_member("Editor", "editor"))
    response = client.get(f"{URL}references.json")
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert len(json.loads(response.content)) == 2


def test_a_wrong_date_redirects_to_the_download_at_the_right_address(client: Client) -> None:
    _essay()
    response = client.get("/2026/03/15/lamps-and-ledgers/references.ris")
    assert response.status_code == 301
    assert response["Location"] == f"{URL}references.ris"


# Page versions move after the commit: this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_a_changed_reference_reaches_the_cached_download(client: Client, settings: Any) -> None:
    settings.PAGE_CACHE = True
    post = _essay()
    client.get(f"{URL}references.bib")
    cached = client.get(f"{URL}references.bib")
    assert cached["X-Page-Cache"] == "hit" and b"Ledgers" in cached.content
    assert cached["Content-Type"] == "application/x-bibtex; charset=utf-8"
    ReferenceFactory(post=post, key="new2020", title="A Newer Book")
    again = client.get(f"{URL}references.bib")
    assert again.get("X-Page-Cache") != "hit" and b"A Newer Book" in again.content


def test_the_download_costs_the_queries_of_the_page(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    _essay()
    with django_assert_max_num_queries(6):
        client.get(f"{URL}references.bib")

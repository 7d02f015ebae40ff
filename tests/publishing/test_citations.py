from __future__ import annotations

from datetime import date

import pytest

from broadsheet.publishing.citations import parse_name, reference_key
from broadsheet.publishing.models import Reference


def _ref(**fields: object) -> Reference:
    ref = Reference(**fields)  # type: ignore[arg-type]
    from broadsheet.publishing.citations import reference_html

    ref.html = reference_html(ref)
    return ref


def test_book_in_author_date_style() -> None:
    ref = _ref(
        kind="book",
        title="The Keeper's Year",
        contributors={"author": [parse_name("Marsh, Edith")]},
        publisher="Harbour Press",
        place="Bristol",
        issued="1998",
        isbn="978-0-00-000000-2",
    )
    assert (
        ref.html
        == "Marsh, Edith. 1998. <em>The Keeper&#x27;s Year</em>. Bristol: Harbour Press. ISBN 978-0-00-000000-2."
    )


def test_two_and_three_authors_are_joined_as_chicago_does() -> None:
    two = _ref(
        kind="book",
        title="T",
        contributors={"author": [parse_name("Marsh, Edith"), parse_name("Okafor, Tunde")]},
    )
    three = _ref(
        kind="book",
        title="T",
        contributors={"author": [parse_name("A, B"), parse_name("C, D"), parse_name("E, F")]},
    )
    assert two.html.startswith("Marsh, Edith, and Tunde Okafor. n.d.")
    assert three.html.startswith("A, B, D C, and F E.")


def test_chapter_names_its_book_and_editors() -> None:
    ref = _ref(
        kind="chapter",
        title="Lights on the Shore",
        container_title="Coastal Lives",
        contributors={
            "author": [parse_name("Marsh, Edith")],
            "editor": [parse_name("Hale, Margaret"), parse_name("Okafor, Tunde")],
        },
        pages="45–67",
        publisher="Harbour Press",
        place="Bristol",
        issued="2004",
    )
    assert ref.html == (
        "Marsh, Edith. 2004. “Lights on the Shore.” In <em>Coastal Lives</em>, edited by Margaret Hale "
        "and Tunde Okafor, 45–67. Bristol: Harbour Press."
    )


def test_journal_article_links_its_doi() -> None:
    ref = _ref(
        kind="article-journal",
        title="Logbooks as Data",
        container_title="Journal of Coastal History",
        contributors={"author": [parse_name("Marsh, Edith")]},
        volume="12",
        issue="3",
        pages="201–219",
        issued="2011",
        doi="10.5555/12345",
    )
    assert "<em>Journal of Coastal History</em> 12 (3): 201–219." in ref.html
    assert '<a href="https://doi.org/10.5555/12345">https://doi.org/10.5555/12345</a>.' in ref.html


def test_newspaper_article_without_author_starts_with_its_headline_and_gives_the_full_date() -> (
    None
):
    ref = _ref(
        kind="article-newspaper",
        title="Storm Wrecks Three Ships",
        container_title="The Gazette",
        issued="1887-11-02",
    )
    assert ref.html == "“Storm Wrecks Three Ships.” 1887. <em>The Gazette</em>, November 2, 1887."


def test_archival_document_names_archive_and_call_number() -> None:
    ref = _ref(
        kind="manuscript",
        title="Log of the North Light",
        archive="County Record Office",
        archive_location="MS 1234/5",
        issued="1871",
    )
    assert ref.html == "“Log of the North Light.” 1871. County Record Office, MS 1234/5."


def test_web_page_gives_access_date_and_link() -> None:
    ref = _ref(
        kind="webpage",
        title="Keepers Online",
        container_title="Lighthouse Society",
        url="https://example.org/keepers",
        contributors={"author": [parse_name("Hale, Margaret")]},
        issued="2019",
        accessed=date(2026, 2, 1),
    )
    assert ref.html == (
        "Hale, Margaret. 2019. “Keepers Online.” Lighthouse Society. Accessed February 1, 2026. "
        '<a href="https://example.org/keepers">https://example.org/keepers</a>.'
    )


def test_translated_book_with_original_title() -> None:
    ref = _ref(
        kind="book",
        title="The Lamp",
        original_title="Die Lampe",
        contributors={
            "author": [parse_name("Weber, Anna")],
            "translator": [parse_name("Tom Ellis")],
        },
        publisher="P",
        place="Q",
        issued="1979",
    )
    assert "<em>The Lamp [Die Lampe]</em>. Translated by Tom Ellis. Q: P." in ref.html


def test_report_is_a_whole_work_in_italics() -> None:
    ref = _ref(
        kind="report",
        title="Annual Return",
        contributors={"author": [parse_name("Trinity Board")]},
        publisher="Board",
        place="London",
        issued="1880",
    )
    assert ref.html == "Trinity Board. 1880. <em>Annual Return</em>. London: Board."


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>x</script>", "vbscript:x"]
)
def test_a_non_web_address_is_shown_as_text_not_a_link(url: str) -> None:
    ref = _ref(kind="webpage", title="T", url=url)
    assert "<a " not in ref.html
    assert "<script>" not in ref.html


def test_every_field_is_escaped() -> None:
    evil = '<img src=x onerror="alert(1)">'
    ref = _ref(
        kind="chapter",
        title=evil,
        container_title=evil,
        publisher=evil,
        place=evil,
        issued=evil,
        note=evil,
        contributors={"author": [{"literal": evil}], "editor": [{"family": evil, "given": evil}]},
        pages=evil,
    )
    assert "<img" not in ref.html


def test_reference_key_from_first_author_and_year() -> None:
    ref = Reference(
        kind="book", title="T", contributors={"author": [parse_name("Marsh, Edith")]}, issued="1998"
    )
    assert reference_key(ref) == "marsh1998"

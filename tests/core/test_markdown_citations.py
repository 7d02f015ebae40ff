"""Pandoc's citation syntax, recognised by core's markdown-it plugin (formatting is publishing's)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.core.markdown import render_markdown
from broadsheet.core.markdown_citations import Citation, CiteItem


def _cites(source: str) -> list[Citation]:
    return render_markdown(source, citations=_marker).citations


def _marker(citations: Sequence[Citation]) -> list[str]:
    return [f"<cite>{i}</cite>" for i in range(len(citations))]


@pytest.mark.parametrize(
    ("source", "items", "in_text"),
    [
        ("[@marsh1998]", (CiteItem("marsh1998"),), False),
        ("[@marsh1998, 84]", (CiteItem("marsh1998", suffix=", 84"),), False),
        (
            "[see @a; @b, chap. 2]",
            (CiteItem("a", prefix="see"), CiteItem("b", suffix=", chap. 2")),
            False,
        ),
        ("[-@marsh1998]", (CiteItem("marsh1998", suppress_author=True),), False),
        ("[see -@marsh1998, p. 3]", (CiteItem("marsh1998", "see", ", p. 3", True),), False),
        ("@marsh1998 argues", (CiteItem("marsh1998"),), True),
        ("@marsh1998 [p. 33] says", (CiteItem("marsh1998", suffix="p. 33"),), True),
        ("(@marsh1998)", (CiteItem("marsh1998"),), True),
        ("[@{odd:key.1}]", (CiteItem("odd:key.1"),), False),
        ("[@doe:1999.x]", (CiteItem("doe:1999.x"),), False),
    ],
)
def test_pandoc_forms_are_recognised(
    source: str, items: tuple[CiteItem, ...], in_text: bool
) -> None:
    (citation,) = _cites(source)
    assert citation.items == items
    assert citation.in_text is in_text


@pytest.mark.parametrize(
    "source",
    [
        "Write to marsh@example.org today.",
        "Write to <marsh@example.org>.",
        "The handle `@marsh1998` in code.",
        "```\n[@marsh1998]\n```",
        "[a link](https://example.org/@marsh)",
        "[@marsh1998](https://example.org/)",
        "Escaped \\@marsh1998 stays text.",
        "A [plain bracket] and a footnote.[^1]\n\n[^1]: Note.",
        "Emails in brackets [write to a@b.org] stay text.",
        "A lone @ sign, and @ alone.",
        '<span title="@marsh1998">x</span>',
    ],
)
def test_not_citations(source: str) -> None:
    assert _cites(source) == []


def test_a_key_ends_before_trailing_punctuation() -> None:
    (citation,) = _cites("As @marsh1998. Then")
    assert citation.items[0].key == "marsh1998"


def test_citations_carry_their_markdown_line_and_a_line_offset() -> None:
    source = "Intro.\n\nA paragraph\nthat cites [@a] on its second line.\n\n- item @b\n"
    first, second = render_markdown(source, citations=_marker, line_offset=10).citations
    assert (first.line, second.line) == (14, 16)


def test_citations_in_footnotes_and_tables_are_found_too() -> None:
    source = "Text.[^1]\n\n| a | b |\n|---|---|\n| [@t] | x |\n\n[^1]: See [@n]."
    rendered = render_markdown(source, citations=_marker)
    assert sorted(c.items[0].key for c in rendered.citations) == ["n", "t"]
    assert "<cite>" in rendered.footnotes_html


def test_without_a_formatter_the_text_is_left_as_written() -> None:
    rendered = render_markdown("As [@marsh1998] and @marsh1998 say.")
    assert "[@marsh1998] and @marsh1998" in rendered.body_html
    assert rendered.citations == []


def test_a_citation_inside_link_text_stays_text() -> None:
    assert _cites("[see @marsh1998 here](https://example.org)") == []


def test_the_formatters_html_goes_where_the_citation_was() -> None:
    html = render_markdown("A [@a] and [@b].", citations=_marker).body_html
    assert "A <cite>0</cite> and <cite>1</cite>." in html


def test_a_huge_bracket_is_not_searched_beyond_its_limit() -> None:
    source = "[" + "x " * 50_000 + "@a]"
    (citation,) = _cites(source)  # the bare key is still an in-text citation
    assert citation.in_text and citation.items[0].key == "a"


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="@"), max_size=200
)


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_text_without_an_at_sign_never_cites(text: str) -> None:
    assert _cites(text) == []


@settings(max_examples=150, deadline=None)
@given(
    st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True),
    st.from_regex(r"[a-z]{1,8}(\.[a-z]{2,4}){1,2}", fullmatch=True),
)
def test_an_email_address_is_never_a_citation(user: str, domain: str) -> None:
    assert _cites(f"Mail {user}@{domain} now, or [ask {user}@{domain}].") == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True), min_size=1, max_size=5))
def test_every_key_of_a_bracketed_citation_is_found_in_order(keys: list[str]) -> None:
    (citation,) = _cites("[" + "; ".join(f"@{k}" for k in keys) + "]")
    assert [item.key for item in citation.items] == keys

"""core.anchoring: the passages of a rendered essay, a reader's selection checked against
them, and (further down) selections found again in a revised essay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.core.anchoring import (
    CONTEXT,
    MAX_QUOTE,
    NotInText,
    Passage,
    Selector,
    passages,
    select,
    whole,
)
from broadsheet.core.markdown import render_markdown

ESSAY = """The harbour master kept a ledger of every ship.

## The lamp

A *lamp* burned all night in the window,[^1] and the ledger lay open beneath it.

- A tight list item is part of no paragraph passage.
- Nor is this one.

> A quoted paragraph is a passage too.

The harbour master kept a ledger of every ship.

[^1]: The lamp was oil, not gas.

    A second paragraph of the same footnote.
[^2]: An unused note.
"""

BIBLIOGRAPHY = (
    '<ul class="references"><li id="ref-marsh1998" class="reference reference--book">'
    "Marsh, Edith. <em>A History of Harbours</em>. Bristol: Harbour Press, 1998.</li></ul>"
)


def _essay() -> list[Passage]:
    rendered = render_markdown(ESSAY)
    return passages(rendered.body_html, rendered.footnotes_html, BIBLIOGRAPHY)


def test_paragraphs_footnotes_and_references_in_document_order() -> None:
    found = _essay()
    ids = [p.id for p in found]
    assert [i.split("-")[0] for i in ids] == ["p", "p", "p", "p", "fn", "ref"]
    assert ids[-2:] == ["fn-1", "ref-marsh1998"]
    # The same text twice: the second paragraph's id says so (core/markdown.py).
    assert ids[3] == f"{ids[0]}-2"
    texts = [p.text for p in found]
    assert texts[0] == "The harbour master kept a ledger of every ship."
    assert texts[2] == "A quoted paragraph is a passage too."
    assert texts[-1] == "Marsh, Edith. A History of Harbours. Bristol: Harbour Press, 1998."


def test_footnote_numbers_and_back_links_are_not_words_of_a_passage() -> None:
    found = {p.id: p.text for p in _essay()}
    lamp = next(t for t in found.values() if t.startswith("A lamp"))
    assert lamp == "A lamp burned all night in the window, and the ledger lay open beneath it."
    # A footnote is one passage, its paragraphs included, without the ↩ back to the text.
    assert found["fn-1"] == "The lamp was oil, not gas. A second paragraph of the same footnote."
    assert "\u21a9" not in " ".join(found.values())


def test_text_is_nfc_with_whitespace_collapsed_and_empty_passages_left_out() -> None:
    html = (
        '<p id="p-1">Cafe\u0301 \n\t au   lait </p><p id="p-2">   </p>'
        '<p id="p-1">A forged second p-1</p><div id="intro">Not a passage</div>'
        '<section id="p-3"><p id="p-4">Inner</p> outer</section>'
    )
    assert passages(html, "", "  ") == [
        Passage("p-1", "Café au lait"),
        Passage("p-3", "Inner outer"),
    ]


def test_script_in_the_html_is_text_never_markup() -> None:
    found = passages('<p id="p-9">&lt;script&gt;alert(1)&lt;/script&gt; said so</p>')
    assert found == [Passage("p-9", "<script>alert(1)</script> said so")]


def test_select_takes_context_and_positions_from_the_text() -> None:
    found = _essay()
    lamp = found[1]
    chosen = select(
        found, passage=lamp.id, exact="  burned all\nnight ", prefix="forged", start=999
    )
    assert chosen == Selector(
        passage=lamp.id,
        exact="burned all night",
        prefix="A lamp ",
        suffix=" in the window, and the ledger l",
        start=7,
        end=23,
    )
    assert lamp.text[chosen.start : chosen.end] == chosen.exact
    assert len(chosen.suffix) == CONTEXT


def test_select_chooses_among_repeats_by_context_then_position() -> None:
    text = "the sea, the sea, and again the sea at last"
    texts = [Passage("p-a", text)]
    by_context = select(texts, passage="p-a", exact="the sea", prefix="again ", suffix=" at")
    assert by_context.start == text.index("again the sea") + len("again ")
    by_position = select(texts, passage="p-a", exact="the sea", start=10, end=17)
    assert by_position.start == 9
    first = select(texts, passage="p-a", exact="the sea")
    assert first.start == 0


@pytest.mark.parametrize(
    ("passage", "exact", "message"),
    [
        ("p-missing", "harbour", "not in the essay as it reads now"),
        ("<script>", "harbour", "not in the essay as it reads now"),
        ("fn-1", "harbour master", "not in that passage"),
        ("fn-1", "", "Select some words"),
        ("fn-1", " \n\t\u00a0 ", "Select some words"),
        ("fn-1", "oil" * 700, "at most 2,000 characters"),
        ("fn-1", "x" * 100_000, "at most 2,000 characters"),
        ("fn-1", "<script>alert(1)</script>", "not in that passage"),
    ],
)
def test_select_refuses_what_is_not_in_the_text(passage: str, exact: str, message: str) -> None:
    with pytest.raises(NotInText) as refused:
        select(_essay(), passage=passage, exact=exact)
    assert message in refused.value.message
    # The message never repeats what was submitted.
    assert "script" not in refused.value.message


def test_a_quote_of_exactly_max_quote_characters_is_accepted() -> None:
    text = "abcd " * MAX_QUOTE
    quote = text[1 : MAX_QUOTE + 1]  # ends with a letter, not a space
    chosen = select([Passage("p-a", text.strip())], passage="p-a", exact=quote)
    assert len(chosen.exact) == MAX_QUOTE
    with pytest.raises(NotInText):
        select([Passage("p-a", text.strip())], passage="p-a", exact=text[: MAX_QUOTE + 2])


@settings(max_examples=60, deadline=None)
@given(
    exact=st.text(max_size=40),
    prefix=st.text(max_size=80),
    suffix=st.text(max_size=80),
    start=st.one_of(st.none(), st.integers()),
)
def test_select_never_fails_but_with_not_in_text(
    exact: str, prefix: str, suffix: str, start: int | None
) -> None:
    texts = [Passage("p-a", "abc abc, a b c; the end")]
    try:
        chosen = select(
            texts, passage="p-a", exact=exact, prefix=prefix, suffix=suffix, start=start
        )
    except NotInText:
        return
    assert texts[0].text[chosen.start : chosen.end] == chosen.exact


def test_whole_quotes_the_passage_cut_at_a_word_boundary() -> None:
    short = Passage("p-a", "A short paragraph.")
    assert whole(short) == Selector("p-a", "A short paragraph.", "", "", 0, 18)
    long = Passage("p-b", " ".join(f"word{n}" for n in range(1_000)))
    cut = whole(long)
    assert len(cut.exact) <= MAX_QUOTE
    assert long.text.startswith(cut.exact + " ")
    assert cut.suffix == long.text[cut.end : cut.end + CONTEXT]
    assert select([long], passage="p-b", exact=cut.exact) == cut
    unbroken = Passage("p-c", "x" * 5_000)
    assert whole(unbroken).exact == "x" * MAX_QUOTE

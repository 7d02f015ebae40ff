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
    Relocation,
    Selector,
    passages,
    relocate,
    select,
    whole,
)
from broadsheet.core.markdown import render_markdown

ESSAY = """The harbour master kept a ledger of every ship.

## The lamp

A *lamp* burned all night in the window,[^1] and the ledger lay open beneath it.

- A tight list item is a passage of its own.
- So is this one:
  - and the item in it.

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
    assert [i.split("-")[0] for i in ids] == ["p"] * 6 + ["fn", "ref"]
    assert ids[-2:] == ["fn-1", "ref-marsh1998"]
    # The same text twice: the second paragraph's id says so (core/markdown.py).
    assert ids[5] == f"{ids[0]}-2"
    texts = [p.text for p in found]
    assert texts[0] == "The harbour master kept a ledger of every ship."
    # Tight list items that hold only their text; one holding a list is not a passage.
    assert texts[2:5] == [
        "A tight list item is a passage of its own.",
        "and the item in it.",
        "A quoted paragraph is a passage too.",
    ]
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


# relocate --------------------------------------------------------------------------------

LEDGER = (
    "The harbour master kept a ledger of every ship that came in, and of every ship that did not."
)
LAMP = "A lamp burned all night in the window, and the ledger lay open beneath it on the desk."
STORM = (
    "In the great storm of 1881 the boat did not come for six weeks, and the keepers rationed oil."
)
ENDING = (
    "What the journals almost never contain is a full narrative of a wreck in the keeper's voice."
)


def _render(*paragraphs: str, notes: tuple[str, ...] = ()) -> list[Passage]:
    """Paragraphs (and footnotes, cited in order from the first paragraph) through the real
    Markdown pipeline, as a published revision is."""
    body = list(paragraphs)
    if notes:
        body[0] += "".join(f"[^n{i}]" for i in range(len(notes)))
    source = "\n\n".join(body + [f"[^n{i}]: {note}" for i, note in enumerate(notes)])
    rendered = render_markdown(source + "\n")
    return passages(rendered.body_html, rendered.footnotes_html)


def _quote(texts: list[Passage], index: int, exact: str) -> Selector:
    return select(texts, passage=texts[index].id, exact=exact)


def _relocated(selector: Selector, old: list[Passage], new: list[Passage]) -> Relocation:
    [found] = relocate([selector], old, new)
    if found.selector is not None:  # whatever it says, it is what the new text says there
        passage = next(p for p in new if p.id == found.selector.passage)
        assert passage.text[found.selector.start : found.selector.end] == found.selector.exact
    return found


def test_an_unrevised_essay_keeps_every_anchor_intact() -> None:
    old = _render(LEDGER, LAMP, STORM, notes=("The lamp was oil.",))
    selectors = [whole(p) for p in old] + [_quote(old, 1, "the ledger")]
    found = relocate(selectors, old, list(old))
    assert [r.state for r in found] == ["intact"] * len(selectors)
    assert [r.selector for r in found] == selectors
    assert all(r.confidence == 1.0 for r in found)
    assert relocate([], old, old) == []


def test_a_moved_paragraph_keeps_its_id_and_its_anchors() -> None:
    old = _render(LEDGER, LAMP, STORM)
    new = _render(STORM, LEDGER, LAMP)
    found = _relocated(_quote(old, 1, "lay open beneath it"), old, new)
    assert found.state == "intact"
    assert found.selector == _quote(new, 2, "lay open beneath it")


def test_an_edit_elsewhere_in_the_paragraph_moves_the_anchor_with_its_words() -> None:
    old = _render(LEDGER, LAMP, STORM)
    new = _render(LEDGER, "At dusk the keeper lit it. " + LAMP, STORM)
    assert new[1].id != old[1].id  # an edited paragraph gets a new id
    found = _relocated(_quote(old, 1, "burned all night"), old, new)
    assert found.state == "moved"
    assert found.selector == _quote(new, 1, "burned all night")
    assert found.selector.prefix.endswith("it. A lamp ")


def test_a_lightly_edited_quote_is_found_with_its_new_words() -> None:
    old = _render(LEDGER, LAMP, STORM)
    new = _render(LEDGER, LAMP.replace("all night", "every night"), STORM)
    found = _relocated(_quote(old, 1, "A lamp burned all night in the window"), old, new)
    assert found.state == "edited"
    assert found.selector is not None
    assert found.selector.passage == new[1].id
    assert found.selector.exact == "A lamp burned every night in the window"
    assert 0.8 <= found.confidence < 1.0


def test_deleted_text_is_orphaned() -> None:
    old = _render(LEDGER, LAMP, STORM)
    sentence_gone = _render(LEDGER, "The desk was by the window.", STORM)
    paragraph_gone = _render(LEDGER, STORM)
    quote = _quote(old, 1, "burned all night in the window")
    assert _relocated(quote, old, sentence_gone) == Relocation("orphaned", None, 0.0)
    assert _relocated(quote, old, paragraph_gone).state == "orphaned"


def test_rewritten_words_are_orphaned_rather_than_guessed() -> None:
    old = _render(LEDGER, LAMP, STORM)
    new = _render(LEDGER, "A candle guttered by the glass, and the book lay shut beside it.", STORM)
    assert _relocated(_quote(old, 1, "A lamp burned all night"), old, new).state == "orphaned"
    # A short quote is found exactly or not at all.
    new = _render(LEDGER, LAMP.replace("lamp", "lantern"), STORM)
    assert _relocated(_quote(old, 1, "A lamp"), old, new).state == "orphaned"


def test_never_a_look_alike_when_its_own_paragraph_is_gone() -> None:
    old = _render(LEDGER, LAMP + " " + STORM, STORM + " The inspector was not told.", ENDING)
    # The paragraph quoted is deleted; the next one, which repeats the sentence, is edited.
    new = _render(LEDGER, STORM + " The inspector was never told.", ENDING)
    quote = _quote(old, 1, "the boat did not come for six weeks")
    assert _relocated(quote, old, new).state == "orphaned"
    # The same words in the other paragraph are that paragraph's, and stay with it.
    theirs = select(old, passage=old[2].id, exact="the boat did not come for six weeks")
    found = _relocated(theirs, old, new)
    assert found.state == "moved"
    assert found.selector is not None
    assert found.selector.passage == new[1].id


def test_never_a_new_paragraph_that_only_shares_the_quote() -> None:
    """The paragraph quoted is deleted and a new one elsewhere uses the same words in another
    context: it holds the quote, but nothing else of the old paragraph — not a descendant."""
    quoted = "Nobody kept the accounts, so every figure in the report is a guess by the clerk."
    lisbon = "In Lisbon, too: Nobody kept the accounts. Their harbour master wrote letters."
    old = _render(LEDGER, quoted, ENDING)
    new = _render(LEDGER, ENDING, lisbon)
    assert _relocated(_quote(old, 1, "Nobody kept the accounts"), old, new).state == "orphaned"
    # The same paragraph, edited around the quote and moved to the end, is still found.
    edited = "Nobody kept the accounts, so every figure in the report is the clerk's guess."
    found = _relocated(
        _quote(old, 1, "Nobody kept the accounts"), old, _render(LEDGER, ENDING, edited)
    )
    assert found.state == "moved"


def test_a_split_paragraph_keeps_each_anchor_in_its_half() -> None:
    old = _render(LEDGER, LAMP + " " + STORM, ENDING)
    new = _render(LEDGER, LAMP, STORM, ENDING)
    first = _relocated(_quote(old, 1, "lay open beneath it"), old, new)
    second = _relocated(_quote(old, 1, "rationed oil"), old, new)
    assert first.selector is not None and first.selector.passage == new[1].id
    assert second.selector is not None and second.selector.passage == new[2].id
    assert (first.state, second.state) == ("moved", "moved")


def test_merged_paragraphs_keep_the_anchors_of_both() -> None:
    old = _render(LEDGER, LAMP, STORM, ENDING)
    new = _render(LEDGER, LAMP + " " + STORM, ENDING)
    for index, exact in ((1, "lay open beneath it"), (2, "rationed oil")):
        found = _relocated(_quote(old, index, exact), old, new)
        assert found.selector is not None and found.selector.passage == new[1].id


def test_an_edited_paragraph_that_also_moved_is_found_by_its_words() -> None:
    old = _render(LEDGER, LAMP, STORM, ENDING)
    new = _render(LEDGER, STORM, ENDING, "At dusk the keeper lit it. " + LAMP)
    found = _relocated(_quote(old, 1, "the ledger lay open"), old, new)
    assert found.state == "moved"
    assert found.selector is not None and found.selector.passage == new[3].id


def test_the_same_words_twice_in_a_paragraph_keep_their_place() -> None:
    old = _render(LEDGER, LAMP)
    new = _render("The inspector called. " + LEDGER, LAMP)
    second = select(old, passage=old[0].id, exact="every ship", start=60)
    assert second.start == LEDGER.rindex("every ship")
    found = _relocated(second, old, new)
    assert found.selector is not None
    assert found.selector.start == new[0].text.rindex("every ship")


def test_footnotes_renumbered_or_edited() -> None:
    old = _render(
        LEDGER, LAMP, notes=("The lamp was oil, not gas.", "The ledger survives in Leith.")
    )
    # A note added first renumbers the others: fn-1 is now fn-2, and the same words.
    new = _render(LEDGER, LAMP, notes=("A new first note.", "The lamp was oil, not gas.",
                                       "The ledger survives, damaged, in Leith."))  # fmt: skip
    oil = _relocated(_quote(old, 2, "oil, not gas"), old, new)
    assert (oil.state, oil.selector and oil.selector.passage) == ("moved", "fn-2")
    leith = _relocated(_quote(old, 3, "The ledger survives in Leith."), old, new)
    assert leith.selector is not None and leith.selector.passage == "fn-3"
    assert leith.state == "edited"
    assert leith.selector.exact == "The ledger survives, damaged, in Leith."


def test_a_paragraph_never_moves_into_a_footnote() -> None:
    old = _render(LEDGER, LAMP, notes=("An unrelated note.",))
    new = _render(LEDGER, "The desk was by the window.", notes=(LAMP,))
    assert _relocated(_quote(old, 1, "burned all night"), old, new).state == "orphaned"


def test_a_selector_the_old_text_does_not_hold_is_orphaned() -> None:
    old = _render(LEDGER, LAMP)
    forged = Selector(old[1].id, "words never written", "", "", 0, 19)
    unknown = Selector("p-00000000", "A lamp", "", "", 0, 6)
    empty = Selector(old[1].id, "  ", "", "", 0, 2)
    found = relocate([forged, unknown, empty], old, old)
    assert [r.state for r in found] == ["orphaned"] * 3


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=0, max_value=3), max_size=3),
    edit=st.sampled_from(["", "keeper", "<b>x</b>", "ship ship ship"]),
    start=st.integers(min_value=0, max_value=60),
    length=st.integers(min_value=1, max_value=40),
)
def test_relocate_always_answers_with_the_new_texts_words(
    cuts: list[int], edit: str, start: int, length: int
) -> None:
    paragraphs = [LEDGER, LAMP, STORM, ENDING]
    old = _render(*paragraphs)
    exact = old[1].text[start : start + length].strip()
    if not exact:
        return
    selector = select(old, passage=old[1].id, exact=exact, start=start)
    revised = [p for i, p in enumerate(paragraphs) if i not in cuts]
    revised = [p.replace("ship", edit) if edit else p for p in revised]
    new = _render(*revised) if revised else []
    found = _relocated(selector, old, new)
    if 1 in cuts:
        assert found.selector is None or found.selector.passage in {p.id for p in new}
        assert found.selector is None or LAMP not in revised
    if found.state == "intact":
        assert found.selector == selector


def test_a_long_quote_with_a_few_words_changed_is_found() -> None:
    sentences = [f"Entry {n}: the keeper noted wind, sea and the lamp's hours." for n in range(40)]
    old = _render(LEDGER, " ".join(sentences), ENDING)
    quote = _quote(old, 1, old[1].text[20:1_900].strip())
    edited = (
        " ".join(sentences).replace("Entry 7:", "Entry seven:").replace("Entry 30:", "Item 30:")
    )
    new = _render(LEDGER, edited, ENDING)
    found = _relocated(quote, old, new)
    assert found.state == "edited"
    assert found.selector is not None and found.selector.passage == new[1].id
    assert "Entry seven:" in found.selector.exact and "Item 30:" in found.selector.exact
    assert abs(len(found.selector.exact) - len(quote.exact)) < 20


@pytest.mark.parametrize(
    "html",
    [
        "<",
        "&",
        "\x00",
        "plain text",
        "<!-- a comment -->",
        '<p id="p-">no hash</p><p id="fn-1 x">a space</p>',
        "<div>" * 5_000 + '<p id="p-2">deep</p>' + "</div>" * 5_000,
        '<p id="p-1">' + "x" * 1_000_000 + "</p>",
    ],
)
def test_passages_of_odd_html_never_fail(html: str) -> None:
    found = passages(html)
    assert all(p.id.startswith("p-") and p.text for p in found)

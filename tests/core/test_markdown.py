from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.core.markdown import render_inline_markdown, render_markdown
from tests.html_safety import assert_no_script

ESSAY = """Opening paragraph of the essay.

## Great Terror Revisited

A paragraph citing a source.[^1] And again.[^1]

### A smaller point

Another paragraph.[^note]

[^1]: First note.
[^note]: Second note, with *emphasis*.
"""


def _paragraph_ids(html: str) -> list[str]:
    return re.findall(r'<p id="(p-[0-9a-f-]+)"', html)


def test_footnotes_render_apart_from_the_body_with_back_links() -> None:
    rendered = render_markdown(ESSAY)
    assert 'href="#fn-1" id="fnref-1"' in rendered.body_html
    assert 'id="fnref-1-2"' in rendered.body_html
    assert "First note." not in rendered.body_html
    assert '<li id="fn-1">' in rendered.footnotes_html
    assert 'href="#fnref-1" class="footnote-backref"' in rendered.footnotes_html
    assert 'href="#fnref-1-2" class="footnote-backref"' in rendered.footnotes_html
    assert "<em>emphasis</em>" in rendered.footnotes_html


def test_headings_get_stable_anchors_and_build_the_table_of_contents() -> None:
    rendered = render_markdown(ESSAY)
    assert '<h2 id="great-terror-revisited">Great Terror Revisited</h2>' in rendered.body_html
    assert [(e.level, e.anchor, e.text) for e in rendered.toc] == [
        (2, "great-terror-revisited", "Great Terror Revisited"),
        (3, "a-smaller-point", "A smaller point"),
    ]


def test_a_level_one_heading_in_the_body_is_demoted_below_the_page_title() -> None:
    html = render_markdown("# Part one\n\n## Detail\n\ntext").body_html
    assert '<h2 id="part-one">' in html
    assert '<h3 id="detail">' in html
    assert "<h1" not in html


def test_every_paragraph_gets_an_id_that_survives_edits_elsewhere() -> None:
    before = render_markdown("First.\n\nSecond.\n\nThird.").body_html
    after = render_markdown("A new opening.\n\nFirst.\n\nSecond, edited.\n\nThird.").body_html
    ids_before, ids_after = _paragraph_ids(before), _paragraph_ids(after)
    assert len(ids_before) == 3 and len(set(ids_before)) == 3
    assert ids_before[0] == ids_after[1]  # "First." kept its id although a paragraph came before it
    assert ids_before[2] == ids_after[3]
    assert ids_before[1] != ids_after[2]  # the edited paragraph is a new passage


def test_repeated_paragraphs_get_distinct_ids() -> None:
    ids = _paragraph_ids(render_markdown("Same.\n\nSame.\n\nSame.").body_html)
    assert len(set(ids)) == 3


def test_smart_typography() -> None:
    html = render_markdown('He said "yes" -- then --- after a pause... it\'s done.').body_html
    assert "“yes”" in html
    assert "–" in html and "—" in html
    assert "…" in html
    assert "it’s" in html


def test_table_alignment_uses_classes_not_inline_styles() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |").body_html
    assert '<th class="align-left">a</th>' in html
    assert '<td class="align-right">2</td>' in html
    assert "style=" not in html


def test_undefined_footnote_is_reported_with_its_line() -> None:
    problems = render_markdown("Intro.\n\nA claim.[^missing]\n", line_offset=10).problems
    assert len(problems) == 1
    assert problems[0].line == 13
    assert "[^missing]" in problems[0].message


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<svg onload="alert(1)"><circle/></svg>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<form action="/steal"><input name=x></form>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
]
# Unclosed raw-text elements swallow what follows, in browsers as in the sanitizer: only safety is asserted.
MUTATION_XSS = [
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]


def test_hostile_html_in_a_post_body_keeps_only_safe_html() -> None:
    for snippet in HOSTILE:
        rendered = render_markdown(f"Before.\n\n{snippet}\n\nAfter.[^1]\n\n[^1]: {snippet}")
        assert_no_script(rendered.body_html)
        assert_no_script(rendered.footnotes_html)
        assert "Before." in rendered.body_html and "After." in rendered.body_html


def test_inline_markdown_for_bios_allows_links_but_nothing_dangerous() -> None:
    html = render_inline_markdown(
        'Studies *ports*. [Site](https://example.org) <script>x</script> <b onclick="x">b</b>'
    )
    assert "<em>ports</em>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow ugc noopener"' in html
    assert_no_script(html)


def test_mutation_xss_payloads_are_neutralised() -> None:
    for snippet in MUTATION_XSS:
        rendered = render_markdown(f"Before.\n\n{snippet}\n\nAfter.[^1]\n\n[^1]: {snippet}")
        assert_no_script(rendered.body_html)
        assert_no_script(rendered.footnotes_html)


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("<>\"'=/ &#;:[]()^*_-`!\nabcjsvrpticlofn")), max_size=200)
)
def test_any_input_renders_without_error_and_safely(source: str) -> None:
    rendered = render_markdown(source)
    assert_no_script(rendered.body_html)
    assert_no_script(rendered.footnotes_html)


def test_tight_list_items_get_ids_after_paragraphs_so_paragraph_ids_stay_put() -> None:
    plain = render_markdown("Keep the spelling.\n\nSeparate the data.\n")
    with_list = render_markdown(
        "- Keep the spelling.\n- A parent item\n  - its child\n\n"
        "Keep the spelling.\n\n1. loose\n\n   items\n\nSeparate the data.\n"
    )
    ids = _paragraph_ids(plain.body_html)
    # The paragraphs' ids are what they were without the list (the item's text repeats the
    # first paragraph's: the item, numbered after, is the second).
    assert _paragraph_ids(with_list.body_html)[0] == ids[0]
    assert _paragraph_ids(with_list.body_html)[-1] == ids[1]
    assert f'<li id="{ids[0]}-2">Keep the spelling.</li>' in with_list.body_html
    assert re.search(r'<li id="p-[0-9a-f]+">its child</li>', with_list.body_html)
    assert "<li>A parent item" in with_list.body_html  # holds a list: not a passage
    assert len(_paragraph_ids(with_list.body_html)) == 4  # loose items keep their <p> ids

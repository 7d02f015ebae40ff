"""Hypothesis strategies for hostile requests: arbitrary bytes, invalid UTF-8, repeated and
missing fields, huge values, and bodies that are not forms at all.

Property tests built on these hold behaviours, not pages: never a 500, and nothing stored when
the request is refused.
"""

from __future__ import annotations

from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

# Values that have broken parsers before: digits int() reads but isdigit() misjudges (or the
# reverse), numbers past any column, NUL, lone escapes, markup, right-to-left marks.
NASTY = [
    "", " ", "0", "-1", "00", " 1 ", "1.5", "1e9", "NaN", "inf", "0x10", "+1",
    "99999999999999999999", "9" * 400, "²", "１２", "١٢٣", "𝟗", "Ⅻ", "½",
    "\x00", "a\x00b", "%", "%ZZ", "%ff", "&", "=", "==", "\r\n", "\u2028", "\ufeff", "\u202e",
    "<script>alert(1)</script>", "javascript:alert(1)", "' OR 1=1 --", "{{ x }}",
    "on", "true", "false", "null", "[]", "{}", "../../etc/passwd", "https://example.org/",
    "reader@example.org", "a@b", "@", "é" * 70, "🎉" * 300,
]  # fmt: skip

HUGE = [b"x" * 70_001, "é".encode() * 40_000, b"9" * 100_000, b"\xff" * 200_000]

values: st.SearchStrategy[bytes] = st.one_of(
    st.sampled_from(NASTY).map(str.encode),
    st.binary(max_size=80),  # most of it is not UTF-8
    st.text(max_size=80).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.integers().map(lambda n: str(n).encode()),
    st.sampled_from(HUGE),
)


def _field(name: str, good: str) -> st.SearchStrategy[list[tuple[bytes, bytes]]]:
    """One field as a form may carry it: as sent, missing, replaced, or repeated."""
    key, value = name.encode(), good.encode()
    replaced = values.map(lambda bad: [(key, bad)])
    return st.one_of(
        st.just([(key, value)]),
        st.just([]),
        replaced,
        replaced,
        values.map(lambda bad: [(key, value), (key, bad)]),
        values.map(lambda bad: [(key, bad), (key, value)]),
    )


def _encode(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"&".join(
        quote_from_bytes(k).encode() + b"=" + quote_from_bytes(v).encode() for k, v in pairs
    )


def form_bodies(good: dict[str, str]) -> st.SearchStrategy[tuple[bytes, str]]:
    """(body, Content-Type): mostly the good form with fields changed, sometimes raw bytes."""
    changed = st.tuples(
        *(_field(name, value) for name, value in good.items()),
        st.lists(st.tuples(st.binary(max_size=12), values), max_size=3),  # fields nobody asked for
    ).map(lambda parts: _encode([pair for part in parts for pair in part]))
    raw = st.binary(max_size=600)  # the body needs not be a form at all
    content_types = st.sampled_from([
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data; boundary=hostile", "multipart/form-data", "application/json",
        "text/plain", "",
    ])  # fmt: skip
    form = st.tuples(changed, st.just("application/x-www-form-urlencoded"))
    return st.one_of(form, form, form, st.tuples(st.one_of(changed, raw), content_types))


def path_segments() -> st.SearchStrategy[str]:
    """What a link's token can be after tampering: any text without a slash, percent-encoded."""
    return st.one_of(
        st.text(min_size=1, max_size=120).filter(lambda s: "/" not in s),
        st.binary(min_size=1, max_size=120).map(lambda b: quote_from_bytes(b, safe="")),
        st.sampled_from(NASTY[1:]).map(lambda s: quote_from_bytes(s.encode(), safe="")),
    )

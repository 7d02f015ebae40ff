"""Parse HTML as a browser would and fail on anything that could run or restyle the page."""

from __future__ import annotations

from html.parser import HTMLParser


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def assert_no_script(html: str) -> None:
    """An essay body: relative links and images are fine; nothing that runs or restyles."""
    for tag, attrs in _elements(html):
        assert tag not in {
            "script",
            "style",
            "iframe",
            "form",
            "input",
            "svg",
            "math",
            "object",
            "embed",
        }, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in ("href", "src") and value:
                assert (
                    not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
                ), value


def assert_harmless(html: str) -> None:
    """Readers' comments: stricter still, links only to web, mail and this site's own pages."""
    for tag, attrs in _elements(html):
        assert tag not in {
            "script",
            "style",
            "iframe",
            "object",
            "embed",
            "svg",
            "math",
            "base",
            "meta",
            "link",
        }, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            assert name != "style", (tag, value)
            if name in ("href", "src", "action", "formaction") and value:
                assert (
                    value.strip()
                    .lower()
                    .startswith(("http://", "https://", "mailto:", "#", "/", "?"))
                ), value
                assert not value.startswith("//"), value

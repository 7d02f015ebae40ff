"""The little LaTeX that BibTeX values carry (accents, escaped characters, case-protecting
braces, dashes), read into plain text and written back.

Written here rather than taken from pylatexenc (which bibtexparser's LaTeX middleware uses):
pylatexenc took 3.6 ms for a 100-character title and 140 s for 870 KB, and exhausts the
recursion limit on deeply nested braces. This reads in one pass, in time linear in the text,
and leaves what it does not know as the text it was (a macro stays "\\name", never runs).
"""

from __future__ import annotations

import re
import unicodedata

_ESCAPED = set("&%$#_{}")
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "c": "\u0327", "v": "\u030c", "H": "\u030b", "u": "\u0306", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331", "t": "\u0361",
}  # fmt: skip
_SYMBOLS = {
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ",
    "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "textbackslash": "\\",
    "textasciitilde": "~", "textasciicircum": "^", "textless": "<", "textgreater": ">",
    "textbar": "|", "textunderscore": "_", "textendash": "–", "textemdash": "—",
    "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“",
    "textquotedblright": "”", "ldots": "…", "dots": "…", "textellipsis": "…", "S": "§",
    "P": "¶", "copyright": "©", "textcopyright": "©", "pounds": "£", "texteuro": "€",
    "euro": "€", "textdollar": "$", "textpercent": "%", "LaTeX": "LaTeX", "TeX": "TeX",
    "guillemotleft": "«", "guillemotright": "»", "textdegree": "°", "textperiodcentered": "·",
}  # fmt: skip
# Commands whose argument is the text itself: the command goes, its {argument} stays.
_WRAPPERS = {
    "emph", "textit", "textbf", "textsc", "textrm", "textsf", "texttt", "textup", "textsl",
    "textmd", "textnormal", "mkbibquote", "enquote", "mbox", "hbox", "NoCaseChange", "url",
    "path", "nolinkurl", "uppercase", "lowercase", "MakeUppercase", "MakeLowercase", "bibstring",
}  # fmt: skip
_SPACES = {" ", ",", ";", ":", "!", "\\", "quad", "qquad", "newline", "par", "space", "enspace"}
_LETTERS = re.compile(r"[A-Za-z]+")


def latex_to_text(value: str) -> str:
    """BibTeX's LaTeX → plain text: {\\"O}sterreich → Österreich, 84--90 → 84–90."""
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        char = value[i]
        if char == "\\":
            text, i = _command(value, i + 1)
            out.append(text)
            continue
        if char in "{}$":
            i += 1
            continue
        if char == "~":
            out.append(" ")
        elif value.startswith("---", i):
            out.append("—")
            i += 2
        elif value.startswith("--", i):
            out.append("–")
            i += 1
        elif value.startswith("``", i):
            out.append("“")
            i += 1
        elif value.startswith("''", i):
            out.append("”")
            i += 1
        else:
            out.append(char)
        i += 1
    return unicodedata.normalize("NFC", " ".join("".join(out).split()))


def _command(value: str, i: int) -> tuple[str, int]:
    """The text of the command starting after a backslash at `i`, and where reading goes on."""
    if i >= len(value):
        return "\\", i
    char = value[i]
    if char in _ESCAPED:
        return char, i + 1
    if char in _ACCENTS and not char.isalpha():
        return _accent(value, i + 1, _ACCENTS[char])
    if char in _SPACES:
        return " ", i + 1
    if char in "-/@":
        return "", i + 1
    match = _LETTERS.match(value, i)
    if match is None:
        return char, i + 1
    name, end = match.group(), match.end()
    if name in _ACCENTS and end < len(value) and (value[end] in "{ " or len(name) == 1):
        return _accent(value, end, _ACCENTS[name])
    while end < len(value) and value[end] == " ":
        end += 1  # spaces after a command word end it; they are not text (\\ss x is ßx)
    if name in _SYMBOLS:
        return _SYMBOLS[name], end + 2 if value.startswith("{}", end) else end
    if name in _WRAPPERS or name in _SPACES:
        return ("" if name in _WRAPPERS else " "), end
    return "\\" + name + (" " if end > match.end() else ""), end


def _accent(value: str, i: int, mark: str) -> tuple[str, int]:
    """An accent on the next letter: \\"o, \\"{o}, \\c c, \\'{\\i}."""
    while i < len(value) and value[i] == " ":
        i += 1
    if i >= len(value):
        return "", i
    if value[i] == "{":
        close = value.find("}", i + 1, i + 12)
        if close == -1:
            return "", i  # not a short argument: the brace is read as a brace
        base = latex_to_text(value[i + 1 : close])
        i = close + 1
    elif value.startswith(("\\i", "\\j"), i) and not value[i + 2 : i + 3].isalpha():
        base, i = value[i + 1], i + 2  # \\'\\i: the accent replaces the dot
    elif value[i] == "\\":
        return "", i  # an accent on a command: the command is read on its own
    else:
        base, i = value[i], i + 1
    if not base:
        return mark.strip(), i
    base = base.replace("ı", "i").replace("ȷ", "j")
    return unicodedata.normalize("NFC", base[0] + mark) + base[1:], i


_TO_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')")


def text_to_latex(value: str, *, ligatures: bool = False) -> str:
    """Plain text → a BibTeX value read back as the same text (UTF-8 letters stay as they are;
    '--' is written '-{}-' so it stays two hyphens, unless `ligatures`: page ranges)."""
    escaped = "".join(_TO_LATEX.get(char, char) for char in value)
    return escaped if ligatures else _LIGATURE.sub("{}", escaped)

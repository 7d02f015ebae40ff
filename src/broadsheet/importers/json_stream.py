"""Reading a large JSON document one piece at a time.

The standard library parses a whole document at once. An export's top level is an object of a
few small values and a few long arrays; this reader walks that object and hands out each array
element as it is parsed (with `json.JSONDecoder.raw_decode` on a buffer refilled as needed),
so memory holds one record, not the file. Errors name the line where the document broke.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterator
from typing import IO, Any

from broadsheet.importers.progress import ImportProblem

_WHITESPACE = " \t\n\r"
_CHUNK = 1 << 16


class JsonStream:
    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.decoder = json.JSONDecoder()
        self.text_decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.bytes_read = 0
        self.lines_dropped = 0  # newlines in the part of the buffer already thrown away
        self.sha256 = hashlib.sha256()

    # Buffer ------------------------------------------------------------------------------

    def _fill(self, at_least: int = _CHUNK) -> bool:
        if self.eof:
            return False
        data = self.raw.read(max(at_least, _CHUNK))
        self.bytes_read += len(data)
        self.sha256.update(data)
        try:
            text = self.text_decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise ImportProblem(
                f"near byte {self.bytes_read - len(data)}: the file is not UTF-8 text, so it is "
                "not a Broadsheet export (those are always UTF-8)."
            ) from None
        if not data:
            self.eof = True
        if self.pos > _CHUNK:
            self.lines_dropped += self.buffer.count("\n", 0, self.pos)
            self.buffer = self.buffer[self.pos :]
            self.pos = 0
        self.buffer += text
        return bool(data)

    def line(self) -> int:
        return self.lines_dropped + self.buffer.count("\n", 0, self.pos) + 1

    def _peek(self) -> str:
        """The next character that is not white space, or "" at the end of the file."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._fill():
                return ""

    def _expect(self, wanted: str, what: str) -> None:
        found = self._peek()
        if found != wanted:
            self._broken(f"expected {what}, found {_shown(found)}")
        self.pos += 1

    def _broken(self, what: str) -> None:
        if self.eof and self.pos >= len(self.buffer):
            raise ImportProblem(
                f"line {self.line()}: the file ends in the middle of the document: it was cut "
                "short. Nothing was imported; export the site again and import the new file."
            )
        raise ImportProblem(
            f"line {self.line()}: the JSON is broken ({what}). Nothing was imported; export "
            "the site again, or correct the file at that line."
        )

    # Values ------------------------------------------------------------------------------

    def value(self) -> Any:
        """One whole JSON value: read more of the file until it is complete."""
        if not self._peek():
            self._broken("expected a value")
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                # Only a value cut off by the end of what was read so far can be completed by
                # reading on; a mistake in the middle is reported without reading the rest.
                cut_off = error.pos >= len(self.buffer) - 6 or error.msg.startswith(
                    "Unterminated string"
                )
                if cut_off and self._fill(len(self.buffer) - self.pos):
                    continue
                self.pos = len(self.buffer) if cut_off else error.pos
                self._broken(error.msg)
                raise  # not reached: _broken raises
            # A number at the end of what was read may go on in the next piece of the file.
            if end == len(self.buffer) and self._fill():
                continue
            self.pos = end
            return value

    def members(self) -> Iterator[tuple[str, bool]]:
        """The top-level object's keys, in file order, with whether an array follows.

        After each key the caller reads its value: `value()`, or `elements()` for an array.
        """
        self._expect("{", "{ at the start of the document")
        if self._peek() == "}":
            self.pos += 1
        else:
            while True:
                key = self.value()
                if not isinstance(key, str):
                    self._broken("expected a key in double quotes")
                self._expect(":", "':' after a key")
                yield key, self._peek() == "["
                following = self._peek()
                if following == "}":
                    self.pos += 1
                    break
                if following != ",":
                    self._broken(f"expected ',' or '}}', found {_shown(following)}")
                self.pos += 1
        if self._peek():
            self._broken("there is more text after the end of the document")

    def elements(self) -> Iterator[Any]:
        self._expect("[", "[")
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            following = self._peek()
            self.pos += 1
            if following == "]":
                return
            if following != ",":
                self.pos -= 1
                self._broken(f"expected ',' or ']', found {_shown(following)}")


def _shown(character: str) -> str:
    return repr(character) if character else "the end of the file"

"""What an import or export tells the person running it: a progress line while it works and a
closing report of what was done, skipped (with reasons) and warned about."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, TextIO


@dataclass
class ImportReport:
    """Counts by kind ("posts", "comments", …) and the reasons things were left out."""

    imported: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)  # "item 12 (post 42): unknown post type 'x'"
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    # What happened, when the counts alone would mislead (an importer's own first line), and
    # what the person running it should know before the lists.
    headline: str = ""
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, *, new: bool = True) -> None:
        (self.imported if new else self.unchanged)[kind] += 1

    def skip(self, where: str, why: str) -> None:
        self.skipped.append(f"{where}: {why}")

    def warn(self, where: str, what: str) -> None:
        self.warnings.append(f"{where}: {what}")

    @property
    def changed_nothing(self) -> bool:
        return not sum(self.imported.values())

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        out = []
        if self.headline:
            out.append(self.headline)
        elif self.changed_nothing and self.unchanged:
            out.append(
                f"Nothing to change: everything in the file is already here "
                f"({_counts(self.unchanged)})."
            )
        elif self.changed_nothing:
            # Not "already here": nothing of the file is here at all.
            nothing = "Nothing would be imported" if self.dry_run else "Nothing was imported"
            out.append(
                f"{nothing}: everything in the file was left out (see Skipped)."
                if self.skipped
                else f"{nothing}: the file holds nothing to import."
            )
        else:
            out.append(f"{verb} {_counts(self.imported)}.")
            if self.unchanged:
                out.append(f"Already here, unchanged: {_counts(self.unchanged)}.")
        out.extend(self.notes)
        if self.skipped:
            out.append(f"Skipped {len(self.skipped)}:")
            out.extend(f"  - {line}" for line in self.skipped)
        if self.warnings:
            out.append(f"Warnings ({len(self.warnings)}):")
            out.extend(f"  - {line}" for line in self.warnings)
        return out


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{n:,} {kind}" for kind, n in counter.items() if n)


class Progress:
    """A bar with counts and an ETA on a terminal; a plain line every few seconds otherwise.

    `total` is in the caller's unit (bytes read of the file, or items); `done` moves forward.
    """

    def __init__(
        self,
        *,
        label: str,
        total: int | None,
        stream: TextIO | None = None,
        interval: float | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval if interval is not None else (0.2 if self.tty else 5.0)
        self.started = time.monotonic()
        self._last = 0.0
        self.done = 0
        self.counts: Counter[str] = Counter()

    def update(self, done: int | None = None, **counts: int) -> None:
        if done is not None:
            self.done = done
        self.counts.update(counts)
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._draw(final=False)

    def finish(self) -> None:
        if self.total is not None:
            self.done = self.total
        self._draw(final=True)

    def _draw(self, *, final: bool) -> None:
        elapsed = time.monotonic() - self.started
        counts = ", ".join(f"{n:,} {k}" for k, n in self.counts.items())
        if self.total:
            fraction = min(1.0, self.done / self.total)
            eta = (elapsed / fraction - elapsed) if 0 < fraction < 1 else 0.0
            where = f"{fraction:6.1%}"
            tail = f"{elapsed:5.0f} s" if final else f"ETA {eta:4.0f} s"
        else:
            fraction, where, tail = 0.0, "", f"{elapsed:5.0f} s"
        if self.tty:
            width = 24
            filled = int(fraction * width)
            bar = f"[{'#' * filled}{'.' * (width - filled)}] " if self.total else ""
            self.stream.write(f"\r{self.label}: {bar}{where} {counts} {tail}\033[K")
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(f"{self.label}: {where} {counts} {tail}".replace("  ", " ") + "\n")
        self.stream.flush()


class ImportProblem(Exception):
    """A file that cannot be imported: the message names the place in it and what to do."""


class CountingReader:
    """A file wrapper that knows how far a parser has read, for the progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.position += len(chunk)
        return chunk

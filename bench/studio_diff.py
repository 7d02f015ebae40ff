"""The diff of two versions of a 10,000-word essay with 100 references: target ≤ 100 ms.

    .venv/bin/python bench/studio_diff.py [--words 10000] [--runs 30]

Two versions of one essay are made (fixed seed): the second has words changed in about a
fifth of its paragraphs, a paragraph inserted, one deleted, two moved, the title and excerpt
edited and three references changed. Timed, in this process, with no database:

- `revisions_compare` (title, excerpt, body, references, escaped HTML rows for both views);
- baselines in the same run: difflib's `unified_diff` over the body's lines (what a line diff
  costs: the floor) and one `SequenceMatcher` over every word of the body (a naive word diff).

Printed: median and p95 in ms for each, and each baseline's ratio to the compare. Exits
non-zero when the compare's p95 is over 100 ms.
"""

from __future__ import annotations

import argparse
import difflib
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

TARGET_MS = 100.0
_VOCABULARY = [
    "harbour",
    "tide",
    "ledger",
    "lamp",
    "merchant",
    "archive",
    "letter",
    "voyage",
    "cargo",
    "customs",
    "clerk",
    "quay",
    "ship",
    "river",
    "estuary",
    "census",
    "parish",
    "account",
    "record",
    "salt",
    "timber",
    "coal",
    "wool",
    "ledgerbook",
    "warehouse",
    "the",
    "a",
    "of",
    "and",
    "in",
    "to",
    "that",
    "was",
    "which",
    "with",
    "for",
    "as",
    "by",
    "on",
    "from",
    "at",
    "his",
    "her",
    "their",
    "it",
    "this",
    "historian",
    "argues",
    "source",
    "evidence",
    "claim",
    "reading",
    "century",
    "port",
    "trade",
    "crew",
    "captain",
    "pilot",
]


def essay(words: int, rng: random.Random) -> list[str]:
    paragraphs = []
    while sum(len(p.split()) for p in paragraphs) < words:
        length = rng.randint(60, 140)
        text = " ".join(rng.choice(_VOCABULARY) for _ in range(length))
        paragraphs.append(text[0].upper() + text[1:] + ".")
        if len(paragraphs) % 12 == 0:
            paragraphs.append(f"## Section {len(paragraphs) // 12}")
    return paragraphs


def revised(paragraphs: list[str], rng: random.Random) -> list[str]:
    out = list(paragraphs)
    for index in rng.sample(range(len(out)), len(out) // 5):
        words = out[index].split()
        for _ in range(rng.randint(1, 6)):
            words[rng.randrange(len(words))] = rng.choice(_VOCABULARY)
        out[index] = " ".join(words)
    out.insert(len(out) // 3, "A new paragraph, <script>alert('added')</script> & more.")
    del out[len(out) // 2]
    moved = out.pop(10), out.pop(40)
    out.extend(moved)
    return out


def references(count: int, rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "id": f"ref{n}",
            "type": "book",
            "author": [{"family": rng.choice(_VOCABULARY).title(), "given": "A."}],
            "title": " ".join(rng.choice(_VOCABULARY) for _ in range(6)),
            "publisher": "Harbour Press",
            "issued": {"date-parts": [[1900 + n]]},
        }
        for n in range(count)
    ]


def timed(run: Callable[[], object], runs: int) -> list[float]:
    run()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
    import django

    django.setup()
    from broadsheet.publishing.compare import revisions_compare
    from broadsheet.publishing.models import Revision

    rng = random.Random(15)
    before = essay(args.words, rng)
    after = revised(before, rng)
    refs_before = references(100, rng)
    refs_after = [dict(item) for item in refs_before]
    for index in (3, 50, 97):
        refs_after[index]["title"] += " revised"
    old = Revision(title="On harbours", excerpt="An essay.", body="\n\n".join(before),
                   references=refs_before)  # fmt: skip
    new = Revision(title="On harbours, revised", excerpt="An essay, revised.",
                   body="\n\n".join(after), references=refs_after)  # fmt: skip
    found = revisions_compare(old, new)
    print(
        f"essay: {len(old.body.split())} → {len(new.body.split())} words, "
        f"{len(before)} paragraphs, 100 references; diff: +{found.added} −{found.removed} words"
    )

    body_lines = (old.body.splitlines(), new.body.splitlines())
    body_words = (old.body.split(), new.body.split())
    results = {
        "revisions_compare": timed(lambda: revisions_compare(old, new), args.runs),
        "baseline difflib.unified_diff (lines)": timed(
            lambda: list(difflib.unified_diff(*body_lines)), args.runs
        ),
        "baseline SequenceMatcher (all words)": timed(
            lambda: difflib.SequenceMatcher(None, *body_words, autojunk=False).get_opcodes(),
            max(3, args.runs // 10),
        ),
    }
    ours = statistics.median(results["revisions_compare"])
    for name, times in results.items():
        median = statistics.median(times)
        print(
            f"{name:42s} median {median:8.2f} ms  p95 {p95(times):8.2f} ms  "
            f"ratio to compare {median / ours:6.2f}"
        )
    worst = p95(results["revisions_compare"])
    verdict = "ok" if worst <= TARGET_MS else "OVER"
    print(f"target: compare p95 ≤ {TARGET_MS:.0f} ms — {worst:.2f} ms {verdict}")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

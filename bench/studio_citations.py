"""The studio's live preview of a long, densely cited essay (publishing.services.post_render).

    .venv/bin/python bench/studio_citations.py [--runs 100]

A 10,000-word essay citing 150 times (bracketed with and without locators, grouped, in-text,
author suppressed) from 100 references (two pairs of namesakes, so "1998a/b" are worked out),
rendered as the studio's preview renders it: an unsaved post with unsaved references, in
Chicago author–date, against a fresh SQLite database in a temporary folder (the preview asks
the database about library images only).

Printed, each as a median and p95 of `--runs`:

- baseline: the same essay with the citations taken out and no references (Markdown alone);
- cold: the first preview of the essay in a fresh process (every entry and citation form goes
  through citeproc-py once);
- warm: the preview again (what the writer sees while typing: entries kept in the memo);
- warm, shared cache only: the process memo emptied before each run (another worker: the
  entries come from the cache backend);
- a reference added: one new reference cited once (only it is formatted).

Target (issue 15): warm preview p95 ≤ 60 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_MS = 60.0
WORDS = 10_000
CITATIONS = 150
REFERENCES = 100

_VOCABULARY = [
    "the",
    "keeper",
    "wrote",
    "lamp",
    "oil",
    "weather",
    "wind",
    "journal",
    "harbour",
    "storm",
    "boat",
    "light",
    "night",
    "tide",
    "coast",
    "record",
    "entry",
    "inspector",
    "station",
    "family",
    "household",
    "reef",
    "barque",
    "pressure",
    "glass",
    "wick",
    "fog",
]


def _setup(data_dir: Path) -> None:
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _references() -> list[Any]:
    from broadsheet.publishing.models import Reference

    kinds = ["book", "chapter", "article-journal", "webpage", "report"]
    refs = []
    for i in range(REFERENCES):
        family = f"Author{i // 2 if i < 4 else i}"  # 0/1 and 2/3 share author and year
        year = "1998" if i < 4 else str(1900 + i)
        refs.append(
            Reference(
                key=f"ref{i}",
                kind=kinds[i % len(kinds)],
                title=f"A Study of Harbours and Lights, Part {i}",
                container_title="Journal of Coastal History" if i % 5 == 2 else "",
                contributors={"author": [{"family": family, "given": "Edith"}]},
                publisher="Harbour Press",
                place="Bristol",
                issued=year,
                volume=str(i % 30 + 1),
                pages=f"{i + 10}–{i + 30}",
                url=f"https://example.org/{i}" if i % 5 == 3 else "",
            )
        )
    return refs


def _citation(i: int) -> str:
    key = f"ref{i % REFERENCES}"
    forms = [
        f"[@{key}]",
        f"[@{key}, {i % 300 + 1}]",
        f"[see @{key}; @ref{(i + 7) % REFERENCES}, chap. 2]",
        f"@{key}",
        f"[-@{key}, p. {i % 40 + 1}]",
    ]
    return forms[i % len(forms)]


def _essay(*, cited: bool) -> str:
    rng = random.Random(15)
    paragraphs, words, cites = [], 0, 0
    section = 0
    while words < WORDS:
        if words // 800 > section:
            section += 1
            paragraphs.append(f"## Section {section}")
        sentence_words = [rng.choice(_VOCABULARY) for _ in range(100)]
        text = " ".join(sentence_words).capitalize() + "."
        if cited and cites < CITATIONS:
            text = text[:-1] + " " + _citation(cites) + "."
            cites += 1
            if cites < CITATIONS and cites % 3:
                text += f" As {_citation(cites)} shows, the record holds."
                cites += 1
        paragraphs.append(text)
        words += 100
    return "\n\n".join(paragraphs)


def _samples(
    run: Callable[[], Any], runs: int, before: Callable[[], None] | None = None
) -> list[float]:
    samples = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _figures(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder))
        from broadsheet.publishing import csl
        from broadsheet.publishing.citing import _memo
        from broadsheet.publishing.models import Post
        from broadsheet.publishing.services import post_render

        refs, cited_body, plain_body = _references(), _essay(cited=True), _essay(cited=False)

        def preview(body: str, references: list[Any]) -> list[str]:
            post = Post(title="Bench", body=body)
            return post_render(post=post, references=references)

        problems = preview(cited_body, refs)  # cold, counted below again in a fresh memo
        _memo.clear()
        from django.core.cache import cache

        cache.clear()
        calls = csl.calls.count
        start = time.perf_counter()
        problems = preview(cited_body, refs)
        cold_ms = (time.perf_counter() - start) * 1000
        cold_calls = csl.calls.count - calls
        unused = [p for p in problems if "never cited" in p]
        post = Post(title="Bench", body=cited_body)
        post_render(post=post, references=refs)
        print(
            f"essay: {post.word_count} words, {cited_body.count('@')} citation keys, "
            f"{len(refs)} references ({len(unused)} never cited, listed only if uncited), "
            f"problems: {len(problems) - len(unused)}"
        )

        base = _figures(_samples(lambda: preview(plain_body, []), args.runs))
        warm = _figures(_samples(lambda: preview(cited_body, refs), args.runs))
        shared = _figures(
            _samples(lambda: preview(cited_body, refs), max(10, args.runs // 5), _memo.clear)
        )
        grown = [*refs]
        from broadsheet.publishing.models import Reference

        def add_one() -> None:
            grown.append(
                Reference(key=f"new{len(grown)}", title=f"New {len(grown)}", issued="2020")
            )

        added = _figures(
            _samples(
                lambda: preview(cited_body + f" [@new{len(grown) - 1}]", grown),
                max(10, args.runs // 10),
                add_one,
            )
        )
        print(
            f"baseline (no citations, no references): median {base[0]:.1f} ms, p95 {base[1]:.1f} ms"
        )
        print(f"cold (fresh memo and cache): {cold_ms:.0f} ms, {cold_calls} citeproc runs")
        for name, (median, p95) in (
            ("warm preview", warm),
            ("warm, shared cache only", shared),
            ("a reference added", added),
        ):
            print(
                f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms "
                f"({median / base[0]:.2f}× / {p95 / base[1]:.2f}× baseline)"
            )
        ok = warm[1] <= TARGET_MS
        print(f"target warm p95 ≤ {TARGET_MS:g} ms: {'met' if ok else 'MISSED'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

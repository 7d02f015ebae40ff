"""Render the demo essay page repeatedly, without and with the page cache; time and queries.

    .venv/bin/python bench/post_page.py [--runs 300]

Runs in-process through the whole middleware stack with Django's test client, against a fresh
SQLite database in a temporary folder. The baseline, measured in the same run, is a trivial
view (the identicon SVG) through the same stack: the ratio is what the essay page costs on
top of Django itself, which stays comparable on a noisy, shared machine. Every timed response
is checked to be what its row says (rendered, or a page-cache hit): the run stops otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measured import Served, expect


def _setup(data_dir: Path) -> None:
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", verbosity=0)


def _measure(fetch: Callable[[], Any], runs: int, served: Served, what: str) -> list[float]:
    for _ in range(20):  # warm up: template loading, connection, caches of the interpreter
        fetch()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = fetch()
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        expect(response.headers, served, what)
    return samples


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from broadsheet.publishing.models import Post

        client = Client()
        essay = Post.objects.get(slug="the-ledger-and-the-lamp")
        url = essay.get_absolute_url()
        baseline_url = "/identicon/" + "0" * 32 + ".svg"
        from django.conf import settings

        settings.PAGE_CACHE = False  # every request renders (the baseline view included)
        baseline = _measure(lambda: client.get(baseline_url), args.runs, "rendered", "baseline")
        page = _measure(lambda: client.get(url), args.runs, "rendered", "essay, rendered")
        settings.PAGE_CACHE = True  # anonymous readers get the stored page
        cached = _measure(lambda: client.get(url), args.runs, "hit", "essay, page cache hit")
        settings.PAGE_CACHE = False
        with CaptureQueriesContext(connection) as queries:  # after the warm-up: settings cached
            size = len(client.get(url).content)

        rows = [
            ("baseline (trivial view)", baseline),
            ("demo essay, rendered", page),
            ("demo essay, page cache hit", cached),
        ]
        print(f"{'page':48} {'median ms':>10} {'p95 ms':>8}")
        for name, samples in rows:
            print(f"{name:48} {statistics.median(samples):10.2f} {_p95(samples):8.2f}")
        print(
            f"essay page: {len(queries.captured_queries)} queries, {size:,} bytes, {essay.references.count()} references, "
            f"{essay.footnotes_html.count('<li id=')} footnotes"
        )
        print(
            f"cache hit: median {statistics.median(cached) / statistics.median(baseline):.1f}x baseline, "
            f"{statistics.median(page) / statistics.median(cached):.0f}x faster than rendering"
        )
        print(
            f"ratio essay/baseline: median {statistics.median(page) / statistics.median(baseline):.1f}x, "
            f"p95 {_p95(page) / _p95(baseline):.1f}x  ({args.runs} runs each, Python {sys.version.split()[0]})"
        )


if __name__ == "__main__":
    main()

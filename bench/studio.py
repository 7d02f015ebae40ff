"""The studio's autosave and live preview, through the whole request stack (no page cache).

    .venv/bin/python bench/studio.py [--runs 200]

In-process with Django's test client, signed in as the essay's Author, against a fresh SQLite
database in a temporary folder. The essay is bench/studio_citations.py's: 10,000 words, 150
citations, 100 stored references (Chicago author–date). Each request is what the editor's
script sends: the whole form (title, excerpt, body and the side panel's fields).

Printed, each as a median and p95 of `--runs`, and as a ratio to its baseline measured in the
same rounds (rounds alternate the requests, so a noisy neighbour slows them alike):

- autosave of the essay's text; baseline: an autosave of one word (the request stack alone);
- preview of the essay; baseline: a preview of the same essay with the citations taken out
  and no references (Markdown alone).

Targets (issue 15): autosave p95 ≤ 20 ms, preview p95 ≤ 60 ms. Exits non-zero if missed.

Then, each in a process of its own (their own settings and memory figures), the issue's other
two studio targets with their own baselines: bench/studio_diff.py (diff of two versions of the
essay ≤ 100 ms) and bench/studio_images.py (variants of a 24-megapixel JPEG ≤ 3 s, ≤ 300 MB).
`--only requests` skips them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measured import expect
from studio_citations import _essay, _figures, _references, _setup

AUTOSAVE_TARGET_MS = 20.0
PREVIEW_TARGET_MS = 60.0


def _post(author: Any, body: str, references: list[Any], slug: str) -> Any:
    from broadsheet.publishing.models import Post
    from broadsheet.publishing.services import post_save

    post = post_save(
        post=Post(title="On harbours and their lights", slug=slug, body=body), authors=[author]
    )
    for position, reference in enumerate(references):
        reference.post, reference.position = post, position
        reference.save()
    post.refresh_from_db()
    return post


def _timed(client: Any, url: str, data: dict[str, Any], what: str) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        response = client.post(url, data)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (what, response.status_code)
        expect(response.headers, "rendered", what)
        return elapsed

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--only", choices=["requests", "diff", "images"])
    args = parser.parse_args(argv)
    ok = True
    if args.only in (None, "requests"):
        ok = _requests(args.runs)
    for part in ("diff", "images"):
        if args.only in (None, part):
            print(f"\n--- bench/studio_{part}.py", flush=True)
            script = Path(__file__).resolve().parent / f"studio_{part}.py"
            ok = subprocess.run([sys.executable, str(script)], check=False).returncode == 0 and ok
    return 0 if ok else 1


def _requests(runs: int) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder))
        from django.conf import settings
        from django.contrib.auth.models import Group
        from django.test import Client

        from broadsheet.accounts.models import User
        from broadsheet.studio.models import Autosave

        settings.PAGE_CACHE = False  # every request is answered by the view
        settings.ALLOWED_HOSTS = ["testserver"]
        author = User.objects.create_user("bench-author", "bench@example.org", "x" * 20)
        author.groups.add(Group.objects.get(name="Author"))
        author = User.objects.get(pk=author.pk)  # staff now (accounts.signals)
        cited, plain = _essay(cited=True), _essay(cited=False)
        essay = _post(author, cited, _references(), "cited")
        bare = _post(author, plain, [], "plain")
        client = Client()
        client.force_login(author)

        def form(post: Any, body: str) -> dict[str, Any]:
            return {"title": post.title, "excerpt": "", "body": body, "status": "draft",
                    "slug": post.slug, "based_on": str(post.revision), "tags": "",
                    "published_at": "", "featured_image": ""}  # fmt: skip

        requests = {
            "autosave baseline (one word)": _timed(
                client, f"/studio/posts/{bare.pk}/autosave/", form(bare, "word"), "autosave"
            ),
            "autosave of the essay": _timed(
                client, f"/studio/posts/{essay.pk}/autosave/", form(essay, cited), "autosave"
            ),
            "preview baseline (no citations)": _timed(
                client, f"/studio/posts/{bare.pk}/preview/", form(bare, plain), "preview"
            ),
            "preview of the essay": _timed(
                client, f"/studio/posts/{essay.pk}/preview/", form(essay, cited), "preview"
            ),
        }
        for run in requests.values():  # warm: the citation memo, the templates, the session
            for _ in range(3):
                run()
        samples: dict[str, list[float]] = {name: [] for name in requests}
        for _ in range(runs):
            for name, run in requests.items():
                samples[name].append(run())
        assert Autosave.objects.get(post=essay).body == cited  # autosaved, not the post
        figures = {name: _figures(found) for name, found in samples.items()}
        print(f"essay: {essay.word_count} words, {cited.count('@')} citation keys, "
              f"{essay.references.count()} references; {runs} rounds")  # fmt: skip
        for name, (median, p95) in figures.items():
            print(f"{name:<34} median {median:6.2f} ms   p95 {p95:6.2f} ms")
        ok = True
        for name, base, target in (
            ("autosave of the essay", "autosave baseline (one word)", AUTOSAVE_TARGET_MS),
            ("preview of the essay", "preview baseline (no citations)", PREVIEW_TARGET_MS),
        ):
            (median, p95), (base_median, base_p95) = figures[name], figures[base]
            met = p95 <= target
            ok = ok and met
            print(f"{name}: {median / base_median:.2f}× baseline median, "
                  f"{p95 / base_p95:.2f}× baseline p95; target p95 ≤ {target:g} ms: "
                  f"{'met' if met else 'MISSED'}")  # fmt: skip
        return ok


if __name__ == "__main__":
    sys.exit(main())

"""bench/compare_isso.py's own logic, without the package index or a server: which comments of
the peer's export it loads into Isso, and how it judges the figures against the targets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from compare_isso import Result, Weight, report, thread_from_wxr

WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<item><wp:post_name>other</wp:post_name>
 <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_approved>1</wp:comment_approved></wp:comment>
</item>
<item><wp:post_name>the-post</wp:post_name>
 <wp:comment><wp:comment_id>9</wp:comment_id><wp:comment_parent>4</wp:comment_parent>
  <wp:comment_author>Ana</wp:comment_author><wp:comment_author_email>ana@example.org</wp:comment_author_email>
  <wp:comment_content>A reply &lt;b&gt;bold&lt;/b&gt;</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>
 <wp:comment><wp:comment_id>4</wp:comment_id><wp:comment_parent>0</wp:comment_parent>
  <wp:comment_author>Bo</wp:comment_author><wp:comment_author_url>https://bo.example.org/</wp:comment_author_url>
  <wp:comment_content>First</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>
 <wp:comment><wp:comment_id>5</wp:comment_id><wp:comment_content>Held</wp:comment_content>
  <wp:comment_approved>0</wp:comment_approved></wp:comment>
 <wp:comment><wp:comment_id>6</wp:comment_id><wp:comment_content>Spam</wp:comment_content>
  <wp:comment_approved>spam</wp:comment_approved></wp:comment>
</item></channel></rss>
"""


def test_only_the_posts_approved_comments_are_loaded_parents_first(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    export.write_text(WXR, "utf-8")
    comments = thread_from_wxr(export, "the-post")
    assert [(c.key, c.parent) for c in comments] == [(4, 0), (9, 4)]
    assert (comments[0].author, comments[0].website, comments[0].email) == (
        "Bo",
        "https://bo.example.org/",
        "",
    )
    assert comments[1].text == "A reply <b>bold</b>"


def test_an_unknown_post_stops_the_run(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    export.write_text(WXR, "utf-8")
    with pytest.raises(SystemExit, match="no post 'missing'"):
        thread_from_wxr(export, "missing")


def figures(uncached: float, cached: float, posts: float) -> list[Result]:
    fetch = "thread fetch (JSON)"
    return [
        Result(fetch, "Isso, gunicorn", 20.0, 90.0, 200.0, 100_000),
        Result(fetch, "Broadsheet, uncached", uncached, 9.0, 20.0, 90_000),
        Result(fetch, "Broadsheet, cache on", cached, 1.0, 2.0, 90_000),
        Result("comment POST", "Isso, gunicorn", 40.0, 20.0, 30.0, 0, "201×100"),
        Result("comment POST", "Broadsheet", posts, 10.0, 15.0, 0, "201×100"),
    ]


def judged(capsys: pytest.CaptureFixture[str], results: list[Result], ours: int) -> dict[str, str]:
    args = argparse.Namespace(threads=2, connections=32, duration=10, workers=2)
    weights = [Weight("Isso", [("embed.min.js", 1000, 500, "identity")]),
               Weight("Broadsheet", [("embed.js", ours, ours // 2, "gzip")])]  # fmt: skip
    report(results, weights, args, "isso 0.14.0")
    targets = capsys.readouterr().out.split("targets:")[1].strip().splitlines()
    return {line.strip().split("  ")[0]: line.split()[-1] for line in targets}


def test_each_target_is_met_only_at_or_beyond_its_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    met = judged(capsys, figures(uncached=300, cached=10_000, posts=80), ours=999)
    assert set(met.values()) == {"met"}
    missed = judged(capsys, figures(uncached=299, cached=9_999, posts=79), ours=1001)
    assert set(missed.values()) == {"MISSED"}
    assert len(missed) == 5

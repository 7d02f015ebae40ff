"""The approved count in the post row stays right when several processes write at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import broadsheet, broadsheet_env

WORKER = """
import django, os
django.setup()
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import Commenter, CommentRejected, comment_submit
from broadsheet.moderation.services import comment_approve, comment_trash, comment_unapprove
from broadsheet.publishing.models import Post

worker = int(os.environ["WORKER"])
post = Post.objects.get(slug="the-ledger-and-the-lamp")
for i in range(15):
    comment_submit(
        post=post, commenter=Commenter(name=f"W{worker} {i}", email=f"w{worker}-{i}@example.org"),
        body=f"Worker {worker}, comment {i}.", ip_address=f"192.0.2.{worker * 20 + i + 1}", seconds_on_page=60,
    )
# Every worker moderates the same comments at the same time: each change must count once.
for comment in Comment.objects.filter(post=post).order_by("id")[:12]:
    comment_approve(comment=comment)
    comment_unapprove(comment=comment)
    comment_approve(comment=comment)
for comment in Comment.objects.filter(post=post).order_by("id")[12:18]:
    comment_trash(comment=comment)
print("ok")
"""


def test_concurrent_comments_and_moderation_keep_the_count_right(
    tmp_path: Path, subprocess_database_url: str
) -> None:
    env = broadsheet_env(tmp_path, subprocess_database_url)
    broadsheet(env, "migrate", "--noinput")
    broadsheet(env, "flush", "--noinput")
    broadsheet(env, "demo")
    setup = "from broadsheet.discussion.models import DiscussionSettings as D; s = D.current(); s.comment_previously_approved = False; s.save()"
    subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {setup}"],
        env=env,
        check=True,
        capture_output=True,
    )

    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER],
            env={**env, "WORKER": str(n)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        assert out.strip() == "ok"

    check = (
        "from broadsheet.publishing.models import Post; p = Post.objects.get(slug='the-ledger-and-the-lamp'); "
        "print(p.comment_count, p.comments.filter(status='approved', removed=False).count(), p.comments.count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {check}"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    stored_count, approved, total = map(int, result.stdout.split())
    assert total == 31 + 4 * 15
    assert stored_count == approved


DOUBLE_CLICKS = """
import threading
from datetime import timedelta

import django
django.setup()
from django.db import connections
from django.utils import timezone
from broadsheet.accounts.models import User
from broadsheet.discussion.services import Commenter, CommentRejected, comment_submit
from broadsheet.discussion.models import DiscussionSettings
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save

current = DiscussionSettings.current()
current.comment_previously_approved = False
current.save()
post = Post(title="Clicked twice", slug="clicked-twice", body="b", status=Post.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=1))
post_save(post=post, authors=[User.objects.create_user(username="writer", email="w@example.org")])

def click(n, k, barrier, outcomes):
    barrier.wait()  # both requests reach the checks together, as from two web workers
    try:
        comment_submit(post=post, commenter=Commenter(name=f"R{n}", email=f"R{n}@example.org"),
                       body=f"Said once, clicked twice ({n}).", ip_address=f"192.0.{n}.{k + 1}",
                       seconds_on_page=60)
        outcomes.append("stored")
    except CommentRejected as refused:
        outcomes.append(refused.code)
    finally:
        connections.close_all()

twice = 0
for n in range(20):
    barrier, outcomes = threading.Barrier(2), []
    clicks = [threading.Thread(target=click, args=(n, k, barrier, outcomes)) for k in range(2)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    assert sorted(outcomes) in (["duplicate", "stored"], ["flood", "stored"], ["stored", "stored"]), outcomes
    twice += outcomes.count("stored") == 2
print(twice, post.comments.count())
"""


def test_a_double_click_from_two_workers_at_once_stores_one_comment(
    tmp_path: Path, subprocess_database_url: str
) -> None:
    # On PostgreSQL both requests' duplicate checks ran before either committed: 34 pairs in
    # 40 were stored twice before writers took turns.
    env = broadsheet_env(tmp_path, subprocess_database_url)
    broadsheet(env, "migrate", "--noinput")
    result = subprocess.run(
        [sys.executable, "-c", DOUBLE_CLICKS], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "20"]

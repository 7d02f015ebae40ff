"""Background work: tasks for django-tasks, and the periodic jobs the worker runs itself."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from broadsheet.core import periodic
from broadsheet.notifications.models import ScheduledRun
from broadsheet.notifications.outbox import outbox_send_due

logger = logging.getLogger(__name__)


@task()
def send_due_emails() -> int:
    """Woken after a request queues email; sends whatever is due (idempotent)."""
    return outbox_send_due()


@task()
def fan_out_new_post(post_id: int) -> int:
    """A new post reaches its subscribers: outbox rows in batches, each batch committed with
    the place it reached, so a worker stopped half-way is resumed by the next tick."""
    from broadsheet.notifications.models import FanOut
    from broadsheet.notifications.services import notify_new_post

    FanOut.objects.get_or_create(post_id=post_id)
    batches = 0
    while True:
        with transaction.atomic():
            progress = FanOut.objects.select_for_update().get(post_id=post_id)
            if progress.done:
                return batches
            after = notify_new_post(post_id=post_id, after_id=progress.after_id)
            FanOut.objects.filter(pk=progress.pk).update(
                after_id=after if after is not None else progress.after_id,
                done=after is None,
                updated_at=timezone.now(),
            )
        batches += 1


def resume_fan_outs() -> int:
    """Fan-outs a stopped or killed worker left half done, untouched for two minutes."""
    from broadsheet.notifications.models import FanOut

    stale = FanOut.objects.filter(done=False, updated_at__lt=timezone.now() - timedelta(minutes=2))
    resumed = 0
    for post_id in stale.values_list("post_id", flat=True):
        fan_out_new_post.call(post_id)
        resumed += 1
    return resumed


def post_became_public(post_id: int) -> None:
    """Called after the commit that published a post."""
    try:
        fan_out_new_post.enqueue(post_id)
    except Exception:
        logger.exception("Could not queue the new-post emails for post %s.", post_id)


def publish_due_posts() -> int:
    """Scheduled posts whose time has come become published (publishing's action declares
    what that changes: pages, search, the archive list, the subscribers' emails)."""
    from broadsheet.publishing.services import posts_publish_due

    count = posts_publish_due()
    if count:
        logger.info("Published %d scheduled post(s).", count)
    return count


def _due(name: str, every: timedelta) -> bool:
    """Claim the periodic job `name` if it has not run for `every`; safe across workers."""
    now = timezone.now()
    with transaction.atomic():
        run, created = ScheduledRun.objects.select_for_update().get_or_create(
            name=name, defaults={"last_run_at": now}
        )
        if not created and now - run.last_run_at < every:
            return False
        ScheduledRun.objects.filter(pk=run.pk).update(last_run_at=now)
    return True


def housekeeping() -> dict[str, int]:
    """Daily: empty old trash and spam, anonymise old IP addresses."""
    from broadsheet.moderation.services import comments_clean

    return comments_clean()


HEARTBEAT = "worker-heartbeat"  # ScheduledRun name: a worker's schedule last went round


def heartbeat() -> None:
    """Tell /readyz and `broadsheet status` that a worker is alive (one row, one UPDATE)."""
    now = timezone.now()
    if not ScheduledRun.objects.filter(name=HEARTBEAT).update(last_run_at=now):
        ScheduledRun.objects.get_or_create(name=HEARTBEAT, defaults={"last_run_at": now})


def run_registered_jobs() -> None:
    """The periodic jobs other apps registered (core.periodic), each claimed once a period."""
    for job in periodic.jobs():
        if job.enabled() and _due(job.name, job.every):
            try:
                job.run()
            except Exception:
                logger.exception("The periodic job %s failed.", job.name)


def tick() -> None:
    """What the worker does every few seconds besides running queued tasks."""
    from broadsheet.notifications.services import comments_notify_due

    heartbeat()
    for job in periodic.tick_jobs():  # registered by other apps (federation's deliveries)
        job()

    publish_due_posts()
    resume_fan_outs()
    comments_notify_due()  # before sending, so this round sends what it wrote
    outbox_send_due()
    if _due("housekeeping", timedelta(days=1)):
        result = housekeeping()
        logger.info("Housekeeping: %s", result)
    run_registered_jobs()

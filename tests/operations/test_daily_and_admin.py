"""The worker's daily backup, the last BACKUP_KEEP kept, and the admin's list of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from broadsheet.operations.backup import backup_create, stored_backups
from broadsheet.operations.tasks import backup_daily
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def test_the_daily_backup_keeps_the_newest_backup_keep(settings: Any, data_dir: Path) -> None:
    settings.BACKUP_KEEP = 2
    names = [backup_daily.call() for _ in range(3)]
    kept = [stored.name for stored in stored_backups()]
    assert kept == [names[2], names[1]]
    assert all((data_dir / "backups" / name).stat().st_mode & 0o077 == 0 for name in kept)


def test_the_worker_queues_the_backup_once_a_day(settings: Any, data_dir: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    from broadsheet.notifications.tasks import run_registered_jobs

    settings.BACKUP_KEEP = 7
    run_registered_jobs()
    run_registered_jobs()  # the same day: claimed already
    queued = DBTaskResult.objects.filter(task_path="broadsheet.operations.tasks.backup_daily")
    assert queued.count() == 1


def test_no_daily_backup_with_backup_keep_zero(settings: Any, data_dir: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    from broadsheet.notifications.tasks import run_registered_jobs

    settings.BACKUP_KEEP = 0
    run_registered_jobs()
    assert not DBTaskResult.objects.filter(task_path__endswith="backup_daily").exists()


def _signed_in(superuser: bool, staff: bool = True) -> Client:
    user = AuthorFactory(is_staff=staff, is_superuser=superuser)
    client = Client()
    client.force_login(user)
    return client


def test_administrators_list_and_download_backups(data_dir: Path) -> None:
    made = backup_create()
    (data_dir / "backups" / "broadsheet-backup-broken.tar").write_bytes(b"not a tar")
    client = _signed_in(superuser=True)
    page = client.get("/admin/operations/backup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert made.path.name in html and "cannot be read" in html
    download = client.get(f"/admin/operations/backup/{made.path.name}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == made.path.read_bytes()  # type: ignore[attr-defined]
    assert "no-store" in download["Cache-Control"]
    assert client.get("/admin/operations/backup/..%2Fsecret_key/download/").status_code == 404
    assert client.get("/admin/operations/backup/secret_key/download/").status_code == 404


@pytest.mark.parametrize("staff", [True, False])
def test_staff_who_are_not_administrators_see_no_backups(data_dir: Path, staff: bool) -> None:
    made = backup_create()
    client = _signed_in(superuser=False, staff=staff)
    assert client.get("/admin/operations/backup/").status_code in (302, 403)
    download = client.get(f"/admin/operations/backup/{made.path.name}/download/")
    assert download.status_code in (302, 403)
    if staff:
        assert "Backups" not in client.get("/admin/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(data_dir: Path) -> None:
    made = backup_create()
    response = Client().get(f"/admin/operations/backup/{made.path.name}/download/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

"""Administrators import from the admin: the upload is stored and queued, the worker imports
it, the page shows progress and the report; too-large files are refused next to the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from broadsheet.importers.models import ImportRun
from broadsheet.importers.tasks import run_import
from broadsheet.publishing.models import Post
from tests.importers.image_server import image_server
from tests.importers.test_wordpress import comment, item, wxr

__all__ = ["image_server"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client, django_user_model: Any, settings: Any, tmp_path: Path) -> Client:
    settings.DATA_DIR = tmp_path
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "a long pass 42")
    client.force_login(admin)
    return client


def upload(client: Client, content: bytes, **fields: Any) -> Any:
    data = {"format": "wordpress", "file": SimpleUploadedFile("export.xml", content), **fields}
    return client.post("/admin/importers/importrun/add/", data)


def test_an_uploaded_export_is_queued_then_imported_by_the_worker(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    text = wxr(item(1, name="from-the-admin", comments=comment(11)))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, text.encode())
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{run.pk}/change/")
    assert (run.status, run.file_name, run.dry_run) == ("queued", "export.xml", False)
    with storages["imports"].open(run.stored_path) as stored:
        assert stored.read().decode() == text
    assert DBTaskResult.objects.filter(task_path__endswith="run_import").count() == 1
    page = admin_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "queued" in page.lower()

    assert run_import.call(run.pk) == "done"
    run.refresh_from_db()
    assert run.status == "done" and "Imported" in run.report and "1 posts" in run.report
    assert Post.objects.filter(slug="from-the-admin").exists()
    assert not storages["imports"].exists(run.stored_path)
    page = admin_client.get(response["Location"]).content.decode()
    assert "Imported" in page and 'http-equiv="refresh"' not in page


def test_a_broken_upload_ends_with_its_reason_in_the_report(admin_client: Client) -> None:
    upload(admin_client, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><rss/>')
    run = ImportRun.objects.get()
    assert run_import.call(run.pk) == "failed"
    run.refresh_from_db()
    assert "declares a DOCTYPE or entities" in run.report
    assert not Post.objects.exists()


def test_too_large_and_empty_files_are_refused_next_to_the_field(
    admin_client: Client, settings: Any
) -> None:
    settings.IMPORT_UPLOAD_MAX_MB = 1
    response = upload(admin_client, b"x" * (2 * 1024 * 1024))
    assert response.status_code == 200
    assert "uploads here stop at 1 MB" in response.content.decode()
    response = upload(admin_client, b"")
    assert (
        "The submitted file is empty." in response.content.decode()
        or "The file is empty." in response.content.decode()
    )
    assert not ImportRun.objects.exists()


def test_only_administrators_may_import(client: Client, django_user_model: Any) -> None:
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("ed", "ed@example.org", "a long pass 42")
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    response = client.post(
        "/admin/importers/importrun/add/",
        {"format": "wordpress", "file": SimpleUploadedFile("e.xml", b"<rss/>")},
    )
    assert response.status_code in (302, 403)
    assert not ImportRun.objects.exists()


def test_copying_the_images_can_be_asked_for_in_the_admin(
    admin_client: Client, settings: Any, tmp_path: Path, image_server: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_MEDIA_ALLOW_LOOPBACK = True
    photo = image_server.url("/wp-content/uploads/photo.png")
    text = wxr(item(2, name="pictured", content=f'<p><img src="{photo}" alt="Plan"></p>'))
    text = text.replace("https://old.example.org", image_server.base)
    upload(admin_client, text.encode(), copy_images="on")
    run = ImportRun.objects.get()
    assert run.media == "download"

    assert run_import.call(run.pk) == "done"
    run.refresh_from_db()
    assert "1 images" in run.report and image_server.requests == ["/wp-content/uploads/photo.png"]
    body = Post.objects.get(slug="pictured").body
    assert photo not in body and "/media/imports/127-0-0-1/" in body
    assert any((tmp_path / "media" / "imports").rglob("*.png"))

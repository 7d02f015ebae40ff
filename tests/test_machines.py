"""A site on more than one machine (docs/deployment.md): two web servers and two workers, each
with a DATA_DIR of its own, sharing PostgreSQL, Redis and the SECRET_KEY.

Real processes throughout. PostgreSQL is the run's server (DATABASE_URL on CI's second pass,
else 127.0.0.1:5432, present on every machine of this project and in CI); Redis is a server of
the test's own, so no other test's site shares its keys; uploads go to an S3-compatible server
(moto's, run as a process).
"""

from __future__ import annotations

import html
import http.cookiejar
import io
import re
import secrets
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
from PIL import Image

from tests.accounts.smtp import SMTPServer, smtp_serving
from tests.importers.test_wordpress import item, wxr
from tests.processes import (
    BROADSHEET,
    broadsheet,
    broadsheet_env,
    free_port,
    postgres_server_url,
    redis_server,
    s3_server,
    stop,
    throwaway_postgres,
    wait_until_up,
)

ESSAY = "/2026/03/14/the-ledger-and-the-lamp/"
HELD = "Are any of the Skerrow Point volumes digitised"  # the demo's comment awaiting moderation
NOTICES = 400  # more than a worker claims at once (200): the two workers send side by side
QUEUE_NOTICES = f"""
from django.db import transaction
from broadsheet.notifications.outbox import email_queue
with transaction.atomic():
    for i in range({NOTICES}):
        email_queue(key=f"machines-{{i}}", to=f"reader{{i}}@example.net",
                    subject=f"Notice {{i}}", text="One of many.")
"""


@dataclass
class Site:
    web: list[str]  # the two web machines' addresses
    database_url: str
    s3: dict[str, str]  # the S3_* settings
    smtp: SMTPServer
    folders: dict[str, Path]
    admin_password: str
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("machines")
    with ExitStack() as stack:
        database_url = stack.enter_context(throwaway_postgres(postgres_server_url()))
        redis_url = stack.enter_context(redis_server())
        s3 = stack.enter_context(s3_server("broadsheet-media"))
        smtp = stack.enter_context(smtp_serving())
        ports = [free_port(), free_port()]
        # What every machine is given alike (docs/deployment.md); only DATA_DIR differs.
        shared = {
            "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SITE_URL": f"http://127.0.0.1:{ports[0]}",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "false",
            "WORKER_INTERVAL": "1",
            **s3,
        }
        names = ["web-a", "web-b", "worker-1", "worker-2"]
        envs = {}
        for name in names:
            (root / name).mkdir()
            envs[name] = {**broadsheet_env(root / name, database_url), **shared}
        broadsheet(envs["web-a"], "migrate", "--noinput")
        broadsheet(envs["web-a"], "demo", "--verbosity", "0")
        broadsheet(envs["web-a"], "shell", "-c", QUEUE_NOTICES)

        def start(name: str, *args: str) -> subprocess.Popen[bytes]:
            log = (root / name / "log.txt").open("w")
            process = subprocess.Popen(
                [*BROADSHEET, *args], env=envs[name], stdout=log, stderr=subprocess.STDOUT
            )
            stack.callback(stop, process)
            return process

        # Both workers start together on a database whose housekeeping has never run.
        workers = [start("worker-1", "worker"), start("worker-2", "worker")]
        for name, port in zip(("web-a", "web-b"), ports, strict=True):
            start(name, "serve", "--port", str(port), "--workers", "1")
        web = [f"http://127.0.0.1:{port}" for port in ports]
        for url in web:
            wait_until_up(url + "/", seconds=120)
        password = (root / "web-a" / "admin-password.txt").read_text().strip()
        folders = {name: root / name for name in names}
        yield Site(web, database_url, s3, smtp, folders, password, workers)


def _browser() -> urllib.request.OpenerDirector:
    """A browser with its cookies: sent to both machines alike (a cookie names no port)."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str, Any]:
    try:
        with opener.open(url, timeout=15) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def _post(
    opener: urllib.request.OpenerDirector,
    url: str,
    form_page: str,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    **fields: str,
) -> str:
    """Submit a form as a browser does: the CSRF token from the page that shows it."""
    status, page, _ = _get(opener, form_page)
    assert status == 200, page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on " + form_page
    fields = {"csrfmiddlewaretoken": token.group(1), **fields}
    if files is None:
        request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode())
    else:
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        ]
        for name, (filename, content, kind) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(url, data=b"".join(parts))
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    with opener.open(request, timeout=15) as response:
        return str(response.read().decode())


def _signed_in_moderator(site: Site) -> urllib.request.OpenerDirector:
    browser = _browser()
    a = site.web[0]
    page = _post(
        browser,
        a + "/admin/login/?next=/admin/",
        a + "/admin/login/",
        username="admin",
        password=site.admin_password,
        next="/admin/",
    )
    assert "Site administration" in page  # signed in, on machine A
    return browser


def test_a_session_made_on_one_machine_works_on_the_other(site: Site) -> None:
    browser = _signed_in_moderator(site)
    status, page, _ = _get(browser, site.web[1] + "/admin/")
    assert status == 200 and "Site administration" in page
    status, page, _ = _get(browser, site.web[1] + "/moderation/?status=pending")
    assert status == 200 and HELD in page


def test_a_signed_link_made_on_one_machine_works_on_the_other(site: Site) -> None:
    a, b = site.web
    _post(_browser(), a + "/personal-data/", a + "/personal-data/", email="m.oduya@example.com")
    deadline = time.monotonic() + 30
    while True:  # sent by machine A itself, or by a worker from the outbox
        try:
            message = site.smtp.last_to("m.oduya@example.com")
            break
        except AssertionError:
            assert time.monotonic() < deadline, "no personal-data email"
            time.sleep(0.2)
    (link,) = [url for url in site.smtp.links(message) if "/personal-data/" in url]
    assert link.startswith(a + "/personal-data/")  # made on A (SITE_URL names A here)
    status, page, _ = _get(_browser(), b + link.removeprefix(a))
    assert status == 200 and "m.oduya@example.com" in page


def test_a_comment_approved_on_one_machine_reaches_readers_of_the_other_within_a_second(
    site: Site,
) -> None:
    a, b = site.web
    reader = urllib.request.build_opener()  # anonymous: no cookies at all
    _get(reader, b + ESSAY)
    status, page, headers = _get(reader, b + ESSAY)
    assert status == 200 and headers["X-Page-Cache"] == "hit" and HELD not in page

    moderator = _signed_in_moderator(site)
    _, queue, _ = _get(moderator, a + "/moderation/?status=pending")
    (approve,) = re.findall(r'action="(/moderation/\d+/approve/)', queue)
    _post(moderator, a + approve, a + "/moderation/?status=pending")
    approved_at = time.monotonic()
    while True:
        status, page, _ = _get(reader, b + ESSAY)
        if HELD in page:
            break
        assert time.monotonic() - approved_at < 1.0, "machine B still serves the old page"
        time.sleep(0.05)


def test_two_workers_send_every_email_once_and_keep_house_once(site: Site) -> None:
    with psycopg.connect(site.database_url) as connection:
        deadline = time.monotonic() + 60
        while True:
            (waiting,) = connection.execute(
                "SELECT count(*) FROM notifications_outgoingemail WHERE status <> 'sent'"
            ).fetchone() or (0,)
            if not waiting:
                break
            assert time.monotonic() < deadline, f"{waiting} emails still unsent"
            time.sleep(0.2)
    time.sleep(2)  # both workers have gone round again: a second sending would show now
    received = Counter(message["Subject"] for message in site.smtp.messages)
    assert [received[f"Notice {i}"] for i in range(NOTICES)] == [1] * NOTICES
    ids = Counter(message["Message-ID"] for message in site.smtp.messages)
    assert [id for id, times in ids.items() if times > 1] == []
    assert all(worker.poll() is None for worker in site.workers)
    logs = [(site.folders[name] / "log.txt").read_text() for name in ("worker-1", "worker-2")]
    assert sum(log.count("Housekeeping:") for log in logs) == 1, logs


def test_a_photo_uploaded_on_one_machine_is_shown_by_the_other(site: Site) -> None:
    a, b = site.web
    moderator = _signed_in_moderator(site)
    photo = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(photo, "PNG")
    page = _post(
        moderator,
        a + "/accounts/profile/",
        a + "/accounts/profile/",
        files={"avatar": ("me.png", photo.getvalue(), "image/png")},
        display_name="Site Admin",
    )
    assert "Your profile was saved." in page
    status, page, _ = _get(urllib.request.build_opener(), b + "/people/admin/")
    assert status == 200
    (address,) = re.findall(r'class="author-bio__avatar" src="([^"]+)"', page)
    assert address.startswith(f"{site.s3['S3_ENDPOINT_URL']}/broadsheet-media/media/avatars/")
    with urllib.request.urlopen(html.unescape(address), timeout=15) as response:
        assert Image.open(io.BytesIO(response.read())).size[0] <= 512  # the photo itself
    assert not (site.folders["web-a"] / "media").exists()  # nothing on machine A's own disk


def _import_on(site: Site, export: bytes) -> tuple[str, str, str]:
    """Upload an export in machine A's admin; wait for a worker to finish it."""
    a = site.web[0]
    form = a + "/admin/importers/importrun/add/"
    _post(_signed_in_moderator(site), form, form, format="wordpress",
          files={"file": ("export.xml", export, "text/xml")})  # fmt: skip
    with psycopg.connect(site.database_url, autocommit=True) as connection:
        deadline = time.monotonic() + 60
        while True:
            status, report, stored = connection.execute(
                "SELECT status, report, stored_path FROM importers_importrun ORDER BY id DESC"
            ).fetchone() or ("", "", "")
            if status in ("done", "failed"):
                return status, report, stored
            assert time.monotonic() < deadline, f"the import is still {status}"
            time.sleep(0.2)


def test_an_export_uploaded_on_a_web_machine_is_imported_by_a_worker_on_another(
    site: Site,
) -> None:
    export = wxr(item(901, name="imported-across-machines", title="Imported across machines"))
    status, report, _ = _import_on(site, export.encode())
    assert status == "done", report
    with psycopg.connect(site.database_url) as connection:
        assert connection.execute(
            "SELECT 1 FROM publishing_post WHERE slug = 'imported-across-machines'"
        ).fetchone()
    assert not (site.folders["web-a"] / "imports").exists()  # it went to the bucket


def test_uploaded_exports_are_kept_out_of_the_buckets_public_part(site: Site) -> None:
    status, _, stored = _import_on(site, b"<rss/>")  # refused: kept, to be looked at
    assert status == "failed"
    # The bucket lets anyone read media/ (avatars); an export holds commenters' addresses.
    bucket = boto3.client(
        "s3",
        endpoint_url=site.s3["S3_ENDPOINT_URL"],
        region_name=site.s3["S3_REGION"],
        aws_access_key_id=site.s3["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=site.s3["S3_SECRET_ACCESS_KEY"],
    )
    assert bucket.head_object(Bucket="broadsheet-media", Key=f"imports/{stored}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{site.s3['S3_ENDPOINT_URL']}/broadsheet-media/imports/{stored}")
    assert refused.value.code == 403


def test_an_image_uploaded_on_one_machine_gets_its_variants_from_a_worker_and_shows_on_the_other(
    site: Site,
) -> None:
    a, b = site.web
    writer = _signed_in_moderator(site)
    photo = io.BytesIO()
    Image.linear_gradient("L").resize((1800, 1200)).convert("RGB").save(photo, "JPEG")
    page = _post(
        writer, a + "/studio/media/upload/", a + "/studio/media/upload/",
        files={"file": ("quay.jpg", photo.getvalue(), "image/jpeg")},
        alt_text="The quay at low tide", caption="", credit="Harbour archive",
    )  # fmt: skip
    assert "Image uploaded" in page
    with psycopg.connect(site.database_url, autocommit=True) as connection:
        deadline = time.monotonic() + 60
        while True:  # a worker, on a machine of its own, writes the variants
            (item_id, variants) = connection.execute(
                "SELECT id, variants FROM media_mediaitem ORDER BY id DESC"
            ).fetchone() or (0, {})
            if variants:
                break
            assert time.monotonic() < deadline, "no worker wrote the variants"
            time.sleep(0.2)
        (post_id,) = connection.execute(
            "SELECT id FROM publishing_post WHERE slug = 'the-ledger-and-the-lamp'"
        ).fetchone() or (0,)
    assert sorted(variants, key=int) == ["480", "800", "1200", "1600"]
    picker = f"{b}/studio/media/pick/?post={post_id}"  # machine B, the same session
    _post(writer, f"{b}/studio/media/{item_id}/feature/", picker, post=str(post_id))
    status, essay, _ = _get(urllib.request.build_opener(), a + ESSAY)
    assert status == 200
    bucket = f"{site.s3['S3_ENDPOINT_URL']}/broadsheet-media/media/library/"
    (srcset,) = re.findall(r'<source type="image/webp" srcset="([^"]+)"', essay)
    assert srcset.startswith(bucket) and srcset.endswith("1600w")
    first = html.unescape(srcset.split(" ", 1)[0])
    with urllib.request.urlopen(first, timeout=15) as response:  # public, from the bucket
        assert Image.open(io.BytesIO(response.read())).size == (480, 320)
    assert not (site.folders["web-a"] / "media").exists()
    assert not any((site.folders[w] / "media").exists() for w in ("worker-1", "worker-2"))

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.core.models import SiteSettings

pytestmark = pytest.mark.django_db


def test_a_new_site_takes_its_title_from_the_environment(client: Client, settings: object) -> None:
    html = client.get("/").content.decode()
    assert '<p class="site-title"><a href="/" rel="home">Broadsheet</a></p>' in html


def test_title_and_tagline_are_edited_in_the_admin_and_shown_at_once(client: Client) -> None:
    assert "Broadsheet" in client.get("/").content.decode()  # cached now
    client.force_login(
        User.objects.create_superuser("boss", "boss@example.org", "correct horse battery")
    )
    assert client.get("/admin/core/sitesettings/").status_code == 302
    response = client.post(
        "/admin/core/sitesettings/1/change/",
        {"title": "The Long Margin", "tagline": "<b>Records</b> & notes"},
    )
    assert response.status_code == 302
    client.logout()
    html = client.get("/").content.decode()
    assert "The Long Margin" in html
    assert "&lt;b&gt;Records&lt;/b&gt; &amp; notes" in html
    assert SiteSettings.objects.count() == 1

"""/embed.js: served by the site, small, cacheable and revalidated by its version."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from broadsheet.embed.views import SCRIPT

pytestmark = pytest.mark.django_db


def test_the_script_stays_under_twenty_kilobytes_gzipped() -> None:
    assert len(gzip.compress(SCRIPT.read_bytes(), compresslevel=9)) <= 20 * 1024


def test_the_script_is_served_as_javascript_that_shared_caches_keep(client: Any) -> None:
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert response.content == SCRIPT.read_bytes()
    again = client.get("/embed.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_script_uses_no_cookie_and_no_framework() -> None:
    source = SCRIPT.read_text()
    assert 'credentials: "omit"' in source
    assert "document.cookie" not in source and "import " not in source
    assert "attachShadow" in source and "prefers-color-scheme:dark" in source


def test_the_script_is_not_a_form_target(client: Any) -> None:
    assert client.post("/embed.js").status_code == 405


@pytest.mark.parametrize("language", ["de", "ar"])
def test_a_site_in_another_language_serves_the_script_with_its_words(
    client: Any, settings: Any, language: str
) -> None:
    """The embed runs on other sites' pages: the site's catalog and plural rule are written
    into the script itself, so nothing is added to the host page's globals (decision 0127)."""
    import json
    import re

    from django.utils import translation
    from django.utils.translation import gettext

    settings.LANGUAGE_CODE = language
    response = client.get("/embed.js")
    text = response.content.decode()
    assert response.status_code == 200 and response.content != SCRIPT.read_bytes()
    words = json.loads(re.search(r"var WORDS = (\{.*?\});\n", text).group(1))  # type: ignore[union-attr]
    with translation.override(language):
        assert words["Leave a Reply"] == gettext("Leave a Reply") != "Leave a Reply"
    forms = words["%(count)s Comment"]  # the scripts' own catalog (djangojs): every form
    assert len(forms) == (6 if language == "ar" else 2) and "%(count)s Comments" not in forms
    rule = re.search(r"function plural\(n\) \{ return (.*?); \}", text).group(1)  # type: ignore[union-attr]
    assert ("n==2" in rule) is (language == "ar")  # Arabic's six forms, German's two
    digits = "arab" if language == "ar" else "latn"  # counts in the pages' digits (0116)
    assert f'var LANGUAGE = "{language}", NUMBERING = "{digits}";' in text
    assert "window.gettext" not in text
    settings.LANGUAGE_CODE = "en"
    assert client.get("/embed.js").content == SCRIPT.read_bytes()  # English: the file as it is

"""The WSGI module a server loads: the page-cache front, and the loaded code set aside from
the garbage collector."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import broadsheet_env


def _probe(tmp_path: Path, code: str) -> list[str]:
    """What `code` prints, run in a fresh process with the test's own data folder."""
    env = broadsheet_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    return subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.split()


def test_loading_the_application_freezes_what_it_loaded(tmp_path: Path) -> None:
    probe = (
        "import gc; before = gc.get_freeze_count()\n"
        "from broadsheet.wsgi import application\n"
        "print(type(application).__name__, before, gc.get_freeze_count())"
    )
    out = _probe(tmp_path, probe)
    assert out[0] == "PageCacheFront"
    assert int(out[1]) == 0 and int(out[2]) > 10_000  # Django and the apps, set aside


def test_warming_up_compiles_what_the_first_comment_would_have_waited_for(
    tmp_path: Path,
) -> None:
    probe = (
        "import django; django.setup()\n"
        "from django.core.validators import EmailValidator, URLValidator\n"
        "from django.http.request import host_validation_re\n"
        "from django.utils.cache import cc_delim_re\n"
        "from django.utils.functional import empty\n"
        "from broadsheet.core.warm import warm_up\n"
        "lazy = (EmailValidator.domain_regex, URLValidator.regex, host_validation_re, cc_delim_re)\n"
        "print(*(r._wrapped is empty for r in lazy))\n"
        "warm_up()\n"
        "print(*(r._wrapped is empty for r in lazy))"
    )
    # Not compiled before the warm-up; compiled by it, not by the first comment (the email
    # and the website of a guest, the request's host, its cache headers).
    assert _probe(tmp_path, probe) == ["True"] * 4 + ["False"] * 4


def test_warming_up_runs_what_the_apps_registered(tmp_path: Path) -> None:
    probe = (
        "import django; django.setup()\n"
        "from broadsheet.core.warm import _WARMERS, warm_register, warm_up\n"
        "print(*sorted(w.__module__ for w in _WARMERS))\n"
        "warm_register(lambda: print('warmed'))\n"
        "warm_up()"
    )
    # Moderation's spam tokenizer is warmed through the registry (core imports no app above it).
    assert _probe(tmp_path, probe) == ["broadsheet.moderation.apps", "warmed"]


def test_warming_up_builds_the_reverse_tables_of_every_include(tmp_path: Path) -> None:
    probe = (
        "import django; django.setup()\n"
        "from django.urls import URLResolver, get_resolver\n"
        "from django.utils.translation import get_language\n"
        "from broadsheet.core.warm import warm_up\n"
        "def unbuilt(resolver):\n"
        "    own = 0 if get_language() in resolver._reverse_dict else 1\n"
        "    return own + sum(unbuilt(p) for p in resolver.url_patterns if isinstance(p, URLResolver))\n"
        "print(unbuilt(get_resolver()) > 10)\n"
        "warm_up()\n"
        "print(unbuilt(get_resolver()))"
    )
    # Not built before (the first reverse() into each include would build it); all built after.
    assert _probe(tmp_path, probe) == ["True", "0"]


def test_warming_up_imports_the_backends_django_names_in_settings(tmp_path: Path) -> None:
    probe = (
        "import sys, django; django.setup()\n"
        "from django.conf import settings\n"
        "from broadsheet.core.warm import warm_up\n"
        "names = [settings.MESSAGE_STORAGE, settings.SESSION_SERIALIZER]\n"
        "names += [c['BACKEND'] for c in settings.CACHES.values()]\n"
        "loaded = lambda: sum(n.rpartition('.')[0] in sys.modules for n in names)\n"
        "print(len(names), loaded())\n"
        "warm_up()\n"
        "print(loaded())"
    )
    # The message storage, the session serializer and the cache backends: imported by the
    # first request of each worker before, by the warm-up now.
    total, before, after = _probe(tmp_path, probe)
    assert int(before) < int(total) == int(after)


def test_warming_up_sets_up_no_other_lazy_object(tmp_path: Path) -> None:
    # A Django module's lazy object that is not a pattern (a storage, say) is set up when it
    # is first used, not by the warm-up: setting it up could fail before any request.
    probe = (
        "import sys, types, django; django.setup()\n"
        "from django.utils.functional import LazyObject\n"
        "class Refusing(LazyObject):\n"
        "    def _setup(self):\n"
        "        raise RuntimeError('set up by the warm-up')\n"
        "module = types.ModuleType('django.broadsheet_probe')\n"
        "module.lazy = Refusing()\n"
        "sys.modules[module.__name__] = module\n"
        "from broadsheet.core.warm import warm_up\n"
        "warm_up()\n"
        "print('warm')"
    )
    assert _probe(tmp_path, probe) == ["warm"]

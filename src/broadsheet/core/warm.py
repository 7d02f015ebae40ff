"""One-time work a worker does before its first request instead of during it.

Django compiles some regular expressions on first use: the email validator's took 40 ms and
the URL validator's as long, paid by whoever posted the first comment after a restart. Loading
the URL configuration (every view module) and its reverse tables, the modules Django imports by
name, the page templates and the comment parser here also moves them out of the first
requests, and lets `broadsheet.wsgi` freeze them out of the garbage collector's passes. Nothing
here touches the database.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.validators import validate_ipv46_address
from django.db import connection
from django.template.loader import get_template
from django.urls import URLResolver, get_resolver
from django.utils.functional import SimpleLazyObject, empty
from django.utils.module_loading import import_string

_TEMPLATES = (
    "publishing/post_detail.html",
    "publishing/home.html",
    "publishing/archive.html",
    "includes/site_menu.html",
    "includes/archive_list.html",
    "404.html",
)


def _reverse_tables(resolver: URLResolver) -> None:
    resolver.reverse_dict  # noqa: B018  (built on first use, for the active language)
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            _reverse_tables(pattern)


def _backend_modules() -> None:
    """Modules Django imports by name on first use, each request thread's first request
    otherwise (the backends themselves, connections and caches, are per thread)."""
    import_string(settings.MESSAGE_STORAGE)
    import_string(settings.SESSION_SERIALIZER)
    for cache in settings.CACHES.values():
        import_string(cache["BACKEND"])
    import_string(f"{connection.ops.compiler_module}.SQLCompiler")


def _lazy_patterns() -> Iterator[Any]:  # a proxy to a re.Pattern
    """Django's regular expressions compiled on first use (`_lazy_re_compile`), not compiled
    yet, at the top of a loaded module of Django or of a class there: the host check, the
    signer's separator, the charset and cache-control parsers, the validators..."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("django.") or module is None:
            continue
        for value in list(vars(module).values()):
            # type(), never isinstance(): a lazy object answers isinstance() by being set up,
            # and the other lazy objects (storages, settings) are not ours to set up.
            is_class = issubclass(type(value), type)
            for member in vars(value).values() if is_class else (value,):
                if (
                    type(member) is SimpleLazyObject
                    and member.__dict__["_wrapped"] is empty
                    and member.__dict__["_setupfunc"].__qualname__.startswith("_lazy_re_compile.")
                ):
                    yield member


_WARMERS: list[Callable[[], None]] = []


def warm_register(warmer: Callable[[], None]) -> None:
    """An app's own first-use work (moderation: the spam filter's tokenizer), done here with
    the rest. Registered in the app's ready(); a warmer touches no database."""
    if warmer not in _WARMERS:
        _WARMERS.append(warmer)


def warm_up() -> None:
    from broadsheet.core.markdown import render_comment_markdown

    # Every view module imported, and each include's table for reverse(), which the first
    # reverse() into it would otherwise build (70 ms, in the first comment published after
    # a restart, for its search row's address).
    _reverse_tables(get_resolver())
    _backend_modules()
    # Among them the email and URL validators' (40 ms each, in a guest's first comment).
    for pattern in _lazy_patterns():
        pattern.pattern  # noqa: B018  (compiled on first use: 0.1-36 ms, in a request)
    validate_ipv46_address("192.0.2.1")
    body = "A *warm* start, with a link: https://example.org/ and “quotes”."
    render_comment_markdown(body)
    for warmer in _WARMERS:
        warmer()
    for name in _TEMPLATES:
        get_template(name)

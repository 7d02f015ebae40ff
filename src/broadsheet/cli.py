"""The `broadsheet` command: Django's management commands under the project's own name.

`broadsheet serve`, `broadsheet demo`, `broadsheet publish FILE.md`, and every Django command
(`broadsheet migrate`, `broadsheet createsuperuser`, …).
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "broadsheet"
    if len(args) > 1 and not args[1].startswith("-"):
        # `broadsheet clean-comments` runs the command module clean_comments.
        args[1] = args[1].replace("-", "_")
    try:
        # Load the settings first so a malformed variable stops us with its own message.
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"broadsheet: {exc}\n")
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()

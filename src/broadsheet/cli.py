"""The `broadsheet` command: Django's management commands under the project's own name.

`broadsheet serve`, `broadsheet demo`, `broadsheet publish FILE.md`, and every Django command
(`broadsheet migrate`, `broadsheet createsuperuser`, …).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

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

    if len(args) > 1 and args[1] == "serve":
        _metrics_folder(settings.DATA_DIR)

    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


def _metrics_folder(data_dir: Path) -> None:
    """The web workers' metrics files (prometheus-client's multiprocess mode), emptied at each
    start. Set before anything imports prometheus-client, here and in the forked workers."""
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or data_dir / "run" / "metrics")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink(missing_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


if __name__ == "__main__":
    main()

"""systemd units for `broadsheet serve` and `broadsheet worker`, with the usual hardening:
the whole file system read-only but the data folder, no new privileges, no devices, no
capabilities, a private /tmp, restarted when they fail (docs/deployment.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

UNITS = {
    "broadsheet-web.service": ("Broadsheet web server", "serve", 30),
    # The worker finishes the email it is sending before it stops.
    "broadsheet-worker.service": ("Broadsheet worker (email, schedule, backups)", "worker", 90),
}


@dataclass(frozen=True)
class Install:
    executable: Path  # the `broadsheet` command, in its virtual environment
    data_dir: Path
    user: str
    environment_file: Path


def _protect_home(install: Install) -> str:
    # The program or its data under /home or /root must stay readable; elsewhere hide homes.
    homes = (Path("/home"), Path("/root"))
    used = (install.executable, install.data_dir)
    inside = any(home in path.parents for path in used for home in homes)
    return "read-only" if inside else "yes"


def unit(name: str, install: Install) -> str:
    description, command, stop_seconds = UNITS[name]
    after = "network-online.target postgresql.service redis-server.service"
    return f"""[Unit]
Description={description}
After={after}
Wants=network-online.target

[Service]
Type=simple
User={install.user}
Group={install.user}
WorkingDirectory={install.data_dir}
Environment=DATA_DIR={install.data_dir}
# SECRET_KEY, DATABASE_URL, SITE_URL, EMAIL_* … (docs/configuration.md); readable by root only.
EnvironmentFile=-{install.environment_file}
ExecStart={install.executable} {command}
Restart=on-failure
RestartSec=5
TimeoutStopSec={stop_seconds}
KillSignal=SIGTERM
UMask=0027

NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths={install.data_dir}
ProtectHome={_protect_home(install)}
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
CapabilityBoundingSet=
AmbientCapabilities=
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6

[Install]
WantedBy=multi-user.target
"""


def service_files(install: Install) -> dict[str, str]:
    return {name: unit(name, install) for name in UNITS}

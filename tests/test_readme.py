"""Every command the README shows works, as a newcomer types it, in a fresh copy of the project.

The copy holds the files a clone would (`git ls-files`: tracked and new, not ignored), its
`.venv` is made the quick way (the suite's own packages, this copy's source: what
`pip install -e .` makes), then `make run` serves the site and each command of the README runs
in a shell of the newcomer's: their PATH, no DATA_DIR, no database or Redis settings, in the
copy's folder, after the README's own setup lines (`. .venv/bin/activate`).

Commands are taken from the README itself: every line of its shell blocks and every inline
`broadsheet …` / `make …` / `.venv/bin/…` it shows. A concrete command runs for real (optional
`[--flag]` parts both ways, the flag first). A synopsis with placeholders (`FILE`, `N`, `a|b`)
and the long-running `serve` and `worker` (which `make run` runs for real) are checked through
`--help`: the command exists and takes every option the README names.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import sysconfig
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.importers.test_disqus import HEAD as DISQUS_HEAD
from tests.importers.test_disqus import category, post, thread
from tests.importers.test_isso import make_isso
from tests.importers.test_wordpress import comment, item, wxr
from tests.processes import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`((?:broadsheet|make|\.venv/bin/|\. \.venv/)[^`]*)`")
PLACEHOLDER = re.compile(r"\b[A-Z]+\b|…|\||\\")
SETUP = (". ", "source ")  # lines that change the shell for the commands after them
# Run by CI itself, and by the person reading: `make test` is this suite, `make check` is
# ruff and mypy over the tree (CI's first step); each is dry-run here (`make -n`), which
# proves the target exists. `.ci/run` is CI.
NOT_RUN_HERE = {"make test", "make test-fast", "make check"}
# A pytest line the README shows (the long fuzz hunt) is this suite again: it is collected
# here, which proves its selection and options are right, not run for hours.
SUITE = ".venv/bin/python -m pytest "


@dataclass(frozen=True)
class Command:
    text: str
    fenced: bool


def readme_commands(readme: str) -> list[Command]:
    commands: list[Command] = []
    prose = readme
    for info, body in FENCE.findall(readme):
        if info.strip() in ("", "sh", "shell", "console"):
            for line in body.splitlines():
                line = line.split("  #", 1)[0].strip()
                if line and not line.startswith("#"):
                    commands.append(Command(line, fenced=True))
    prose = FENCE.sub("", readme)
    for text in INLINE.findall(prose):
        text = text.replace("\\|", "|").strip()
        if text not in ("broadsheet",) and not text.startswith(".venv/bin/python bench/"):
            commands.append(Command(text, fenced=False))
    return commands


def test_the_readme_shows_the_commands_this_test_runs() -> None:
    # Guards the guard: an extraction that found nothing would let the README drift freely.
    texts = {c.text for c in readme_commands((ROOT / "README.md").read_text("utf-8"))}
    assert {
        "make run",
        ". .venv/bin/activate",
        "broadsheet publish essay.md",
        "broadsheet serve [--host H] [--port P] [--workers N]",
    } <= texts
    assert any(text.startswith("broadsheet import wordpress export.xml") for text in texts)
    assert texts >= NOT_RUN_HERE  # no excuse kept for a command the README no longer shows


def _variants(text: str) -> list[str]:
    """`cmd [--flag]` runs as `cmd --flag`, then `cmd` (a dry run before the real one), but
    never as a server or worker that runs until stopped (`make run` runs those)."""
    optional = re.findall(r"\s*\[([^\]]+)\]", text)
    plain = re.sub(r"\s*\[[^\]]+\]", "", text)
    variants = [f"{plain} {' '.join(optional)}", plain] if optional else [plain]
    return [v for v in variants if not _runs_until_stopped(v)]


def _runs_until_stopped(text: str) -> bool:
    words = text.replace("[", " ").replace("]", " ").split()
    return (
        words[:2] in (["broadsheet", "serve"], ["broadsheet", "worker"]) and "--once" not in words
    )


def _is_synopsis(text: str) -> bool:
    return bool(PLACEHOLDER.search(text)) or not _variants(text)


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("newcomer") / "broadsheet"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            (copy / name).write_bytes(source.read_bytes())
    _quick_venv(copy)
    return copy


def _quick_venv(copy: Path) -> None:
    """What `make run` installs, without downloading: this suite's packages, the copy's source
    (an editable install's .pth) and the console scripts pyproject.toml declares."""
    venv = copy / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    ours = sysconfig.get_paths()["purelib"]
    (Path(site) / "broadsheet-newcomer.pth").write_text(f"{copy / 'src'}\n{ours}\n")
    project = tomllib.loads((copy / "pyproject.toml").read_text("utf-8"))["project"]
    for name, target in project["scripts"].items():
        module, function = target.split(":")
        script = venv / "bin" / name
        script.write_text(
            f"#!{python}\nimport sys\nfrom {module} import {function}\nsys.exit({function}())\n"
        )
        script.chmod(0o755)
    (venv / ".installed").touch()  # newer than pyproject.toml: make does not install again


def _newcomers_env(port: int) -> dict[str, str]:
    ours = {
        "DATA_DIR", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE",
        "VIRTUAL_ENV", "BROADSHEET_TEST_RUN_DATA_DIR", "PYTHONPATH",
    }  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ours}
    # Their PATH has no `broadsheet` on it (ours may, through an activated .venv).
    env["PATH"] = os.pathsep.join(
        d
        for d in env.get("PATH", "").split(os.pathsep)
        if d and not (Path(d) / "broadsheet").exists()
    )
    env["PORT"] = str(port)
    return env


def _inputs(copy: Path, readme: str) -> None:
    """The files the README's commands name, made where a newcomer would have them."""
    (markdown,) = [body for info, body in FENCE.findall(readme) if info.strip() == "markdown"]
    (copy / "essay.md").write_text(markdown, encoding="utf-8")
    (copy / "export.xml").write_text(
        wxr(item(70, name="from-wordpress", title="From WordPress", comments=comment(71))),
        encoding="utf-8",
    )
    (copy / "forum-2024-01-01-all.xml").write_text(
        DISQUS_HEAD + category("11", "General") + thread("21", "https://old.example/about/")
        + post("31", "21", "<p>From Disqus.</p>") + "</disqus>\n",
        encoding="utf-8",
    )  # fmt: skip
    make_isso(copy / "comments.db")


@pytest.fixture(scope="module")
def running_site(fresh_copy: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    env = _newcomers_env(free_port())
    log = (fresh_copy.parent / "make-run.log").open("w")
    make_run = subprocess.Popen(
        ["bash", "-c", "make run"], cwd=fresh_copy, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{env['PORT']}/", seconds=180)
        yield fresh_copy, env
    finally:
        os.killpg(make_run.pid, signal.SIGTERM)
        try:
            make_run.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(make_run.pid, signal.SIGKILL)
            make_run.wait()


def test_every_command_the_readme_shows_works_from_a_fresh_copy(
    running_site: tuple[Path, dict[str, str]],
) -> None:
    copy, env = running_site
    readme = (copy / "README.md").read_text("utf-8")
    _inputs(copy, readme)
    # What the README says `make run` prints and leaves behind.
    password = (copy / "data" / "admin-password.txt").read_text().strip()
    printed = (copy.parent / "make-run.log").read_text()
    assert f"Site:  http://127.0.0.1:{env['PORT']}/" in printed and password in printed
    # Guards the guard: in the newcomer's shell, `broadsheet` alone is not found.
    bare = subprocess.run(["bash", "-c", "broadsheet help"], cwd=copy, env=env, capture_output=True)
    assert bare.returncode == 127
    setup: list[str] = []
    ran: list[str] = []
    seen: set[str] = set()
    for command in readme_commands(readme):
        if command.text == "make run" or command.text in seen:
            continue  # serving, above; or already run
        seen.add(command.text)
        if command.text in NOT_RUN_HERE:
            _shell(copy, env, setup, f"make -n {command.text.split()[1]}")
            continue
        if command.text.startswith(SUITE):
            collected = _shell(copy, env, setup, f"{command.text} --collect-only -q")
            assert re.search(r"^\d+/\d+ tests collected|^\d+ tests? collected", collected, re.M)
            continue
        if _is_synopsis(command.text):
            _check_synopsis(copy, env, setup, command.text)
            continue
        for variant in _variants(command.text):
            _shell(copy, env, setup, variant)
            ran.append(variant)
        if command.fenced and command.text.startswith(SETUP):
            setup.append(command.text)
    assert "broadsheet import wordpress export.xml" in ran and "broadsheet help" in ran


def _shell(copy: Path, env: dict[str, str], setup: list[str], command: str) -> str:
    script = " && ".join([*setup, command])
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "-c", script], cwd=copy, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"README command failed: {command!r}\n{output}"
    assert "Traceback" not in output, f"{command!r}\n{output}"
    assert time.monotonic() - started < 120, f"{command!r} took too long"
    return output


def _check_synopsis(copy: Path, env: dict[str, str], setup: list[str], text: str) -> None:
    """The command exists (for `a|b`, each of a and b) and takes every option shown."""
    words = text.replace("[", " ").replace("]", " ").split()
    program, subcommand, rest = words[0], words[1], words[2:]
    choices = rest[0].split("|") if rest and "|" in rest[0] else [""]
    for choice in choices:
        help_text = _shell(copy, env, setup, f"{program} {subcommand} {choice} --help")
        for option in (w for w in rest if w.startswith("--")):
            assert option in help_text, f"README shows {option} for {subcommand} {choice}"

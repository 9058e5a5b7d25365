"""Run the real ecsshell in-process against the emulated world, with emulated time."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ecsshell.cli import main
from ecsshell.emulator import World
from ecsshell.environment import Environment


@dataclass
class Result:
    code: int
    out: str
    err: str


class Terminal(io.StringIO):
    """A captured stdout that says it is a terminal (so cmd2 keeps colours too)."""

    def isatty(self) -> bool:
        return True


def make_environment(world: World, home: Path, stdin: str = "", extra: dict[str, str] | None = None,
                     tty: bool = False) -> Environment:
    """Return an Environment pointing at WORLD whose sleep advances emulated time."""
    env = dict(world.environ())
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_STATE_HOME": str(home / ".local/state"),
                "XDG_CACHE_HOME": str(home / ".cache"), "AWS_CONFIG_FILE": str(home / "aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials")})
    env.update(extra or {})
    return Environment(stdin=io.StringIO(stdin), stdout=io.StringIO(), stderr=io.StringIO(), env=env,
                       sleep=world.advance, monotonic=lambda: world.scheduler.elapsed, now=world.scheduler.now,
                       stdin_isatty=tty, stdout_isatty=tty)


def run_ecsshell(world: World, home: Path, *argv: str, stdin: str = "", extra: dict[str, str] | None = None,
                 sleep: Callable[[float], None] | None = None, stdout_tty: bool = False) -> Result:
    """Run `ecsshell ARGV...` in this process (with another SLEEP, or a terminal on stdout) and return what it did."""
    environment = make_environment(world, home, stdin, extra)
    environment.sleep = sleep or world.advance
    if stdout_tty:
        environment.stdout = Terminal()
        environment.stdout_isatty = True
    assert isinstance(environment.stderr, io.StringIO)
    with contextlib.redirect_stderr(environment.stderr):
        code = main(list(argv), environment)
    assert isinstance(environment.stdout, io.StringIO)
    return Result(code, environment.stdout.getvalue(), environment.stderr.getvalue())


def console_env(world: World, home: Path) -> dict[str, str]:
    """Return the environment of a console-script run against WORLD with HOME as its home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(world.environ())
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_STATE_HOME": str(home / ".local/state"),
                "XDG_CACHE_HOME": str(home / ".cache"), "AWS_CONFIG_FILE": str(home / "aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials")})
    return env


def console(world: World, home: Path, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the console script as a CI job would, with real standard streams."""
    return subprocess.run([sys.executable, "-m", "ecsshell", *argv], input=stdin, capture_output=True,
                          text=True, env=console_env(world, home), timeout=60, check=False)


def load_benchmark(name: str) -> ModuleType:
    """Import tests/benchmarks/NAME.py (a script, not a package module) as the module NAME."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def at_terminal(world: World, home: Path, *lines: str, stdin: str = "") -> tuple[str, str]:
    """Run LINES in the interactive shell on a pretend terminal that answers STDIN; return its stdout (colours
    taken out) and its stderr."""
    import re

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    env = make_environment(world, home, stdin=stdin, tty=True)
    app = EcsShell(env, Options(), interactive=True)
    try:
        for line in lines:
            app.onecmd_plus_hooks(line)
    finally:
        app.close()
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    return re.sub(r"\x1b\[[0-9;]*m", "", env.stdout.getvalue()), env.stderr.getvalue()

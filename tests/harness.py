"""Run the real ecsshell in-process against the emulated world, with emulated time."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

from ecsshell.cli import main
from ecsshell.emulator import World
from ecsshell.environment import Environment


@dataclass
class Result:
    code: int
    out: str
    err: str


def make_environment(world: World, home: Path, stdin: str = "", extra: dict[str, str] | None = None,
                     tty: bool = False) -> Environment:
    """Return an Environment pointing at WORLD whose sleep advances emulated time."""
    env = dict(world.environ())
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_STATE_HOME": str(home / ".local/state"), "AWS_CONFIG_FILE": str(home / "aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials")})
    env.update(extra or {})
    return Environment(stdin=io.StringIO(stdin), stdout=io.StringIO(), stderr=io.StringIO(), env=env,
                       sleep=world.advance, monotonic=lambda: world.scheduler.elapsed,
                       stdin_isatty=tty, stdout_isatty=tty)


def run_ecsshell(world: World, home: Path, *argv: str, stdin: str = "", extra: dict[str, str] | None = None
                 ) -> Result:
    """Run `ecsshell ARGV...` in this process and return its exit status and output."""
    environment = make_environment(world, home, stdin, extra)
    assert isinstance(environment.stderr, io.StringIO)
    with contextlib.redirect_stderr(environment.stderr):
        code = main(list(argv), environment)
    assert isinstance(environment.stdout, io.StringIO)
    return Result(code, environment.stdout.getvalue(), environment.stderr.getvalue())

"""Help that never disagrees with the commands: every command listed with its line, usage naming the
positionals, and each `help CMD` ending with examples that run against the demo world."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from ecsshell.commands import all_command_sets
from ecsshell.commands.examples import EXAMPLES
from ecsshell.emulator import World
from ecsshell.emulator.worlds import demo_world

ROOT = Path(__file__).resolve().parent.parent
STATUS = re.compile(r"\s+#\s*exits?\s+(\d+)\s*$")


def our_commands() -> dict[str, str]:
    """Return each of ecsshell's own commands with its docstring's first line."""
    found = {}
    for command_set in all_command_sets():
        for name in dir(command_set):
            if name.startswith("do_"):
                found[name[3:]] = (getattr(command_set, name).__doc__ or "").strip().splitlines()[0]
    return found


def test_help_lists_every_command_with_its_line(world: World, ecsshell) -> None:
    result = ecsshell("-c", "help")
    assert result.code == 0, result.err
    flat = " ".join(result.out.split())
    for name, line in our_commands().items():
        assert f" {name} " in f" {flat} ", name
        assert " ".join(line.split()[:6]) in flat, (name, line)


def test_every_command_has_examples_at_the_end_of_its_help(world: World, ecsshell) -> None:
    commands = our_commands()
    assert set(commands) == set(EXAMPLES), set(commands) ^ set(EXAMPLES)
    for name, examples in EXAMPLES.items():
        assert 1 <= len(examples) <= 3
        out = ecsshell("-c", f"help {name}").out
        tail = out.rstrip().splitlines()[-len(examples) - 1:]
        assert tail == ["Examples:", *(f"  {line}" for line in examples)], (name, tail)
        assert all(line.split()[0] == name for line in examples)


def test_usage_lines_name_the_positionals(world: World, ecsshell) -> None:
    for name in our_commands():
        usage = ecsshell("-c", f"help {name}").out.split("\n\n", 1)[0]
        assert "NAME ..." not in usage and "[NAME" not in usage, (name, usage)
        positionals = re.sub(r"\[?-[-\w]+(?: [A-Z_{},.a-z]+)?\]?", "", usage.split(":", 1)[1])  # options dropped
        assert not re.search(r"\bNAME\b", positionals), (name, usage)  # a positional named NAME tells nothing
    assert "[CLUSTER] [SERVICE] [IMAGE|:TAG]" in ecsshell("-c", "help update").out
    assert "[CLUSTER] TASK" in ecsshell("-c", "help stop").out


def test_every_help_example_runs_against_the_demo_world(world: World, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from harness import make_environment

    from ecsshell.cli import main

    demo_world(world)
    monkeypatch.chdir(ROOT)
    plugin = tmp_path / "bin" / "session-manager-plugin"
    plugin.parent.mkdir()
    plugin.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 1.2.707.0\nexit 0\n")
    plugin.chmod(0o755)
    (tmp_path / "aws-config").write_text("[profile dev]\nsso_start_url = https://corp.awsapps.com/start\n"
                                         "sso_region = us-east-1\nsso_account_id = 123456789012\n"
                                         "sso_role_name = Dev\n")  # login's example signs in to it
    for name, examples in EXAMPLES.items():
        for example in examples:
            match = STATUS.search(example)
            command, status = (example[: match.start()], int(match.group(1))) if match else (example, 0)
            env = make_environment(world, tmp_path, extra={"PATH": f"{plugin.parent}:/usr/bin:/bin"}, tty=True)
            assert isinstance(env.stderr, io.StringIO)
            with contextlib.redirect_stderr(env.stderr):
                code = main(shlex.split(command), env)
            err = env.stderr.getvalue()
            assert code == status, (name, example, err)
            assert "Traceback" not in err

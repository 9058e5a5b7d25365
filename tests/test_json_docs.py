"""docs/json.md tells the truth: each of its examples runs against the demo world and selects something."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from test_readme import expected_status

from ecsshell.emulator import World
from ecsshell.emulator.worlds import demo_fleet, demo_world

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")


def examples() -> list[tuple[str, int]]:
    block = DOC.split("<!-- json:", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    return [expected_status(line[2:]) for line in block.strip().splitlines() if line.startswith("$ ecsshell ")]


def test_every_command_has_an_example() -> None:
    commands = {shlex.split(c)[1:][0] if not shlex.split(c)[1].startswith("-") else shlex.split(c)[3]
                for c, _ in examples()}
    assert commands >= {"ls", "check", "tasks", "taskdefs", "deployments", "why", "logs", "diff", "promote",
                        "update", "rollback", "scale", "run", "register"}


def test_every_example_runs_and_selects_a_value(world: World, ecsshell, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    demo_world(world)
    aws_files = demo_fleet(world, tmp_path / "aws")
    monkeypatch.chdir(ROOT)
    for command, status in examples():
        result = ecsshell(*shlex.split(command)[1:], extra=aws_files)
        assert result.code == status, (command, result.out, result.err)
        assert "Traceback" not in result.err, command
        out = result.out.strip()
        assert out and out not in ("[]", "null", "None"), (command, result.err)  # the query found what it names
        if "--output text" in command:
            assert "None" not in out and "{" not in out, (command, out)  # values, not JSON
        else:
            assert "null" not in json.dumps(json.loads(out)), (command, out)

"""Every command's JSON uses one key style, AWS's camelCase, so scripts can rely on it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ecsshell.emulator import World
from ecsshell.emulator.worlds import small_world

ROOT = Path(__file__).resolve().parent.parent
CAMEL = re.compile(r"[a-z][a-zA-Z0-9]*")
# Maps whose keys are data (container names, log driver options, labels), not field names.
DATA_MAPS = {"images", "options", "dockerLabels", "logConfiguration", "systemControls", "linuxParameters"}

COMMANDS = [
    ("ls",), ("ls", "prod"), ("-v", "-elb", "-events", "2", "ls", "prod"), ("-v", "-events", "2", "ls", "prod", "web"),
    ("-elb", "ls", "prod", "search"), ("check", "prod", "web"), ("taskdefs",), ("taskdefs", "web"),
    ("taskdefs", "web", "latest"), ("update", "prod", "api", ":2.5.0", "--dry-run"),
    ("update", "prod", "api", ":2.5.0"), ("scale", "prod", "api", "3"), ("rollback", "prod", "api"),
    ("register", "sample_task.json"), ("run", "prod", "migrate", "--like", "api"),
]


def bad_keys(document: Any, path: str = "") -> list[str]:
    """Return the paths of keys that are not camelCase, outside maps whose keys are data."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            where = f"{path}.{key}"
            if not CAMEL.fullmatch(str(key)):
                found.append(where)
            if key not in DATA_MAPS:
                found.extend(bad_keys(value, where))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(bad_keys(value, f"{path}[{index}]"))
    return found


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_json_keys_are_camel_case(world: World, ecsshell, argv: tuple[str, ...],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    small_world(world)
    monkeypatch.chdir(ROOT)
    result = ecsshell("--output", "json", *argv)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert bad_keys(document) == []


def test_the_key_check_can_fail() -> None:
    assert bad_keys({"task_definition": {"ok": 1}, "images": {"my_container": "x"}}) == [".task_definition"]

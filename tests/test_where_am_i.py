"""The account in view: the toolbar names profile, account and Region; the prompt a profile and a label."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pyte
import pytest
from harness import run_ecsshell
from test_pty import COLUMNS, LINES, Terminal, bottom_line

from ecsshell.emulator import World
from ecsshell.emulator.server import ACCOUNT
from ecsshell.emulator.worlds import FLEET_KEYS, small_world

STAGING = FLEET_KEYS["staging"]


class Shell(Terminal):
    """The real ecsshell in a pty, with any environment (the demo needs none of the world's)."""

    def __init__(self, env: dict[str, str], *argv: str) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        base.update({"TERM": "xterm-256color", "PAGER": "cat"})
        base.pop("NO_COLOR", None)
        base.update(env)
        self.child = pexpect.spawn(sys.executable, ["-m", "ecsshell", *argv], env=base, encoding="utf-8",
                                   dimensions=(LINES, COLUMNS), timeout=30)
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.Stream(self.screen)


def home_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache")}


def fleet_env(world: World, home: Path) -> dict[str, str]:
    """Return the environment of a session against WORLD with profile staging (account 111111111111)."""
    env = home_env(home)
    env.update(world.environ())
    env.update(world.profiles(home / "aws", FLEET_KEYS))
    return env


@pytest.fixture
def fleet_home(world: World, tmp_path: Path) -> Iterator[dict[str, str]]:
    small_world(world)
    yield fleet_env(world, tmp_path)


def test_the_demo_shows_the_account_and_profile_staging_changes_toolbar_and_prompt(tmp_path: Path) -> None:
    shell = Shell(home_env(tmp_path), "--demo")
    try:
        shell.wait_for("ecs>", seconds=60)
        shell.wait_for(f"profile: env | account: {ACCOUNT} | region: us-east-1 | cluster: -")
        shell.child.send("profile staging\r")
        screen = shell.wait_for("[staging] ecs>")
        shell.wait_for(f"profile: staging | account: {STAGING} | region: us-east-1")
        assert STAGING != ACCOUNT, screen  # the demo's second profile is another account
        shell.child.send("profile env\r")
        shell.wait_for(f"profile: env | account: {ACCOUNT} |")
        assert shell.text().splitlines()[shell.screen.cursor.y] == "ecs>"  # the demo's own profile: bare
    finally:
        shell.close()


def test_one_caller_identity_per_profile_per_session_and_off_the_prompt(world: World,
                                                                        fleet_home: dict[str, str]) -> None:
    world.recorder.reset()
    shell = Shell(fleet_home)
    try:
        shell.wait_for(f"profile: default | account: {ACCOUNT} | region: us-east-1")
        for profile, account in (("staging", STAGING), ("env", ACCOUNT), ("staging", STAGING), ("env", ACCOUNT)):
            shell.child.send(f"profile {profile}\r")
            shell.wait_for(f"[{profile}] ecs>")
            shell.wait_for(f"profile: {profile} | account: {account} |")
        shell.child.send("region eu-west-1\r")
        shell.wait_for("[env@eu-west-1] ecs>")
        assert f"account: {ACCOUNT} | region: eu-west-1" in bottom_line(shell)
    finally:
        shell.close()
    assert world.recorder.calls["GetCallerIdentity"] == 3  # default, staging, env: each once


def test_the_prompt_never_waits_for_sts(world: World, fleet_home: dict[str, str]) -> None:
    world.faults.latency(8.0, "GetCallerIdentity")
    shell = Shell(fleet_home)
    try:
        shell.wait_for("ecs>", seconds=30)
        shell.wait_for("account: ...", seconds=5)  # STS has not answered, and the prompt is up
        shell.child.send("use prod\r")
        shell.wait_for("prod>", seconds=3)  # commands run while STS has not answered
        shell.wait_for(f"account: {ACCOUNT} |", seconds=20)
    finally:
        world.faults.clear()
        shell.close()


def test_an_account_label_shows_in_the_toolbar_and_the_prompt_in_its_colour(world: World,
                                                                            fleet_home: dict[str, str]) -> None:
    config = Path(fleet_home["XDG_CONFIG_HOME"]) / "ecsshell" / "config"
    config.parent.mkdir(parents=True)
    config.write_text(f"[accounts]\n{STAGING} = prod red\n{ACCOUNT} = sandbox\n", encoding="utf-8")
    shell = Shell(fleet_home)
    try:
        shell.wait_for(f"account: {ACCOUNT} (sandbox) |")
        shell.wait_for("[sandbox] ecs>")
        line = shell.screen.cursor.y
        assert shell.screen.buffer[line][1].fg == "default"  # a label with no colour keeps the terminal's
        shell.child.send("profile staging\r")
        shell.wait_for("[prod staging] ecs>")
        shell.wait_for(f"profile: staging | account: {STAGING} (prod) |")
        line = shell.screen.cursor.y
        label = [shell.screen.buffer[line][x] for x in range(1, 5)]
        assert "".join(c.data for c in label) == "prod"
        assert all(c.fg == "red" and c.bold for c in label)
        assert shell.screen.buffer[line][6].fg == "default"  # the profile after it is plain
    finally:
        shell.close()


def test_scripts_ask_sts_nothing(world: World, fleet_home: dict[str, str], tmp_path: Path) -> None:
    world.recorder.reset()
    result = run_ecsshell(world, tmp_path, "-c", "profile staging\nls", extra=fleet_home)
    assert result.code == 0, result.err
    assert world.recorder.calls["GetCallerIdentity"] == 0


@pytest.mark.parametrize(("line", "problem"), [
    ("123 = prod", "'123' is not an AWS account id (12 digits)"),
    (f"{ACCOUNT} = prod purple", "colour 'purple' is not one of red, green, yellow, blue, magenta, cyan"),
    (f"{ACCOUNT} = prod red extra", "give LABEL and optionally a colour"),
])
def test_a_bad_account_label_stops_the_start_in_one_line(world: World, tmp_path: Path, line: str,
                                                         problem: str) -> None:
    config = tmp_path / ".config" / "ecsshell" / "config"
    config.parent.mkdir(parents=True)
    config.write_text(f"[accounts]\n{line}\n", encoding="utf-8")
    result = run_ecsshell(world, tmp_path, "ls")
    assert result.code == 2
    assert result.err.count("\n") == 1 and problem in result.err, result.err


def test_an_unknown_profile_says_how_it_was_named_and_lists_env(world: World, fleet_home: dict[str, str],
                                                                tmp_path: Path) -> None:
    result = run_ecsshell(world, tmp_path, "-c", "profile demo", extra=fleet_home)
    assert result.code == 1
    assert result.err.strip() == ('error: AWS profile "demo" (given to `profile`) not found in the AWS config '
                                  'or credentials files (known: env, staging)')
    flag = run_ecsshell(world, tmp_path, "--profile", "demo", "ls", extra=fleet_home)
    assert '"demo" (from -cred)' in flag.err and "(known: env, staging)" in flag.err


def test_the_config_file_documents_account_labels(world: World, tmp_path: Path) -> None:
    from ecsshell.config import DEFAULT_CONFIG, load

    assert "[accounts]" in DEFAULT_CONFIG and "ACCOUNT_ID = LABEL [COLOUR]" in DEFAULT_CONFIG
    written = tmp_path / "config"
    written.write_text(DEFAULT_CONFIG.replace("# 123456789012 = prod red", "123456789012 = prod red"),
                       encoding="utf-8")
    labels = load(tmp_path).accounts
    assert labels["123456789012"].label == "prod" and labels["123456789012"].colour == "red"


def test_profile_alone_says_profile_account_label_and_region(world: World, fleet_home: dict[str, str],
                                                             tmp_path: Path) -> None:
    config = Path(fleet_home["XDG_CONFIG_HOME"]) / "ecsshell" / "config"
    config.parent.mkdir(parents=True)
    config.write_text(f"[accounts]\n{STAGING} = prod red\n", encoding="utf-8")
    world.recorder.reset()
    result = run_ecsshell(world, tmp_path, "-c", "profile\nprofile staging\nprofile\nprofile", extra=fleet_home)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"profile default, account {ACCOUNT}, region us-east-1",
        "profile staging, region us-east-1",  # a switch asks STS nothing: the toolbar shows it when it comes
        f"profile staging, account {STAGING} (prod), region us-east-1",
        f"profile staging, account {STAGING} (prod), region us-east-1",
    ]
    assert world.recorder.calls["GetCallerIdentity"] == 2  # once per profile

"""Escape sequences in ECS data never reach the terminal, and never cut the output short: real commands.

A world whose names, images, environment, commands, events, stop reasons and log lines carry
terminal control sequences (a window title ended by BEL, a colour that conceals, a screen clear)
is read by the real ecsshell on a pipe (text and JSON) and on a pty; no escape from the data may
come out, and everything printable in it must.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecsshell.emulator import World, failures
from ecsshell.emulator.scheduler import Scheduler
from ecsshell.emulator.worlds import small_world

TITLE = "\x1b]0;host\x07"  # rich drops the BEL; the old filter then ate everything up to the next escape
CONCEAL = "\x1b[8m"  # hides the rest of the row
CLEAR = "\x1b[2J\x1b[H"
CLIPBOARD = "\x1b]52;c;ZWNobyBoaQ==\x1b\\"
HOSTILE = (TITLE, CONCEAL, CLEAR, CLIPBOARD, "\x9b1m", "\x07", "\u202e")


def _clean(*texts: str) -> None:
    for text in texts:
        for sequence in HOSTILE:
            assert sequence not in text
        assert "\x1b" not in text and "\x07" not in text
        assert "\\u001b" not in text and "\\u0007" not in text  # nor escaped inside JSON


@pytest.fixture
def hostile(world: World) -> dict[str, Any]:
    """Build the small world plus a service h2 in prod (two containers) whose data carries escape sequences."""
    small_world(world)
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName=f"aaa{TITLE}evil")  # sorts first: the rows after it must all show
    world.scheduler.log_lines["h2"] = [f"hello {TITLE}world", f"shown {CONCEAL}hidden part", f"cleared{CLEAR} end"]
    arn = ecs.register_task_definition(family="h2", containerDefinitions=[
        {"name": "app", "image": f"nginx{CONCEAL}:1.25", "memory": 128, "essential": True,
         "command": ["sh", "-c", f"echo {TITLE}started"],
         "environment": [{"name": "PS1", "value": f"{TITLE}$ "}, {"name": "AFTER_PS1", "value": "still-here"},
                         {"name": "COLOUR", "value": f"{CONCEAL}visible"}],
         "logConfiguration": {"logDriver": "awslogs", "options": {
             "awslogs-group": "/ecs/h2", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "h2"}}},
        {"name": "sidecar", "image": "envoyproxy/envoy:v1.29", "memory": 64, "essential": False},
    ])["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="prod", serviceName="h2", taskDefinition=arn, desiredCount=1)
    world.advance(10)
    with world.lock:
        for service in world.backend().services.values():
            if service.name == "h2":
                Scheduler.event(service, world.scheduler.now(), f"(service h2) was {TITLE}told {CONCEAL}this.")
    failures.lacks_secrets(world, "h2:1", detail=f"retrieval {TITLE}failed {CONCEAL}badly")
    world.client("ecs").update_service(cluster="prod", service="h2", forceNewDeployment=True)
    world.advance(10)
    world.recorder.reset()
    return {"arn": arn}


def test_an_osc_in_an_env_value_no_longer_cuts_the_rest_of_the_service(ecsshell, hostile) -> None:
    shown = ecsshell("ls", "-v", "prod", "h2")
    assert shown.code == 0, shown.err
    _clean(shown.out, shown.err)
    for printable in ("PS1=$\n", "AFTER_PS1=still-here", "COLOUR=visible", "nginx:1.25", "sidecar",
                      "envoyproxy/envoy:v1.29", "echo started", "awslogs-group=/ecs/h2"):
        assert printable in shown.out, printable


def test_json_carries_the_printable_text_and_no_escape(ecsshell, hostile) -> None:
    shown = ecsshell("ls", "-v", "prod", "h2", "--output", "json")
    assert shown.code == 0, shown.err
    _clean(shown.out, shown.err)
    document = json.loads(shown.out)
    text = json.dumps(document, ensure_ascii=False)
    for printable in ("still-here", "nginx:1.25", "sidecar", "echo started"):
        assert printable in text, printable


def test_a_cluster_name_with_an_osc_does_not_cut_the_table(ecsshell, hostile) -> None:
    for argv in (("ls",), ("ls", "--output", "json"), ("ls", "--regions", "us-east-1,eu-west-1")):
        shown = ecsshell(*argv)
        _clean(shown.out, shown.err)
        for name in ("aaaevil", "prod", "staging", "batch", "sandbox"):
            assert name in shown.out + shown.err, (argv, name)


@pytest.mark.parametrize("argv", [
    ("tasks", "prod", "h2", "--stopped"),
    ("tasks", "prod", "h2", "--stopped", "--output", "json"),
    ("why", "prod", "h2"),
    ("why", "prod", "h2", "--output", "json"),
    ("deployments", "prod", "h2"),
    ("ls", "prod", "h2", "--events", "100"),
    ("logs", "prod", "h2"),
    ("logs", "prod", "h2", "--output", "jsonl"),
    ("taskdefs", "h2", "latest"),
    ("taskdefs", "h2", "latest", "--output", "json"),
    ("taskdefs", "h2", "latest", "--show-secrets"),
])
def test_every_surface_shows_the_text_and_no_escape(ecsshell, hostile, argv: tuple[str, ...]) -> None:
    shown = ecsshell(*argv)
    _clean(shown.out, shown.err)
    expected = {
        "tasks": ["retrieval failed badly"], "why": ["retrieval failed badly"], "ls": ["told this."],
        "deployments": ["h2"],
        "logs": ["hello world", "shown hidden part", "cleared end"], "taskdefs": ["still-here", "nginx:1.25"],
    }[argv[0]]
    for printable in expected:
        assert printable in shown.out, (printable, shown.out[-2000:], shown.err)


@pytest.mark.pty
def test_the_terminal_shows_the_text_and_nothing_from_the_data_acts_on_it(world: World, hostile,
                                                                           tmp_path: Path) -> None:
    from test_pty import Terminal

    term = Terminal(world, tmp_path)
    try:
        term.wait_for("ecs>")
        term.child.send("ls -v prod h2\r")
        screen = term.wait_for("COLOUR=visible")
        assert "PS1=$" in screen and "AFTER_PS1=still-here" in screen
        screen = term.wait_for("health check")  # the end: the rest of the output was not cut at PS1
        assert "envoyproxy/envoy:v1.29" in screen
        assert "host" not in term.screen.title  # the data did not retitle the window
    finally:
        term.close()


def test_update_keeps_the_environment_exactly_as_ecs_holds_it(world: World, ecsshell, hostile) -> None:
    """Plain is for showing: a new revision carries the old one's values byte for byte, escapes and all."""
    dry = ecsshell("update", "prod", "h2", "--image", "sidecar=envoyproxy/envoy:v1.30", "--dry-run")
    assert dry.code == 0, dry.err
    _clean(dry.out, dry.err)
    assert "envoyproxy/envoy:v1.30" in dry.out
    result = ecsshell("update", "prod", "h2", "--image", "sidecar=envoyproxy/envoy:v1.30", "--no-wait", "-y")
    assert result.code == 0, result.err
    _clean(result.out, result.err)
    td = world.client("ecs").describe_task_definition(taskDefinition="h2:2")["taskDefinition"]
    app = next(c for c in td["containerDefinitions"] if c["name"] == "app")
    assert {e["name"]: e["value"] for e in app["environment"]}["PS1"] == f"{TITLE}$ "
    assert app["image"] == f"nginx{CONCEAL}:1.25" and app["command"] == ["sh", "-c", f"echo {TITLE}started"]

"""`logs` for people and scripts: padded container names, a colour per task, an empty window said, json and jsonl."""

from __future__ import annotations

import json
import re

from harness import run_ecsshell
from test_logs import parsed, task_ids

from ecsshell.emulator import World

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[([0-9;]+)m(\S{8}) (\S+ *)\x1b\[0m")


def test_container_names_are_padded_so_messages_line_up(world: World, tmp_path, small) -> None:
    result = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "3h")
    assert result.code == 0, result.err
    rows = parsed(result.out)
    assert {r[2] for r in rows} == {"web", "envoy"}
    assert len({line.index(" | ") for line in result.out.splitlines()}) == 1  # one column for every `|`
    assert any(line.split(" ", 3)[3].startswith("web   |") for line in result.out.splitlines())


def test_each_task_has_its_colour_on_a_terminal_and_none_on_a_pipe(world: World, tmp_path, small) -> None:
    result = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "3h", stdout_tty=True)
    assert result.code == 0, result.err
    colour_of: dict[str, set[str]] = {}
    for line in result.out.splitlines():
        if line.startswith(" "):  # a long message folded at spaces, under the message's first character
            message_column = ANSI.sub("", result.out).splitlines()[0].index(" | ") + 3
            assert line.index(line.strip()[0]) <= message_column and len(ANSI.sub("", line)) <= 80
            # (further left only when that keeps a token wider than the room beside the column whole)
            continue
        match = COLOUR.search(line)
        assert match, repr(line)
        colour_of.setdefault(match[2], set()).add(match[1])
    assert all(len(colours) == 1 for colours in colour_of.values())  # a task keeps its colour
    running = {t[:8] for t in task_ids(world, "prod", "web")}
    assert running <= set(colour_of)
    assert len({next(iter(colour_of[t])) for t in running}) == len(running)  # and no two tasks share one
    plain = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "3h", stdout_tty=True,
                         extra={"NO_COLOR": "1"})
    assert "\x1b" not in plain.out and parsed("\n".join(row for row in plain.out.splitlines() if row[:1] != " "))


def test_an_empty_window_is_said_with_the_window_and_a_wider_one(world: World, tmp_path, small) -> None:
    quiet = run_ecsshell(world, tmp_path, "logs", "prod", "worker")  # its tasks started long before the last 10m
    assert quiet.code == 0, quiet.err
    assert quiet.out == ""
    assert quiet.err.strip() == "no log lines in the last 10m (try --since 1h)"
    short = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "90s")
    assert short.err.strip() == "no log lines in the last 90s (try --since 1h)"
    document = run_ecsshell(world, tmp_path, "logs", "prod", "worker", "--output", "json")
    assert document.code == 0 and json.loads(document.out) == []  # stdout stays one JSON document
    assert "no log lines in the last 10m" in document.err
    found = run_ecsshell(world, tmp_path, "logs", "prod", "worker", "--since", "3h")
    assert found.code == 0 and found.out and not found.err  # the lines are there, further back


def test_json_is_one_array_and_jsonl_one_object_a_line(world: World, tmp_path, small) -> None:
    whole = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "3h", "--output", "json")
    assert whole.code == 0, whole.err
    lines = json.loads(whole.out)
    assert isinstance(lines, list) and lines
    assert set(lines[0]) == {"timestamp", "taskId", "containerName", "message"}
    streamed = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "3h", "--output", "jsonl")
    assert streamed.code == 0, streamed.err
    assert [json.loads(line) for line in streamed.out.splitlines()] == lines
    queried = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "3h", "--output", "jsonl",
                           "--query", "containerName")
    assert set(queried.out.splitlines()) == {'"web"', '"envoy"'}
    first = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "3h", "--query", "[0].taskId")
    assert json.loads(first.out) == lines[0]["taskId"]


def test_follow_refuses_one_array_and_other_commands_refuse_jsonl(world: World, tmp_path, small) -> None:
    world.recorder.reset()
    follow = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--follow", "--output", "json")
    assert follow.code == 2 and "use --output jsonl" in follow.err and len(follow.err.strip().splitlines()) == 1
    assert world.recorder.total == 0
    ls = run_ecsshell(world, tmp_path, "ls", "prod", "--output", "jsonl")
    assert ls.code == 2 and "use it with --regions, --profiles or --accounts" in ls.err  # jsonl: a fan-out's rows
    assert len(ls.err.strip().splitlines()) == 1

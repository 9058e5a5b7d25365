"""Looking is better than reading: state colours, the pager's rules, watch, logs output (emulated world)."""

from __future__ import annotations

import re

import pytest
from harness import run_ecsshell
from rich.text import Text

from ecsshell.emulator import World
from ecsshell.render.states import state_style, states_text
from ecsshell.render.text import to_text

RUN_HEADER = re.compile(r"^--- \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ ls prod(?: web)?$", re.MULTILINE)


@pytest.mark.parametrize(("state", "style"), [
    ("FAILED", "red"), ("ROLLBACK_IN_PROGRESS", "red"), ("UNHEALTHY", "red"), ("STOPPED", "red"),
    ("unhealthy", "red"), ("IN_PROGRESS", "yellow"), ("PENDING", "yellow"), ("DRAINING", "yellow"),
    ("ACTIVATING", "yellow"), ("DEACTIVATING", "yellow"), ("STOPPING", "yellow"), ("draining", "yellow"),
    ("COMPLETED", "green"), ("SUCCESSFUL", "green"), ("HEALTHY", "green"), ("RUNNING", "green"),
    ("healthy", "green"), ("ACTIVE", "green"), ("UNKNOWN", ""), (None, ""), ("PRIMARY", "cyan"),
    ("INACTIVE", "bright_black"), ("WARNING", "bold yellow"), ("warning", "bold yellow"), ("OK", "green"),
])
def test_one_mapping_gives_each_state_its_colour(state: str | None, style: str) -> None:
    assert state_style(state) == style


def test_a_composite_cell_colours_only_its_state_words() -> None:
    text = states_text("web RUNNING exit 0 healthy (Essential container failed)")
    styled = {text.plain[span.start:span.end]: str(span.style) for span in text.spans}
    assert styled == {"RUNNING": "green", "healthy": "green"}  # "failed" in a reason is prose, not a state


def test_every_state_word_of_a_deployments_cell_is_coloured() -> None:
    text = states_text("PRIMARY payments:2 0/2 FAILED; ACTIVE payments:1 2/2 COMPLETED")
    styled = [(text.plain[span.start:span.end], str(span.style)) for span in text.spans]
    assert styled == [("PRIMARY", "cyan"), ("FAILED", "red"), ("ACTIVE", "green"), ("COMPLETED", "green")]


def test_colour_reaches_a_terminal_and_never_a_pipe_or_no_color(world: World, home, small) -> None:
    on_terminal = run_ecsshell(world, home, "tasks", "prod", "web", stdout_tty=True)
    assert on_terminal.code == 0, on_terminal.err
    assert "\x1b[32mRUNNING" in on_terminal.out  # green
    for extra in ({"NO_COLOR": ""}, {"NO_COLOR": "1"}):
        plain = run_ecsshell(world, home, "tasks", "prod", "web", stdout_tty=True, extra=extra)
        assert plain.code == 0 and "RUNNING" in plain.out and "\x1b" not in plain.out + plain.err
    flag = run_ecsshell(world, home, "--no-color", "tasks", "prod", "web", stdout_tty=True)
    assert "RUNNING" in flag.out and "\x1b" not in flag.out + flag.err
    pipe = run_ecsshell(world, home, "tasks", "prod", "web")
    assert "RUNNING" in pipe.out and "\x1b" not in pipe.out + pipe.err


def test_rendering_without_colour_writes_no_escape_code() -> None:
    assert "\x1b" not in to_text(states_text("FAILED"), width=None, color=False)
    assert "\x1b[31m" in to_text(Text("x").append_text(states_text("FAILED")), width=None, color=True)


def test_a_pager_that_cannot_run_or_fails_hands_the_text_back(tmp_path) -> None:
    from ecsshell.pager import page, pager_command, taller_than

    out = (tmp_path / "out").open("w+")
    assert page("hello", ["/nonexistent/pager"], out, {}) is False  # the caller prints it instead
    assert page("hello", ["false"], out, {"PATH": "/usr/bin:/bin"}) is False
    assert page("hello\nworld", ["cat"], out, {"PATH": "/usr/bin:/bin"}) is True
    out.seek(0)
    assert out.read() == "hello\nworld\n"
    assert pager_command({}) == ["less", "-FRX"]
    assert pager_command({"PAGER": "more -d"}) == ["more", "-d"]
    assert pager_command({"PAGER": ""}) == []  # an empty PAGER turns paging off
    assert taller_than("a\n" * 29, 30) and not taller_than("a\n" * 27, 30) and not taller_than("a", None)


def test_crop_keeps_what_fits_and_counts_what_it_left_out() -> None:
    from ecsshell.pager import crop

    text = "\n".join(f"row {i}" for i in range(10)) + "\n"
    assert crop(text, 10) == text and crop(text, 20) == text
    assert crop(text, 4).split("\n") == ["row 0", "row 1", "row 2",
                                         "... 7 more lines (the terminal is too short to show them)"]
    assert crop(text, 1).split("\n") == ["row 0", "... 9 more lines (the terminal is too short to show them)"]


def test_watch_on_a_pipe_is_never_cropped(world: World, home, small) -> None:
    result = run_ecsshell(world, home, "watch", "--count", "1", "ls", "prod", "web", "--output", "json",
                          extra={"LINES": "5"})
    assert result.code == 0, result.err
    assert "more lines" not in result.out and result.out.rstrip().endswith("}")


def test_watch_on_a_pipe_prints_each_run_after_a_timestamp_line(world: World, home, small) -> None:
    ecs = world.client("ecs")

    def sleep(seconds: float) -> None:
        assert seconds == 5
        ecs.update_service(cluster="prod", service="web", desiredCount=5)  # between the runs, ECS changes
        world.advance(seconds)

    result = run_ecsshell(world, home, "watch", "-n", "5", "--count", "2", "ls", "prod", "web", sleep=sleep)
    assert result.code == 0, result.err
    runs = RUN_HEADER.split(result.out)[1:]
    assert len(runs) == 2 and len(RUN_HEADER.findall(result.out)) == 2
    assert "tasks            desired 3," in runs[0] and "tasks            desired 5," in runs[1]
    assert "\x1b" not in result.out  # no clear-screen on a pipe


def test_an_interrupted_watch_ends_the_one_shot_run_with_130(world: World, home, small) -> None:
    def sleep(_seconds: float) -> None:
        raise KeyboardInterrupt

    result = run_ecsshell(world, home, "watch", "ls", "prod", sleep=sleep)
    assert result.code == 130, result.err  # as any interrupted run (docs/interrupts.md)
    assert len(RUN_HEADER.findall(result.out)) == 1
    assert result.err == "interrupted: nothing after this command runs; nothing was changed in ECS\n"


@pytest.mark.parametrize(("argv", "why"), [
    (("update", "prod", "web", ":9.9.9"), "`update` changes ECS"),
    (("scale", "prod", "web", "0"), "`scale` changes ECS"),
    (("use", "prod"), "is a shell command"),
    (("set", "pager", "off"), "is a shell command"),
    (("logs", "prod", "web", "--follow"), "never ends"),
    (("lss",), "unknown command 'lss'"),
])
def test_watch_refuses_what_changes_ecs_or_the_session_in_one_line(world: World, home, small, argv, why) -> None:
    ecs = world.client("ecs")
    before = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    world.recorder.reset()
    result = run_ecsshell(world, home, "watch", "--count", "1", *argv)
    assert result.code == 2
    assert result.out == "" and len(result.err.strip().splitlines()) == 1 and why in result.err, result.err
    assert world.recorder.total == 0  # refused before any call
    after = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    assert (after["taskDefinition"], after["desiredCount"]) == (before["taskDefinition"], before["desiredCount"])


def test_the_readme_examples_of_looking_at_output_run(world: World, ecsshell, monkeypatch) -> None:

    from test_readme import ROOT, run_examples

    from ecsshell.emulator.worlds import demo_world

    demo_world(world)
    monkeypatch.chdir(ROOT)
    for command, status, result in run_examples(ecsshell, "<!-- looking:", 10):
        if status:
            assert len(result.err.strip().splitlines()) == 1, (command, result.err)
        else:
            assert result.out or result.err.startswith("no log lines in the last"), command  # an empty window says so

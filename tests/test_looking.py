"""Looking is better than reading: state colours, the pager's rules, watch, logs output (emulated world)."""

from __future__ import annotations

import pytest
from harness import run_ecsshell
from rich.text import Text

from ecsshell.emulator import World
from ecsshell.render.states import state_style, states_text
from ecsshell.render.text import to_text


@pytest.mark.parametrize(("state", "style"), [
    ("FAILED", "red"), ("ROLLBACK_IN_PROGRESS", "red"), ("UNHEALTHY", "red"), ("STOPPED", "red"),
    ("unhealthy", "red"), ("IN_PROGRESS", "yellow"), ("PENDING", "yellow"), ("DRAINING", "yellow"),
    ("ACTIVATING", "yellow"), ("DEACTIVATING", "yellow"), ("STOPPING", "yellow"), ("draining", "yellow"),
    ("COMPLETED", "green"), ("SUCCESSFUL", "green"), ("HEALTHY", "green"), ("RUNNING", "green"),
    ("healthy", "green"), ("ACTIVE", ""), ("UNKNOWN", ""), (None, ""), ("PRIMARY", ""),
])
def test_one_mapping_gives_each_state_its_colour(state: str | None, style: str) -> None:
    assert state_style(state) == style


def test_a_composite_cell_colours_only_its_state_words() -> None:
    text = states_text("web RUNNING exit 0 healthy (Essential container failed)")
    styled = {text.plain[span.start:span.end]: str(span.style) for span in text.spans}
    assert styled == {"RUNNING": "green", "healthy": "green"}  # "failed" in a reason is prose, not a state


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

"""Looking is better than reading, in a real pseudo-terminal: the pager, state colours, watch redrawing in place."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from test_pty import COLUMNS, LINES, Terminal, bottom_line

from ecsshell.emulator import World
from ecsshell.emulator.worlds import small_world

pytestmark = pytest.mark.pty


class Screen(Terminal):
    """The pty of test_pty with its own variables: the default pager (test_pty's PAGER=cat dropped), NO_COLOR."""

    def __init__(self, world: World, home: Path, *argv: str, extra: dict[str, str] | None = None) -> None:
        super().__init__(world, home, "--version")  # a child that ends at once; replaced below
        self.child.close(force=True)
        env = dict(self.child.env or {})
        for name in ("PAGER", "LESS", "NO_COLOR"):
            env.pop(name, None)
        env.update(extra or {})
        self.child = pexpect.spawn(sys.executable, ["-m", "ecsshell", *argv], env=env, encoding="utf-8",
                                   dimensions=(LINES, COLUMNS), timeout=20)

    def rows_with(self, needle: str) -> list[int]:
        return [y for y, line in enumerate(self.screen.display) if needle in line]

    def colours_of(self, needle: str) -> set[str]:
        """Return the foreground colours of every character of every NEEDLE on the screen."""
        found: set[str] = set()
        for y in self.rows_with(needle):
            x = self.screen.display[y].index(needle)
            found |= {self.screen.buffer[y][x + i].fg for i in range(len(needle))}
        return found


def at_prompt(term: Terminal, prompt: str = "ecs>") -> bool:
    """Say whether the shell's prompt is back: on the last line, or just above its toolbar."""
    lines = [line for line in term.text().splitlines() if line.strip()]
    return any(line.startswith(prompt) for line in lines[-2:])


def until(term: Terminal, condition, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    """Pump until CONDITION() holds; return whether it did."""
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        term.pump(0.1)
    return bool(condition())


@pytest.fixture
def screen(world: World, tmp_path: Path) -> Iterator[Screen]:
    small_world(world)
    term = Screen(world, tmp_path)
    term.wait_for("ecs>")
    yield term
    term.close()


def test_tall_output_opens_the_pager_and_q_gives_the_prompt_back(screen: Screen) -> None:
    screen.child.send("ls prod web --output json\r")
    screen.wait_for('"service"')
    assert until(screen, lambda: bottom_line(screen).strip() == ":"), screen.text()  # less waits, the rest unread
    assert not at_prompt(screen)
    screen.child.send("q")
    assert until(screen, lambda: at_prompt(screen)), screen.text()
    assert screen.child.isalive()
    screen.child.send("set pager off\r")
    screen.pump(0.5)
    screen.child.send("ls prod web --output json\r")
    def printed_to_its_end() -> bool:  # the document's closing brace right above the prompt
        rows = [row for row in screen.text().splitlines() if row.strip()]
        return at_prompt(screen) and len(rows) > 2 and rows[-3] == "}" and rows[-2].startswith("ecs>")

    assert until(screen, printed_to_its_end), screen.text()
    assert bottom_line(screen).strip() != ":"  # printed straight through, to its end


def test_a_pipe_never_pages(world: World, tmp_path: Path) -> None:
    small_world(world)
    term = Screen(world, tmp_path)  # the same environment, but standard output is a pipe to cat
    term.child.close(force=True)
    command = f"{sys.executable} -m ecsshell ls prod web --output json | cat"
    term.child = pexpect.spawn("/bin/sh", ["-c", command], env=term.child.env, encoding="utf-8",
                               dimensions=(LINES, COLUMNS), timeout=20)
    term.child.expect(pexpect.EOF, timeout=20)  # no pager waits for a key
    term.child.close()
    assert term.child.exitstatus == 0
    assert '"warnings"' in (term.child.before or "")


def test_states_are_coloured_on_a_terminal_and_plain_with_no_color(world: World, tmp_path: Path) -> None:
    small_world(world)
    for extra, colours in (({}, {"green"}), ({"NO_COLOR": "1"}, {"default"})):
        term = Screen(world, tmp_path, extra=extra)
        try:
            term.wait_for("ecs>")
            term.child.send("tasks prod web\r")
            term.wait_for("RUNNING")
            term.pump(0.5)
            assert term.colours_of("RUNNING") == colours, (extra, term.text())
        finally:
            term.close()


def test_watch_of_output_taller_than_the_terminal_keeps_its_header_and_says_what_it_left_out(
        world: World, screen: Screen) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="big")
    ecs.register_task_definition(family="big", containerDefinitions=[{"name": "app", "image": "nginx:1.27",
                                                                     "memory": 128}])
    for i in range(LINES + 10):
        ecs.create_service(cluster="big", serviceName=f"svc-{i:03d}", taskDefinition="big", desiredCount=0)
    screen.child.send("watch -n 0.5 ls big\r")
    screen.wait_for("more lines (the terminal is too short to show them)")
    screen.pump(1.0)  # a second run redraws the same way
    assert until(screen, lambda: "more lines" in screen.text()), screen.text()
    assert screen.rows_with("Every 0.5s: ls big") == [0], screen.text()  # not scrolled away
    assert screen.rows_with("svc-000"), screen.text()
    assert not screen.rows_with(f"svc-{LINES + 9:03d}"), screen.text()
    screen.child.sendcontrol("c")
    assert until(screen, lambda: at_prompt(screen)), screen.text()


def test_watch_redraws_in_place_until_ctrl_c(world: World, screen: Screen) -> None:
    screen.child.send("watch -n 0.5 check prod web\r")
    screen.wait_for("3/3 running web:3")
    world.client("ecs").update_service(cluster="prod", service="web", desiredCount=4)
    screen.wait_for("runs 3 of 4 desired tasks", seconds=15)
    assert "3/3 running" not in screen.text()  # the old run was wiped, not scrolled above the new one
    assert len(screen.rows_with("Every 0.5s: check prod web")) == 1
    screen.child.sendcontrol("c")
    assert until(screen, lambda: at_prompt(screen)), screen.text()
    assert "Traceback" not in screen.text() and "error" not in screen.text()
    screen.child.send("watch update prod web :2.0.0\r")
    screen.wait_for("watch runs only commands that read")

"""The table views in a real pseudo-terminal at 60 to 200 columns: one line per service, no token broken, colour."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pyte
import pytest
from test_pty import Terminal
from wide_world import wide_world

from ecsshell.emulator import World

pytestmark = pytest.mark.pty
LINES = 150  # tall, so that every command's output stays on the screen
STATES = ("ACTIVE", "COMPLETED", "IN_PROGRESS", "RUNNING", "PRIMARY")
AGE = re.compile(r"\d+[smhdy]")


class Wide(Terminal):
    """test_pty's terminal at COLUMNS columns and LINES lines (NO_COLOR set when COLOR is False)."""

    def __init__(self, world: World, home: Path, columns: int, color: bool = True) -> None:
        super().__init__(world, home, "--version")  # a child that ends at once; replaced below
        self.child.close(force=True)
        env = dict(self.child.env or {})
        if not color:
            env["NO_COLOR"] = "1"
        self.child = pexpect.spawn(sys.executable, ["-m", "ecsshell"], env=env, encoding="utf-8",
                                   dimensions=(LINES, columns), timeout=20)
        self.screen = pyte.Screen(columns, LINES)
        self.stream = pyte.Stream(self.screen)
        self.wait_for("ecs>")

    def run(self, command: str, seconds: float = 30.0) -> Output:
        """Run COMMAND; return what it printed as a screen of this width shows it.

        The shell's prompt fills the terminal down to its toolbar, so a tall output scrolls away:
        the bytes between the command's acceptance (bracketed paste off) and the next prompt's
        cursor-position request are drawn on a screen of their own, as tall as they need.
        """
        chunks: list[str] = []
        feed = self.stream.feed
        self.stream.feed = lambda data: (chunks.append(data), feed(data))[1]  # type: ignore[method-assign]
        try:
            self.child.send(command + "\r")
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                self.pump(0.1)
                raw = "".join(chunks)
                accepted = raw.find("\x1b[?2004l")
                if accepted >= 0 and "\x1b[6n" in raw[accepted:]:
                    printed = raw[accepted + len("\x1b[?2004l"):raw.index("\x1b[6n", accepted)]
                    return Output(self.screen.columns, printed)
        finally:
            self.stream.feed = feed  # type: ignore[method-assign]
        raise AssertionError(f"{command!r} never finished; the screen was:\n{self.text()}")


class Output:
    """What one command printed, on a screen COLUMNS wide: its rows, words and colours."""

    def __init__(self, columns: int, printed: str) -> None:
        self.screen = pyte.Screen(columns, printed.count("\n") + 2)
        pyte.Stream(self.screen).feed(printed)
        self.rows = [row.rstrip() for row in self.screen.display]
        while self.rows and not self.rows[-1]:
            self.rows.pop()

    def text(self) -> str:
        return "\n".join(self.rows)

    def words(self, skip: int = 0) -> list[str]:
        return [word for row in self.rows[skip:] for word in row.split()]

    def uncoloured(self, words: tuple[str, ...]) -> list[tuple[int, str]]:
        """Return each of WORDS (every occurrence) with a character drawn in the default colour."""
        found = []
        for y, line in enumerate(self.rows):
            for match in re.finditer(r"[A-Z_]+", line):
                if match.group() in words and any(self.screen.buffer[y][x].fg == "default"
                                                  for x in range(match.start(), match.end())):
                    found.append((y, match.group()))
        return found

    def coloured(self) -> list[tuple[int, int]]:
        """Return every position drawn in a colour."""
        return [(y, x) for y in range(len(self.rows)) for x in range(self.screen.columns)
                if self.screen.buffer[y][x].fg != "default"]


@pytest.fixture
def wide(world: World) -> dict[str, Any]:
    return wide_world(world)


def _tokens_with_separators(words: list[str]) -> list[str]:
    return [w for w in words if any(s in w for s in ":@")]


@pytest.mark.parametrize("columns", [60, 80, 100, 120, 160, 200])
def test_tables_fit_the_terminal_one_line_per_service_and_never_break_a_token(
        wide: dict[str, Any], world: World, tmp_path: Path, columns: int) -> None:
    term = Wide(world, tmp_path, columns)
    try:
        listing = term.run("ls wide")
        screen = listing.text()
        names, revisions, images = wide["services"], wide["revisions"], wide["images"]
        image_words = {word for image in images.values() for word in image.split()}
        known = set(revisions.values()) | image_words
        words = listing.words()
        # whatever has a separator is a whole revision or image: a broken one (`gate way:7`) is not
        assert not [w for w in _tokens_with_separators(words) if w not in known], screen
        assert set(names) <= set(words), screen  # every name whole
        capitals = {w for w in words if re.fullmatch(r"[A-Z_]+;?", w)}
        assert capitals <= {"ACTIVE", "COMPLETED", "IN_PROGRESS"}, screen  # no state word cut in two
        header = listing.rows[1].split()
        if "revision" in header:
            assert set(revisions.values()) <= set(words), screen
        if "image" in header:
            for name in names:  # each service's short images whole, on its own row
                row = next(row for row in listing.rows if row.startswith(name + " "))
                assert f" {images[name]} " in f" {row} ", (name, screen)
        if columns >= 80:  # one line per service, under the table's header and rule
            assert header[:3] == ["service", "status", "tasks"], screen
            assert sorted(row.split()[0] for row in listing.rows[3:3 + len(names)]) == sorted(names), screen
            assert len(listing.rows) in (3 + len(names), 3 + len(names) + 1), screen  # a note of what is hidden
            assert "image" in header or columns < 100, screen
            assert columns < 160 or header == ["service", "status", "tasks", "revision", "image", "rollout", "age"]

        tasks = term.run("tasks wide")
        old = {"ledger:1"}  # the rollout's old tasks
        assert not [w for w in _tokens_with_separators(tasks.words(1)) if w not in {*revisions.values(), *old}], (
            tasks.text())
        taskdefs = term.run("taskdefs")
        assert set(names) <= set(taskdefs.words()), taskdefs.text()
        assert not any("arn:" in w for w in taskdefs.words()), taskdefs.text()  # no ARN column repeating name:N

        whole = term.run("ls wide --wide")
        wanted = ["PRIMARY", "ledger:2", "0/1", "IN_PROGRESS;", "ACTIVE", "ledger:1", "1/1", "COMPLETED"]
        assert all(w in whole.words() for w in wanted), whole.text()  # every deployment, each token whole
        for output in (listing, tasks, whole):  # every state word of every cell coloured
            assert not output.uncoloured(STATES), output.text()
    finally:
        term.close()


def test_no_colour_at_all_with_no_color(wide: dict[str, Any], world: World, tmp_path: Path) -> None:
    term = Wide(world, tmp_path, 120, color=False)
    try:
        outputs = [term.run("ls wide"), term.run("tasks wide"), term.run("ls wide --wide")]
        assert "IN_PROGRESS" in outputs[0].text() and "RUNNING" in outputs[1].text()
        assert not [o.coloured() for o in outputs if o.coloured()]
    finally:
        term.close()

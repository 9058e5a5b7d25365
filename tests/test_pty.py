"""The interactive shell in a real pseudo-terminal: prompt, toolbar, TAB completion, Ctrl-C, Ctrl-D."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pyte
import pytest

from ecsshell.emulator import World

pytestmark = pytest.mark.pty
COLUMNS, LINES = 120, 30


class Terminal:
    """The real ecsshell in a pty, with pyte keeping the screen as a person would see it."""

    def __init__(self, world: World, home: Path, *argv: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(world.environ())
        env.update({"HOME": str(home), "TERM": "xterm-256color", "XDG_CONFIG_HOME": str(home / "config"),
                    "XDG_STATE_HOME": str(home / "state"), "AWS_CONFIG_FILE": str(home / "aws-config"),
                    "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials")})
        env.pop("NO_COLOR", None)
        env["PAGER"] = "cat"  # these tests read tall output to its end; the pager has tests of its own
        self.child = pexpect.spawn(sys.executable, ["-m", "ecsshell", *argv], env=env, encoding="utf-8",
                                   dimensions=(LINES, COLUMNS), timeout=20)
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.Stream(self.screen)

    def pump(self, seconds: float = 0.3) -> None:
        """Read what the program printed for SECONDS, answering cursor-position requests."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                data = self.child.read_nonblocking(100_000, timeout=0.05)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return
            if "\x1b[6n" in data:
                self.child.send(f"\x1b[{self.screen.cursor.y + 1};{self.screen.cursor.x + 1}R")
            self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, needle: str, seconds: float = 15.0) -> str:
        """Pump until NEEDLE is on the screen; fail with the screen if it never shows."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.1)
            if needle in self.text():
                return self.text()
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{self.text()}")

    def close(self) -> None:
        if self.child.isalive():
            self.child.sendcontrol("d")
            self.pump(1.0)
        self.child.close(force=True)


def bottom_line(term: Terminal) -> str:
    return next(line for line in reversed(term.text().splitlines()) if line.strip())


def test_prompt_and_toolbar_follow_the_scope(terminal: Terminal) -> None:
    terminal.wait_for("profile: default | account: 123456789012 | region: us-east-1 | cluster: - | service: -")
    terminal.child.send("use prod api\r")
    terminal.wait_for("prod/api>")
    terminal.wait_for("cluster: prod | service: api")
    terminal.child.send("use ..\r")
    screen = terminal.wait_for("\nprod>")
    assert "service: -" in bottom_line(terminal), screen


def test_tab_completes_clusters_and_services_from_ecs(terminal: Terminal) -> None:
    terminal.child.send("ls pr\t")
    terminal.wait_for("ecs> ls prod")
    terminal.child.send("we\t")  # completion already added the space
    screen = terminal.wait_for("ls prod web")
    assert "ls prod web" in screen
    terminal.child.send("\r")
    terminal.wait_for("envoy")  # the end of the service detail


def test_completion_menu_shows_descriptions(terminal: Terminal) -> None:
    terminal.child.send("use prod\r")
    terminal.wait_for("prod>")
    terminal.child.send("ls \t")
    screen = terminal.wait_for("3/3 running, web:3")
    assert "payments" in screen and "worker" in screen


def test_completion_is_served_from_cache_while_ecs_is_slow(world: World, terminal: Terminal) -> None:
    terminal.child.send("ls \t")
    terminal.wait_for("sandbox")  # the clusters fetched at start-up
    terminal.child.sendcontrol("c")  # abandon the line
    terminal.pump(0.5)
    world.faults.latency(5.0)  # every AWS call now takes five seconds
    started = time.monotonic()
    terminal.child.send("ls sta\t")
    terminal.wait_for("ls staging", seconds=3.0)
    assert time.monotonic() - started < 2.0
    world.faults.clear()


def test_ctrl_c_cancels_a_slow_command_and_returns_to_the_prompt(world: World, terminal: Terminal) -> None:
    terminal.child.send("use prod\r")
    terminal.wait_for("prod>")
    world.faults.latency(3.0, "DescribeServices")
    terminal.child.send("ls web\r")
    terminal.pump(0.8)
    started = time.monotonic()
    terminal.child.sendcontrol("c")
    terminal.wait_for("^C", seconds=5)
    world.faults.clear()
    terminal.child.send("use\r")
    screen = terminal.wait_for("scope: prod")
    assert time.monotonic() - started < 5.0
    assert "Traceback" not in screen
    assert terminal.child.isalive()


def test_ctrl_d_exits_and_history_is_private(terminal: Terminal, tmp_path: Path) -> None:
    terminal.child.send("use prod\r")
    terminal.wait_for("prod>")
    terminal.child.sendcontrol("d")
    terminal.child.expect(pexpect.EOF, timeout=10)
    terminal.child.close()
    assert terminal.child.exitstatus == 0
    history = tmp_path / "state" / "ecsshell" / "history"
    assert history.exists()
    assert history.stat().st_mode & 0o777 == 0o600


def test_listing_a_big_cluster_shows_progress_then_clears_it(world: World, tmp_path: Path) -> None:
    from ecsshell.emulator.worlds import scale_world

    scale_world(world, 300, cluster="big")
    term = Terminal(world, tmp_path)
    try:
        term.wait_for("ecs>")
        world.faults.latency(0.3, "DescribeServices")
        term.child.send("ls big\r")
        term.wait_for("services described", seconds=10)
        world.faults.clear()
        term.wait_for("svc-0299", seconds=30)
        assert "services described" not in term.text()
    finally:
        world.faults.clear()
        term.close()


def test_the_idle_shell_writes_nothing(terminal: Terminal) -> None:
    terminal.wait_for("cluster: -")
    terminal.pump(1.0)  # the start-up fetch of cluster names ends and the toolbar settles
    written = 0
    end = time.monotonic() + 3.0
    while time.monotonic() < end:
        try:
            written += len(terminal.child.read_nonblocking(100_000, timeout=0.1))
        except pexpect.TIMEOUT:
            continue
    assert written == 0  # no redraw on a timer: the toolbar only changes when what it shows does


def test_tab_completes_absolute_paths_and_fuzzy_names(terminal: Terminal) -> None:
    terminal.child.send("use prod\r")
    terminal.wait_for("prod>")
    terminal.child.send("ls /st\t")
    terminal.wait_for("prod> ls /staging")
    assert terminal.screen.cursor.x == len("prod> ls /staging")  # no space yet: a /SERVICE may follow
    terminal.child.send("/we\t")
    terminal.wait_for("prod> ls /staging/web")
    terminal.child.send("\r")
    terminal.wait_for("envoy")
    terminal.child.send("ls eb\t")  # not a prefix of any service of prod, but inside web
    terminal.wait_for("prod> ls web")
    terminal.pump(0.3)
    assert terminal.screen.cursor.x == len("prod> ls web ")  # the one match, finished with a space


def _read_until(term: Terminal, needle: str, seconds: float, after: str = "") -> str:
    """Return everything the program writes until NEEDLE has been written (after AFTER, if given)."""
    chunks: list[str] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            data = term.child.read_nonblocking(1_000_000, timeout=0.1)
        except pexpect.TIMEOUT:
            continue
        if "\x1b[6n" in data:
            term.child.send(f"\x1b[{LINES};1R")
        chunks.append(data)
        text = "".join(chunks)
        start = text.rfind(after) if after else 0
        if start >= 0 and needle in text[start:]:
            return text
    raise AssertionError(f"{needle!r} never came; the output ended:\n{''.join(chunks)[-2000:]}")


def test_a_big_listing_breaks_no_token_at_any_terminal_width(world: World, tmp_path: Path) -> None:
    from tokens import ANSI, not_whole

    from ecsshell.emulator.worlds import scale_world

    names = scale_world(world, 2000, cluster="scale")["services"]
    tokens = [*names, *(f"{n}:5" for n in names), *(f"{n}:1.5.0" for n in names)]  # short images: no host
    term = Terminal(world, tmp_path)
    try:
        _read_until(term, "ecs>", 20)
        for columns in (200, 130, 80):  # one line per service at each
            term.child.setwinsize(LINES, columns)
            term.child.send("ls scale\r")
            output = _read_until(term, "ecs>", 120, after="svc-1999")
            shown = ANSI.sub("", output[output.rindex("2000 services") :])
            lines = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in shown.split("\n")][:-1]  # not the prompt
            text = "\n".join(lines)
            assert not not_whole(tokens, text), f"at {columns} columns"
            assert len([line for line in lines if line.startswith("svc-")]) == 2000, f"at {columns} columns"
            assert max(len(line.rstrip()) for line in lines) <= columns
            assert "…" not in text
    finally:
        term.close()


def test_typing_a_cluster_fetches_its_services_and_a_new_shell_completes_from_saved_names(
        world: World, terminal: Terminal, tmp_path: Path) -> None:
    terminal.child.send("ls \t")
    terminal.wait_for("sandbox")  # the clusters fetched at start-up
    terminal.child.sendcontrol("c")
    terminal.pump(0.5)
    world.recorder.reset()
    terminal.child.send("ls prod ")  # no TAB: the line names a cluster in full
    end = time.monotonic() + 10
    while time.monotonic() < end and not world.recorder.calls["DescribeServices"]:
        terminal.pump(0.1)
    assert world.recorder.calls["ListServices"] == 1
    terminal.child.sendcontrol("c")
    terminal.pump(1.0)  # the names are saved as the fetch ends
    terminal.close()
    world.faults.latency(5.0)  # a new shell, and ECS now takes five seconds a call
    fresh = Terminal(world, tmp_path)
    try:
        fresh.wait_for("ecs>")
        started = time.monotonic()
        fresh.child.send("ls prod pay\t")
        fresh.wait_for("ls prod payments", seconds=3.0)
        assert time.monotonic() - started < 2.0
    finally:
        world.faults.clear()
        fresh.close()

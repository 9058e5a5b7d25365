"""In the interactive shell Ctrl-C ends a follow and returns to the prompt; a script run from it stops there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_pty import Terminal

from ecsshell.emulator import World
from ecsshell.emulator.worlds import small_world

pytestmark = pytest.mark.pty


@pytest.fixture
def terminal(world: World, tmp_path: Path) -> Iterator[Terminal]:
    small_world(world)
    world.recorder.reset()
    term = Terminal(world, tmp_path)
    term.wait_for("ecs>")
    yield term
    term.close()


def desired(world: World, service: str) -> int:
    return int(world.client("ecs").describe_services(cluster="prod", services=[service])["services"][0]
               ["desiredCount"])


def test_ctrl_c_ends_logs_follow_and_the_rest_of_the_line_at_the_prompt(world: World, terminal: Terminal) -> None:
    terminal.child.send("logs prod web -f --since 3h; scale prod api 3 -y\r")
    terminal.wait_for("starting on :8080")
    terminal.pump(0.5)
    terminal.child.sendcontrol("c")
    screen = terminal.wait_for("not run after that failure: scale prod api 3 -y", seconds=5)
    terminal.child.send("use prod\r")
    screen = terminal.wait_for("prod>")
    assert "Traceback" not in screen and terminal.child.isalive()
    assert world.recorder.calls["UpdateService"] == 0 and desired(world, "api") != 3


def test_ctrl_c_during_a_watch_in_a_script_stops_the_script_not_the_shell(world: World, terminal: Terminal,
                                                                         tmp_path: Path) -> None:
    script = tmp_path / "s.ecs"
    script.write_text("watch -n 5 ls prod web\nscale prod api 3 -y\n")
    terminal.child.send(f"run_script {script}\r")
    terminal.wait_for("Every 5s: ls prod web")
    terminal.pump(0.5)
    terminal.child.sendcontrol("c")
    terminal.wait_for("stopped at line 1", seconds=5)
    terminal.pump(0.5)
    words = " ".join(terminal.text().split())  # the line may wrap
    assert "(watch -n 5 ls prod web): exit 130" in words
    terminal.child.send("use prod\r")
    terminal.wait_for("prod>")
    assert world.recorder.calls["UpdateService"] == 0 and desired(world, "api") != 3


def test_ctrl_c_at_the_terminal_during_exec_in_a_script_ends_the_session_and_the_run(world: World,
                                                                                    tmp_path: Path) -> None:
    import os
    import sys

    import pexpect
    from test_interrupt_paths import plugin

    small_world(world)
    world.recorder.reset()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(world.environ())
    env.update({"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "XDG_STATE_HOME": str(tmp_path / "state"), "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials")})
    env.update(plugin(tmp_path, "hang"))
    child = pexpect.spawn(sys.executable, ["-m", "ecsshell", "-c", "exec prod web; scale prod api 3 -y"], env=env,
                          encoding="utf-8", timeout=20)
    try:
        child.expect("exec '/bin/sh' in container web")
        while not (tmp_path / "called").exists():
            child.expect([pexpect.TIMEOUT], timeout=0.05)
        child.sendintr()  # the terminal sends SIGINT to ecsshell and the plugin alike
        child.expect(pexpect.EOF)
        child.close()
        said = child.before
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, said
    assert "interrupted: nothing after this command runs; nothing was changed in ECS" in said
    assert "Traceback" not in said and world.recorder.calls["UpdateService"] == 0 and desired(world, "api") != 3

"""Signals and broken output end a run with the right status, one line, and nothing after it runs."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from harness import console_env

from ecsshell.emulator import World


def start(world: World, home: Path, *argv: str, stdin: Any = subprocess.DEVNULL, stdout: Any = subprocess.PIPE
          ) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "ecsshell", *argv], stdin=stdin, stdout=stdout,
                            stderr=subprocess.PIPE, text=True, env=console_env(world, home))


def wait_until_in_flight(world: World, operation: str, seconds: float = 20.0) -> None:
    """Wait until the world is answering OPERATION (its latency holds the call open)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if world.recorder.calls[operation] and world.recorder.in_flight:
            return
        time.sleep(0.02)
    raise AssertionError(f"{operation} was never called")


def revision_of(world: World, cluster: str, service: str) -> str:
    svc = world.client("ecs").describe_services(cluster=cluster, services=[service])["services"][0]
    return str(svc["taskDefinition"].rsplit("/", 1)[-1])


@pytest.mark.parametrize(("signum", "status", "word"), [(signal.SIGINT, 130, "interrupted"),
                                                         (signal.SIGTERM, 143, "terminated")])
@pytest.mark.parametrize("mode", ["-c", "-f", "stdin", "argv"])
def test_a_signal_ends_the_run_and_nothing_after_it_runs(world, small, tmp_path: Path, signum: int, status: int,
                                                          word: str, mode: str) -> None:
    script = tmp_path / "s.ecs"
    script.write_text("ls prod\nupdate prod api :9.9.9\n")
    argv = {"-c": ["-c", "ls prod\nupdate prod api :9.9.9"], "-f": ["-f", str(script)], "stdin": [],
            "argv": ["ls", "prod"]}[mode]
    world.faults.latency(1.5, "ListServices")
    proc = start(world, tmp_path, *argv, stdin=subprocess.PIPE if mode == "stdin" else subprocess.DEVNULL)
    if mode == "stdin":
        assert proc.stdin is not None
        proc.stdin.write("ls prod\nupdate prod api :9.9.9\n")
        proc.stdin.flush()
    try:
        wait_until_in_flight(world, "ListServices")
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        world.faults.clear()
    assert proc.returncode == status, err
    assert "Traceback" not in err
    assert f"{word}: nothing after this command runs; nothing was changed in ECS" in err
    assert world.recorder.calls["RegisterTaskDefinition"] == 0
    assert revision_of(world, "prod", "api") == "api:3"


def test_a_full_disk_for_stdout_is_one_line_and_a_failure(world, small, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = start(world, tmp_path, "-c", "ls prod\nupdate prod api :9.9.9", stdout=full)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "no space left on device" in err
    assert world.recorder.calls["RegisterTaskDefinition"] == 0


def test_a_full_disk_stops_a_one_shot_update_before_it_changes_anything(world, small, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = start(world, tmp_path, "update", "prod", "api", ":2.5.0", stdout=full)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert err.splitlines() == ["error: standard output is full (no space left on device); the run stopped"]
    assert world.recorder.calls["RegisterTaskDefinition"] == 0
    assert revision_of(world, "prod", "api") == "api:3"


def test_a_character_stdout_cannot_encode_stops_the_run_in_one_line(world, small, tmp_path: Path) -> None:
    env = {**console_env(world, tmp_path), "PYTHONIOENCODING": "ascii"}
    line = "ls prod --query \"'caf\u00e9'\"; update prod api :9.9.9"
    proc = subprocess.run([sys.executable, "-m", "ecsshell", "-c", line], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=60, check=False)
    assert proc.returncode == 1, proc.stderr
    said = proc.stderr.splitlines()
    assert said[0] == ("error: standard output cannot show '\\xe9' in its encoding (ascii); set "
                       "PYTHONIOENCODING=utf-8 or a UTF-8 locale; the run stopped; nothing was changed in ECS")
    assert len(said) == 2 and said[1].startswith("stopped at line 1 (") and "Traceback" not in proc.stderr
    assert world.recorder.calls["RegisterTaskDefinition"] == 0

    missing = subprocess.run([sys.executable, "-m", "ecsshell", "-c", "ls nosuch\u00e9"], capture_output=True,
                             text=True, encoding="utf-8", env=env, timeout=60, check=False)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert 'cluster "nosuch\\xe9" not found' in missing.stderr  # said on stderr, the character escaped


def read_one_line_then_close(world: World, home: Path, slow: str, line: str) -> tuple[int, str]:
    """Run `-c LINE` with SLOW held open, read one line of its output and close the pipe, like `| head -1`."""
    world.faults.latency(1.0, slow)
    proc = start(world, home, "-c", line)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline()
        proc.stdout.close()
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        world.faults.clear()
    return proc.returncode, err


def test_a_closed_pipe_stops_the_run(world, small, tmp_path: Path) -> None:
    code, err = read_one_line_then_close(world, tmp_path, "ListServices", "ls\nls prod\nupdate prod api :9.9.9")
    assert code == 1, err
    assert "broken pipe" in err and "Traceback" not in err and "Exception ignored" not in err
    assert world.recorder.calls["RegisterTaskDefinition"] == 0


def test_a_closed_pipe_after_a_change_says_what_changed(world, small, tmp_path: Path) -> None:
    code, err = read_one_line_then_close(world, tmp_path, "DescribeServices", "ls\nupdate prod api :2.5.0")
    assert code == 1, err
    assert "broken pipe" in err
    assert "ECS was already changed: registered api:4, updated service api to api:4" in err

"""`ecsshell --demo` and the console script, run as a real subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ecsshell(*argv: str, stdin: str = "", home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECSCREDENTIAL"))}
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
                "AWS_CONFIG_FILE": str(home / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "none")})
    return subprocess.run([sys.executable, "-m", "ecsshell", *argv], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_demo_runs_one_shots_against_its_own_world(tmp_path: Path) -> None:
    result = ecsshell("--demo", "-c", "ls prod", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "9 services in cluster prod"
    assert re.search(r"^api\s+ACTIVE\s+2/2/0\s+api:\d+\s+team/api:2\.4\.1\s", result.stdout, re.M)  # one line


def test_demo_update_rolls_out_in_the_background_scheduler(tmp_path: Path) -> None:
    script = "use prod\nupdate api :2.5.0 --wait --timeout 60s\ncheck api\n"
    result = ecsshell("--demo", stdin=script, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(service api) has reached a steady state." in result.stdout
    assert "OK: service api in prod: 2/2 running api:4, rollout COMPLETED" in result.stdout


def test_piped_failure_stops_the_real_program_with_status_1(tmp_path: Path) -> None:
    result = ecsshell("--demo", stdin="use prod\ncheck payments\nupdate api :9.9.9\n", home=tmp_path)
    assert result.returncode == 1
    assert "9.9.9" not in result.stdout
    assert "Traceback" not in result.stderr


def test_demo_without_the_demo_extra_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from ecsshell.cli import main
    from ecsshell.environment import Environment

    monkeypatch.setitem(sys.modules, "moto.server", None)  # as if moto were not installed
    err = io.StringIO()
    environment = Environment(stdin=io.StringIO(), stdout=io.StringIO(), stderr=err,
                              env={"HOME": str(tmp_path)}, stdin_isatty=False, stdout_isatty=False)
    assert main(["--demo", "-c", "ls"], environment) == 1
    assert err.getvalue().strip() == "ecsshell: --demo needs the demo extra: pip install 'ecsshell[demo]'"


def test_usage_and_version_of_the_console_script(tmp_path: Path) -> None:
    version = ecsshell("-version", home=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("ecsshell 0.")
    usage = ecsshell("-h", home=tmp_path)
    assert usage.returncode == 0 and "update CLUSTER SERVICE IMAGE" in usage.stdout
    wrong = ecsshell("-events", "many", "ls", home=tmp_path)
    assert wrong.returncode == 2 and "invalid int value" in wrong.stderr


def test_ctrl_c_ends_a_piped_run_before_the_next_line(world, tmp_path: Path) -> None:
    import signal
    import time

    from ecsshell.emulator.worlds import small_world

    small_world(world)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECSCREDENTIAL"))}
    env.update(world.environ())
    env.update({"HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")})
    world.faults.latency(5.0, "DescribeServices")
    world.recorder.reset()
    process = subprocess.Popen([sys.executable, "-m", "ecsshell"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write("ls prod web\nupdate prod api :9.9.9\n")
    process.stdin.close()
    deadline = time.monotonic() + 30
    while world.recorder.calls["DescribeServices"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 130
    assert "interrupted" in process.stderr.read()
    world.faults.clear()
    service = world.client("ecs").describe_services(cluster="prod", services=["api"])["services"][0]
    assert service["taskDefinition"].endswith("api:3")


def test_requests_wait_while_the_world_is_built_and_then_see_all_of_it(world) -> None:
    import threading

    answers: list[list[str]] = []
    with world.building():
        world.api("ecs").create_cluster(clusterName="first")  # in-process: never held
        asker = threading.Thread(target=lambda: answers.append(world.client("ecs").list_clusters()["clusterArns"]))
        asker.start()  # over HTTP: held until the world is built
        asker.join(0.5)
        held = asker.is_alive() and not answers  # asserted below: a failure in here would fail the world
        world.api("ecs").create_cluster(clusterName="second")
    asker.join(30)
    assert held
    assert [arn.rsplit("/", 1)[-1] for arn in sorted(answers[0])] == ["first", "second"]


def test_a_world_that_cannot_be_built_answers_why_and_the_error_is_raised() -> None:
    from botocore.exceptions import ClientError

    from ecsshell.emulator import World

    world = World("ap-south-1").listen()  # a Region of its own: the session's world keeps its shims
    try:
        world.load(warm=False, hold=True)
        with pytest.raises(RuntimeError, match="no disk"), world.building():
            raise RuntimeError("no disk")
        assert world.wait_ready(0) == "the world could not be built: no disk"
        client = world.client("ecs", retries={"total_max_attempts": 1})
        with pytest.raises(ClientError, match="the world could not be built: no disk"):
            client.list_clusters()
    finally:
        world.stop()


def test_the_interactive_demo_prompts_before_its_world_is_built_and_its_first_command_sees_it(
        tmp_path: Path) -> None:
    import re

    import pexpect

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECSCREDENTIAL"))}
    env.update({"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "XDG_STATE_HOME": str(tmp_path / "state"), "NO_COLOR": "1"})
    child = pexpect.spawn(sys.executable, ["-m", "ecsshell", "--demo"], env=env, cwd=str(ROOT), encoding="utf-8",
                          timeout=120, dimensions=(40, 140))
    try:
        child.expect("ecs>")
        assert "nothing here touches AWS" in child.before
        child.sendline("ls / --profiles env,staging")  # at once: it waits for the world, profiles and all
        child.expect(r"111111111111[^\n]*\n")
        listed = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", child.before + child.after)
        child.expect("ecs>")
        listed += re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", child.before)
        assert "releases" in listed and "111111111111" in listed, listed  # the staging profile's account
        assert "error" not in listed, listed
        child.sendline("quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_a_demo_world_that_cannot_be_built_stops_a_one_shot_with_one_line(tmp_path: Path) -> None:
    script = ("import sys\n"
              "from ecsshell.emulator import worlds\n"
              "def broken(world):\n"
              "    raise RuntimeError('no space left on device')\n"
              "worlds.demo_world = broken\n"
              "from ecsshell.cli import main\n"
              "sys.exit(main(['--demo', '-c', 'ls']))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECSCREDENTIAL"))}
    env.update({"HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")})
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == "ecsshell: the demo world could not be built: no space left on device\n"  # said once


def test_leaving_the_interactive_demo_before_its_world_is_built_is_quiet(tmp_path: Path) -> None:
    import pexpect

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECSCREDENTIAL"))}
    env.update({"HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "NO_COLOR": "1"})
    child = pexpect.spawn(sys.executable, ["-m", "ecsshell", "--demo"], env=env, cwd=str(ROOT), encoding="utf-8",
                          timeout=120)
    try:
        child.expect("ecs>")
        child.sendeof()  # at once: requests held for the world are answered "stopped", bodies and all
        child.expect(pexpect.EOF)
        said = child.before
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "Bad request" not in said and "could not be built" not in said and "Traceback" not in said, said

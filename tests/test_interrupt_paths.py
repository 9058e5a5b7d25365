"""One path for interrupts (issue 21): a follow, a watch or an exec ends the run with 130 or 143, and nothing
after it runs; exec's statuses; RunTask safe to retry. Each test runs the real program in a subprocess."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from harness import console_env

from ecsshell.emulator import World

SIGNALS = [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]
SCALE = "scale prod api 3 -y"


def start(world: World, home: Path, *argv: str, extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
    env = {**console_env(world, home), **(extra or {})}
    return subprocess.Popen([sys.executable, "-m", "ecsshell", *argv], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_calls(world: World, operation: str, times: int = 1, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if world.recorder.calls[operation] >= times:
            return
        time.sleep(0.02)
    raise AssertionError(f"{operation} was not called {times} time(s)")


def signal_and_finish(proc: subprocess.Popen[str], signum: int) -> tuple[str, str]:
    try:
        proc.send_signal(signum)
        return proc.communicate(timeout=30)
    finally:
        proc.kill()


def desired(world: World, service: str) -> int:
    svc = world.client("ecs").describe_services(cluster="prod", services=[service])["services"][0]
    return int(svc["desiredCount"])


def assert_stopped_here(world: World, err: str, word: str) -> None:
    """The run said it stopped, in one line and no traceback, and the scale after it never ran."""
    assert "Traceback" not in err
    assert f"{word}: nothing after this command runs; nothing was changed in ECS" in err
    assert world.recorder.calls["UpdateService"] == 0
    assert desired(world, "api") != 3


# logs --follow -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("signum", "status", "word"), SIGNALS)
@pytest.mark.parametrize("mode", ["script", "one-shot"])
def test_a_signal_during_logs_follow_stops_the_run(world, small, tmp_path: Path, signum: int, status: int,
                                                   word: str, mode: str) -> None:
    argv = (["-c", f"logs prod web --follow --since 3h; {SCALE}"] if mode == "script"
            else ["logs", "prod", "web", "--follow", "--since", "3h"])
    proc = start(world, tmp_path, *argv)
    wait_for_calls(world, "FilterLogEvents")
    time.sleep(0.3)  # in the poll's sleep
    out, err = signal_and_finish(proc, signum)
    assert proc.returncode == status, err
    assert_stopped_here(world, err, word)
    assert "starting on :8080" in out  # what it followed was printed before it stopped


# watch ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("signum", "status", "word"), SIGNALS)
def test_a_signal_during_watch_in_a_script_stops_the_run(world, small, tmp_path: Path, signum: int, status: int,
                                                         word: str) -> None:
    proc = start(world, tmp_path, "-c", f"watch -n 5 ls prod web\n{SCALE}")
    wait_for_calls(world, "DescribeServices")
    time.sleep(0.3)
    out, err = signal_and_finish(proc, signum)
    assert proc.returncode == status, err
    assert_stopped_here(world, err, word)
    assert [line.split()[-1] for line in out.splitlines() if line.startswith("--- 20")] == ["web"]  # one run


def test_watch_cannot_be_tricked_into_following_by_an_abbreviated_option(world, small, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "ecsshell", "-c", f"watch --count 2 logs prod web --fol; {SCALE}"],
                          capture_output=True, text=True, env=console_env(world, tmp_path), timeout=60, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "unrecognized arguments: --fol" in proc.stderr and "Traceback" not in proc.stderr
    assert world.recorder.calls["FilterLogEvents"] == 0 and world.recorder.calls["UpdateService"] == 0


@pytest.mark.parametrize("line", ["ls prod --out json", "scale prod api 3 --ye", "history --cle", "set --ver"])
def test_no_parser_takes_an_abbreviated_long_option(world, small, tmp_path: Path, line: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "ecsshell", "-c", line], capture_output=True, text=True,
                          env=console_env(world, tmp_path), timeout=60, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "unrecognized arguments" in proc.stderr and "Traceback" not in proc.stderr
    assert world.recorder.calls["UpdateService"] == 0


# --wait ----------------------------------------------------------------------------------------------
def test_sigterm_during_a_wait_in_a_script_says_what_goes_on_and_stops_the_run(world, small, tmp_path: Path) -> None:
    proc = start(world, tmp_path, "-c", f"update prod web :1.6.0 -y --wait\n{SCALE}")
    wait_for_calls(world, "UpdateService")
    wait_for_calls(world, "DescribeServices", 2)
    _, err = signal_and_finish(proc, signal.SIGTERM)
    assert proc.returncode == 143, err
    assert "stopped waiting; deployment" in err and "goes on in ECS" in err
    assert err.strip().splitlines()[-1] == ("terminated: nothing after this command runs; ECS was already changed: "
                                            "registered web:4, updated service web to web:4")
    assert world.recorder.calls["UpdateService"] == 1 and desired(world, "api") != 3 and "Traceback" not in err


# exec --------------------------------------------------------------------------------------------
PLUGIN = """#!/bin/sh
if [ "$1" = "--version" ]; then echo 1.2.707.0; exit 0; fi
printf '%s\n' "$@" > "$PLUGIN_RECORD"
case "$PLUGIN_DOES" in
  hang) exec sleep 60 ;;
  die) kill -KILL $$ ;;
  *) exit "$PLUGIN_DOES" ;;
esac
"""


def plugin(tmp_path: Path, does: str) -> dict[str, str]:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    path = folder / "session-manager-plugin"
    path.write_text(PLUGIN)
    path.chmod(0o755)
    return {"PATH": f"{folder}:/usr/bin:/bin", "PLUGIN_DOES": does, "PLUGIN_RECORD": str(tmp_path / "called")}


@pytest.mark.parametrize(("signum", "status", "word"), SIGNALS)
def test_a_signal_during_exec_ends_the_session_and_the_run(world, small, tmp_path: Path, signum: int, status: int,
                                                           word: str) -> None:
    proc = start(world, tmp_path, "-c", f"exec prod web --force; {SCALE}", extra=plugin(tmp_path, "hang"))
    end = time.monotonic() + 30
    while not (tmp_path / "called").exists() and time.monotonic() < end:
        time.sleep(0.02)
    time.sleep(0.2)
    _, err = signal_and_finish(proc, signum)
    assert proc.returncode == status, err
    assert_stopped_here(world, err, word)  # a session is not a change: no "ECS was already changed"
    assert "ExecuteCommand" not in err
    assert world.recorder.calls["ExecuteCommand"] == 1


def test_exec_passes_the_status_through_and_a_killed_plugin_gives_128_plus_n(world, small, tmp_path: Path) -> None:
    for does, status, said in (("7", 7, "session-manager-plugin exited with status 7"),
                               ("die", 137, "session-manager-plugin was killed by SIGKILL (exit 137)")):
        proc = subprocess.run([sys.executable, "-m", "ecsshell", "-c", f"exec prod web --force; {SCALE}"],
                              capture_output=True, text=True, timeout=60, check=False,
                              env={**console_env(world, tmp_path), **plugin(tmp_path, does)})
        assert proc.returncode == status, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert f"error: {said}" in lines and "Traceback" not in proc.stderr
        assert lines[-1].startswith("stopped at line 1") and world.recorder.calls["UpdateService"] == 0


def test_exec_takes_a_target_path(world, tmp_path: Path) -> None:
    from ecsshell.emulator.worlds import fleet_world

    fleet = fleet_world(world, tmp_path / "aws")
    ecs = world.client("ecs", account="222222222222", region="eu-west-1")
    ecs.update_service(cluster="web", service="api", enableExecuteCommand=True, forceNewDeployment=True)
    world.advance(120)
    tasks = ecs.describe_tasks(cluster="web", tasks=ecs.list_tasks(cluster="web", serviceName="api")["taskArns"])
    ids = {t["taskArn"].rsplit("/", 1)[-1] for t in tasks["tasks"] if t.get("enableExecuteCommand")}
    assert ids
    env = {**fleet["env"], **plugin(tmp_path, "0")}
    proc = subprocess.run([sys.executable, "-m", "ecsshell", "exec", "prod@eu-west-1:/web/api", "--force"],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**console_env(world, tmp_path), **env})
    assert proc.returncode == 0, proc.stderr
    _, region, action, profile, request, _endpoint = (tmp_path / "called").read_text().splitlines()
    assert (region, action, profile) == ("eu-west-1", "StartSession", "prod")
    cluster, task, _runtime = json.loads(request)["Target"].removeprefix("ecs:").split("_")
    assert cluster == "web" and task in ids


# RunTask, safe to retry ------------------------------------------------------------------------------
def run_task(world: World, home: Path, *line: str) -> subprocess.CompletedProcess[str]:
    env = {**console_env(world, home), "AWS_MAX_ATTEMPTS": "2"}
    return subprocess.run([sys.executable, "-m", "ecsshell", "-c", " ".join(line)], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def ecsshell_tasks(world: World) -> list[dict[str, Any]]:
    ecs = world.client("ecs")
    arns = ecs.list_tasks(cluster="prod", startedBy="ecsshell")["taskArns"]
    return ecs.describe_tasks(cluster="prod", tasks=arns)["tasks"] if arns else []


def test_a_run_task_ecs_applied_but_answered_500_names_the_task_it_started(world, small, tmp_path: Path) -> None:
    world.faults.fail("RunTask", 500, 5, after_apply=True)  # every attempt is carried out, every answer lost
    proc = run_task(world, tmp_path, "run prod web -y;", SCALE)
    assert proc.returncode == 1, proc.stderr
    (task,) = ecsshell_tasks(world)  # two attempts with one client token: one task
    tid = task["taskArn"].rsplit("/", 1)[-1]
    assert world.recorder.calls["RunTask"] > 1  # retried
    first = proc.stderr.splitlines()[0]
    assert first.startswith("error: AWS failed RunTask with HTTP 500") and "Traceback" not in proc.stderr
    assert f"but ECS started task {tid} (web:3) anyway; it is running (`stop prod {tid}` stops it)" in first
    assert world.recorder.calls["UpdateService"] == 0


def test_a_run_task_that_failed_before_it_started_anything_says_so(world, small, tmp_path: Path) -> None:
    world.faults.fail("RunTask", 503, 5)
    proc = run_task(world, tmp_path, "run prod web -y")
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines()[0].endswith("; no task was started")
    assert ecsshell_tasks(world) == []


def test_the_emulator_answers_a_repeated_client_token_with_the_same_tasks(world, small) -> None:
    import botocore.exceptions

    ecs = world.client("ecs")
    params: dict[str, Any] = {"cluster": "batch", "taskDefinition": "migrate", "launchType": "FARGATE",
                              "networkConfiguration": {"awsvpcConfiguration": {
                                  "subnets": small["subnets"], "securityGroups": [small["security_group"]]}}}
    first = ecs.run_task(clientToken="t-1", **params)["tasks"]
    again = ecs.run_task(clientToken="t-1", **params)["tasks"]
    assert [t["taskArn"] for t in first] == [t["taskArn"] for t in again] and len(first) == 1
    other = ecs.run_task(clientToken="t-2", **params)["tasks"]
    assert other[0]["taskArn"] != first[0]["taskArn"]
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        ecs.run_task(clientToken="t-1", **{**params, "count": 2})
    error = caught.value.response
    assert error["Error"]["Code"] == "ConflictException"
    assert error["resourceIds"] == [first[0]["taskArn"]]


def test_a_run_whose_look_up_fails_still_runs_and_a_failure_says_it_could_not_check(world, small,
                                                                                      tmp_path: Path) -> None:
    world.faults.fail("ListTasks", 500, 100)  # the list taken before RunTask cannot be had
    ran = run_task(world, tmp_path, "run prod web -y")
    assert ran.returncode == 0, ran.stderr
    assert len(ecsshell_tasks_after_faults(world)) == 1
    world.faults.fail("ListTasks", 500, 100)
    world.faults.fail("RunTask", 500, 100)
    failed = run_task(world, tmp_path, "run prod web -y")
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[0].endswith("; could not check whether ECS started a task anyway: see "
                                                  "`tasks prod`")
    assert len(ecsshell_tasks_after_faults(world)) == 1


def ecsshell_tasks_after_faults(world: World) -> list[dict[str, Any]]:
    world.faults.clear()
    return ecsshell_tasks(world)

"""Deploys that are complete or undone: creates that fail, interruptions, revisions still in use."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from harness import Result, run_ecsshell
from test_deploy import error_line, revision_of, revisions, service

from ecsshell.aws import Gateway, Settings
from ecsshell.emulator import World
from ecsshell.operations import deploy


@pytest.fixture
def gw(world: World) -> Iterator[Gateway]:
    with Gateway.connect(Settings(endpoint_url=world.endpoint_url, region=world.region),
                         env=world.environ()) as gateway:
        yield gateway


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err


def spec_of(world: World, ref: str) -> dict[str, Any]:
    answer: dict[str, Any] = world.client("ecs").describe_task_definition(taskDefinition=ref)
    return {"taskDefinition": answer["taskDefinition"]}


CONTAINERS = [{"name": "web", "image": "web:9", "memory": 128}]


# the emulator's "apply, then answer 5xx" ---------------------------------------------------------
def test_a_fault_after_apply_makes_the_change_but_answers_an_error(world: World, small) -> None:
    ecs = world.client("ecs", retries={"total_max_attempts": 1})
    world.faults.fail("RegisterTaskDefinition", 500, 1, after_apply=True)
    with pytest.raises(Exception, match="Injected fault"):
        ecs.register_task_definition(family="web", containerDefinitions=CONTAINERS)
    assert revisions(world, "web") == ["web:1", "web:2", "web:3", "web:4"]
    world.faults.fail("RegisterTaskDefinition", 500, 1)  # before apply: nothing is made
    with pytest.raises(Exception, match="Injected fault"):
        ecs.register_task_definition(family="web", containerDefinitions=CONTAINERS)
    assert revisions(world, "web") == ["web:1", "web:2", "web:3", "web:4"]


# a register that fails: adopted or nothing made ---------------------------------------------------
@pytest.mark.parametrize("times", [1, 6])
def test_update_after_5xx_before_apply_registers_nothing(world, home, small, times: int) -> None:
    before = service(world, "prod", "web")["taskDefinition"]
    world.faults.fail("RegisterTaskDefinition", 503, times)
    result = run_ecsshell(world, home, "update", "prod", "web", ":1.6.0")
    assert result.code == 1
    line = error_line(result)
    assert "HTTP 503" in line and "not retried" in line and "nothing was registered" in line
    no_traceback(result)
    assert world.recorder.calls["RegisterTaskDefinition"] == 1  # never blindly repeated
    assert world.recorder.calls["UpdateService"] == 0
    assert revisions(world, "web") == ["web:1", "web:2", "web:3"]
    assert service(world, "prod", "web")["taskDefinition"] == before


@pytest.mark.parametrize("times", [1, 6])
def test_update_after_5xx_after_apply_adopts_the_one_revision(world, home, small, times: int) -> None:
    world.faults.fail("RegisterTaskDefinition", 500, times, after_apply=True)
    result = run_ecsshell(world, home, "update", "prod", "web", ":1.6.0")
    assert result.code == 0, result.err
    assert "ECS registered web:4 although the call answered with an error, so it was adopted" in result.err
    no_traceback(result)
    assert world.recorder.calls["RegisterTaskDefinition"] == 1
    assert revisions(world, "web") == ["web:1", "web:2", "web:3", "web:4"]  # no orphan
    assert revision_of(service(world, "prod", "web")["taskDefinition"]) == "web:4"


@pytest.mark.parametrize("after_apply", [False, True])
@pytest.mark.parametrize("times", [1, 6])
def test_register_file_after_5xx(world, ecsshell, small, tmp_path: Path, after_apply: bool, times: int) -> None:
    path = tmp_path / "web.json"
    spec = spec_of(world, "web:3")
    spec["taskDefinition"]["containerDefinitions"][0]["image"] = "web:2.0.0"
    path.write_text(json.dumps(spec, default=str))
    world.faults.fail("RegisterTaskDefinition", 500, times, after_apply=after_apply)
    result = ecsshell("register", str(path))
    no_traceback(result)
    assert world.recorder.calls["RegisterTaskDefinition"] == 1
    if after_apply:
        assert result.code == 0, result.err
        assert "ECS registered web:4 although" in result.err and "registered web:4" in result.out
        assert revisions(world, "web") == ["web:1", "web:2", "web:3", "web:4"]
    else:
        assert result.code == 1
        assert "nothing was registered" in error_line(result)
        assert revisions(world, "web") == ["web:1", "web:2", "web:3"]


def test_run_task_is_retried_with_its_client_token_and_starts_once(world, ecsshell, small) -> None:
    world.faults.fail("RunTask", 500, 2, after_apply=True)  # ECS starts the task, the answer is lost twice
    result = ecsshell("run", "prod", "web")
    assert result.code == 0, result.err
    assert world.recorder.calls["RunTask"] == 3
    assert len(world.client("ecs").list_tasks(cluster="prod", startedBy="ecsshell")["taskArns"]) == 1


# the policy, without cmd2 --------------------------------------------------------------------------
def test_only_revisions_matching_what_was_sent_are_adopted_or_undone(world: World, gw: Gateway, small) -> None:
    ecs = world.client("ecs")
    spec = spec_of(world, "web:3")
    spec["taskDefinition"]["containerDefinitions"][0]["image"] = "web:7"
    params = {k: v for k, v in spec["taskDefinition"].items()
              if k not in ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
                           "registeredAt", "registeredBy")}
    ecs.register_task_definition(**params)  # web:4, what a blind retry would have left: twice
    ecs.register_task_definition(**params)  # web:5
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "other", "image": "x:1",
                                                                         "memory": 128}])  # web:6
    made = deploy.made_anyway(gw, "web", 3, spec)
    assert [td.label for td in made] == ["web:4", "web:5"]
    assert deploy.same_definition(gw.task_definition("web:3"), spec_of(world, "web:3"))
    assert not deploy.same_definition(gw.task_definition("web:6"), spec)
    assert deploy.undo_register(gw, "web", 3, spec) == "deregistered web:4, web:5"
    assert revisions(world, "web") == ["web:1", "web:2", "web:3", "web:6"]  # someone else's is left alone


# --deregister-old and revisions other clusters run ---------------------------------------------------
def test_deregister_old_keeps_a_revision_a_service_in_another_cluster_runs(world, home, small) -> None:
    ecs = world.client("ecs")
    ecs.create_service(cluster="sandbox", serviceName="web-canary", taskDefinition="web:1", desiredCount=1,
                       launchType="FARGATE", networkConfiguration=small["network_configuration"])
    world.advance(30)
    world.recorder.reset()
    result = run_ecsshell(world, home, "update", "prod", "web", ":1.6.0", "--deregister-old", "--keep", "1")
    assert result.code == 0, result.err
    assert "deregistered web:2, web:3" in result.out
    assert revisions(world, "web") == ["web:1", "web:4"]  # web:1 still runs in sandbox
    assert revision_of(service(world, "sandbox", "web-canary")["taskDefinition"]) == "web:1"


def test_revisions_in_use_covers_every_cluster_and_deployment(world: World, gw: Gateway, small) -> None:
    ecs = world.client("ecs")
    ecs.create_service(cluster="sandbox", serviceName="web-canary", taskDefinition="web:1", desiredCount=1,
                       launchType="FARGATE", networkConfiguration=small["network_configuration"])
    in_use = {revision_of(arn) for arn in deploy.revisions_in_use(gw)}
    assert {"web:1", "web:3", "staging-web:2"} <= in_use
    failed_cluster, failed_service = small["failed_service"]
    deployments = service(world, failed_cluster, failed_service)["deployments"]
    assert {revision_of(d["taskDefinition"]) for d in deployments} <= in_use  # the old one still running too
    assert "web:2" not in in_use


# Ctrl-C between RegisterTaskDefinition and UpdateService ----------------------------------------------
def start(world: World, home: Path, *argv: str) -> subprocess.Popen[str]:
    """Start `python -m ecsshell --endpoint-url URL ARGV` against WORLD as a real process."""
    env = {**os.environ, **world.environ(), "HOME": str(home), "PYTHONPATH": os.pathsep.join(sys.path),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_STATE_HOME": str(home / ".state")}
    return subprocess.Popen([sys.executable, "-m", "ecsshell", "--endpoint-url", world.endpoint_url, *argv],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def test_ctrl_c_before_update_service_completes_deregisters_the_new_revision(world, home, small) -> None:
    world.faults.latency(2.0, "UpdateService")
    process = start(world, home, "update", "prod", "web", ":1.6.0", "-y")
    wait_for(lambda: world.recorder.calls["UpdateService"] >= 1)  # registered, UpdateService under way
    code, err = interrupt(process)
    assert code == 130, err
    assert "Traceback" not in err
    assert "interrupted before UpdateService completed: web still runs web:3; deregistered the orphan " \
           "revision web:4" in err
    time.sleep(2.2)  # the UpdateService still in flight lands, and ECS refuses the deregistered revision
    assert revisions(world, "web") == ["web:1", "web:2", "web:3"]
    assert revision_of(service(world, "prod", "web")["taskDefinition"]) == "web:3"


def test_ctrl_c_while_waiting_with_rollback_says_no_rollback_was_made(world, home, small) -> None:
    process = start(world, home, "update", "prod", "web", ":1.6.0", "-y", "--wait", "--rollback")
    wait_for(lambda: world.recorder.calls["UpdateService"] >= 1 and world.recorder.calls["DescribeServices"] >= 2)
    code, err = interrupt(process)
    assert code == 130, err
    assert "Traceback" not in err
    assert "stopped waiting; deployment" in err and "no rollback was made" in err
    assert revision_of(service(world, "prod", "web")["taskDefinition"]) == "web:4"  # ECS goes on with it
    assert revisions(world, "web") == ["web:1", "web:2", "web:3", "web:4"]


# a bare version where :TAG was meant ------------------------------------------------------------------
@pytest.mark.parametrize("argv", [("update", "prod", "web", "1.4.0"),
                                  ("update", "prod", "web", "--image", "web=v1.4.0")])
def test_update_with_a_bare_version_registers_nothing(world, home, small, argv: tuple[str, ...]) -> None:
    result = run_ecsshell(world, home, *argv, "-y")
    assert result.code == 1
    assert "did you mean :" in error_line(result)
    no_traceback(result)
    assert world.recorder.calls["RegisterTaskDefinition"] == 0 and world.recorder.calls["UpdateService"] == 0
    assert revisions(world, "web") == ["web:1", "web:2", "web:3"]


# register FILE: input that is not a task definition ---------------------------------------------------
def _deep(levels: int) -> str:
    return '{"family": "web", "containerDefinitions": [' + "[" * levels + "]" * levels + "]}"


@pytest.mark.parametrize(("make", "needle"), [
    (lambda d: (d / "deep.json").write_text(_deep(100_000)) and d / "deep.json", "nested too deeply"),
    (lambda d: (d / "deeper.json").write_text(_deep(200)) and d / "deeper.json", "nested too deeply"),
    (lambda d: (d / "big.json").write_bytes(b" " * (50 * 1024 * 1024)) and d / "big.json", "larger than 4 MiB"),
    (lambda d: Path("/dev/zero"), "larger than 4 MiB"),
    (lambda d: d, "is a directory"),
    (lambda d: (d / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR") and d / "image.png", "binary"),
    (lambda d: (d / "latin1.json").write_bytes(b'{"family": "caf\xe9"}') and d / "latin1.json", "not UTF-8"),
])
def test_register_refuses_what_is_not_a_task_definition(world, ecsshell, small, tmp_path: Path,
                                                         make: Callable[[Path], Path], needle: str) -> None:
    path = make(tmp_path)
    result = ecsshell("register", str(path), "-y")
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], result.err
    assert world.recorder.calls["RegisterTaskDefinition"] == 0
    assert revisions(world, "web") == ["web:1", "web:2", "web:3"]

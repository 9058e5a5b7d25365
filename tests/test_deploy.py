"""Deploys you can trust: update, rollback, scale and run --wait, followed in the emulated world."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import Result, make_environment, run_ecsshell

from ecsshell.emulator import World
from ecsshell.emulator.worlds import ECR
from ecsshell.options import Options
from ecsshell.shell import EcsShell

API_IMAGE = "registry.example.com:5000/team/api"
STAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")
PULL_ERROR = "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found"



def breaking(world: World, family: str, reason: str = "Essential container in task exited") -> \
        Callable[[float], None]:
    """Return a sleep that first breaks FAMILY's newest revision (the one just registered), then advances."""
    done: list[bool] = []

    def sleep(seconds: float) -> None:
        if not done:
            arn = world.client("ecs").describe_task_definition(taskDefinition=family)["taskDefinition"][
                "taskDefinitionArn"]
            world.scheduler.break_revision(arn, reason)
            done.append(True)
        world.advance(seconds)

    return sleep


def service(world: World, cluster: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = world.client("ecs").describe_services(cluster=cluster, services=[name])["services"][0]
    return found


def revision_of(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def task_definition(world: World, ref: str) -> dict[str, Any]:
    found: dict[str, Any] = world.client("ecs").describe_task_definition(taskDefinition=ref, include=["TAGS"])
    found.pop("ResponseMetadata", None)
    return found


def revisions(world: World, family: str, status: str = "ACTIVE") -> list[str]:
    ecs = world.client("ecs")
    arns: list[str] = []
    for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status=status):
        arns += [revision_of(a) for a in page["taskDefinitionArns"]]
    return arns


def running_revisions(world: World, cluster: str, name: str) -> list[str]:
    ecs = world.client("ecs")
    arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="RUNNING")["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
    return sorted(revision_of(t["taskDefinitionArn"]) for t in tasks if t["lastStatus"] == "RUNNING")


def error_line(result: Result) -> str:
    lines = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.err
    return lines[0]


# following a rollout -----------------------------------------------------------------------------
def test_update_wait_follows_the_rollout_to_completed(world, home, small) -> None:
    result = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "--wait")
    assert result.code == 0, result.err
    svc = service(world, "prod", "api")
    assert revision_of(svc["taskDefinition"]) == "api:4"
    assert [(d["status"], d["rolloutState"]) for d in svc["deployments"]] == [("PRIMARY", "COMPLETED")]
    assert running_revisions(world, "prod", "api") == ["api:4", "api:4"]
    image = task_definition(world, "api:4")["taskDefinition"]["containerDefinitions"][0]["image"]
    assert image == f"{API_IMAGE}:2.5.0"  # the registry's port survives :TAG
    out = result.out
    assert "\r" not in out and "\x1b" not in out  # not a terminal: plain lines
    assert "rollout of api:4 done: api runs 2/2 tasks of api:4" in out
    assert "has started 2 tasks" in out and "has reached a steady state" in out
    progress = [line for line in out.splitlines() if "running," in line]
    assert progress and all(STAMPED.match(line) for line in progress)
    assert "api:4: 2/2 running, 0 pending, 0 failed; old tasks draining 0" in progress[-1]


def test_update_wait_on_a_terminal_draws_one_live_line(world, home, small) -> None:
    result = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "--wait", stdout_tty=True)
    assert result.code == 0, result.err
    assert "\r\x1b[2Kapi:4 0/2 running" in result.out
    assert "; 2 old draining;" in result.out
    assert result.out.count("has reached a steady state") == 1
    assert service(world, "prod", "api")["deployments"][0]["rolloutState"] == "COMPLETED"


def test_a_broken_revision_trips_the_circuit_breaker_and_exits_1_with_the_reason(world, home, small) -> None:
    result = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "--wait", sleep=breaking(world, "api"))
    assert result.code == 1
    line = error_line(result)
    assert line.startswith("error: rollout of api:4 failed: ECS deployment circuit breaker")
    assert "stopped: Essential container in task exited (container api exit code 1)" in line
    svc = service(world, "prod", "api")
    primary = svc["deployments"][0]
    assert (revision_of(primary["taskDefinition"]), primary["rolloutState"]) == ("api:4", "FAILED")
    assert primary["failedTasks"] >= 3
    assert revision_of(svc["taskDefinition"]) == "api:4"  # no --rollback: left as ECS left it
    assert running_revisions(world, "prod", "api") == ["api:3", "api:3"]  # old tasks still serve


def test_rollback_on_failure_restores_the_previous_revision(world, home, small) -> None:
    result = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "--rollback", sleep=breaking(world, "api"))
    assert result.code == 1  # --rollback implies --wait; the update still failed
    assert "circuit breaker" in error_line(result)
    assert "rolling api back to api:3" in result.out
    assert "rolled back: api runs api:3 again" in result.out
    svc = service(world, "prod", "api")
    assert revision_of(svc["taskDefinition"]) == "api:3"
    assert (svc["deployments"][0]["status"], svc["deployments"][0]["rolloutState"]) == ("PRIMARY", "COMPLETED")
    assert len(svc["deployments"]) == 1
    assert running_revisions(world, "prod", "api") == ["api:3", "api:3"]


def test_rollback_goes_to_the_revision_that_really_ran(world, home, small) -> None:
    # payments points at payments:2, whose rollout FAILED; its tasks still run payments:1
    result = run_ecsshell(world, home, "update", "prod", "payments", ":5.3.0", "--rollback",
                          sleep=breaking(world, "payments"))
    assert result.code == 1
    assert "rolled back: payments runs payments:1 again" in result.out
    svc = service(world, "prod", "payments")
    assert revision_of(svc["taskDefinition"]) == "payments:1"
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED"
    assert running_revisions(world, "prod", "payments") == ["payments:1", "payments:1"]
    new = task_definition(world, "payments:3")["taskDefinition"]["containerDefinitions"][0]["image"]
    assert new == f"{ECR}/payments:5.3.0"


def breaker_service(world: World) -> None:
    """Create ci/app on app:1 with the circuit breaker rolling back, settled; count calls from here."""
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="ci")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "app", "image": "repo/app:1",
                                                                      "memory": 128}])
    ecs.create_service(cluster="ci", serviceName="app", taskDefinition="app:1", desiredCount=2,
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    world.advance(5)
    world.recorder.reset()


def test_rollback_follows_the_one_ecs_circuit_breaker_already_started(world, home) -> None:
    breaker_service(world)
    result = run_ecsshell(world, home, "update", "ci", "app", ":2", "--rollback", sleep=breaking(world, "app"))
    assert result.code == 1
    line = error_line(result)
    assert "circuit-breaker rollback" in line and "Essential container in task exited" in line
    assert "rolled back: app runs app:1 again (ECS rolled it back itself)" in result.out
    assert world.recorder.calls["UpdateService"] == 1  # ours; the way back was ECS's
    svc = service(world, "ci", "app")
    assert revision_of(svc["taskDefinition"]) == "app:1"
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED"
    assert running_revisions(world, "ci", "app") == ["app:1", "app:1"]


def test_a_rollout_that_does_not_finish_in_time_exits_3(world, home, small) -> None:
    result = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "--wait", "--timeout", "2s")
    assert result.code == 3
    assert "error: rollout of api:4 timed out: gave up after 2s: api:4 0/2 running" in error_line(result)
    svc = service(world, "prod", "api")
    assert revision_of(svc["taskDefinition"]) == "api:4"
    assert svc["deployments"][0]["rolloutState"] == "IN_PROGRESS"


def test_timeout_without_circuit_breaker_names_the_failure_and_rolls_back(world, home, small) -> None:
    # legacy has no circuit breaker: a broken revision retries for ever; its tasks run legacy:1
    result = run_ecsshell(world, home, "update", "prod", "legacy", ":2021.01", "--rollback", "--timeout", "1m",
                          sleep=breaking(world, "legacy", PULL_ERROR))
    assert result.code == 3
    line = error_line(result)
    assert "rollout of legacy:3 timed out" in line and "last failure:" in line and "CannotPullContainerError" in line
    assert "rolled back: legacy runs legacy:1 again" in result.out
    svc = service(world, "prod", "legacy")
    assert revision_of(svc["taskDefinition"]) == "legacy:1"
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED"
    assert running_revisions(world, "prod", "legacy") == ["legacy:1", "legacy:1"]


def test_update_in_argv_mode_does_not_wait_by_default(world, home, small) -> None:
    before = world.scheduler.elapsed
    result = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0")
    assert result.code == 0, result.err
    assert world.scheduler.elapsed == before  # no emulated time passed: it returned at once
    svc = service(world, "prod", "api")
    primary = svc["deployments"][0]
    assert (revision_of(primary["taskDefinition"]), primary["rolloutState"], primary["runningCount"]) == \
        ("api:4", "IN_PROGRESS", 0)
    assert "registered api:4; api in prod now runs it (was api:3)" in result.out
    assert "done" not in result.out
    piped = run_ecsshell(world, home, "-c", "update prod worker :3.1.0")
    assert piped.code == 0 and world.scheduler.elapsed == before
    assert service(world, "prod", "worker")["deployments"][0]["rolloutState"] == "IN_PROGRESS"


def test_update_json_reports_the_outcome_in_one_document(world, home, small) -> None:
    result = run_ecsshell(world, home, "--output", "json", "update", "prod", "api", ":2.5.0", "--wait")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["from"] == "api:3" and document["to"] == "api:4"
    assert document["outcome"]["state"] == "COMPLETED"
    assert document["deployment"] == service(world, "prod", "api")["deployments"][0]["id"]
    assert "has reached a steady state" in result.err  # progress stays off stdout


# dry run and confirmation ------------------------------------------------------------------------
def test_dry_run_shows_the_diff_and_changes_nothing(world, home, small) -> None:
    before = revisions(world, "web")
    world.recorder.reset()
    result = run_ecsshell(world, home, "update", "prod", "web", "--image", "web=:1.6.0", "--dry-run")
    assert result.code == 0, result.err
    assert f'-      "image": "{ECR}/web:1.5.0",' in result.out
    assert f'+      "image": "{ECR}/web:1.6.0",' in result.out
    changed = [line for line in result.out.splitlines() if line.startswith(("+", "-"))
               and not line.startswith(("+++", "---"))]
    assert len(changed) == 2  # only the image line changes
    assert "\x1b" not in result.out
    coloured = run_ecsshell(world, home, "update", "prod", "web", ":1.6.0", "--dry-run", stdout_tty=True)
    assert coloured.code == 0, coloured.err
    assert "\x1b[" in coloured.out and "web:1.6.0" in coloured.out  # pygments' diff colours on a terminal
    calls = world.recorder.calls
    assert calls["RegisterTaskDefinition"] == 0 and calls["UpdateService"] == 0
    assert revisions(world, "web") == before
    assert revision_of(service(world, "prod", "web")["taskDefinition"]) == "web:3"


def _interactive_shell(world: World, home: Path, answers: str) -> tuple[EcsShell, io.StringIO]:
    env = make_environment(world, home, stdin=answers, tty=True)
    assert isinstance(env.stdout, io.StringIO)
    return EcsShell(env, Options(), interactive=True), env.stdout


def test_the_shell_shows_the_diff_asks_and_waits_by_default(world, home, small) -> None:
    app, out = _interactive_shell(world, home, "n\n")
    try:
        app.onecmd_plus_hooks("update prod api :2.5.0")
        assert f'+      "image": "{API_IMAGE}:2.5.0",' in re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
        assert "cancelled; nothing changed" in out.getvalue()
        assert revisions(world, "api") == ["api:1", "api:2", "api:3"]
    finally:
        app.close()
    app, out = _interactive_shell(world, home, "y\n")
    try:
        app.onecmd_plus_hooks("update prod api :2.5.0")
        assert "rollout of api:4 done" in out.getvalue()  # waiting is the shell's default
    finally:
        app.close()
    svc = service(world, "prod", "api")
    assert revision_of(svc["taskDefinition"]) == "api:4"
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED"


# what the new revision contains ------------------------------------------------------------------
def _without(document: dict[str, Any], images: bool = True) -> dict[str, Any]:
    """Return a describe answer minus what differs between any two revisions (and the images)."""
    copy = json.loads(json.dumps(document, default=str))
    inner = copy["taskDefinition"]
    for key in ("taskDefinitionArn", "revision", "registeredAt"):
        inner.pop(key, None)
    if images:
        for container in inner["containerDefinitions"]:
            container.pop("image")
    return copy


def test_multi_container_update_keeps_every_other_field_byte_for_byte(world, home, small) -> None:
    before = task_definition(world, "web:3")
    result = run_ecsshell(world, home, "update", "prod", "web", "--image", f"web={ECR}/web:1.6.0",
                          "--image", "envoy=:v1.28.0.0-prod")
    assert result.code == 0, result.err
    after = task_definition(world, "web:4")
    images = {c["name"]: c["image"] for c in after["taskDefinition"]["containerDefinitions"]}
    assert images == {"web": f"{ECR}/web:1.6.0", "envoy": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.28.0.0-prod"}
    assert after["tags"] == before["tags"] and after["tags"]
    assert _without(after) == _without(before)
    assert revision_of(service(world, "prod", "web")["taskDefinition"]) == "web:4"


def test_container_flag_and_a_tag_on_a_digest_pinned_image(world, home, small) -> None:
    before = task_definition(world, "web:3")
    result = run_ecsshell(world, home, "update", "prod", "web", "--container", "envoy", ":v1.29.0.0-prod")
    assert result.code == 0, result.err
    after = task_definition(world, "web:4")
    containers = after["taskDefinition"]["containerDefinitions"]
    assert containers[0]["image"] == f"{ECR}/web:1.5.0"
    assert containers[1]["image"] == "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.0.0-prod"
    assert _without(after) == _without(before)
    # :TAG on a digest-pinned image gives repository:TAG, the digest dropped
    assert "@sha256:" in task_definition(world, "worker:2")["taskDefinition"]["containerDefinitions"][0]["image"]
    result = run_ecsshell(world, home, "update", "prod", "worker", ":3.1.0")
    assert result.code == 0, result.err
    image = task_definition(world, "worker:3")["taskDefinition"]["containerDefinitions"][0]["image"]
    assert image == f"{ECR}/worker:3.1.0"


def test_env_and_unset_env_change_variables_in_the_same_revision(world, home, small) -> None:
    before = task_definition(world, "web:3")
    result = run_ecsshell(world, home, "update", "prod", "web", ":1.6.0", "--env", "web", "LOG_LEVEL=debug",
                          "--env", "envoy", "ENVOY_ADMIN=on", "--unset-env", "web", "API_KEY")
    assert result.code == 0, result.err
    assert revisions(world, "web") == ["web:1", "web:2", "web:3", "web:4"]  # one revision for it all
    after = task_definition(world, "web:4")
    web, envoy = after["taskDefinition"]["containerDefinitions"]
    env = {e["name"]: e["value"] for e in web["environment"]}
    assert env["LOG_LEVEL"] == "debug" and "API_KEY" not in env and env["APP_ENV"] == "prod"
    assert {e["name"]: e["value"] for e in envoy["environment"]}["ENVOY_ADMIN"] == "on"
    assert web["image"] == f"{ECR}/web:1.6.0"
    old_web = before["taskDefinition"]["containerDefinitions"][0]
    assert {k: v for k, v in web.items() if k not in ("environment", "image")} == \
        {k: v for k, v in old_web.items() if k not in ("environment", "image")}
    assert "environment web: set LOG_LEVEL" in result.out and "environment web: unset API_KEY" in result.out


INVALID = [
    (("update", "prod", "api", ":-bad"), 'invalid tag "-bad"'),
    (("update", "prod", "api", "Registry.example.com:5000/Team/api:1"), "invalid image reference"),
    (("update", "prod", "web", "--image", "nginx=:1"), "web:3 has no container 'nginx' (it has: web, envoy)"),
    (("update", "prod", "web", "--unset-env", "web", "NOPE"), "container web has no environment variable NOPE"),
    (("update", "prod", "web", "--image", "web=:1", "--image", "web=:2"), "two images given for container web"),
    (("update", "prod", "web", ":1.6.0", "--rollback", "--no-wait"), "--rollback acts on how the rollout ends"),
    (("update", "prod", "web", ":1.6.0", "--deregister-old", "--keep", "0"), "--keep must be 1 or more"),
]


def test_an_invalid_change_is_refused_with_nothing_registered(world, home, small) -> None:
    for argv, needle in INVALID:
        family = argv[2]
        before = revisions(world, family)
        world.recorder.reset()
        result = run_ecsshell(world, home, *argv)
        assert result.code != 0, argv
        assert needle in error_line(result), argv
        assert world.recorder.calls["RegisterTaskDefinition"] == 0
        assert world.recorder.calls["UpdateService"] == 0
        assert revisions(world, family) == before
        assert revisions(world, family, "INACTIVE") == []
        assert revision_of(service(world, "prod", family)["taskDefinition"]) == before[-1]


def test_a_refused_update_service_leaves_no_orphan_revision(world, home, small) -> None:
    before = service(world, "prod", "api")
    world.faults.fail("UpdateService", status=400, times=1)
    result = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "--wait")
    assert result.code == 1
    line = error_line(result)
    assert "UpdateService failed, so api still runs api:3" in line
    assert "deregistered the orphan revision api:4" in line
    assert task_definition(world, "api:4")["taskDefinition"]["status"] == "INACTIVE"
    assert revisions(world, "api") == ["api:1", "api:2", "api:3"]
    after = service(world, "prod", "api")
    assert after["taskDefinition"] == before["taskDefinition"]
    assert [d["id"] for d in after["deployments"]] == [d["id"] for d in before["deployments"]]


def test_deregister_old_keeps_the_newest_revisions(world, home, small) -> None:
    result = run_ecsshell(world, home, "update", "prod", "web", ":1.6.0", "--deregister-old", "--keep", "2")
    assert result.code == 0, result.err
    assert "deregistered web:1, web:2 (kept the 2 newest)" in result.out
    assert revisions(world, "web") == ["web:3", "web:4"]
    assert revisions(world, "web", "INACTIVE") == ["web:1", "web:2"]
    assert revision_of(service(world, "prod", "web")["taskDefinition"]) == "web:4"
    assert revisions(world, "staging-web") == ["staging-web:1", "staging-web:2"]  # another family


# rollback and scale ------------------------------------------------------------------------------
def test_rollback_to_the_previous_then_to_a_named_revision(world, home, small) -> None:
    previous = run_ecsshell(world, home, "rollback", "prod", "web", "--wait")
    assert previous.code == 0, previous.err
    assert "web in prod: web:3 -> web:2" in previous.out and "rollback to web:2 done" in previous.out
    svc = service(world, "prod", "web")
    assert revision_of(svc["taskDefinition"]) == "web:2"
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED"
    assert running_revisions(world, "prod", "web") == ["web:2"] * 3
    named = run_ecsshell(world, home, "rollback", "prod", "web", "1", "--wait")
    assert named.code == 0, named.err
    assert revision_of(service(world, "prod", "web")["taskDefinition"]) == "web:1"
    assert running_revisions(world, "prod", "web") == ["web:1"] * 3
    world.client("ecs").deregister_task_definition(taskDefinition="web:2")
    refused = run_ecsshell(world, home, "rollback", "prod", "web", "2")
    assert refused.code == 1
    assert "web:2 is INACTIVE" in error_line(refused)
    assert revision_of(service(world, "prod", "web")["taskDefinition"]) == "web:1"


def test_scale_wait_follows_until_every_task_runs(world, home, small) -> None:
    result = run_ecsshell(world, home, "scale", "prod", "api", "4", "--wait")
    assert result.code == 0, result.err
    assert "api in prod: desired 2 -> 4" in result.out
    assert "scale to 4 done: api runs 4/4 tasks" in result.out
    svc = service(world, "prod", "api")
    assert (svc["desiredCount"], svc["runningCount"], svc["pendingCount"]) == (4, 4, 0)
    assert running_revisions(world, "prod", "api") == ["api:3"] * 4
    late = run_ecsshell(world, home, "scale", "prod", "api", "6", "--wait", "--timeout", "1")
    assert late.code == 3
    assert "scale to 6 timed out: gave up after 1s: 4/6 running" in error_line(late)
    assert service(world, "prod", "api")["desiredCount"] == 6


# run --wait ----------------------------------------------------------------------------------------
def _run_job(world: World, home: Path, small: dict[str, Any], *extra: str) -> Result:
    return run_ecsshell(world, home, "run", "batch", "migrate", "--subnets", ",".join(small["subnets"]),
                        "--security-groups", small["security_group"], "--wait", *extra)


def _batch_tasks(world: World) -> list[dict[str, Any]]:
    ecs = world.client("ecs")
    arns = ecs.list_tasks(cluster="batch", family="migrate", desiredStatus="STOPPED")["taskArns"]
    tasks: list[dict[str, Any]] = ecs.describe_tasks(cluster="batch", tasks=arns)["tasks"]
    return sorted((t for t in tasks if t.get("startedBy") == "ecsshell"), key=lambda t: t["createdAt"])


def test_run_wait_exits_with_the_essential_container_code(world, home, small) -> None:
    for code in (0, 7):
        world.scheduler.exit_after("migrate", 20, code)
        result = _run_job(world, home, small)
        assert result.code == code, result.err
        assert f"exited with code {code}" in result.out
        task = _batch_tasks(world)[-1]
        assert task["lastStatus"] == "STOPPED" and task["containers"][0]["exitCode"] == code
    assert len(_batch_tasks(world)) == 2
    world.scheduler.exit_after("migrate", 600, 0)
    late = _run_job(world, home, small, "--timeout", "30s")
    assert late.code == 3
    assert "1 task(s) of migrate:2 still running after 30s" in error_line(late)


def test_run_like_a_service_takes_its_launch_type_and_network(world, home, small) -> None:
    world.scheduler.exit_after("migrate", 10, 4)
    result = run_ecsshell(world, home, "run", "prod", "migrate", "--like", "api", "--wait")
    assert result.code == 4, result.err
    ecs = world.client("ecs")
    arns = ecs.list_tasks(cluster="prod", family="migrate", desiredStatus="STOPPED")["taskArns"]
    (task,) = ecs.describe_tasks(cluster="prod", tasks=arns)["tasks"]
    assert task["launchType"] == "FARGATE" and task["containers"][0]["exitCode"] == 4
    api = service(world, "prod", "api")
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    assert details["subnetId"] in api["networkConfiguration"]["awsvpcConfiguration"]["subnets"]


def test_run_wait_says_why_a_task_did_not_start(world, home, small) -> None:
    world.scheduler.break_revision("migrate:2", PULL_ERROR)
    result = _run_job(world, home, small)
    assert result.code == 1
    line = error_line(result)
    assert "did not start" in line and "CannotPullContainerError" in line
    (task,) = _batch_tasks(world)
    assert task["stoppedReason"].startswith("CannotPullContainerError")


def test_dry_run_never_prints_secret_values(world, ecsshell, small) -> None:
    result = ecsshell("update", "prod", "web", "--env", "web", "DB_PASSWORD=brand-new-secret", "--dry-run")
    assert result.code == 0, result.err
    assert "brand-new-secret" not in result.out and "hunter2-do-not-print" not in result.out
    assert "**** (changed)" in result.out
    assert len(world.client("ecs").list_task_definitions(familyPrefix="web")["taskDefinitionArns"]) == 3

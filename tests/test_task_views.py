"""tasks, stop and check CLUSTER against the emulated world: what is running, down to the task."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ecsshell.emulator import World
from ecsshell.emulator.worlds import scale_world


def ecs_tasks(world: World, cluster: str, desired: str = "RUNNING", **params: Any) -> list[dict[str, Any]]:
    """Return CLUSTER's tasks as ECS itself describes them (paged, batched)."""
    ecs = world.client("ecs")
    arns: list[str] = []
    for page in ecs.get_paginator("list_tasks").paginate(cluster=cluster, desiredStatus=desired, **params):
        arns += page["taskArns"]
    found: list[dict[str, Any]] = []
    for start in range(0, len(arns), 100):
        found += ecs.describe_tasks(cluster=cluster, tasks=arns[start:start + 100])["tasks"]
    return found


def task_id(task: dict[str, Any]) -> str:
    return str(task["taskArn"]).rsplit("/", 1)[-1]


def test_tasks_of_a_service_are_the_ones_ecs_runs(world, ecsshell, small) -> None:
    result = ecsshell("tasks", "prod", "web")
    assert result.code == 0, result.err
    ids = sorted(task_id(t) for t in ecs_tasks(world, "prod", serviceName="web"))
    assert len(ids) == 3 and "service web in prod: 3 tasks" in result.out
    for tid in ids:
        assert tid[:8] in result.out
    document = json.loads(ecsshell("--output", "json", "tasks", "prod", "web").out)
    assert sorted(t["ecsshell"]["id"] for t in document["tasks"]) == ids
    assert {t["ecsshell"]["revision"] for t in document["tasks"]} == {"web:3"}
    assert document["desiredStatus"] == "RUNNING" and "lastStatus" in document["tasks"][0]


def test_tasks_of_a_cluster_include_its_standalone_task(world, ecsshell, small) -> None:
    (standalone,) = ecs_tasks(world, "batch")
    result = ecsshell("tasks", "batch")
    assert result.code == 0, result.err
    assert task_id(standalone)[:8] in result.out and "report:2" in result.out
    assert "cluster batch: 1 task" in result.out
    listed = json.loads(ecsshell("tasks", "/batch", "--output", "json").out)["tasks"]
    assert listed[0]["taskArn"] == standalone["taskArn"]


def test_tasks_stopped_shows_when_why_and_each_exit_code(world, ecsshell, small) -> None:
    world.scheduler.exit_after("migrate", 10, 3)
    assert ecsshell("run", "prod", "migrate", "--like", "api", "-y").code == 0
    world.advance(30)
    (stopped,) = ecs_tasks(world, "prod", "STOPPED", family="migrate")
    assert stopped["containers"][0]["exitCode"] == 3
    result = ecsshell("tasks", "prod", "--stopped")
    assert result.code == 0, result.err
    line = next(line for line in result.out.splitlines() if task_id(stopped)[:8] in line)
    assert "migrate:" in line and "STOPPED" in line and "exit 3" in line
    assert stopped["stoppedReason"][:20] in line
    document = json.loads(ecsshell("tasks", "prod", "--stopped", "--output", "json").out)
    (mine,) = [t for t in document["tasks"] if t["taskArn"] == stopped["taskArn"]]
    assert mine["containers"][0]["exitCode"] == 3 and mine["stoppedReason"] == stopped["stoppedReason"]
    assert mine["desiredStatus"] == "STOPPED"


def test_tasks_of_a_cluster_of_more_than_a_hundred_page_and_batch(world, ecsshell) -> None:
    scale_world(world, 130, revisions=1)
    world.advance(4)
    assert len(ecs_tasks(world, "scale")) == 130
    world.recorder.reset()
    document = json.loads(ecsshell("tasks", "scale", "--output", "json").out)
    assert len({t["taskArn"] for t in document["tasks"]}) == 130
    assert world.recorder.calls["ListTasks"] == 2  # pages of 100
    assert world.recorder.calls["DescribeTasks"] == 2  # batches of at most 100 (the emulator refuses more)
    assert "cluster scale: 130 tasks" in ecsshell("tasks", "scale").out


def test_stop_by_a_unique_prefix_stops_that_task_with_the_reason(world, ecsshell, small) -> None:
    target = sorted(task_id(t) for t in ecs_tasks(world, "prod", serviceName="web"))[0]
    result = ecsshell("stop", "prod", target[:8], "--reason", "draining node")
    assert result.code == 0, result.err
    assert target in result.out
    assert world.recorder.calls["StopTask"] == 1
    world.advance(5)
    (task,) = world.client("ecs").describe_tasks(cluster="prod", tasks=[target])["tasks"]
    assert task["desiredStatus"] == "STOPPED" and task["lastStatus"] == "STOPPED"
    assert task["stoppedReason"] == "draining node"


def test_stop_json_reports_the_task_as_ecs_does(world, ecsshell, small) -> None:
    (standalone,) = ecs_tasks(world, "batch")
    document = json.loads(ecsshell("--output", "json", "stop", "batch", task_id(standalone)[:10]).out)
    assert document["task"]["taskArn"] == standalone["taskArn"] and document["task"]["desiredStatus"] == "STOPPED"


def test_stop_refuses_an_ambiguous_or_unknown_prefix_and_stops_nothing(world, ecsshell) -> None:
    scale_world(world, 20, revisions=1)
    world.advance(4)
    ids = [task_id(t) for t in ecs_tasks(world, "scale")]
    shared, _ = Counter(tid[0] for tid in ids).most_common(1)[0]  # 20 ids, 16 hex digits: one repeats
    result = ecsshell("stop", "scale", shared)
    assert result.code == 1
    (line,) = result.err.strip().splitlines()
    assert "ambiguous" in line and sum(tid in line for tid in ids if tid.startswith(shared)) >= 2
    unknown = ecsshell("stop", "scale", "zzzz")
    assert unknown.code == 1 and "no running task" in unknown.err and len(unknown.err.strip().splitlines()) == 1
    assert world.recorder.calls["StopTask"] == 0
    assert len(ecs_tasks(world, "scale")) == 20


def test_stop_is_refused_in_read_only_mode(world, ecsshell, small) -> None:
    (standalone,) = ecs_tasks(world, "batch")
    result = ecsshell("--read-only", "stop", "batch", task_id(standalone))
    assert result.code == 1 and "read-only mode" in result.err
    assert world.recorder.calls["StopTask"] == 0
    assert len(ecs_tasks(world, "batch")) == 1


def test_check_a_cluster_gives_one_line_per_service_and_exits_1_on_any_warning(world, ecsshell, small) -> None:
    services = sorted(s.rsplit("/", 1)[-1] for s in world.client("ecs").list_services(cluster="prod")["serviceArns"])
    result = ecsshell("check", "prod")
    assert result.code == 1
    lines = result.out.strip().splitlines()
    assert len(lines) == len(services)
    for name, line in zip(services, lines, strict=True):
        assert f"service {name} in prod" in line
    assert any(line.startswith("WARNING: service payments") for line in lines)
    assert any(line.startswith("OK: service web") for line in lines)
    document = json.loads(ecsshell("check", "prod", "--output", "json").out)
    assert document["ok"] is False and [s["serviceName"] for s in document["services"]] == services
    assert next(s for s in document["services"] if s["serviceName"] == "payments")["findings"]


def test_check_a_healthy_cluster_exits_0(world, ecsshell, small) -> None:
    result = ecsshell("check", "staging")
    assert result.code == 0, result.err
    assert len(result.out.strip().splitlines()) == 3 and all(line.startswith("OK:") for line in
                                                             result.out.strip().splitlines())
    document = json.loads(ecsshell("--output", "json", "check", "staging").out)
    assert document["ok"] is True and len(document["services"]) == 3


def test_check_names_fill_as_before(world, ecsshell, small) -> None:
    assert ecsshell("check", "prod", "web").out.startswith("OK: service web in prod")
    assert ecsshell("-c", "use prod; check web").out.strip().startswith("OK: service web in prod")
    scoped = ecsshell("-c", "use staging; check")
    assert scoped.code == 0 and len(scoped.out.strip().splitlines()) == 3
    not_a_cluster = ecsshell("check", "web")
    assert not_a_cluster.code == 2 and "missing CLUSTER" in not_a_cluster.err

"""`logs`: awslogs lines the emulated scheduler writes, read back through CloudWatch Logs."""

from __future__ import annotations

import json
import re

from harness import run_ecsshell

from ecsshell.emulator import World
from ecsshell.emulator.worlds import LOG_LINES

LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\S{8}) (\S+) +\| (.*)$")  # names padded


def task_ids(world: World, cluster: str, service: str, status: str = "RUNNING") -> list[str]:
    arns = world.client("ecs").list_tasks(cluster=cluster, serviceName=service, desiredStatus=status)["taskArns"]
    return [a.rsplit("/", 1)[-1] for a in arns]


def lines(family: str, tag: str) -> list[str]:
    """Return the lines the world's FAMILY main container writes when it starts with image TAG."""
    return [line.format(tag=tag, image="") for line in LOG_LINES[family]]


def parsed(out: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in out.splitlines():
        match = LINE.match(line)
        assert match, line
        rows.append((match[1], match[2], match[3], match[4]))
    return rows


def test_logs_of_a_service_merge_its_tasks_by_time(world, tmp_path, small) -> None:
    result = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "3h")
    assert result.code == 0, result.err
    rows = parsed(result.out)
    running = task_ids(world, "prod", "web")
    assert len(running) == 3
    # every running task's web and envoy containers, each line tagged with its task
    for task in running:
        mine = [r for r in rows if r[1] == task[:8]]
        assert [r[3] for r in mine if r[2] == "web"] == lines("web", "1.5.0")
        envoy_lines = [r[3] for r in mine if r[2] == "envoy"]
        assert envoy_lines and all("envoy" in line for line in envoy_lines)  # the sidecar's own lines
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # merged by time, not task by task
    # the same lines CloudWatch Logs holds in the group the task definition names
    stored = world.client("logs").filter_log_events(logGroupName="/ecs/web")["events"]
    ours = {(e["logStreamName"].split("/")[-1][:8], e["message"]) for e in stored}
    assert {(r[1], r[3]) for r in rows} <= ours
    assert {r[1] for r in rows} >= {t[:8] for t in running}

    envoy = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--since", "3h", "--container", "envoy")
    assert envoy.code == 0, envoy.err
    assert {r[2] for r in parsed(envoy.out)} == {"envoy"}
    missing = run_ecsshell(world, tmp_path, "logs", "prod", "web", "--container", "nginx")
    assert missing.code == 1
    assert "web has no container 'nginx' (it has: envoy, web)" in missing.err


def test_since_limits_how_far_back_and_a_task_id_names_one_task(world, tmp_path, small) -> None:
    old = task_ids(world, "prod", "api")
    assert run_ecsshell(world, tmp_path, "update", "prod", "api", ":2.5.0", "--wait").code == 0
    new = task_ids(world, "prod", "api")
    assert not set(new) & set(old)
    recent = parsed(run_ecsshell(world, tmp_path, "logs", "prod", "api").out)  # default: the last 10 minutes
    assert {r[1] for r in recent} == {t[:8] for t in new}
    everything = parsed(run_ecsshell(world, tmp_path, "logs", "prod", "api", "--since", "3h").out)
    shown = {r[1] for r in everything}
    assert shown >= {t[:8] for t in new + old}  # the stopped tasks' lines too
    assert shown <= {t[:8] for t in new + task_ids(world, "prod", "api", "STOPPED")}
    one = run_ecsshell(world, tmp_path, "--output", "json", "logs", "prod", new[0])
    assert one.code == 0, one.err
    documents = json.loads(one.out)  # one JSON document: an array of lines
    assert {d["taskId"] for d in documents} == {new[0]}
    assert [d["message"] for d in documents] == lines("api", "2.5.0")


def test_follow_prints_new_lines_of_new_tasks_until_ctrl_c(world, tmp_path, small) -> None:
    before = set(task_ids(world, "prod", "api"))
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 1:  # while logs follows, the service grows by one task
            world.client("ecs").update_service(cluster="prod", service="api", desiredCount=3)
        if len(polls) > 5:
            raise KeyboardInterrupt
        world.advance(seconds)

    result = run_ecsshell(world, tmp_path, "logs", "prod", "api", "--follow", sleep=sleep)
    assert result.code == 130, result.err  # a one-shot run ends as an interrupted one (docs/interrupts.md)
    assert result.err.splitlines()[-1] == "interrupted: nothing after this command runs; nothing was changed in ECS"
    (added,) = set(task_ids(world, "prod", "api")) - before
    rows = parsed(result.out)
    assert [r[3] for r in rows if r[1] == added[:8]] == lines("api", "2.4.1")  # each line once
    assert len(polls) == 6


def test_logs_explain_what_they_cannot_read(world, tmp_path) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="plain")
    ecs.register_task_definition(family="quiet", containerDefinitions=[{"name": "app", "image": "app:1",
                                                                        "memory": 128}])
    ecs.create_service(cluster="plain", serviceName="quiet", taskDefinition="quiet", desiredCount=1)
    none = run_ecsshell(world, tmp_path, "logs", "plain", "quiet")
    assert none.code == 1 and "quiet has no tasks in plain" in none.err
    world.advance(4)
    result = run_ecsshell(world, tmp_path, "logs", "plain", "quiet")
    assert result.code == 1
    assert "no container of quiet logs with the awslogs driver" in result.err
    assert len(result.err.strip().splitlines()) == 1

"""forward and trace against the emulated world: a local port into a task through ECS Exec, and a task's whole life."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.exceptions
import pytest
from test_diagnose import ecs_tasks, stand_in, task_id

from ecsshell.emulator import World


def started_sessions(world: World) -> list[dict[str, Any]]:
    """Return the SSM sessions the world opened, with the Parameters each StartSession asked for."""
    from ecsshell.emulator import ssm_sessions  # imports moto: after the world has, the lean way

    return list(ssm_sessions.sessions(world.backend("ssm")).values())


# forward -----------------------------------------------------------------------------------------
def test_forward_opens_a_port_forwarding_session_and_runs_the_plugin_as_the_aws_cli_does(world, ecsshell, small,
                                                                                        tmp_path) -> None:
    env, record = stand_in(tmp_path)
    result = ecsshell("forward", "prod", "web", "8080:80", extra=env)
    assert result.code == 0, result.err
    assert world.recorder.calls["StartSession"] == 1 and world.recorder.calls["ExecuteCommand"] == 0
    (opened,) = started_sessions(world)
    assert opened["DocumentName"] == "AWS-StartPortForwardingSession"
    assert opened["Parameters"] == {"portNumber": ["80"], "localPortNumber": ["8080"]}
    cluster, tid, runtime = opened["Target"].removeprefix("ecs:").split("_")
    task = next(t for t in ecs_tasks(world, "prod", serviceName="web") if task_id(t) == tid)
    assert cluster == "prod" and runtime == task["containers"][0]["runtimeId"]
    assert task["lastStatus"] == "RUNNING" and task["healthStatus"] == "HEALTHY"
    # the documented layout: session JSON (here in the environment), region, StartSession, profile, request, endpoint
    called = json.loads(record.read_text())
    first, region, action, profile, request, endpoint = called["argv"]
    assert (first, region, action, profile) == ("AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", "")
    session = json.loads(called["session"])
    assert set(session) == {"SessionId", "TokenValue", "StreamUrl"} and session["SessionId"] == opened["SessionId"]
    assert json.loads(request) == {"Target": opened["Target"], "DocumentName": "AWS-StartPortForwardingSession",
                                   "Parameters": opened["Parameters"]}
    assert endpoint.rstrip("/") == world.environ()["AWS_ENDPOINT_URL"].rstrip("/")
    assert session["TokenValue"] not in result.out + result.err
    assert f"forwarding localhost:8080 to port 80 of task {tid} (web:3, HEALTHY), container web in prod" in result.err
    active = world.client("ssm").describe_sessions(State="Active")["Sessions"]
    assert [(s["Target"], s["DocumentName"]) for s in active] == [(opened["Target"], opened["DocumentName"])]


def test_forward_to_a_remote_host_through_one_task_with_an_old_plugin(world, ecsshell, small, tmp_path) -> None:
    env, record = stand_in(tmp_path, version="1.2.279.0")
    tid = task_id(ecs_tasks(world, "prod", serviceName="web")[-1])
    result = ecsshell(stdin=f"use prod\nforward {tid[:8]} 5432 --host db.prod.internal --container envoy\n",
                      extra=env)
    assert result.code == 0, result.err
    (opened,) = started_sessions(world)
    assert opened["DocumentName"] == "AWS-StartPortForwardingSessionToRemoteHost"
    assert opened["Parameters"] == {"portNumber": ["5432"], "localPortNumber": ["5432"], "host": ["db.prod.internal"]}
    assert opened["Target"].startswith(f"ecs:prod_{tid}_")
    called = json.loads(record.read_text())
    assert called["session"] is None and json.loads(called["argv"][0])["SessionId"] == opened["SessionId"]
    assert json.loads(called["argv"][4])["Parameters"]["host"] == ["db.prod.internal"]
    assert f"to db.prod.internal:5432 through task {tid}" in result.err and "container envoy" in result.err


def test_ctrl_c_ends_the_forward_and_the_run_through_the_one_interrupt_path(world, small, tmp_path) -> None:
    import signal
    import time

    from test_interrupt_paths import SCALE, assert_stopped_here, plugin, signal_and_finish, start

    proc = start(world, tmp_path, "-c", f"forward prod web 8080; {SCALE}", extra=plugin(tmp_path, "hang"))
    end = time.monotonic() + 30
    while not (tmp_path / "called").exists() and time.monotonic() < end:
        time.sleep(0.02)
    time.sleep(0.2)
    _, err = signal_and_finish(proc, signal.SIGINT)  # passed on to the plugin, which ends; then the run stops
    assert proc.returncode == 130, err
    assert_stopped_here(world, err, "interrupted")  # a session is not a change to ECS
    assert "forwarding localhost:8080 to port 8080" in err and world.recorder.calls["StartSession"] == 1


def test_forward_refuses_in_one_line_with_the_fix_and_opens_no_session(world, ecsshell, small, tmp_path) -> None:
    env, record = stand_in(tmp_path)
    no_plugin = ecsshell("forward", "prod", "web", "8080", extra={"PATH": str(tmp_path)})
    exec_off = ecsshell("forward", "prod", "legacy", "8080", extra=env)
    read_only = ecsshell("--read-only", "forward", "prod", "web", "8080", extra=env)
    bad_port = ecsshell("forward", "prod", "web", "80800", extra=env)
    world.client("ecs").update_service(cluster="prod", service="api", desiredCount=0)
    world.advance(60)
    idle = ecsshell("forward", "prod", "api", "8080", extra=env)
    for result, code, said in ((no_plugin, 1, "session-manager-plugin is not installed"),
                               (exec_off, 1, "--enable-execute-command --force-new-deployment` and forward to"),
                               (read_only, 1, "read-only mode"), (bad_port, 2, "bad port '80800'"),
                               (idle, 1, "has no running task to forward to: start one with `scale prod api 1`")):
        assert result.code == code and said in result.err, (said, result.err)
        assert len(result.err.strip().splitlines()) == 1, result.err
    assert world.recorder.calls["StartSession"] == 0 and not record.exists() and not started_sessions(world)
    # SSM itself refuses a session to a container without the exec agent, and a document that is no Session one
    (stopped, *_) = ecs_tasks(world, "prod", "STOPPED", serviceName="legacy")
    target = f"ecs:prod_{task_id(stopped)}_{stopped['containers'][0].get('runtimeId', 'x')}"
    for params, code in (({"Target": target}, "TargetNotConnected"),
                         ({"Target": target, "DocumentName": "AWS-RunShellScript"}, "InvalidDocument")):
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            world.client("ssm").start_session(**params)
        assert caught.value.response["Error"]["Code"] == code
    assert not started_sessions(world)
    # a plugin that answers --version but cannot start: the session opened for it is ended, and the line says so
    gone = tmp_path / "gone"
    gone.mkdir()
    (gone / "session-manager-plugin").write_text('#!/bin/sh\necho 1.2.707.0\nrm -f "$0"\n')
    (gone / "session-manager-plugin").chmod(0o755)
    vanished = ecsshell("forward", "prod", "web", "8080", extra={"PATH": f"{gone}:/usr/bin:/bin"})
    assert vanished.code == 1 and "could not start" in vanished.err and "the session was ended" in vanished.err
    assert [s["Status"] for s in started_sessions(world)] == ["Terminated"]
    assert world.recorder.calls["TerminateSession"] == 1


def test_forward_picks_healthy_before_unknown_then_the_newest_deployment_then_the_latest_started() -> None:
    from ecsshell.model import Service, Task
    from ecsshell.operations.portfwd import healthiest, parse_ports

    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    service = Service(name="web", arn="s", cluster_arn="c", status="ACTIVE", desired=4, running=4, pending=0,
                      task_definition_arn="web:4", launch_type="FARGATE")

    def task(name: str, health: str | None, revision: str, minutes_ago: int) -> Task:
        return Task(arn=f"arn:aws:ecs:us-east-1:1:task/prod/{name}", task_definition_arn=revision,
                    last_status="RUNNING", desired_status="RUNNING", health=health, group="service:web",
                    started_at=now - timedelta(minutes=minutes_ago))

    sick, old, unknown, new, newer = (task("sick", "UNHEALTHY", "web:4", 1), task("old", "HEALTHY", "web:3", 1),
                                      task("unknown", "UNKNOWN", "web:4", 1), task("new", "HEALTHY", "web:4", 9),
                                      task("newer", "HEALTHY", "web:4", 2))
    assert healthiest(service, [sick, old, unknown, new, newer]) is newer
    assert healthiest(service, [sick, old, unknown, new]) is new
    assert healthiest(service, [sick, old, unknown]) is old
    assert healthiest(service, [sick, unknown]) is unknown
    assert (parse_ports("8080").local, parse_ports("8080").remote, parse_ports("15432:5432").remote) == \
        (8080, 8080, 5432)


# trace -------------------------------------------------------------------------------------------
def test_why_points_to_trace_which_shows_a_failed_or_running_tasks_whole_life(world, ecsshell, small) -> None:
    why = ecsshell("why", "prod", "payments")
    step = re.search(r"`(trace prod ([0-9a-f]{8}))`", why.out)
    assert why.code == 1 and step, why.out
    world.recorder.reset()
    result = ecsshell(*step.group(1).split())
    assert result.code == 0, result.err
    (task,) = [t for t in ecs_tasks(world, "prod", "STOPPED", serviceName="payments")
               if task_id(t).startswith(step.group(2))]
    lines = result.out.splitlines()
    assert f"task {task_id(task)} (payments:2) in prod, service payments" in lines[0]
    order = ["created (payments:2", "pulling images", "images pulled", "running", "exiting with code 1",
             "stopping: EssentialContainerExited: Essential container in task exited",
             "payments: exited with code 1 (the application failed); Container payments exited with code 1",
             "stopped"]
    at = [next(i for i, line in enumerate(lines) if said in line) for said in order]
    assert at == sorted(at), result.out
    assert any("service" in line and f"(task {task_id(task)})" in line for line in lines)  # its service's events
    calls = world.recorder.calls
    assert calls["DescribeServices"] <= 2 and calls["GetLogEvents"] == 1 and sum(calls.values()) <= 12, calls
    document = json.loads(ecsshell(*step.group(1).split(), "--output", "json").out)["task"]
    for key in ("taskArn", "stopCode", "stoppedReason", "stoppingAt", "executionStoppedAt"):
        assert document[key] == (task[key].isoformat() if key.endswith("At") else task[key]), key
    assert [(c["exitCode"], c["reason"]) for c in document["containers"]] == \
        [(c["exitCode"], c["reason"]) for c in task["containers"]]
    timeline = document["ecsshell"]["timeline"]
    assert timeline[0]["at"] <= timeline[-1]["at"] and timeline[-1]["message"] == "stopped"
    assert {m["source"] for m in timeline} == {"task", "container", "service", "log"}
    assert next(m for m in timeline if m["message"].startswith("created"))["offsetSeconds"] == 0
    # a running task: its life up to now, with secrets in its lines masked
    task = ecs_tasks(world, "prod", serviceName="web")[0]
    tid = task_id(task)
    logs = world.client("logs")
    stream = next(s["logStreamName"] for s in logs.describe_log_streams(logGroupName="/ecs/web")["logStreams"]
                  if s["logStreamName"].endswith(f"/web/{tid}"))
    stamp = int(world.scheduler.now().timestamp() * 1000)
    logs.put_log_events(logGroupName="/ecs/web", logStreamName=stream,
                        logEvents=[{"timestamp": stamp, "message": "connecting with DB_PASSWORD=hunter2hunter2"}])
    result = ecsshell("trace", "prod", tid[:6])
    assert result.code == 0, result.err
    assert re.search(r"task\s+running$", result.out, re.M) and "HEALTHY" in result.out
    assert "stopping" not in result.out and not re.search(r"task\s+stopped$", result.out, re.M)
    assert "DB_PASSWORD=" in result.out and "hunter2" not in result.out
    by_service = ecsshell("trace", "prod", "web")
    assert by_service.code == 0 and "no task failed lately; tracing task" in by_service.err
    missing = ecsshell("trace", "prod", "ffff0000")
    assert missing.code == 1 and len(missing.err.strip().splitlines()) == 1


def test_the_portfwd_examples_run_against_the_demo_world(world, ecsshell, tmp_path, monkeypatch) -> None:
    from test_readme import ROOT, run_examples

    from ecsshell.emulator.worlds import demo_world

    demo_world(world)
    monkeypatch.chdir(ROOT)
    env, _ = stand_in(tmp_path)
    run_examples(ecsshell, "<!-- portfwd:", 5, extra=env, errors_say_why=True)
    assert world.recorder.calls["StartSession"] == 2


def test_a_long_lives_trace_keeps_its_first_and_last_events_and_says_how_many_it_left_out() -> None:
    from ecsshell.model import ServiceEvent
    from ecsshell.operations.trace import MOST_EVENTS, _events
    from ecsshell.render.views.trace import offset_text

    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    events = [ServiceEvent(str(n), start + timedelta(minutes=n), f"event {n}") for n in range(-5, 100)]
    kept, note = _events(events, start, start + timedelta(minutes=60), "prod web")
    inside = [f"event {n}" for n in range(-1, 62)]  # a minute's margin either side
    assert [m.message for m in kept] == inside[:MOST_EVENTS // 2] + inside[-MOST_EVENTS // 2:]
    assert note == f"{len(inside) - MOST_EVENTS} service events in the middle of the task's life left out " \
                   "(`ls prod web -events 100` shows them)"
    assert [offset_text(s) for s in (0, 59.9, 65, -30, 7265, 3 * 86400 + 7200)] == \
        ["+0s", "+59s", "+1m05s", "-30s", "+2h01m", "+3d02h"]

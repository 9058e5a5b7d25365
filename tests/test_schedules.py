"""Scheduled tasks: `schedules` lists what EventBridge runs on ECS; `update --schedule` repoints it, or undoes."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from harness import at_terminal

from ecsshell.aws import Gateway, Settings
from ecsshell.emulator import World
from ecsshell.emulator.schedules import ACCOUNT, scheduled_jobs
from ecsshell.errors import AwsError
from ecsshell.operations import OperationError, schedules

REPORT_3 = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/report:3"
ONE_TRY = {"AWS_MAX_ATTEMPTS": "1"}  # one retry (botocore counts retries here): a short back-off
MIGRATE_3 = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/migrate:3"


@pytest.fixture
def jobs(world: World, small: dict[str, Any]) -> dict[str, Any]:
    """The small world with the demo's two schedules, and three that run no ECS task; calls counted from here."""
    scheduled_jobs(world, small)
    scheduler, events = world.client("scheduler"), world.client("events")
    queue = {"Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs", "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/x"}
    scheduler.create_schedule(Name="ping-queue", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
                              Target=queue)
    events.put_rule(Name="on-upload", EventPattern=json.dumps({"source": ["aws.s3"]}))
    events.put_rule(Name="hourly-lambda", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="hourly-lambda", Targets=[{"Id": "fn", "Arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:"
                                                                       "function:tidy"}])
    world.recorder.reset()
    return small


def schedule(world: World, name: str = "daily-report", group: str = "reports") -> dict[str, Any]:
    answer: dict[str, Any] = world.client("scheduler").get_schedule(Name=name, GroupName=group)
    answer.pop("ResponseMetadata")
    return answer


def rule_target(world: World, rule: str = "nightly-migrate") -> dict[str, Any]:
    target: dict[str, Any] = world.client("events").list_targets_by_rule(Rule=rule)["Targets"][0]
    return target


def status(world: World, arn: str) -> str:
    return str(world.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]["status"])


def families(world: World, family: str) -> list[str]:
    arns = world.client("ecs").list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    return [arn.rsplit("/", 1)[-1] for arn in arns]


def next_daily(now: datetime, hour: int, minute: int, zone: str) -> datetime:
    """Return when a daily HOUR:MINUTE in ZONE next comes after NOW (worked out apart from ecsshell's cron)."""
    local = now.astimezone(ZoneInfo(zone)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    while local.astimezone(UTC) <= now:
        local = (local + timedelta(days=1)).replace(hour=hour, minute=minute)
    return local.astimezone(UTC)


# schedules ----------------------------------------------------------------------------------------
def test_schedules_lists_what_runs_ecs_tasks_with_next_runs_in_four_calls_and_more(world, ecsshell, jobs) -> None:
    world.faults.latency(0.05, "GetSchedule")
    world.faults.latency(0.05, "ListTargetsByRule")  # in flight together: one fan-out for both kinds
    result = ecsshell("schedules", "/")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    now = world.scheduler.now()
    report_at = next_daily(now, 6, 0, "Europe/Berlin").strftime("%Y-%m-%d %H:%MZ")
    migrate_at = next_daily(now, 2, 30, "UTC").strftime("%Y-%m-%d %H:%MZ")
    assert lines[0] == "Scheduled tasks (2, by cluster and name)"
    assert re.fullmatch(rf"daily-report +reports +cron\(0 6 \* \* \? \*\) Europe/Berlin +{report_at} \(in \d+[smh]\)"
                        r" +ENABLED +report:2 +batch", lines[3]), lines[3]
    assert lines[4].split()[:8] == ["nightly-migrate", "rule", "cron(30", "2", "*", "*", "?", "*)"]
    assert migrate_at in lines[4] and lines[4].split()[-3:] == ["ENABLED", "migrate:2", "batch"]
    assert "ping-queue" not in result.out and "hourly-lambda" not in result.out and "on-upload" not in result.out
    calls = world.recorder.calls  # only ECS targets are read in full; an event pattern's rule is no schedule
    assert (calls["ListSchedules"], calls["GetSchedule"], calls["ListRules"], calls["ListTargetsByRule"]) == \
        (1, 1, 1, 2)
    assert world.recorder.peak_in_flight >= 3  # GetSchedule and both ListTargetsByRule at once

    assert ecsshell("schedules", "batch").out == result.out.replace("Scheduled tasks (", "Scheduled tasks in batch (")
    empty = ecsshell("schedules", "prod")
    assert empty.code == 0 and empty.out == "no EventBridge schedule or scheduled rule runs ECS tasks in cluster prod\n"
    missing = ecsshell("schedules", "bacth")
    assert missing.code == 1 and 'cluster "bacth" not found (did you mean: batch?)' in missing.err

    # JSON: the Schedule as GetSchedule gives it, the Rule and Target as EventBridge does, ecsshell's under its key
    result = ecsshell("--output", "json", "schedules")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    ours = doc["Schedules"][0]
    added = ours.pop("ecsshell")
    theirs = json.loads(json.dumps(schedule(world), default=lambda d: d.astimezone(UTC).isoformat()))
    assert ours == theirs
    assert added == {"name": "reports/daily-report", "taskDefinition": "report:2", "cluster": "batch",
                     "nextRun": next_daily(world.scheduler.now(), 6, 0, "Europe/Berlin").isoformat()}
    rule = doc["Rules"][0]
    assert rule["Target"] == rule_target(world)
    described = world.client("events").describe_rule(Name="nightly-migrate")
    assert {k: described[k] for k in rule["Rule"]} == rule["Rule"]
    assert rule["ecsshell"]["name"] == "rule/nightly-migrate" and rule["ecsshell"]["taskDefinition"] == "migrate:2"


# update --schedule ---------------------------------------------------------------------------------
def without_target_revision(answer: dict[str, Any]) -> dict[str, Any]:
    copied = copy.deepcopy(answer)
    copied.pop("LastModificationDate", None)
    (copied.get("Target") or copied)["EcsParameters"].pop("TaskDefinitionArn")
    return copied


def test_update_schedule_points_a_schedule_or_a_rules_target_sending_all_of_it_back(world, ecsshell, jobs) -> None:
    before = schedule(world)
    result = ecsshell("update", "batch", "--schedule", "daily-report", ":1.3.1", "-y")
    assert result.code == 0, result.err
    assert "registered report:3; schedule reports/daily-report (cluster batch) now runs it (was report:2)" in result.out
    after = schedule(world)
    assert after["Target"]["EcsParameters"]["TaskDefinitionArn"] == REPORT_3
    assert without_target_revision(after) == without_target_revision(before)  # every other member as it was
    image = world.client("ecs").describe_task_definition(taskDefinition="report:3")["taskDefinition"][
        "containerDefinitions"][0]["image"]
    assert image.endswith("/report:1.3.1")
    calls = world.recorder.calls
    assert (calls["RegisterTaskDefinition"], calls["UpdateSchedule"], calls["PutTargets"]) == (1, 1, 0)

    # a rule's ECS target: PutTargets with the whole target
    before = rule_target(world)
    result = ecsshell("--output", "json", "update", "--schedule", "rule/nightly-migrate", ":2.4.2", "-y")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert (doc["from"], doc["to"], doc["taskDefinitionArn"]) == ("migrate:2", "migrate:3", MIGRATE_3)
    after = rule_target(world)
    assert after["EcsParameters"]["TaskDefinitionArn"] == MIGRATE_3
    assert without_target_revision(after) == without_target_revision(before)
    assert world.recorder.calls["PutTargets"] == 1


def test_dry_run_read_only_no_and_a_wrong_name_change_nothing(world, ecsshell, home, jobs) -> None:
    before, revisions = schedule(world), families(world, "report")
    world.recorder.reset()
    dry = ecsshell("update", "--schedule", "reports/daily-report", ":1.3.1", "--dry-run")
    assert dry.code == 0, dry.err
    assert '+      "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/report:1.3.1",' in dry.out
    assert dry.out.rstrip().endswith("dry run: schedule reports/daily-report (cluster batch) would move from "
                                     "report:2 to a new revision; nothing changed")
    refused = ecsshell("--read-only", "update", "--schedule", "daily-report", ":1.3.1", "-y")
    assert refused.code == 1 and "read-only" in refused.err
    wrong = ecsshell("update", "prod", "--schedule", "daily-report", ":1.3.1", "-y")
    assert wrong.code == 1 and wrong.err.strip().splitlines()[-1].endswith(
        "schedule reports/daily-report runs tasks in cluster batch, not prod: nothing was registered")
    typo = ecsshell("update", "--schedule", "daily-reprot", ":1.3.1", "-y")
    assert typo.code == 1 and "no schedule or scheduled rule named daily-reprot runs ECS tasks (did you mean: " \
        "reports/daily-report?)" in typo.err
    waiting = ecsshell("update", "--schedule", "daily-report", ":1.3.1", "--wait")
    assert waiting.code == 2 and "--wait acts on a service's rollout" in waiting.err
    calls = world.recorder.calls
    assert (calls["RegisterTaskDefinition"], calls["UpdateSchedule"], calls["ListTaskDefinitions"]) == (0, 0, 0)
    assert schedule(world) == before and families(world, "report") == revisions

    # on a terminal: the diff, then the question
    out, _ = at_terminal(world, home, "update --schedule rule/nightly-migrate :2.4.2", stdin="n\n")
    assert "api-migrate:2.4.2" in out and "cancelled; nothing changed" in out
    assert rule_target(world)["EcsParameters"]["TaskDefinitionArn"].endswith("/migrate:2")


def test_a_failed_retarget_is_undone_and_said_and_a_lost_answer_is_kept(world, ecsshell, jobs) -> None:
    before, target = schedule(world), rule_target(world)
    for ref, call, what, family in (("daily-report", "UpdateSchedule", "schedule reports/daily-report", "report"),
                                    ("rule/nightly-migrate", "PutTargets", "rule nightly-migrate", "migrate")):
        world.faults.fail(call, 500, 2)
        result = ecsshell("update", "--schedule", ref, ":9.9.9", "-y", extra=ONE_TRY)
        assert result.code == 1 and "Traceback" not in result.err
        line = result.err.strip().splitlines()[-1]
        assert line.startswith(f"error: {call} failed, so {what} still runs {family}:2: AWS failed {call} with "
                               "HTTP 500"), line
        assert line.endswith(f"; deregistered the orphan revision {family}:3"), line
        assert status(world, f"{family}:3") == "INACTIVE" and families(world, family) == [f"{family}:1", f"{family}:2"]
    assert schedule(world) == before and rule_target(world) == target

    world.faults.fail("UpdateSchedule", 500, 2, after_apply=True)  # made, but both answers lost
    result = ecsshell("update", "--schedule", "daily-report", ":1.3.1", "-y", extra=ONE_TRY)
    assert result.code == 0, result.err
    assert "note: UpdateSchedule reported an error (AWS failed UpdateSchedule with HTTP 500" in result.err
    assert "but schedule reports/daily-report runs report:4" in result.err
    assert schedule(world)["Target"]["EcsParameters"]["TaskDefinitionArn"].endswith("/report:4")
    assert status(world, "report:4") == "ACTIVE"

    class Blind(Gateway):
        """The real gateway, but GetSchedule's read-back after the failure fails too."""

        def reread_scheduled_task(self, task: Any) -> Any:
            raise AwsError("AWS failed GetSchedule with HTTP 503")

    # not even read back: the old target is sent again, then the new revision deregistered
    before = schedule(world)
    world.faults.fail("UpdateSchedule", 500, 1)  # the retarget fails (no retry); the restore goes through
    with Blind.connect(Settings(endpoint_url=world.endpoint_url, region=world.region, max_attempts=0),
                       env=world.environ()) as gateway:
        planned = schedules.plan_next(gateway, "daily-report", "batch", {None: ":1.3.2"}, [], [])
        with pytest.raises(OperationError) as failed:
            schedules.retarget(gateway, planned, lambda _: None)
    assert str(failed.value).startswith("UpdateSchedule failed: AWS failed UpdateSchedule with HTTP 500")
    assert str(failed.value).endswith("could not check schedule reports/daily-report (AWS failed GetSchedule with "
                                      "HTTP 503), so its target was restored to report:4; deregistered the orphan "
                                      "revision report:5")
    assert status(world, "report:5") == "INACTIVE"
    assert without_target_revision(schedule(world)) == without_target_revision(before)
    assert schedule(world)["Target"]["EcsParameters"]["TaskDefinitionArn"].endswith("/report:4")


# the emulator answers as botocore's models say ------------------------------------------------------
def strays(value: Any, shape: Any, where: str) -> list[str]:
    """Return where a raw JSON answer holds what SHAPE has no member for, or lacks a required member."""
    found: list[str] = []
    if shape.type_name == "structure" and isinstance(value, dict):
        found += [f"{where}.{k}: not in {shape.name}" for k in value if k not in shape.members]
        found += [f"{where}.{k}: missing" for k in shape.required_members if k not in value]
        for key, inner in value.items():
            if key in shape.members and inner is not None:
                found += strays(inner, shape.members[key], f"{where}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            found += strays(item, shape.member, f"{where}[{index}]")
    return found


def answers_in_botocores_shapes(world: World) -> None:
    """Check that the raw answers of the calls ecsshell makes hold only members of botocore's output shapes."""
    answers: list[tuple[Any, Any]] = []

    def keep(model: Any = None, http_response: Any = None, **_: Any) -> None:
        answers.append((model, json.loads(http_response.content or b"{}")))

    scheduler, events = world.client("scheduler"), world.client("events")
    for client in (scheduler, events):
        client.meta.events.register("after-call", keep)
    scheduler.list_schedules()
    found = scheduler.get_schedule(Name="daily-report", GroupName="reports")
    events.list_rules()
    target = events.list_targets_by_rule(Rule="nightly-migrate")["Targets"][0]
    update = {k: found[k] for k in ("Name", "GroupName", "ScheduleExpression", "Target", "FlexibleTimeWindow")}
    scheduler.update_schedule(**update)  # no State, no ActionAfterCompletion: UpdateSchedule replaces them
    events.put_targets(Rule="nightly-migrate", Targets=[target])
    assert [model.name for model, _ in answers] == ["ListSchedules", "GetSchedule", "ListRules", "ListTargetsByRule",
                                                    "UpdateSchedule", "PutTargets"]
    for model, raw in answers:
        assert strays(raw, model.output_shape, model.name) == []
    again = scheduler.get_schedule(Name="daily-report", GroupName="reports")
    assert (again["State"], again["ActionAfterCompletion"]) == ("ENABLED", "NONE")
    assert again["LastModificationDate"] == world.scheduler.now()  # on the world's clock


def test_the_demo_world_answers_in_botocores_shapes_and_the_docs_examples_run(world: World, ecsshell) -> None:
    from test_readme import run_examples

    from ecsshell.emulator.worlds import demo_world

    demo_world(world)
    answers_in_botocores_shapes(world)
    ran = run_examples(ecsshell, "<!-- schedules:", 5)
    assert "daily-report" in ran[0][2].out and "nightly-migrate" in ran[0][2].out
    assert rule_target(world)["EcsParameters"]["TaskDefinitionArn"] == MIGRATE_3
    assert schedule(world)["Target"]["EcsParameters"]["TaskDefinitionArn"].endswith("/report:2")  # a dry run

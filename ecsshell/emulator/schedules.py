"""EventBridge Scheduler and EventBridge rules in the emulated world: names, shims and the demo's two schedules.

moto answers ListSchedules, GetSchedule, UpdateSchedule, ListRules, ListTargetsByRule and PutTargets
in botocore's shapes (ECS targets' EcsParameters are kept as sent). What it lacks is closed here:
- Scheduler is a REST API, so its requests carry no operation name: `rest_operation` names them from
  the method and path, so that the recorder counts `GetSchedule` and faults can be injected on
  `UpdateSchedule`, as for the JSON APIs;
- UpdateSchedule replaces the whole schedule: an omitted State is ENABLED again and an omitted
  ActionAfterCompletion NONE (moto kept no State and the old action);
- ListSchedules answers ScheduleSummary objects (moto answered whole schedules, nulls too), and
  ListRules Rule objects (moto added DescribeRule's CreatedBy);
- a schedule's CreationDate and LastModificationDate are on the world's emulated clock, as every other
  time the world answers (moto took the wall clock), so a rate schedule's phase is the world's.
This module loads no moto when imported: `install` does, when a world starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

ACCOUNT = "123456789012"
# ListSchedules' ScheduleSummary members (botocore's model): moto answered every member of the schedule
SUMMARY = frozenset({"Arn", "Name", "GroupName", "State", "CreationDate", "LastModificationDate", "Target"})
# ListRules' Rule members: moto answered DescribeRule's (CreatedBy too)
RULE = frozenset({"Name", "Arn", "EventPattern", "State", "Description", "ScheduleExpression", "RoleArn", "ManagedBy",
                  "EventBusName"})
SCHEDULER_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/scheduler/")
# (method, path pattern) -> operation, from botocore's Scheduler model (requestUri of each operation)
REST_OPERATIONS: list[tuple[str, re.Pattern[str], str]] = [
    (method, re.compile(pattern), name) for method, pattern, name in (
        ("GET", r"/schedules/?$", "ListSchedules"),
        ("GET", r"/schedules/[^/]+$", "GetSchedule"),
        ("POST", r"/schedules/[^/]+$", "CreateSchedule"),
        ("PUT", r"/schedules/[^/]+$", "UpdateSchedule"),
        ("DELETE", r"/schedules/[^/]+$", "DeleteSchedule"),
        ("GET", r"/schedule-groups/?$", "ListScheduleGroups"),
        ("GET", r"/schedule-groups/[^/]+$", "GetScheduleGroup"),
        ("POST", r"/schedule-groups/[^/]+$", "CreateScheduleGroup"),
        ("DELETE", r"/schedule-groups/[^/]+$", "DeleteScheduleGroup"),
        ("GET", r"/tags/.+$", "ListTagsForResource"),
        ("POST", r"/tags/.+$", "TagResource"),
        ("DELETE", r"/tags/.+$", "UntagResource"),
    )
]


def rest_operation(environ: Mapping[str, Any]) -> str | None:
    """Name the EventBridge Scheduler operation of a REST request (signed for `scheduler`), or None."""
    if not SCHEDULER_SCOPE.search(str(environ.get("HTTP_AUTHORIZATION") or "")):
        return None
    method, path = str(environ.get("REQUEST_METHOD") or ""), str(environ.get("PATH_INFO") or "")
    return next((name for verb, pattern, name in REST_OPERATIONS if verb == method and pattern.match(path)), None)


class Clocked(Protocol):
    """A world as this module's shims see it: the emulated clock."""

    @property
    def scheduler(self) -> Any: ...


class Built(Protocol):
    """A world as the demo's schedules are made in it (server.World)."""

    @property
    def region(self) -> str: ...

    @property
    def lock(self) -> Any: ...

    def backend(self, service: str = "ecs", account: str | None = None, region: str | None = None) -> Any: ...


def install(worlds: Mapping[str, Clocked]) -> None:
    """Shim moto's EventBridge Scheduler once per process (see the module's docstring)."""
    from moto.core.utils import unix_time
    from moto.scheduler import models, responses

    schedule_cls, response_cls = models.Schedule, responses.EventBridgeSchedulerResponse
    if getattr(schedule_cls, "_ecsshell_shim", False):
        return

    def stamp(schedule: Any) -> float:
        world = worlds.get(schedule.arn.split(":")[3])
        if world is None:
            return float(unix_time())
        now: datetime = world.scheduler.now()
        return now.timestamp()

    created: Callable[..., None] = schedule_cls.__init__
    updated: Callable[..., None] = schedule_cls.update
    answered: Callable[[Any], str] = response_cls.update_schedule

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        created(self, *args, **kwargs)
        self.creation_date = self.last_modified_date = stamp(self)

    def update(self: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("state") is None:
            kwargs["state"] = "ENABLED"
        updated(self, *args, **kwargs)
        self.last_modified_date = stamp(self)

    def update_schedule(self: Any) -> str:
        answer = answered(self)
        name = self.uri.split("?")[0].split("/")[-1]
        schedule = self.scheduler_backend.get_schedule(self._get_param("GroupName"), name)
        schedule.action_after_completion = self._get_param("ActionAfterCompletion") or "NONE"
        return answer

    listed: Callable[[Any], str] = response_cls.list_schedules

    def list_schedules(self: Any) -> str:
        answer = json.loads(listed(self))
        answer["Schedules"] = [{k: v for k, v in s.items() if k in SUMMARY and v is not None}
                               for s in answer.get("Schedules") or []]
        if not answer.get("NextToken"):
            answer.pop("NextToken", None)
        return json.dumps(answer)

    from moto.events.responses import EventsHandler

    rules: Callable[[Any], tuple[str, Any]] = EventsHandler.list_rules

    def list_rules(self: Any) -> tuple[str, Any]:
        body, headers = rules(self)
        answer = json.loads(body)
        answer["Rules"] = [{k: v for k, v in r.items() if k in RULE} for r in answer.get("Rules") or []]
        if not answer.get("NextToken"):
            answer.pop("NextToken", None)
        return json.dumps(answer), headers

    EventsHandler.list_rules = list_rules  # type: ignore[method-assign]
    schedule_cls.__init__ = init  # type: ignore[method-assign]
    response_cls.list_schedules = list_schedules  # type: ignore[method-assign]
    schedule_cls.update = update  # type: ignore[method-assign]
    response_cls.update_schedule = update_schedule  # type: ignore[method-assign]
    schedule_cls._ecsshell_shim = True  # type: ignore[attr-defined]


# the demo's scheduled tasks ----------------------------------------------------------------------
def _ecs_parameters(task_definition_arn: str, network: Mapping[str, Any]) -> dict[str, Any]:
    """Return a target's EcsParameters running TASK_DEFINITION_ARN on Fargate with ECS's NETWORK settings."""
    vpc = network["awsvpcConfiguration"]
    return {"TaskDefinitionArn": task_definition_arn, "TaskCount": 1, "LaunchType": "FARGATE",
            "PlatformVersion": "LATEST", "NetworkConfiguration": {"awsvpcConfiguration": {
                "Subnets": list(vpc["subnets"]), "SecurityGroups": list(vpc["securityGroups"]),
                "AssignPublicIp": vpc["assignPublicIp"]}}}


def scheduled_jobs(world: Built, built: Mapping[str, Any]) -> dict[str, str]:
    """Schedule the batch jobs BUILT registered: report daily (Scheduler, Berlin time), migrate nightly (a rule).

    Made directly on moto's backends, with the requests' own shapes, not through the two APIs: a boto3
    client for each and moto's router for each cost about 0.1 s of every demo's start, and only
    `schedules` reads them (the tests check what the APIs answer). Return {name: schedule or rule ARN}.
    """
    cluster = f"arn:aws:ecs:{world.region}:{ACCOUNT}:cluster/batch"
    network = built["network_configuration"]
    report, migrate = built["task_definitions"]["report"][-1], built["task_definitions"]["migrate"][-1]
    with world.lock:
        scheduler, events = world.backend("scheduler", ACCOUNT), world.backend("events", ACCOUNT)
        scheduler.create_schedule_group(name="reports", tags=[])
        schedule = scheduler.create_schedule(
            description="the daily revenue report", end_date=None, flexible_time_window={
                "Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}, group_name="reports", kms_key_arn=None,
            name="daily-report", schedule_expression="cron(0 6 * * ? *)", schedule_expression_timezone="Europe/Berlin",
            start_date=None, state="ENABLED", action_after_completion="NONE", target={
                "Arn": cluster, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/scheduler-run-batch",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3},
                "EcsParameters": _ecs_parameters(report, network)})
        rule = events.put_rule("nightly-migrate", description="database migrations, nightly",
                               scheduled_expression="cron(30 2 * * ? *)", state="ENABLED")
        events.put_targets("nightly-migrate", None, [{
            "Id": "migrate", "Arn": cluster, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsEventsRole",
            "EcsParameters": _ecs_parameters(migrate, network)}])
    return {"daily-report": schedule.arn, "nightly-migrate": rule.arn}

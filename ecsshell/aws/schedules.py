"""Scheduled ECS tasks: EventBridge Scheduler schedules and EventBridge rules whose targets run ECS tasks.

Schedules: ListSchedules (every group) names each schedule and its target's ARN, so only those that
target an ECS cluster (the one asked for, if any) are read in full, by GetSchedule. Rules: ListRules
on the default event bus (the only one a schedule expression may run on), then ListTargetsByRule for
each rule with a schedule expression. The two lists are read at once, then every GetSchedule and
ListTargetsByRule goes out concurrently (one pool map: a map inside a map would run inline).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from datetime import datetime
from typing import Any, Protocol, TypeVar

from ..errors import AwsError
from ..model import ScheduledTask, arn_name
from ..plain import plain
from .caller import ClientName

T = TypeVar("T")
R = TypeVar("R")

SCHEDULE_PAGE = 100  # ListSchedules MaxResults (its most)
RULE_PAGE = 100  # ListRules and ListTargetsByRule Limit (their most)
DEFAULT_BUS = "default"
# The members of GetSchedule's answer that UpdateSchedule takes: it replaces the whole schedule, so each is sent back.
UPDATE_SCHEDULE_MEMBERS = ("Name", "GroupName", "ScheduleExpression", "StartDate", "EndDate", "Description",
                           "ScheduleExpressionTimezone", "State", "KmsKeyArn", "Target", "FlexibleTimeWindow",
                           "ActionAfterCompletion")


class Calls(Protocol):
    """The part of the gateway this module uses."""

    def call(self, api: ClientName, method: str, context: str = "", /, **params: Any) -> dict[str, Any]: ...

    def pages(self, api: ClientName, method: str, key: str, context: str = "", /, *, token_in: str = "nextToken",
              token_out: str = "nextToken", **params: Any) -> Iterator[list[Any]]: ...

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]: ...


def is_cluster_arn(arn: str) -> bool:
    """Say whether ARN is an ECS cluster's: what a target that runs ECS tasks names."""
    return arn.startswith("arn:") and ":ecs:" in arn and ":cluster/" in arn


def _in_cluster(arn: str, cluster: str | None) -> bool:
    return cluster is None or arn == cluster or arn_name(arn) == cluster


def _time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def schedule_task(answer: Mapping[str, Any]) -> ScheduledTask | None:
    """Return GetSchedule's ANSWER as a scheduled task, or None when its target runs no ECS task."""
    target = answer.get("Target") or {}
    ecs = target.get("EcsParameters")
    if not isinstance(ecs, Mapping) or not ecs.get("TaskDefinitionArn"):
        return None
    return ScheduledTask(
        kind="schedule", name=plain(str(answer.get("Name") or "")), group=plain(str(answer.get("GroupName")
                                                                                    or "default")),
        arn=plain(str(answer.get("Arn") or "")), expression=plain(str(answer.get("ScheduleExpression") or "")),
        state=plain(str(answer.get("State") or "ENABLED")), task_definition_arn=plain(str(ecs["TaskDefinitionArn"])),
        cluster_arn=plain(str(target.get("Arn") or "")),
        timezone=plain(str(answer.get("ScheduleExpressionTimezone") or "UTC")),
        created_at=_time(answer.get("CreationDate")), start_date=_time(answer.get("StartDate")),
        end_date=_time(answer.get("EndDate")), raw=answer)


def rule_tasks(rule: Mapping[str, Any], targets: Iterable[Mapping[str, Any]]) -> list[ScheduledTask]:
    """Return RULE's TARGETS that run ECS tasks, one scheduled task each."""
    found = []
    for target in targets:
        ecs = target.get("EcsParameters")
        if not isinstance(ecs, Mapping) or not ecs.get("TaskDefinitionArn"):
            continue
        found.append(ScheduledTask(
            kind="rule", name=plain(str(rule.get("Name") or "")), group=plain(str(rule.get("EventBusName")
                                                                                  or DEFAULT_BUS)),
            arn=plain(str(rule.get("Arn") or "")), expression=plain(str(rule.get("ScheduleExpression") or "")),
            state=plain(str(rule.get("State") or "")), task_definition_arn=plain(str(ecs["TaskDefinitionArn"])),
            cluster_arn=plain(str(target.get("Arn") or "")), target_id=plain(str(target.get("Id") or "")),
            raw={"Rule": rule, "Target": target}))
    return found


def _schedule_context(name: str, group: str) -> str:
    return f'schedule "{name}" in group "{group}"'


def get_schedule(gateway: Calls, name: str, group: str) -> dict[str, Any]:
    """Return GetSchedule's answer for schedule NAME of GROUP."""
    return gateway.call("scheduler", "get_schedule", _schedule_context(name, group), Name=name, GroupName=group)


def _ecs_schedules(gateway: Calls, cluster: str | None, name: str | None) -> list[dict[str, Any]]:
    """Return the ListSchedules summaries (every group) whose target is an ECS cluster (CLUSTER; named NAME)."""
    params: dict[str, Any] = {"MaxResults": SCHEDULE_PAGE}
    if name:
        params["NamePrefix"] = name
    pages = gateway.pages("scheduler", "list_schedules", "Schedules", "EventBridge Scheduler schedules",
                          token_in="NextToken", token_out="NextToken", **params)
    return [s for page in pages for s in page
            if is_cluster_arn(str((s.get("Target") or {}).get("Arn") or ""))
            and _in_cluster(str(s["Target"]["Arn"]), cluster) and (name is None or s.get("Name") == name)]


def _scheduled_rules(gateway: Calls, name: str | None) -> list[dict[str, Any]]:
    """Return the default bus's rules with a schedule expression (named NAME)."""
    params: dict[str, Any] = {"Limit": RULE_PAGE}
    if name:
        params["NamePrefix"] = name
    pages = gateway.pages("events", "list_rules", "Rules", "EventBridge rules", token_in="NextToken",
                          token_out="NextToken", **params)
    return [r for page in pages for r in page
            if r.get("ScheduleExpression") and (name is None or r.get("Name") == name)]


def rule_targets(gateway: Calls, rule: str) -> list[dict[str, Any]]:
    """Return every target of RULE (default event bus)."""
    pages = gateway.pages("events", "list_targets_by_rule", "Targets", f'rule "{rule}"', token_in="NextToken",
                          token_out="NextToken", Rule=rule, Limit=RULE_PAGE)
    return [t for page in pages for t in page]


def scheduled_tasks(gateway: Calls, cluster: str | None = None, name: str | None = None) -> list[ScheduledTask]:
    """Return the schedules and scheduled rules' ECS targets (in CLUSTER; named NAME).

    ListRules goes out while ListSchedules is paged; then every GetSchedule and ListTargetsByRule at once.
    """
    listing_rules = gateway.submit(_scheduled_rules, gateway, name)
    summaries = _ecs_schedules(gateway, cluster, name)
    rules = listing_rules.result()

    def read(item: tuple[str, dict[str, Any]]) -> list[ScheduledTask]:
        kind, found = item
        if kind == "schedule":
            task = schedule_task(get_schedule(gateway, str(found["Name"]), str(found.get("GroupName") or "default")))
            return [task] if task is not None else []
        return rule_tasks(found, rule_targets(gateway, str(found["Name"])))

    jobs = [("schedule", s) for s in summaries] + [("rule", r) for r in rules]
    return [task for part in gateway.map(read, jobs) for task in part if _in_cluster(task.cluster_arn, cluster)]


def reread(gateway: Calls, task: ScheduledTask) -> ScheduledTask | None:
    """Return TASK as AWS holds it now (None when its schedule, rule or target is gone or runs no ECS task)."""
    if task.kind == "schedule":
        return schedule_task(get_schedule(gateway, task.name, task.group))
    rule = task.raw.get("Rule") or {}
    found = rule_tasks(rule, rule_targets(gateway, task.name))
    return next((t for t in found if t.target_id == task.target_id), None)


def retarget(gateway: Calls, task: ScheduledTask, task_definition_arn: str) -> None:
    """Point TASK's ECS target at TASK_DEFINITION_ARN, sending the whole schedule (or the whole target) back."""
    if task.kind == "schedule":
        request = {k: copy.deepcopy(task.raw[k]) for k in UPDATE_SCHEDULE_MEMBERS if task.raw.get(k) is not None}
        request["Target"]["EcsParameters"]["TaskDefinitionArn"] = task_definition_arn
        gateway.call("scheduler", "update_schedule", _schedule_context(task.name, task.group), **request)
        return
    target = copy.deepcopy(dict(task.raw.get("Target") or {}))
    target["EcsParameters"]["TaskDefinitionArn"] = task_definition_arn
    answer = gateway.call("events", "put_targets", f'rule "{task.name}"', Rule=task.name, Targets=[target])
    failed = answer.get("FailedEntries") or []
    if answer.get("FailedEntryCount") or failed:
        entry = failed[0] if failed else {}
        raise AwsError(f"EventBridge refused PutTargets for rule {task.name} target {task.target_id}: "
                       f"{entry.get('ErrorCode', '?')}: {entry.get('ErrorMessage', 'no message')}",
                       operation="PutTargets", code=str(entry.get("ErrorCode") or ""))

"""Know which AWS calls change something: refuse them in read-only mode, and record the ones made."""

from __future__ import annotations

import threading
from typing import Any

from ..model import arn_name
from .errors import AwsError

# Every AWS operation ecsshell may call that changes state (ECS, load balancers, logs).
MUTATING_OPERATIONS = frozenset({
    "RegisterTaskDefinition", "DeregisterTaskDefinition", "DeleteTaskDefinitions", "UpdateService",
    "CreateService", "DeleteService", "RunTask", "StartTask", "StopTask", "ExecuteCommand",
    "ContinueServiceDeployment", "StopServiceDeployment", "TagResource", "UntagResource",
    "UpdateServicePrimaryTaskSet", "CreateTaskSet", "DeleteTaskSet", "UpdateTaskSet",
    "PutClusterCapacityProviders", "CreateCluster", "DeleteCluster", "UpdateCluster",
    "StartSession", "TerminateSession",
    "UpdateSchedule", "PutTargets",  # EventBridge Scheduler and EventBridge: a scheduled task's target
    "RegisterScalableTarget",
})


# Refused in read-only mode, but not a change to ECS: a session opened into a container (ECS Exec, or an SSM
# port-forwarding session) changes nothing there.
NOT_CHANGES = frozenset({"ExecuteCommand", "StartSession", "TerminateSession"})


class ReadOnlyRefused(AwsError):
    """A call that changes AWS was stopped before it was sent, because the session is read-only."""


def describe_change(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> str:
    """Say in a few words what a successful mutating call changed."""
    if operation == "RegisterTaskDefinition":
        td = parsed.get("taskDefinition") or {}
        return f"registered {td.get('family', params.get('family'))}:{td.get('revision', '?')}"
    if operation == "DeregisterTaskDefinition":
        return f"deregistered {arn_name(str(params.get('taskDefinition', '')))}"
    if operation == "UpdateService":
        service = parsed.get("service") or {}
        what = []
        if "taskDefinition" in params:
            what.append(f"to {arn_name(str(service.get('taskDefinition', params['taskDefinition'])))}")
        if "desiredCount" in params:
            what.append(f"desired count {params['desiredCount']}")
        return f"updated service {params.get('service')} {' '.join(what)}".strip()
    if operation == "RunTask":
        tasks = parsed.get("tasks") or []
        return f"started {len(tasks)} task(s) of {arn_name(str(params.get('taskDefinition', '')))}"
    if operation == "UpdateSchedule":
        target = (params.get("Target") or {}).get("EcsParameters") or {}
        return f"pointed schedule {params.get('Name')} at {arn_name(str(target.get('TaskDefinitionArn', '')))}"
    if operation == "PutTargets":
        return f"updated the targets of rule {params.get('Rule')}"
    if operation == "RegisterScalableTarget":
        bounds = [f"{word} {params[key]}" for word, key in (("min", "MinCapacity"), ("max", "MaxCapacity"))
                  if key in params]
        return f"set the scalable target of {params.get('ResourceId')} to {', '.join(bounds)}"
    if operation == "StopTask":
        return f"stopped task {arn_name(str(params.get('task', '')))}"
    return operation


class Journal:
    """Botocore event handlers: refuse mutating calls when read-only, and list the changes made."""

    def __init__(self) -> None:
        self.read_only = False
        self.changes: list[str] = []
        self._lock = threading.Lock()

    def before_call(self, model: Any = None, params: Any = None, **_: Any) -> None:
        name = getattr(model, "name", "")
        if self.read_only and name in MUTATING_OPERATIONS:
            raise ReadOnlyRefused(f"read-only mode: {name} was not called", operation=name)

    def after_call(self, model: Any = None, http_response: Any = None, parsed: Any = None,
                   context: Any = None, **_: Any) -> None:
        name = getattr(model, "name", "")
        status = getattr(http_response, "status_code", 0)
        if name in MUTATING_OPERATIONS and name not in NOT_CHANGES and 200 <= status < 300:
            params = (context or {}).get("ecsshell_params", {})
            with self._lock:
                self.changes.append(describe_change(name, params, parsed or {}))

    def remember_params(self, params: Any = None, model: Any = None, context: Any = None, **_: Any) -> None:
        if context is not None and getattr(model, "name", "") in MUTATING_OPERATIONS:
            context["ecsshell_params"] = dict(params or {})

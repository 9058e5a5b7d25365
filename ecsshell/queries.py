"""Answer questions about model objects: which task definition, which events, which revision differs.

Pure functions of the frozen dataclasses in `model`: no AWS, no I/O, nothing drawn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ecsshell.model import Service, ServiceEvent, Task, TaskDefinition, arn_name


def find_task_definition(task_defs: Mapping[str, TaskDefinition], arn: str) -> TaskDefinition | None:
    """Find a task definition keyed by ARN or by `family:revision`."""
    label = arn_name(arn)
    found = task_defs.get(arn) or task_defs.get(label)
    if found is not None:
        return found
    return next((td for td in task_defs.values() if td.arn == arn or td.label == label), None)


def revision_mismatch(service: Service, task: Task) -> str | None:
    """Return a warning when a task runs another task definition revision than its service."""
    if not task.task_definition_arn or not service.task_definition_arn:
        return None
    if task.revision == service.revision:
        return None
    return f"task uses {task.revision} but service uses {service.revision}"


def recent_events(service: Service, count: int) -> list[ServiceEvent]:
    """Return exactly the `count` most recent events, newest first (none when count <= 0)."""
    if count <= 0:
        return []
    ordered = sorted(
        service.events,
        key=lambda e: (e.created_at is not None, e.created_at.timestamp() if e.created_at else 0.0),
        reverse=True,
    )
    return ordered[:count]


def breaker_summary(configuration: Mapping[str, Any] | None, desired: int | None = None) -> str | None:
    """Say when a deployment circuit breaker trips (its thresholdConfiguration), or None when it is off."""
    breaker = (configuration or {}).get("deploymentCircuitBreaker") or {}
    if not breaker.get("enable"):
        return None
    threshold = breaker.get("thresholdConfiguration") or {}
    kind, value = threshold.get("type"), threshold.get("value")
    if kind == "COUNT" and value is not None:
        trips = f"trips at {value} failed tasks"
    elif kind in ("BOUNDED_PERCENT", "UNBOUNDED_PERCENT") and value is not None:
        bounds = " (3 to 200)" if kind == "BOUNDED_PERCENT" else ""
        trips = f"trips at {value}% of desired{bounds} failed tasks"
        if desired is not None:
            share = math.ceil(desired * int(value) / 100)
            count = max(1, share) if kind == "UNBOUNDED_PERCENT" else min(200, max(3, share))
            trips += f", {count} now"
    else:
        trips = "trips at half the desired count (3 to 200) failed tasks"
    parts = ["on", "then rolls back" if breaker.get("rollback") else "no rollback", trips]
    if breaker.get("resetOnHealthyTask") is False:
        parts.append("failures never reset")
    return ", ".join(parts)


def early_success_summary(configuration: Mapping[str, Any] | None) -> str | None:
    """Say when a rolling deployment may succeed early (earlySuccessCriteria), or None when it may not."""
    criteria = (configuration or {}).get("earlySuccessCriteria") or {}
    if not criteria.get("enable"):
        return None
    percent = criteria.get("healthyPercent")
    cleanup = criteria.get("sourceServiceRevisionCleanup")
    old = {"DEFERRED": "old tasks drain after (DEFERRED)",
           "BLOCKING": "after old tasks are gone (BLOCKING)"}.get(str(cleanup), "")
    return ", ".join(x for x in (f"SUCCESSFUL at {percent}% healthy", old) if x)

"""Answer questions about model objects: which task definition, which events, which revision differs.

Pure functions of the frozen dataclasses in `model`: no AWS, no I/O, nothing drawn.
"""

from __future__ import annotations

from collections.abc import Mapping

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

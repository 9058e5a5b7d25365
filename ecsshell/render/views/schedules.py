"""Draw scheduled ECS tasks (EventBridge Scheduler schedules and rules): a table, and AWS's own JSON shapes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from rich.console import Group, RenderableType

from ecsshell.clock import now as clock_now
from ecsshell.model import ScheduledTask
from ecsshell.render.states import state_style
from ecsshell.render.widgets import MISSING, age, cell, heading, new_table
from ecsshell.secrets import free_text

ADDED = "ecsshell"


class Row(Protocol):
    """A scheduled task and when it next runs (operations.schedules.Row)."""

    @property
    def task(self) -> ScheduledTask: ...

    @property
    def next_run(self) -> datetime | None: ...


def next_run_text(moment: datetime | None, now: datetime | None = None) -> str:
    """Return a next run as `2026-12-07 05:00Z (in 14h)`, or `-`."""
    if moment is None:
        return MISSING
    now = clock_now() if now is None else now
    return f"{moment.astimezone(UTC).strftime('%Y-%m-%d %H:%MZ')} (in {age(now, moment)})"


def expression_text(expression: str, timezone: str) -> str:
    """Return a schedule expression, with its time zone when that is not UTC."""
    return expression if timezone in ("", "UTC") else f"{expression} {timezone}"


def schedules_table(rows: Sequence[Row], where: str = "", now: datetime | None = None) -> RenderableType:
    """Return the scheduled tasks: name, group (or `rule`), expression, next run, state, task definition, cluster."""
    table = new_table("name", "group", "expression", "next run", "state", "task definition", "cluster")
    labels = [row.task.label for row in rows]
    for row in rows:
        task = row.task
        name = task.name if labels.count(task.label) == 1 else f"{task.name} ({task.target_id})"
        table.add_row(cell(name), cell("rule" if task.kind == "rule" else task.group),
                      cell(expression_text(task.expression, task.timezone)), cell(next_run_text(row.next_run, now)),
                      cell(task.state, state_style(task.state)), cell(task.task_definition), cell(task.cluster))
    title = f"Scheduled tasks{f' in {where}' if where else ''} ({len(rows)}, by cluster and name)"
    return Group(heading(title), table)


def _added(row: Row) -> dict[str, Any]:
    task = row.task
    added: dict[str, Any] = {"name": task.label, "taskDefinition": task.task_definition, "cluster": task.cluster}
    if row.next_run is not None:
        added["nextRun"] = row.next_run.astimezone(UTC).isoformat()
    return added


def shown(value: Any) -> Any:
    """Return a JSON-like value from AWS made plain, its secrets masked unless the command shows them."""
    if isinstance(value, str):
        return free_text(value)
    if isinstance(value, Mapping):
        return {str(key): shown(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [shown(item) for item in value]
    return value


def schedules_document(rows: Sequence[Row]) -> dict[str, Any]:
    """Return {"Schedules": [GetSchedule's Schedule], "Rules": [{"Rule", "Target"}]}, each with an `ecsshell` key."""
    doc: dict[str, list[dict[str, Any]]] = {"Schedules": [], "Rules": []}
    for row in rows:
        raw = row.task.raw
        if row.task.kind == "schedule":
            doc["Schedules"].append({**shown(raw), ADDED: _added(row)})
        else:
            doc["Rules"].append({"Rule": shown(raw.get("Rule") or {}), "Target": shown(raw.get("Target") or {}),
                                 ADDED: _added(row)})
    return doc

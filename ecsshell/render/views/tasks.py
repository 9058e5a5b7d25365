"""Draw tasks, and the tasks and failures RunTask reported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import RunFailure, Task, TaskContainer
from ecsshell.render.states import state_cell, states_text
from ecsshell.render.widgets import (
    ERROR_STYLE,
    MISSING,
    WARNING_STYLE,
    Col,
    KeyValueGrid,
    age,
    cell,
    heading,
    new_table,
    plural,
    when,
)


def task_containers(containers: Sequence[TaskContainer]) -> str:
    """Return each task container as `name STATUS [exit N] [health]`, one per line."""
    lines = []
    for c in containers:
        words = [c.name, c.last_status or MISSING]
        if c.exit_code is not None:
            words.append(f"exit {c.exit_code}")
        if c.health and c.health != "UNKNOWN":
            words.append(c.health.lower())
        if c.reason:
            words.append(f"({c.reason})")
        lines.append(" ".join(words))
    return "\n".join(lines)


def tasks_table(tasks: list[Task], *, now: datetime | None = None) -> RenderableType:
    """Return tasks with revision, status, health, age (and when they stopped, why) and container states."""
    if not tasks:
        return Text("No tasks")
    stopped = any(t.stopped_at or t.stopped_reason for t in tasks)
    columns: list[str | Col] = [
        "task", "revision", "last status", "desired", "health", "launch type", Col("age", right=True),
    ]
    if stopped:
        columns += [Col("stopped", right=True), "stopped reason"]
    columns.append("containers")
    table = new_table(*columns)
    for t in tasks:
        row = [
            cell(t.id),
            cell(t.revision),
            state_cell(t.last_status),
            state_cell(t.desired_status),
            state_cell(t.health),
            cell(t.launch_type),
            cell(age(t.started_at, now)),
        ]
        if stopped:
            row += [cell(age(t.stopped_at, now)), states_text(t.stopped_reason or "")]
        row.append(states_text(task_containers(t.containers)))
        table.add_row(*row)
    return Group(heading(plural(len(tasks), "task")), table)


def run_result(tasks: list[Task], failures: list[RunFailure]) -> RenderableType:
    """Return the tasks RunTask started and any failures it reported."""
    parts: list[RenderableType] = []
    if tasks:
        table = new_table("task", "revision", "last status", "containers")
        for t in tasks:
            table.add_row(cell(t.id), cell(t.revision), state_cell(t.last_status),
                          states_text(task_containers(t.containers)))
        parts += [heading(f"Started {plural(len(tasks), 'task')}"), table]
    elif not failures:
        parts.append(Text("No task started", style=WARNING_STYLE))
    if failures:
        table = new_table("arn", "reason", "detail")
        for f in failures:
            table.add_row(cell(f.arn), cell(f.reason, ERROR_STYLE), cell(f.detail))
        if parts:
            parts.append(Text(""))
        parts += [Text(plural(len(failures), "failure"), style=ERROR_STYLE), table]
    return Group(*parts)


def short_ids(tasks: Sequence[Task], least: int = 8) -> dict[str, str]:
    """Return each task's id cut to the shortest prefix (at least LEAST characters) no other task shares."""
    ids = [t.id for t in tasks]
    out = {}
    for tid in ids:
        size = least
        while size < len(tid) and any(o != tid and o.startswith(tid[:size]) for o in ids):
            size += 1
        out[tid] = tid[:size]
    return out


def container_exits(containers: Sequence[TaskContainer]) -> str:
    """Return each container as `name: exit N (reason)`, one per line, for a stopped task."""
    lines = []
    for c in containers:
        code = MISSING if c.exit_code is None else str(c.exit_code)
        lines.append(f"{c.name}: exit {code}" + (f" ({c.reason})" if c.reason else ""))
    return "\n".join(lines)


def task_list(title: str, tasks: list[Task], stopped: bool, *, wide: bool = False, records: bool | None = None,
              now: datetime | None = None) -> RenderableType:
    """Return TITLE's tasks: id, revision, statuses, health, age (and stopped: how long ago, why, exits).

    Ids are cut to the shortest prefix no other task shares and times are ages; WIDE shows whole ids
    and times.
    """
    if not tasks:
        return Text(f"{title}: no {'stopped' if stopped else 'running'} tasks")
    columns: list[str | Col] = ["task", "revision", "last status", "desired", "health",
                                "started" if wide else Col("age", right=True)]
    if stopped:
        columns += ["stopped" if wide else Col("stopped", right=True), "stopped reason", "exit codes"]
    table = new_table(*columns, records=records)
    short = {t.id: t.id for t in tasks} if wide else short_ids(tasks)
    moment = when if wide else (lambda at: age(at, now))
    for t in tasks:
        row = [cell(short[t.id]), cell(t.revision), state_cell(t.last_status), state_cell(t.desired_status),
               state_cell(t.health), cell(moment(t.started_at))]
        if stopped:
            row += [cell(moment(t.stopped_at)), states_text(t.stopped_reason or ""),
                    cell(container_exits(t.containers))]
        table.add_row(*row)
    label = "stopped task" if stopped else "task"
    return Group(heading(f"{title}: {plural(len(tasks), label)}"), table)


def _span(start: datetime | None, end: datetime | None) -> str:
    return f"{when(start)} -> {when(end)}" if start and end else when(start)


def task_detail(cluster: str, task: Task) -> RenderableType:
    """Return one task in detail: status, network, timestamps, why it stopped, and each container."""
    group = task.group or ""
    where = f"service {group.removeprefix('service:')}" if group.startswith("service:") else "standalone"
    facts = KeyValueGrid()  # a list of facts, not a table of rows
    rows: list[tuple[str, str, str]] = [
        ("status", f"{task.last_status} (desired {task.desired_status})", ""),
        ("health", task.health or MISSING, ERROR_STYLE if task.health == "UNHEALTHY" else ""),
        ("launch type", task.launch_type or MISSING, ""),
        ("network", " ".join(v for v in (task.network_interface_id, task.private_ipv4_address) if v) or MISSING, ""),
        ("ECS Exec", "enabled" if task.enable_execute_command else "disabled", ""),
        ("created", when(task.created_at), ""),
        ("pulled", _span(task.pull_started_at, task.pull_stopped_at), ""),
        ("started", when(task.started_at), ""),
    ]
    if task.stopped_at or task.last_status == "STOPPED":
        rows.append(("stopped", when(task.stopped_at), ""))
        rows.append(("stop code", task.stop_code or MISSING, ""))
        rows.append(("stopped reason", task.stopped_reason or MISSING,
                     ERROR_STYLE if task.stop_code == "TaskFailedToStart" else ""))
    for label, value, style in rows:
        facts.add_row(cell(label), cell(value, style))
    containers = new_table("container", "image", "digest", "status", "health", "exit", "reason")
    for c in task.containers:
        failed = c.exit_code not in (None, 0)
        containers.add_row(cell(c.name), cell(c.image), cell(c.image_digest), state_cell(c.last_status),
                           state_cell(c.health),
                           cell(MISSING if c.exit_code is None else str(c.exit_code), ERROR_STYLE if failed else ""),
                           cell(c.reason))
    return Group(heading(f"task {task.id} ({task.revision}) in {cluster}, {where}"), facts, Text(""), containers)

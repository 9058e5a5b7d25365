"""Draw a task's life: one timeline of its own times, its service's events and its last log lines."""

from __future__ import annotations

from datetime import UTC

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import Task
from ecsshell.model import TaskTrace as Trace
from ecsshell.model import TraceMoment as Moment
from ecsshell.render.states import state_cell
from ecsshell.render.widgets import ERROR_STYLE, Col, KeyValueGrid, cell, heading, new_table, when
from ecsshell.render.wrap import Folded

SOURCE_STYLES = {"container": ERROR_STYLE}


def offset_text(seconds: float) -> str:
    """Return seconds from the task's creation as `+0s`, `+1m05s`, `+2h03m` (`-30s` before it)."""
    sign = "-" if seconds < 0 else "+"
    whole = int(abs(seconds))
    if whole < 60:
        return f"{sign}{whole}s"
    if whole < 3600:
        return f"{sign}{whole // 60}m{whole % 60:02d}s"
    if whole < 48 * 3600:
        return f"{sign}{whole // 3600}h{whole % 3600 // 60:02d}m"
    return f"{sign}{whole // 86400}d{whole % 86400 // 3600:02d}h"


def _health(task: Task) -> str:
    said = [f"{c.name} {c.health}" for c in task.containers if c.health]
    return f"{task.health or '-'}" + (f" ({', '.join(said)})" if said else "")


def _message(moment: Moment, task_id: str) -> Text:
    text = Text(f"{moment.container}: " if moment.container else "")
    style = SOURCE_STYLES.get(moment.source, "")
    if moment.source == "service" and task_id in moment.message:
        style = "bold"  # an event about this task, among the service's others
    if moment.source == "task" and moment.message.startswith(("stopping:", "stopped:")):
        style = ERROR_STYLE
    text.append(moment.message, style=style)
    return text


def trace_view(result: Trace) -> RenderableType:
    """Return the task's heading, its status and health, then the timeline: time, offset, source, message."""
    task = result.task
    service = f", service {result.service}" if result.service else ""
    facts = KeyValueGrid()
    status = state_cell(task.last_status)
    if task.stop_code:
        status.append(f" ({task.stop_code})")
    facts.add_row("status", status)
    facts.add_row("health", cell(_health(task)))
    facts.add_row("created", cell(when(task.created_at)))
    parts: list[RenderableType] = [heading(f"task {task.id} ({task.revision}) in {result.cluster}{service}"), facts,
                                   Text("")]
    if result.moments:
        table = new_table("time", Col("since created", right=True), "from", "what")
        for moment in result.moments:
            table.add_row(cell(moment.at.astimezone(UTC).strftime("%H:%M:%SZ")),
                          cell(offset_text(result.offset(moment))), cell(moment.source), _message(moment, task.id))
        parts.append(table)
    else:
        parts.append(Text("ECS reports no times for this task yet"))
    parts += [Folded(f"note: {note}", len("note: ")) for note in result.notes]
    return Group(*parts)

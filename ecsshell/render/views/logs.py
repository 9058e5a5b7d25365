"""Draw log lines: `time task container | message`, container names padded, each task in a colour of its own."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ecsshell.model import LogEvent
from ecsshell.render.widgets import window
from ecsshell.render.wrap import Folded

# Colours that tell tasks apart; red, yellow and green are left to states and errors.
TASK_STYLES = ("cyan", "magenta", "blue", "bright_cyan", "bright_magenta", "bright_blue")


class TaskColours:
    """Give each task a colour from TASK_STYLES in the order the tasks first appear."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def of(self, task_id: str) -> str:
        """Return TASK_ID's colour, the same on every line."""
        if task_id not in self._seen:
            self._seen[task_id] = TASK_STYLES[len(self._seen) % len(TASK_STYLES)]
        return self._seen[task_id]


def log_line(event: LogEvent, container_width: int, task_style: str = "") -> Folded:
    """Return one log line; the container name is padded to CONTAINER_WIDTH so the messages line up.

    On a terminal a long message folds at spaces under the message's first character, never
    inside a token; at natural width (a pipe) it stays one line.
    """
    when = event.timestamp.astimezone()
    line = Text(f"{when:%Y-%m-%d %H:%M:%S} ")
    line.append(f"{event.task_id[:8]} {event.container.ljust(container_width)}", style=task_style)
    line.append(" | ")
    indent = len(line.plain)
    line.append(event.message)
    return Folded(line, indent)


def log_document(event: LogEvent) -> dict[str, Any]:
    """Return one log line for JSON output: timestamp (ISO 8601), task id, container name, message."""
    return {"timestamp": event.timestamp.isoformat(), "taskId": event.task_id, "containerName": event.container,
            "message": event.message}


def nothing_in_window(since: float, longest: float) -> str:
    """Say that no line fell in the last SINCE seconds, and the next longer window to try (up to LONGEST)."""
    wider = next((s for s in (3600.0, 6 * 3600.0, 24 * 3600.0, longest) if s > since and s <= longest), None)
    hint = f" (try --since {window(wider)})" if wider else ""
    return f"no log lines in the last {window(since)}{hint}"

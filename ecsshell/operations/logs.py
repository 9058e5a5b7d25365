"""Read a service's (or one task's) awslogs lines: which streams to read, and merging their lines by time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..model import LogEvent, Task, TaskDefinition, arn_name
from . import OperationError
from .tasks import looks_like_task, service_or_task, too_short

if TYPE_CHECKING:
    from .gateway import Gateway

LOG_POLL_SECONDS = 2.0
LOG_LOOKBACK_MS = 30_000  # --follow re-reads this far back: CloudWatch may deliver late events


def _millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _event_key(event: LogEvent) -> tuple[Any, ...]:
    """Identify a log event: by CloudWatch's event id where there is one (the time comes first)."""
    if event.event_id:
        return (event.timestamp, event.event_id)
    return (event.timestamp, event.task_id, event.container, event.message)


class LogSources:
    """The awslogs streams of a service's tasks (or of one task), found again as tasks come and go."""

    def __init__(self, gateway: Gateway, cluster: str, target: str, container: str | None) -> None:
        self.gateway = gateway
        self.cluster = cluster
        self.target = target
        self.container = container
        self.one_task = _looks_like_task_id(target)
        self.definitions: dict[str, TaskDefinition] = {}
        self.streams: dict[str, set[str]] = {}  # log group -> stream names
        self.tasks: set[str] = set()
        self.containers: set[str] = set()  # the names of the containers whose streams are read

    def refresh(self) -> None:
        """Find the target's tasks (running and recently stopped) and add their containers' streams."""
        gateway = self.gateway
        if self.one_task:
            tasks = gateway.describe_tasks(self.cluster, [self.target])
            if not tasks:
                raise OperationError(f"task {self.target!r} not found in cluster {self.cluster!r}")
        else:
            tasks = gateway.service_tasks(self.cluster, self.target)
            tasks += gateway.service_tasks(self.cluster, self.target, desired_status="STOPPED")
        new = [t for t in tasks if t.arn not in self.tasks]
        unknown = {t.task_definition_arn for t in new} - set(self.definitions)
        if unknown:
            self.definitions.update(gateway.task_definitions(unknown))
        for task in new:
            self.tasks.add(task.arn)
            for group, stream, name in task_streams(task, self.definitions.get(task.task_definition_arn),
                                                    self.container):
                self.streams.setdefault(group, set()).add(stream)
                self.containers.add(name)

    def check(self) -> None:
        """Raise OperationError when there is nothing to read, naming why."""
        if not self.tasks:
            raise OperationError(f"{self.target} has no tasks in {self.cluster} to read logs from")
        if self.container and not any(td.container(self.container) for td in self.definitions.values()):
            names = sorted({c.name for td in self.definitions.values() for c in td.containers})
            raise OperationError(f"{self.target} has no container {self.container!r} (it has: {', '.join(names)})")
        if not self.streams:
            what = f"container {self.container} of {self.target}" if self.container else \
                f"no container of {self.target}"
            raise OperationError(f"{what} logs with the awslogs driver and a stream prefix")

    def events(self, start_ms: int) -> list[LogEvent]:
        """Return every stream's events since START_MS, merged by time."""
        groups = sorted(self.streams)
        parts = self.gateway.map(lambda group: self.gateway.log_events(group, sorted(self.streams[group]),
                                                                       start_ms), groups)
        return sorted((e for part in parts for e in part), key=lambda e: e.timestamp)


def task_streams(task: Task, td: TaskDefinition | None, container: str | None = None) -> list[tuple[str, str, str]]:
    """Return (log group, stream, container) of each of TASK's containers (or CONTAINER) that logs with awslogs."""
    found = []
    for c in td.containers if td else ():
        if container and c.name != container:
            continue
        config = c.log_configuration or {}
        options = config.get("options") or {}
        prefix = options.get("awslogs-stream-prefix")
        if config.get("logDriver") != "awslogs" or "awslogs-group" not in options or not prefix:
            continue
        found.append((str(options["awslogs-group"]), f"{prefix}/{c.name}/{task.id}", c.name))
    return found


def _looks_like_task_id(text: str) -> bool:
    tail = arn_name(text)
    return (len(tail) == 32 and all(ch in "0123456789abcdef" for ch in tail)) or \
        (len(tail) == 36 and tail.count("-") == 4) or text.startswith("arn:aws:ecs:")


def stream(sources: LogSources, *, since: float, follow: bool, sleep: Callable[[float], None],
           on_event: Callable[[LogEvent], None], on_empty: Callable[[], None] | None = None) -> None:
    """Hand each new event of SOURCES since SINCE seconds ago to ON_EVENT once, by time; FOLLOW keeps polling.

    ON_EMPTY is called once when the first read finds no line in the window.
    """
    start = _millis(datetime.now(UTC)) - int(since * 1000)
    seen: set[tuple[Any, ...]] = set()
    first = True
    while True:
        for event in sources.events(start):
            key = _event_key(event)
            if key in seen:
                continue
            seen.add(key)
            on_event(event)
        if first and not seen and on_empty is not None:
            on_empty()
        first = False
        if not follow:
            return
        newest = max((k[0] for k in seen), default=None)
        if newest is not None:
            start = max(start, _millis(newest) - LOG_LOOKBACK_MS)
            seen = {k for k in seen if _millis(k[0]) >= start}
        sleep(LOG_POLL_SECONDS)
        if not sources.one_task:
            sources.refresh()


def resolve_target(gateway: Gateway, cluster: str, target: str) -> str:
    """Return TARGET as `logs` reads it: a service, or a task's ARN for a task id prefix (as `ls` and `stop`)."""
    if _looks_like_task_id(target) or not (looks_like_task(target) or too_short(target)):
        return target
    found = service_or_task(gateway, cluster, target)
    return found.arn if isinstance(found, Task) else target


def open_sources(gateway: Gateway, cluster: str, target: str, container: str | None) -> LogSources:
    """Find TARGET's log streams in CLUSTER (a service, a task, or a task id prefix); refuse when none."""
    sources = LogSources(gateway, cluster, resolve_target(gateway, cluster, target), container)
    sources.refresh()
    sources.check()
    return sources

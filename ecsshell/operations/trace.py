"""A task's whole life on one timeline: what the task says, its service's events, and its last log lines.

The task's own times (createdAt, connectivityAt, pullStartedAt, pullStoppedAt, startedAt, stoppingAt,
executionStoppedAt, stoppedAt), each container's exit code and reason, and the stop code and reason are
interleaved with the service's events from that span (DescribeServices keeps the last 100) and the
task's last awslogs lines before it stopped (or before now, for a running task). ECS keeps a stopped
task for about an hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import AwsError
from ..model import TRACE_PHASES, LogEvent, Service, ServiceEvent, Task
from ..model import TaskTrace as Trace
from ..model import TraceMoment as Moment
from . import OperationError
from .logs import task_streams
from .tasks import service_or_task
from .why import EXIT_MEANINGS

if TYPE_CHECKING:
    from .gateway import Gateway

EVENT_MARGIN = timedelta(seconds=60)  # service events this long before created and after stopped belong too
LOG_AFTER = timedelta(seconds=10)  # the last lines reach this long after it stopped: they may be stamped late
LAST_LINES = 20
FAILED_STOPS = frozenset({"TaskFailedToStart", "EssentialContainerExited"})
MOST_EVENTS = 20  # a long-lived task's span may hold all 100 events: the first and last ten are kept

BEGIN, DURING, END = TRACE_PHASES  # at the same second, the task's start comes before its events, its end after


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _other_time(task: Task, name: str) -> datetime | None:
    value = task.other_members.get(name)
    return _utc(value) if isinstance(value, datetime) else None


def failed(task: Task) -> bool:
    """Say whether TASK stopped by failing (it did not start, or an essential container exited or was unhealthy),
    not because a deployment, a scale-in or a person stopped it."""
    return task.stop_code in FAILED_STOPS or any(c.exit_code not in (None, 0) for c in task.containers)


def find(gateway: Gateway, cluster: str, name: str) -> tuple[Task, Service | None, str | None]:
    """Return the task NAME names (an id, ARN or prefix; for a service, its latest failed task, else its newest
    running one, else its latest stopped), its service when NAME was one, and a note saying which task that is."""
    found = service_or_task(gateway, cluster, name)
    if isinstance(found, Task):
        return found, None, None
    floor = datetime.min.replace(tzinfo=UTC)
    stopped = gateway.submit(gateway.service_tasks, cluster, found.name, "STOPPED")
    running = gateway.service_tasks(cluster, found.name)
    failures = [t for t in stopped.result() if failed(t)]
    listed = f"(`tasks {cluster} {found.name} --stopped` lists them)"
    if failures:
        task = max(failures, key=lambda t: (_utc(t.stopped_at) or floor, t.id))
        return task, found, f"service {found.name}: tracing task {task.id}, the latest of its {len(failures)} " \
                            f"failed tasks {listed}"
    if running:
        task = max(running, key=lambda t: (_utc(t.started_at) or floor, t.id))
        return task, found, f"service {found.name}: no task failed lately; tracing task {task.id}, the newest running"
    if stopped.result():
        task = max(stopped.result(), key=lambda t: (_utc(t.stopped_at) or floor, t.id))
        return task, found, f"service {found.name}: no task runs; tracing task {task.id}, the latest stopped {listed}"
    raise OperationError(f'service "{found.name}" in cluster "{cluster}" has no running or recently stopped task '
                         "to trace (ECS keeps stopped tasks for about an hour)")


def _lifecycle(task: Task) -> list[Moment]:
    """Return what the task's own times say, in the order ECS goes through them."""
    out: list[Moment] = []

    def add(when: datetime | None, message: str, phase: int, container: str | None = None,
            source: str = "task") -> None:
        if when is not None:
            out.append(Moment(when, source, message, container, phase))

    created = _utc(task.created_at)
    pull_start, pull_stop = _utc(task.pull_started_at), _utc(task.pull_stopped_at)
    add(created, f"created ({task.revision}{', ' + task.launch_type if task.launch_type else ''})", BEGIN)
    add(_other_time(task, "connectivityAt"), "network attached", BEGIN)
    add(pull_start, "pulling images", BEGIN)
    took = f" in {_span((pull_stop - pull_start).total_seconds())}" if pull_start and pull_stop else ""
    add(pull_stop, f"images pulled{took}", BEGIN)
    add(_utc(task.started_at), "running", BEGIN)
    stopping = _other_time(task, "stoppingAt")
    why = ": ".join(p for p in (task.stop_code, task.stopped_reason) if p)
    add(stopping, f"stopping{': ' + why if why else ''}", END)
    exited = _other_time(task, "executionStoppedAt") or _utc(task.stopped_at)
    for c in task.containers:
        if c.exit_code is None and not c.reason:
            continue
        meaning = EXIT_MEANINGS.get(c.exit_code) if c.exit_code else None
        code = "" if c.exit_code is None else f"exited with code {c.exit_code}{f' ({meaning})' if meaning else ''}"
        message = "; ".join(p for p in (code, c.reason or "") if p)
        add(exited or stopping, message, END, c.name, "container")
    stopped = _utc(task.stopped_at)
    if stopping is None and stopped is not None and why:
        add(stopped, f"stopped: {why}", END)
    else:
        add(stopped, "stopped", END)
    return out


def _span(seconds: float) -> str:
    whole = round(seconds)
    if whole < 120:
        return f"{whole}s"
    return f"{whole // 60}m{whole % 60:02d}s"


def _events(events: Iterable[ServiceEvent], start: datetime, end: datetime,
            where: str) -> tuple[list[Moment], str | None]:
    """Return the service events from START - margin to END + margin, oldest first (the first and last ten of
    many), and a note when some were left out (WHERE: `CLUSTER SERVICE`, for the command that shows them)."""
    inside = sorted(((at, e.message) for e in events if (at := _utc(e.created_at)) is not None
                     and start - EVENT_MARGIN <= at <= end + EVENT_MARGIN), key=lambda pair: pair[0])
    note = None
    if len(inside) > MOST_EVENTS:
        half = MOST_EVENTS // 2
        note = f"{len(inside) - MOST_EVENTS} service events in the middle of the task's life left out " \
               f"(`ls {where} -events 100` shows them)"
        inside = inside[:half] + inside[-half:]
    return [Moment(at, "service", message) for at, message in inside], note


def _last_lines(gateway: Gateway, task: Task, end: datetime) -> tuple[list[LogEvent], str | None]:
    """Return the task's last LAST_LINES awslogs lines before END, and a note when it has none to read."""
    try:
        td = gateway.task_definition(task.task_definition_arn)
    except AwsError as exc:
        return [], f"no log lines: {exc}"
    streams = task_streams(task, td)
    if not streams:
        return [], "no log lines: no container of the task logs with the awslogs driver and a stream prefix"
    groups: dict[str, list[str]] = {}
    for group, stream, _ in streams:
        groups.setdefault(group, []).append(stream)
    end_ms = int((end + LOG_AFTER).timestamp() * 1000)
    try:
        parts = gateway.map(lambda g: gateway.last_log_events(g, groups[g], end_ms, LAST_LINES), sorted(groups))
    except AwsError as exc:
        return [], f"no log lines: {exc}"
    lines = sorted((e for part in parts for e in part), key=lambda e: e.timestamp)
    return lines[-LAST_LINES:], None


def trace(gateway: Gateway, cluster: str, task: Task, service: Service | None, now: datetime) -> Trace:
    """Return TASK's life: its own times, its SERVICE's events from that span and its last log lines.

    SERVICE is described here when the task belongs to one and it was not given; NOW ends a running task's span.
    """
    group = task.group or ""
    name = service.name if service else (group.removeprefix("service:") if group.startswith("service:") else None)
    described = gateway.submit(gateway.describe_service, cluster, name) if name and service is None else None
    end = _utc(task.stopped_at) or _utc(now) or now
    lines, log_note = _last_lines(gateway, task, end)
    notes = [log_note] if log_note else []
    moments = _lifecycle(task)
    if described is not None:
        try:
            service = described.result()
        except AwsError as exc:
            notes.append(f"no service events: {exc}")
    if service is not None:
        start = _utc(task.created_at) or (moments[0].at if moments else end)
        events, note = _events(service.events, start, end, f"{cluster} {service.name}")
        moments += events
        notes += [note] if note else []
    moments += [Moment(_utc(e.timestamp) or e.timestamp, "log", e.message, e.container) for e in lines]
    ordered = sorted(enumerate(moments), key=lambda pair: (pair[1].at, pair[1].phase, pair[0]))
    return Trace(cluster, task, name, tuple(m for _, m in ordered), tuple(notes))


def timeline(result: Trace) -> list[dict[str, Any]]:
    """Return the timeline as JSON values: time, seconds from created, source, container and message."""
    return [{"at": m.at.isoformat(), "offsetSeconds": round(result.offset(m), 3), "source": m.source,
             **({"container": m.container} if m.container else {}), "message": m.message} for m in result.moments]

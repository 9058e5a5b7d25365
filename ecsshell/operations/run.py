"""Run one-off tasks: where they run, start them, wait for them to stop, and their exit codes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import AwsError
from ..model import RunFailure, Task, TaskDefinition
from . import OperationError

if TYPE_CHECKING:
    from .gateway import Gateway

STARTED_BY = "ecsshell"  # RunTask's startedBy: `aws ecs list-tasks --started-by ecsshell` finds them
POLL_SECONDS = 3.0
EXIT_FAILED = 1
EXIT_TIMEOUT = 3

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def _adds(text: str | None, to: str) -> bool:
    """Say whether TEXT says more than TO does (ECS often repeats the exit code in both)."""
    if not text:
        return False
    lowered = text.lower()
    return lowered not in to.lower() and "exited with code" not in lowered


def failure_reason(tasks: list[Task], task_definition_arn: str) -> str:
    """Say why tasks of TASK_DEFINITION_ARN stopped: stoppedReason and the essential container's exit code."""
    mine = [t for t in tasks if t.task_definition_arn == task_definition_arn and t.last_status == "STOPPED"]
    if not mine:
        return ""
    task = max(mine, key=lambda t: t.stopped_at.timestamp() if t.stopped_at else 0.0)
    line = f"task {task.id} stopped: {task.stopped_reason or 'no reason given'}"
    failing = next((c for c in task.containers if c.exit_code not in (None, 0)), None)
    failing = failing or next((c for c in task.containers if c.reason), None)
    if failing is not None:
        detail = f"container {failing.name}"
        if failing.exit_code is not None:
            detail += f" exit code {failing.exit_code}"
        if _adds(failing.reason, line):
            detail += f": {failing.reason}"
        line += f" ({detail})"
    return line


def exit_code_of(task: Task, essential: Iterable[str] | None = None) -> int | None:
    """Return TASK's exit code: its ESSENTIAL containers' (all when None) first non-zero code, else the first."""
    names = set(essential) if essential is not None else None
    containers = [c for c in task.containers if names is None or c.name in names] or list(task.containers)
    codes = [c.exit_code for c in containers if c.exit_code is not None]
    nonzero = [c for c in codes if c != 0]
    if nonzero:
        return nonzero[0]
    return codes[0] if codes else None


def wait_tasks(gateway: Gateway, cluster: str, arns: list[str], *, timeout: float, sleep: Sleep,
               monotonic: Clock, on_change: Callable[[Task], None], poll: float = POLL_SECONDS) -> \
        tuple[list[Task], bool]:
    """Poll tasks until all are STOPPED; return them and whether they all stopped in time."""
    start = monotonic()
    last: dict[str, str] = {}
    while True:
        tasks = gateway.describe_tasks(cluster, arns)
        for task in tasks:
            if last.get(task.arn) != task.last_status:
                last[task.arn] = task.last_status
                on_change(task)
        if tasks and all(t.last_status == "STOPPED" for t in tasks):
            return tasks, True
        elapsed = monotonic() - start
        if elapsed >= timeout:
            return tasks, False
        sleep(min(poll, max(0.0, timeout - elapsed)) or poll)


# running ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Launch:
    """Where tasks of a revision will run: its launch type and network configuration."""

    task_definition: TaskDefinition
    launch_type: str | None
    network: dict[str, Any] | None


def _csv(text: str | None) -> list[str]:
    return [p for p in (text or "").split(",") if p]


def _defaults_from_service(gateway: Gateway, cluster: str, family: str) -> tuple[str | None, dict[str, Any] | None]:
    """Return the launch type and network configuration of a service of FAMILY in CLUSTER."""
    for svc in gateway.list_services(cluster):
        if svc.revision.split(":")[0] == family:
            return svc.launch_type, svc.network_configuration or None
    return None, None


def plan_launch(gateway: Gateway, cluster: str, ref: str, *, launch_type: str | None = None,
                subnets: str | None = None, security_groups: str | None = None, public_ip: bool = False,
                like: str | None = None) -> Launch:
    """Choose how tasks of REF run: the flags given, else service LIKE's settings, else a service of its family's."""
    td = gateway.task_definition(ref)
    network = None
    if subnets or security_groups:
        network = {"awsvpcConfiguration": {
            "subnets": _csv(subnets), "securityGroups": _csv(security_groups),
            "assignPublicIp": "ENABLED" if public_ip else "DISABLED"}}
    if like:
        model = gateway.describe_service(cluster, like)
        launch_type = launch_type or model.launch_type
        network = network or model.network_configuration or None
    if launch_type is None or (network is None and td.network_mode == "awsvpc"):
        service_launch, service_network = _defaults_from_service(gateway, cluster, td.family)
        launch_type = launch_type or service_launch
        network = network or service_network
    if launch_type is None and td.requires_compatibilities == ("FARGATE",):
        launch_type = "FARGATE"  # RunTask would otherwise default to EC2, which this revision cannot use
    if td.network_mode == "awsvpc" and not network:
        raise OperationError(f"{td.label} uses awsvpc networking: give --like SERVICE, or --subnets and "
                             "--security-groups (no service of this family in the cluster to copy them from)", 2)
    return Launch(td, launch_type, network)


@dataclass(frozen=True)
class Started:
    """The tasks RunTask started and the failures it reported."""

    tasks: list[Task]
    failures: list[RunFailure]


def start(gateway: Gateway, cluster: str, launch: Launch, count: int) -> Started:
    """Start COUNT tasks as LAUNCH says, with a client token, so that a retried RunTask never starts them twice.

    If RunTask still fails, the error names the tasks ECS started anyway (they run), or says none was.
    """
    td = launch.task_definition
    try:
        before: set[str] | None = set(gateway.started_task_arns(cluster, STARTED_BY))
    except AwsError:  # not worth refusing the run for: a failure will say it could not check
        before = None
    try:
        tasks, failures = gateway.run_task(cluster, td.arn, count=count, launch_type=launch.launch_type,
                                           network_configuration=launch.network, started_by=STARTED_BY,
                                           client_token=uuid.uuid4().hex)
    except AwsError as exc:
        raise AwsError(f"{exc}{started_anyway(gateway, cluster, td, before)}", operation=exc.operation,
                       code=exc.code) from None
    return Started(tasks, failures)


def started_anyway(gateway: Gateway, cluster: str, td: TaskDefinition, before: set[str] | None) -> str:
    """Say which tasks of TD a failed RunTask started anyway (not among BEFORE), or that none was started."""
    if before is None:
        return f"; could not check whether ECS started a task anyway: see `tasks {cluster}`"
    try:
        new = [arn for arn in gateway.started_task_arns(cluster, STARTED_BY) if arn not in before]
        tasks = [t for t in gateway.describe_tasks(cluster, new) if t.task_definition_arn == td.arn] if new else []
    except AwsError as exc:
        return f"; could not check whether ECS started a task anyway ({exc}): see `tasks {cluster}`"
    if not tasks:
        return "; no task was started"
    ids = ", ".join(t.id for t in tasks)
    if len(tasks) == 1:
        return (f", but ECS started task {ids} ({td.label}) anyway; it is running "
                f"(`stop {cluster} {ids}` stops it)")
    return f", but ECS started {len(tasks)} tasks of {td.label} anyway: {ids}; they are running (see `tasks {cluster}`)"


@dataclass(frozen=True)
class Ending:
    """How waited-for tasks ended: the tasks, their exit codes, lines to say, an error and the exit status."""

    tasks: list[Task]
    codes: list[int | None]
    stopped: bool
    lines: tuple[str, ...] = ()
    error: str = ""
    status: int = 0


def _ending(td: TaskDefinition, tasks: list[Task], stopped: bool, timeout: float) -> Ending:
    """Judge TASKS of TD: the exit status is the worst essential container exit code."""
    essential = [c.name for c in td.containers if c.essential] or [c.name for c in td.containers]
    codes = [exit_code_of(t, essential) for t in tasks]
    if not stopped:
        running = sum(1 for t in tasks if t.last_status != "STOPPED")
        return Ending(tasks, codes, stopped, error=f"{running} task(s) of {td.label} still running after "
                                                   f"{int(timeout)}s", status=EXIT_TIMEOUT)
    lines: list[str] = []
    worst = 0
    for task, code in zip(tasks, codes, strict=True):
        if task.started_at is None or code is None:
            reason = failure_reason([task], task.task_definition_arn) or \
                f"task {task.id}: {task.stopped_reason or 'no reason given'}"
            return Ending(tasks, codes, stopped, tuple(lines), f"task {task.id} did not start: {reason}", EXIT_FAILED)
        lines.append(f"task {task.id} exited with code {code}" + (f" ({task.stopped_reason})" if code else ""))
        worst = worst or code
    status = (worst if 0 < worst < 256 else EXIT_FAILED) if worst else 0
    return Ending(tasks, codes, stopped, tuple(lines), status=status)


def wait(gateway: Gateway, cluster: str, td: TaskDefinition, tasks: list[Task], *, timeout: float, sleep: Sleep,
         monotonic: Clock, on_change: Callable[[Task], None]) -> Ending:
    """Follow TASKS of TD until they stop (or TIMEOUT passes) and judge how they ended."""
    final, stopped = wait_tasks(gateway, cluster, [t.arn for t in tasks], timeout=timeout, sleep=sleep,
                                monotonic=monotonic, on_change=on_change)
    return _ending(td, final, stopped, timeout)

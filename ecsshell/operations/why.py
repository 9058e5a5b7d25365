"""Why a service does not run: the usual causes read from its stopped tasks, its events and its targets.

Each cause says what ECS reported (stop code, stopped reason, container exit codes and reasons, the
service event) and what to do next, in one line each. Only tasks of the revisions the service deploys
now count: an older revision's failures are history once it is gone. Events count since the service
last reached a steady state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..model import LoadBalancer, Service, Task, TaskDefinition

if TYPE_CHECKING:
    from .gateway import Gateway

PULL_ERROR = "CannotPullContainerError"
INIT_ERROR = "ResourceInitializationError"
PLACEMENT = "was unable to place a task"
STEADY = "has reached a steady state"
SHOWN_TASKS = 3  # a cause names at most this many of its tasks
TASK_PREFIX = 8  # a task is named by this many characters of its id (as the causes show them)
LONGEST_WINDOW_HOURS = 168  # `logs --since` takes at most a week

EXIT_MEANINGS = {
    137: "killed (SIGKILL), often for running out of memory",
    139: "crashed (SIGSEGV)",
    143: "stopped by SIGTERM",
    134: "aborted (SIGABRT)",
    1: "the application failed",
}


@dataclass(frozen=True)
class Cause:
    """One reason the service does not run, as ECS reported it, and the next thing to do."""

    kind: str  # image-pull | secrets | exit | container-health | target-health | placement | unknown
    summary: str
    next_step: str
    tasks: tuple[str, ...] = ()

    def line(self) -> str:
        """Return the cause in one line, naming a few of its tasks."""
        if not self.tasks:
            return self.summary
        shown = ", ".join(t[:TASK_PREFIX] for t in self.tasks[:SHOWN_TASKS])
        more = f" and {len(self.tasks) - SHOWN_TASKS} more" if len(self.tasks) > SHOWN_TASKS else ""
        count = "1 task" if len(self.tasks) == 1 else f"{len(self.tasks)} tasks"
        return f"{self.summary} ({count}: {shown}{more})"


@dataclass(frozen=True)
class Diagnosis:
    """What `why` found for one service: its causes (none when it runs as asked) and its counts."""

    cluster: str
    service: Service
    causes: tuple[Cause, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.causes

    @property
    def ok_line(self) -> str:
        svc = self.service
        if svc.running < svc.desired and svc.pending:
            return (f"OK: service {svc.name} in {self.cluster} is starting: {svc.running} of {svc.desired} running, "
                    f"{svc.pending} pending, and nothing has failed yet")
        return (f"OK: service {svc.name} in {self.cluster} runs {svc.running} of {svc.desired} tasks "
                f"({svc.revision}); no task of it failed recently")

    def document(self) -> dict[str, Any]:
        svc = self.service
        return {"cluster": self.cluster, "serviceName": svc.name, "ok": self.ok, "desiredCount": svc.desired,
                "runningCount": svc.running, "pendingCount": svc.pending, "taskDefinition": svc.task_definition_arn,
                "notes": list(self.notes),
                "causes": [{"cause": c.kind, "summary": c.summary, "next": c.next_step, "tasks": list(c.tasks)}
                           for c in self.causes]}


def since_life(task: Task, now: datetime) -> str:
    """Return a `logs --since` window (10m, 3h) reaching back to before TASK started, from NOW."""
    start = task.created_at or task.started_at or task.stopped_at
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    seconds = max(0.0, (now - start).total_seconds()) + 60 if start is not None else 3600.0
    if seconds <= 59 * 60:
        return f"{math.ceil(seconds / 60)}m"
    return f"{min(math.ceil(seconds / 3600), LONGEST_WINDOW_HOURS)}h"


def _trace(cluster: str, task: Task) -> str:
    """Return the `trace` command that shows TASK's whole life (by an id prefix)."""
    return f"`trace {cluster} {task.id[:TASK_PREFIX]}`"


def _logs(cluster: str, task: Task, now: datetime) -> str:
    """Return `trace` for TASK's life and the `logs` command that prints its lines (over its whole life)."""
    return (f"{_trace(cluster, task)} (its whole life, last lines included) or "
            f"`logs {cluster} {task.id[:TASK_PREFIX]} --since {since_life(task, now)}`")


def _exit_next(code: int, logs: str) -> str:
    if code == 137:
        return f"raise the container's memory (or find what uses it), then read {logs}"
    return f"read the container's last lines with {logs}, fix the application or its command, and deploy again"


def _classify(task: Task, cluster: str, service: str, role: str,
              now: datetime) -> tuple[str, str, str] | None:
    """Return (kind, summary, next step) for a task that failed, or None for one stopped on purpose."""
    reason = task.stopped_reason or ""
    container_reasons = [c.reason for c in task.containers if c.reason]
    pull = next((r for r in [reason, *container_reasons] if PULL_ERROR in r), None)
    if pull:
        image = next((c.image for c in task.containers if c.reason and PULL_ERROR in c.reason), None)
        what = f"image {image} cannot be pulled" if image else "an image cannot be pulled"
        return ("image-pull", f"{what}: {pull}",
                f"check the image and tag exist and the execution role {role} may pull them "
                "(ecr:GetAuthorizationToken, ecr:BatchGetImage); private subnets need a NAT gateway or "
                f"ECR VPC endpoints; {_trace(cluster, task)} shows the task's life")
    if INIT_ERROR in reason:
        return ("secrets", f"the task could not start: {reason}",
                f"let the execution role {role} read the task definition's secrets (secretsmanager:GetSecretValue, "
                f"ssm:GetParameters, kms:Decrypt) and check that each secret exists; {_trace(cluster, task)} shows "
                "the task's life")
    if "failed container health checks" in reason.lower():
        return ("container-health", f"tasks were stopped: {reason}",
                "fix the container healthCheck (command, startPeriod) in the task definition or what it checks; "
                f"read {_logs(cluster, task, now)}")
    if "failed elb health checks" in reason.lower():
        return ("target-health", f"tasks were stopped: {reason}",
                "make the target group's health check path and port answer from the container, or raise "
                "healthCheckGracePeriodSeconds")
    exits = [c for c in task.containers if c.exit_code not in (None, 0)]
    if task.stop_code == "EssentialContainerExited" and exits:
        first = exits[0]
        code = first.exit_code or 0
        meaning = EXIT_MEANINGS.get(code)
        detail = f" ({meaning})" if meaning else ""
        return ("exit", f"essential container {first.name} exited with code {code}{detail}",
                _exit_next(code, _logs(cluster, task, now)))
    return None


def _newest_first(tasks: Iterable[Task]) -> list[Task]:
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(tasks, key=lambda t: t.stopped_at or t.created_at or floor, reverse=True)


def _from_stopped(tasks: Iterable[Task], cluster: str, service: str, role: str, now: datetime) -> list[Cause]:
    """Group the failed TASKS by cause, newest first: a cause's next step reads its newest task's logs."""
    grouped: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for task in _newest_first(tasks):
        found = _classify(task, cluster, service, role, now)
        if found is None:
            continue
        kind, summary, next_step = found
        grouped.setdefault((kind, summary), (next_step, []))[1].append(task.id)
    return [Cause(kind, summary, next_step, tuple(ids)) for (kind, summary), (next_step, ids) in grouped.items()]


def _from_events(svc: Service) -> list[Cause]:
    recent = []
    for event in svc.events:  # newest first
        if STEADY in event.message:
            break
        recent.append(event)
    placement = next((e for e in recent if PLACEMENT in e.message), None)
    if placement is None:
        return []
    return [Cause("placement", placement.message.split(" For more information")[0],
                  "add capacity (container instances or a capacity provider) or lower the task's cpu and memory, "
                  "and check its placement constraints")]


def _from_targets(lbs: Iterable[LoadBalancer]) -> list[Cause]:
    causes = []
    for lb in lbs:
        groups = [(tg.name, list(tg.targets)) for tg in lb.target_groups]
        if lb.instances:
            groups.append((f"elb/{lb.name}", list(lb.instances)))
        for name, targets in groups:
            bad = [t for t in targets if not t.healthy and t.state not in ("draining", "initial")]
            if not bad:
                continue
            healthy = len(targets) - len(bad)
            why = bad[0].description or bad[0].reason or bad[0].state
            causes.append(Cause("target-health", f"{name}: {healthy} of {len(targets)} targets healthy ({why})",
                                "make the target group's health check path and port answer from the container, "
                                "let the load balancer's security group reach the tasks, or raise "
                                "healthCheckGracePeriodSeconds"))
    return causes


def _unhealthy_running(running: Iterable[Task], td: TaskDefinition | None, cluster: str, service: str) -> list[Cause]:
    checked = {c.name for c in td.containers if c.health_check} if td else set()
    ids = [t.id for t in running if any(c.health == "UNHEALTHY" and c.name in checked for c in t.containers)]
    if not ids:
        return []
    return [Cause("container-health", "running tasks fail their container health checks",
                  "fix the container healthCheck (command, startPeriod) in the task definition or what it checks; "
                  f"read `logs {cluster} {service}`", tuple(ids))]


def diagnose(gateway: Gateway, cluster: str, service: str, now: datetime | None = None) -> Diagnosis:
    """Read SERVICE's stopped and running tasks, events and targets, and return why it does not run.

    NOW (the wall clock, as `logs --since` counts) sizes the window of the `logs` step suggested.
    """
    svc = gateway.describe_service(cluster, service)
    stopped_future = gateway.submit(gateway.service_tasks, cluster, service, "STOPPED")
    running_future = gateway.submit(gateway.service_tasks, cluster, service, "RUNNING")
    td = gateway.task_definition(svc.task_definition_arn) if svc.task_definition_arn else None
    lbs = gateway.load_balancers([svc]) if svc.load_balancers else []
    current = {d.task_definition_arn for d in svc.deployments} or {svc.task_definition_arn}
    stopped = [t for t in stopped_future.result() if t.task_definition_arn in current]
    running = running_future.result()
    role = (td.execution_role_arn if td else None) or "(none set)"
    causes = _from_stopped(stopped, cluster, service, role, now or datetime.now(UTC)) + _from_events(svc)
    targets = _from_targets(lbs)
    causes += targets
    if not targets:
        causes += _unhealthy_running(running, td, cluster, service)
    if not causes and svc.running < svc.desired and not svc.pending:
        causes.append(Cause("unknown", f"service {svc.name} runs {svc.running} of {svc.desired} tasks and ECS "
                                       "gives no reason in its stopped tasks or events",
                            f"read `ls {cluster} {service} -events 20` and `tasks {cluster} {service} --stopped`"))
    return Diagnosis(cluster, svc, tuple(causes), _notes(svc))


def _notes(svc: Service) -> tuple[str, ...]:
    notes = []
    primary = svc.primary
    if primary and primary.rollout_state == "FAILED":
        notes.append(f"the latest deployment ({primary.revision}) FAILED: {primary.rollout_reason}")
    for other in svc.deployments:
        if other is not primary and other.running:
            notes.append(f"{other.revision} still runs {other.running} task(s)")
    return tuple(notes)

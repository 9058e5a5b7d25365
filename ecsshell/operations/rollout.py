"""Follow a rollout: poll the service until its deployment completes, fails or times out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Deployment, Service, ServiceEvent
from .run import POLL_SECONDS, Clock, Sleep, failure_reason

if TYPE_CHECKING:
    from .gateway import Gateway


@dataclass(frozen=True)
class Outcome:
    """How a wait ended: COMPLETED, FAILED or TIMEOUT, with one line saying why."""

    state: str
    reason: str
    service: Service | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.state == "COMPLETED"


@dataclass(frozen=True)
class Progress:
    """One observation of a rollout, for the progress line."""

    deployment: Deployment | None
    old_running: int
    elapsed: float
    service: Service


def _stopped_reason(gateway: Gateway, cluster: str, service: str, task_definition_arn: str) -> str:
    stopped = gateway.service_tasks(cluster, service, desired_status="STOPPED")
    return failure_reason(stopped, task_definition_arn)


def _gone(gateway: Gateway, cluster: str, svc: Service, deployment_id: str | None, last: Deployment | None) -> str:
    """Say what became of deployment DEPLOYMENT_ID, last seen as LAST, now that SVC no longer lists it."""
    primary = svc.primary
    what = f"deployment {deployment_id}" + (f" ({last.revision})" if last else "")
    reason = f"{what} is gone: ECS replaced it with {primary.id if primary else 'nothing'} ({svc.revision})"
    if last is None or (primary is not None and primary.task_definition_arn == last.task_definition_arn):
        return reason
    stopped = _stopped_reason(gateway, cluster, svc.name, last.task_definition_arn)
    if last.failed or stopped:
        reason += ", likely a circuit-breaker rollback"
    return f"{reason}; {stopped}" if stopped else reason


def follow_rollout(gateway: Gateway, cluster: str, service: str, deployment_id: str | None, *, timeout: float,
                   sleep: Sleep, monotonic: Clock, on_progress: Callable[[Progress], None],
                   on_event: Callable[[ServiceEvent], None], poll: float = POLL_SECONDS,
                   seen_events: set[str] | None = None) -> Outcome:
    """Poll the service until deployment DEPLOYMENT_ID (the PRIMARY if None) completes, fails or times out."""
    start = monotonic()
    seen = set(seen_events or ())
    last: Deployment | None = None
    while True:
        svc = gateway.describe_services(cluster, [service])[0]
        for event in reversed(svc.events):
            if event.id not in seen:
                seen.add(event.id)
                on_event(event)
        deployment = next((d for d in svc.deployments if d.id == deployment_id), None) if deployment_id \
            else svc.primary
        elapsed = monotonic() - start
        old_running = sum(d.running for d in svc.deployments if deployment is None or d.id != deployment.id)
        on_progress(Progress(deployment, old_running, elapsed, svc))
        if deployment is None:
            return Outcome("FAILED", _gone(gateway, cluster, svc, deployment_id, last), svc, elapsed)
        last = deployment
        if deployment.rollout_state == "FAILED":
            reason = deployment.rollout_reason or "rollout FAILED"
            detail = _stopped_reason(gateway, cluster, service, deployment.task_definition_arn)
            return Outcome("FAILED", f"{reason} {detail}".strip(), svc, elapsed)
        settled = (len(svc.deployments) == 1 and deployment.running == deployment.desired
                   and deployment.pending == 0)
        if deployment.rollout_state == "COMPLETED" or (deployment.rollout_state is None and settled):
            return Outcome("COMPLETED", f"{svc.name} runs {deployment.running}/{deployment.desired} tasks of "
                                        f"{deployment.revision}", svc, elapsed)
        if elapsed >= timeout:
            reason = (f"gave up after {int(timeout)}s: {deployment.revision} {deployment.running}/"
                      f"{deployment.desired} running, {deployment.failed} failed, rollout "
                      f"{deployment.rollout_state}")
            if deployment.failed:
                detail = _stopped_reason(gateway, cluster, service, deployment.task_definition_arn)
                reason += f"; last failure: {detail}" if detail else ""
            return Outcome("TIMEOUT", reason, svc, elapsed)
        sleep(min(poll, max(0.0, timeout - elapsed)) or poll)


@dataclass(frozen=True)
class Watch:
    """How to follow a change: for how long, on which clock, and whom to tell what is seen."""

    timeout: float
    sleep: Sleep
    monotonic: Clock
    on_progress: Callable[[Progress], None]
    on_event: Callable[[ServiceEvent], None]
    note: Callable[[str], None]
    done: Callable[[], None] = lambda: None


def watch_rollout(gateway: Gateway, cluster: str, service: str, deployment_id: str | None, seen: set[str],
                  watch: Watch, *, rollback_pending: bool = False) -> Outcome:
    """Follow DEPLOYMENT_ID of SERVICE; on Ctrl-C say through WATCH.note what goes on in ECS, then re-raise."""
    last: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        last[:] = [progress]
        watch.on_progress(progress)

    try:
        return follow_rollout(gateway, cluster, service, deployment_id, timeout=watch.timeout, sleep=watch.sleep,
                              monotonic=watch.monotonic, on_progress=on_progress, on_event=watch.on_event,
                              seen_events=seen)
    except KeyboardInterrupt:
        watch.done()
        line = f"stopped waiting; deployment {deployment_id or '(primary)'} goes on in ECS"
        d = last[0].deployment if last else None
        if d is not None:
            line += f" ({d.revision}: {d.running}/{d.desired} running, rollout {d.rollout_state or 'unknown'})"
        if rollback_pending:
            line += "; no rollback was made, as the rollout had not ended"
        watch.note(f"{line} (see `ls {cluster} {service}`)")
        raise
    finally:
        watch.done()

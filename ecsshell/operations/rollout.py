"""Follow a rollout: poll the service until its deployment completes, fails or times out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import AwsError
from ..model import Deployment, Service, ServiceDeployment, ServiceEvent
from ..queries import breaker_summary, early_success_summary
from . import goals
from .deployments import bake_minutes, hook_line, rollback_label, stages_between, target_name
from .goals import STABLE, Goal, reached_on_the_way, steady
from .run import POLL_SECONDS, Clock, Sleep, failure_reason

if TYPE_CHECKING:
    from .gateway import Gateway


@dataclass(frozen=True)
class Outcome:
    """How a wait ended: COMPLETED, REACHED (a stage or pause on the way), FAILED or TIMEOUT, with why."""

    state: str
    reason: str
    service: Service | None = None
    elapsed: float = 0.0
    deployment: ServiceDeployment | None = None  # the service deployment followed, as last seen

    @property
    def ok(self) -> bool:
        return self.state in ("COMPLETED", "REACHED")


@dataclass(frozen=True)
class Progress:
    """One observation of a rollout, for the progress line."""

    deployment: Deployment | None
    old_running: int
    elapsed: float
    service: Service
    service_deployment: ServiceDeployment | None = None
    bake_left: float | None = None  # seconds of bake time left, while the deployment bakes


def _stopped_reason(gateway: Gateway, cluster: str, service: str, task_definition_arn: str) -> str:
    stopped = gateway.service_tasks(cluster, service, desired_status="STOPPED")
    return failure_reason(stopped, task_definition_arn)


def _gone(gateway: Gateway, cluster: str, svc: Service, deployment_id: str | None,
          last: Deployment | None) -> tuple[str, bool]:
    """Say what became of deployment DEPLOYMENT_ID, last seen as LAST, now that SVC no longer lists it.

    The flag says whether ECS is rolling it back (its tasks failed and another revision took its place).
    """
    primary = svc.primary
    what = f"deployment {deployment_id}" + (f" ({last.revision})" if last else "")
    reason = f"{what} is gone: ECS replaced it with {primary.id if primary else 'nothing'} ({svc.revision})"
    if last is None or primary is None or primary.task_definition_arn == last.task_definition_arn:
        return reason, False
    stopped = _stopped_reason(gateway, cluster, svc.name, last.task_definition_arn)
    if last.failed or stopped:
        reason += ", likely a circuit-breaker rollback"
    return (f"{reason}; {stopped}" if stopped else reason), bool(last.failed or stopped)


def tell_new_events(svc: Service, seen: set[str], on_event: Callable[[ServiceEvent], None]) -> None:
    """Pass SVC's events not in SEEN to ON_EVENT, oldest first, and remember them."""
    for event in reversed(svc.events):
        if event.id not in seen:
            seen.add(event.id)
            on_event(event)


def follow_rollout(gateway: Gateway, cluster: str, service: str, deployment_id: str | None, *, timeout: float,
                   sleep: Sleep, monotonic: Clock, on_progress: Callable[[Progress], None],
                   on_event: Callable[[ServiceEvent], None], poll: float = POLL_SECONDS,
                   seen_events: set[str] | None = None, goal: Goal = STABLE) -> Outcome:
    """Poll the service until deployment DEPLOYMENT_ID (the PRIMARY if None) completes, fails or times out.

    Without service deployments there are no stages or hooks to see: a GOAL other than deployed or
    stable ends the wait at once, as a failure that says so.
    """
    start = monotonic()
    if not goal.ends_rollout:
        svc = gateway.describe_services(cluster, [service])[0]
        return Outcome("FAILED", f"ECS describes no service deployment of {service}, so its stages and hooks "
                                 f"cannot be followed to {goal}; the rollout goes on in ECS", svc)
    seen = set(seen_events or ())
    last: Deployment | None = None
    rolling_back = ""  # why the deployment followed is gone, while ECS's rollback of it is followed to its end
    while True:
        svc = gateway.describe_services(cluster, [service])[0]
        tell_new_events(svc, seen, on_event)
        deployment = next((d for d in svc.deployments if d.id == deployment_id), None) if deployment_id \
            else svc.primary
        elapsed = monotonic() - start
        old_running = sum(d.running for d in svc.deployments if deployment is None or d.id != deployment.id)
        on_progress(Progress(deployment, old_running, elapsed, svc))
        if deployment is None:
            gone, by_ecs = _gone(gateway, cluster, svc, deployment_id, last)
            if by_ecs and not rolling_back and svc.primary is not None and elapsed < timeout:
                rolling_back, deployment_id, last = gone, svc.primary.id, None  # follow the way back to its end
                sleep(poll)
                continue
            return Outcome("FAILED", "; ".join(x for x in (rolling_back, gone) if x), svc, elapsed)
        last = deployment
        if deployment.rollout_state == "FAILED":
            reason = deployment.rollout_reason or "rollout FAILED"
            detail = _stopped_reason(gateway, cluster, service, deployment.task_definition_arn)
            if rolling_back:
                reason = f"{rolling_back}; ECS could not roll {svc.name} back to {deployment.revision}: {reason}"
            return Outcome("FAILED", f"{reason} {detail}".strip(), svc, elapsed)
        settled = (len(svc.deployments) == 1 and deployment.running == deployment.desired
                   and deployment.pending == 0)
        if (deployment.rollout_state == "COMPLETED" and (settled or goal.word == "deployed")) or \
                (deployment.rollout_state is None and settled):
            if rolling_back:
                return Outcome("FAILED", f"{rolling_back}; ECS rolled back; {svc.name} runs "
                                         f"{deployment.revision} again", svc, elapsed)
            return Outcome("COMPLETED", f"{svc.name} runs {deployment.running}/{deployment.desired} tasks of "
                                        f"{deployment.revision}", svc, elapsed)
        if elapsed >= timeout:
            reason = (f"gave up after {int(timeout)}s: {deployment.revision} {deployment.running}/"
                      f"{deployment.desired} running, {deployment.failed} failed, rollout "
                      f"{deployment.rollout_state}")
            if deployment.failed:
                detail = _stopped_reason(gateway, cluster, service, deployment.task_definition_arn)
                reason += f"; last failure: {detail}" if detail else ""
            if rolling_back:
                reason = f"{rolling_back}; ECS is rolling {svc.name} back: {reason}"
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
    say: Callable[[str], None] | None = None  # stage and hook lines (NOTE when not given)
    goal: Goal = STABLE  # where the wait ends (--wait-until)


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
                              seen_events=seen, goal=watch.goal)
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


# following the service deployment itself --------------------------------------------------------------
ROLLED_BACK = frozenset({"ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
ROLLING_BACK = frozenset({"ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED"})


def _failure_detail(gateway: Gateway, cluster: str, svc: Service, legacy: Deployment | None) -> str:
    """Return why the new revision's tasks stopped, or ''."""
    return _stopped_reason(gateway, cluster, svc.name, legacy.task_definition_arn) if legacy else ""


def _ended(gateway: Gateway, cluster: str, svc: Service, d: ServiceDeployment, legacy: Deployment | None,
           expect_rollback: bool) -> tuple[str, str] | None:
    """Return (state, reason) once service deployment D has ended (or, unasked, ECS rolls it back), else None."""
    reason = d.status_reason or ""
    if expect_rollback:
        if d.status in ("ROLLBACK_SUCCESSFUL", "STOPPED", "SUCCESSFUL"):
            return "COMPLETED", f"service deployment {d.id} {d.status}; {svc.name} runs {svc.revision}"
        if d.status == "ROLLBACK_FAILED":
            return "FAILED", "; ".join(x for x in (reason, f"service deployment {d.id} ROLLBACK_FAILED") if x)
        return None
    if d.status == "SUCCESSFUL":
        if legacy is not None:
            return "COMPLETED", f"{svc.name} runs {legacy.running}/{legacy.desired} tasks of {legacy.revision}"
        return "COMPLETED", f"{svc.name} runs {svc.revision} (service deployment {d.id} SUCCESSFUL)"
    breaker = " (circuit-breaker rollback)" if (d.circuit_breaker or {}).get("status") == "TRIGGERED" else ""
    if d.status in ROLLING_BACK:
        return None  # followed to its end: a rollback that worked and one that failed are different news
    if d.status == "ROLLBACK_SUCCESSFUL":
        what = f"ECS rolled back{breaker}; {svc.name} runs {rollback_label(gateway, d)} again"
    elif d.status == "ROLLBACK_FAILED":
        what = (f"ECS could not roll {svc.name} back to {rollback_label(gateway, d)} (ROLLBACK_FAILED){breaker}; "
                f"it runs {svc.revision}")
    elif d.status in ("STOPPED", "FAILED"):
        what = f"service deployment {d.id} {d.status}"
    else:
        return None
    line = "; ".join(x for x in (reason, what) if x)
    return "FAILED", f"{line} {_failure_detail(gateway, cluster, svc, legacy)}".strip()


def _gave_up(gateway: Gateway, cluster: str, svc: Service, d: ServiceDeployment, legacy: Deployment | None,
             timeout: float) -> str:
    """Say where a deployment stood when the wait timed out: counts, stage, the hook it waits at, last failure."""
    head = f"gave up after {int(timeout)}s: "
    if legacy is not None:
        head += (f"{legacy.revision} {legacy.running}/{legacy.desired} running, {legacy.failed} failed, "
                 f"rollout {legacy.rollout_state}; ")
    where = f" at {d.lifecycle_stage}" if d.lifecycle_stage else ""
    hook = d.awaiting
    line = head + f"service deployment {d.id} {d.status}{where}" + (
        f", waiting for hook {hook.hook_id}" if hook is not None else "")
    if legacy is not None and legacy.failed:
        detail = _failure_detail(gateway, cluster, svc, legacy)
        line += f"; last failure: {detail}" if detail else ""
    return line


def _following(d: ServiceDeployment, svc: Service, goal: Goal, expect_rollback: bool) -> str:
    """Say which deployment a wait follows, until what, and what can end it early (breaker, early success)."""
    line = f"following service deployment {d.id} ({d.strategy}, {d.status})"
    if goal != STABLE and not expect_rollback:
        line += f" until {goal}"
    config = d.deployment_configuration or svc.deployment_configuration
    facts = [f"circuit breaker {x}" for x in (breaker_summary(config, svc.desired),) if x]
    facts += [f"early success: {x}" for x in (early_success_summary(config),) if x]
    return f"{line}; {'; '.join(facts)}" if facts else line


def _draining(svc: Service) -> str:
    """Say what keeps SVC from being stable once its deployment succeeded: old tasks, counts."""
    old = sum(x.running for x in svc.deployments if x.status != "PRIMARY")
    if old:
        return f"{old} old task{'s' if old != 1 else ''} still draining"
    primary = svc.primary
    if primary is None:
        return "no PRIMARY deployment"
    return f"{primary.running}/{svc.desired} running, {primary.pending} pending"


def _hook_line(d: ServiceDeployment, hook_id: str, service: str, cluster: str) -> str:
    """Say what D waits for at hook HOOK_ID (D.awaiting may be another hook, released but not yet moved on)."""
    awaiting = d.awaiting
    if awaiting is not None and awaiting.hook_id == hook_id:
        return hook_line(d, service, cluster)
    return f"hook {hook_id} of deployment {d.id} is AWAITING_ACTION"


def follow_deployment(gateway: Gateway, cluster: str, service: str, arn: str, deployment_id: str | None,
                      watch: Watch, *, seen_events: set[str] | None = None, poll: float = POLL_SECONDS,
                      expect_rollback: bool = False,
                      last: Callable[[ServiceDeployment], None] = lambda _d: None,
                      from_stage: str | None = None, released: str | None = None) -> Outcome | None:
    """Poll service deployment ARN until its own status ends it; None when ECS cannot describe it.

    Stages are followed by position in LIFECYCLE_STAGES, so one a poll missed is still told; a hook
    awaiting action is told once, and the wait goes on (bounded by the timeout). A rollback by ECS ends
    the wait as a failure. EXPECT_ROLLBACK: the deployment is being rolled back on purpose, so the
    rollback ending is the success. FROM_STAGE: the stage it stood at when this wait began (stages up to it
    passed before, not between two polls of this wait). RELEASED: a hook just continued, which a poll that
    still reads it AWAITING_ACTION must not report as waiting again.
    """
    start = watch.monotonic()
    seen = set(seen_events or ())
    say = watch.say or watch.note
    stage: str | None = from_stage
    status = ""
    told_hooks: set[tuple[str, str]] = {(released, "AWAITING_ACTION")} if released else set()
    bake_since: float | None = None  # when this watch first saw the deployment bake
    seen_legacy: Deployment | None = None
    told_draining = False
    while True:
        svc = gateway.describe_services(cluster, [service])[0]
        tell_new_events(svc, seen, watch.on_event)
        try:
            found = gateway.describe_service_deployments([arn])
        except AwsError:
            found = []
        if not found:
            return None
        d = found[0]
        last(d)
        elapsed = watch.monotonic() - start
        if not status:
            say(_following(d, svc, watch.goal, expect_rollback))
        for reached in stages_between(stage, d.lifecycle_stage, d.strategy):
            missed = " (passed between two polls)" if reached != d.lifecycle_stage else ""
            say(f"stage {reached}{missed}")
        stage = d.lifecycle_stage if d.lifecycle_stage else stage
        if status and d.status != status:
            say(f"service deployment {d.id} {d.status}" + (f": {d.status_reason}" if d.status_reason else ""))
        status = d.status
        for h in d.hooks:  # each hook's moves once: a PAUSE awaiting action says how to go on
            if (h.hook_id, h.status) not in told_hooks:
                told_hooks.add((h.hook_id, h.status))
                say(_hook_line(d, h.hook_id, service, cluster) if h.awaiting else
                    f"hook {h.hook_id} ({' '.join(x for x in (h.target_type, target_name(h.target_arn)) if x)}) "
                    f"{h.status}")
        legacy = next((x for x in svc.deployments if x.id == deployment_id), None) if deployment_id \
            else svc.primary
        seen_legacy = legacy or seen_legacy  # an ECS rollback drops it from deployments[]; its failures remain
        old_running = sum(x.running for x in svc.deployments if legacy is None or x.id != legacy.id)
        bake_since = (elapsed if bake_since is None else bake_since) if d.lifecycle_stage == "BAKE_TIME" else None
        minutes = bake_minutes(d, svc) if bake_since is not None else None
        left = max(0.0, minutes * 60 - (elapsed - (bake_since or 0.0))) if minutes is not None else None
        watch.on_progress(Progress(legacy, old_running, elapsed, svc, d, left))
        goal = watch.goal
        arrived = None if expect_rollback else reached_on_the_way(goal, d, stage, released)
        if arrived is not None:
            return Outcome("REACHED", f"{arrived}; it goes on in ECS", svc, elapsed, d)
        ended = _ended(gateway, cluster, svc, d, legacy or seen_legacy, expect_rollback)
        draining = False
        if ended is not None and ended[0] == "COMPLETED" and not expect_rollback:
            miss = goals.missed(goal, d, stage)
            if miss is not None:
                return Outcome("FAILED", miss, svc, elapsed, d)
            draining = goal.word == "stable" and not steady(svc)
            if draining and not told_draining:
                told_draining = True
                say(f"service deployment {d.id} {d.status}; waiting for the service to be stable "
                    f"({_draining(svc)})")
        if ended is not None and not draining:
            return Outcome(ended[0], ended[1], svc, elapsed, d)
        if elapsed >= watch.timeout:
            reason = (f"gave up after {int(watch.timeout)}s: service deployment {d.id} {d.status}, but "
                      f"{_draining(svc)}") if draining else _gave_up(gateway, cluster, svc, d, legacy, watch.timeout)
            return Outcome("TIMEOUT", reason, svc, elapsed, d)
        watch.sleep(min(poll, max(0.0, watch.timeout - elapsed)) or poll)


def watch_deployment(gateway: Gateway, cluster: str, service: str, arn: str, deployment_id: str | None,
                     seen: set[str], watch: Watch, *, expect_rollback: bool = False,
                     rollback_pending: bool = False, from_stage: str | None = None,
                     released: str | None = None) -> Outcome | None:
    """Follow service deployment ARN; None when ECS cannot describe it; on Ctrl-C say what goes on, re-raise."""
    last: list[ServiceDeployment] = []
    try:
        return follow_deployment(gateway, cluster, service, arn, deployment_id, watch, seen_events=seen,
                                 expect_rollback=expect_rollback, last=lambda d: last.__setitem__(slice(None), [d]),
                                 from_stage=from_stage, released=released)
    except KeyboardInterrupt:
        watch.done()
        line = f"stopped waiting; deployment {arn.rsplit('/', 1)[-1]} goes on in ECS"
        if last:
            d = last[0]
            line += f" (service deployment {d.id} {d.status}" + (
                f" at {d.lifecycle_stage})" if d.lifecycle_stage else ")")
        if rollback_pending:
            line += "; no rollback was made, as the rollout had not ended"
        watch.note(f"{line} (see `deployments {cluster} {service}`)")
        raise
    finally:
        watch.done()

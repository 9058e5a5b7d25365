"""Deploy logic with no I/O of its own: build the next revision, follow a rollout, wait for tasks."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .aws.convert import registration
from .aws.errors import AwsError
from .images import replace as replace_image
from .model import READ_ONLY_TASK_DEFINITION_FIELDS, Deployment, Revision, Service, ServiceEvent, Task, TaskDefinition

POLL_SECONDS = 3.0


class PlanError(ValueError):
    """The requested change does not fit the task definition."""


@dataclass
class ImageChange:
    container: str
    old: str
    new: str


@dataclass
class Plan:
    """The next revision's document and what differs from the current one."""

    current: TaskDefinition
    spec: dict[str, Any]
    images: list[ImageChange] = field(default_factory=list)
    env_changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.old != c.new for c in self.images) or bool(self.env_changes)


def registrable(td: TaskDefinition) -> dict[str, Any]:
    """Return TD as a RegisterTaskDefinition request: every field kept, read-only ones dropped."""
    spec = copy.deepcopy(td.raw.get("taskDefinition", {}))
    for name in READ_ONLY_TASK_DEFINITION_FIELDS:
        spec.pop(name, None)
    tags = td.raw.get("tags") or []
    if tags:
        spec["tags"] = copy.deepcopy(tags)
    return spec


def plan_update(td: TaskDefinition, images: dict[str | None, str], set_env: list[tuple[str, str, str]],
                unset_env: list[tuple[str, str]]) -> Plan:
    """Plan a revision of TD with new IMAGES ({container or None for the first: image or :tag}) and env changes."""
    spec = registrable(td)
    containers = spec.get("containerDefinitions", [])
    if not containers:
        raise PlanError(f"{td.label} has no containers")
    by_name = {c.get("name"): c for c in containers}
    names = ", ".join(str(n) for n in by_name)

    def container_named(name: str) -> dict[str, Any]:
        container = by_name.get(name)
        if container is None:
            raise PlanError(f"{td.label} has no container {name!r} (it has: {names})")
        return container

    wanted: dict[str, str] = {}
    for name, new in images.items():
        resolved = str(containers[0].get("name")) if name is None else name
        container_named(resolved)
        if wanted.get(resolved, new) != new:
            raise PlanError(f"two images given for container {resolved}: {wanted[resolved]} and {new}")
        wanted[resolved] = new
    plan = Plan(td, spec)
    for name, new in wanted.items():
        container = container_named(name)
        old = container.get("image", "")
        container["image"] = replace_image(old, new)
        plan.images.append(ImageChange(name, old, container["image"]))
    for name, key, value in set_env:
        env = container_named(name).setdefault("environment", [])
        for pair in env:
            if pair.get("name") == key:
                if pair.get("value") != value:
                    plan.env_changes.append(f"{name}: set {key}")
                pair["value"] = value
                break
        else:
            env.append({"name": key, "value": value})
            plan.env_changes.append(f"{name}: add {key}")
    for name, key in unset_env:
        container = container_named(name)
        env = container.get("environment", [])
        kept = [pair for pair in env if pair.get("name") != key]
        if len(kept) == len(env):
            raise PlanError(f"container {name} has no environment variable {key}")
        container["environment"] = kept
        plan.env_changes.append(f"{name}: unset {key}")
    return plan


def rollback_target(service: Service) -> str:
    """Return the task definition ARN SERVICE really ran before a change: the one to go back to.

    That is the service's own revision when its PRIMARY deployment completed (or is unknown); when
    that deployment FAILED or is still IN_PROGRESS, it is the revision of whichever deployment runs
    the most tasks (e.g. payments:1 under a FAILED payments:2), since going back to a revision that
    never came up would fail again.
    """
    primary = service.primary
    if primary is None or primary.rollout_state in (None, "COMPLETED"):
        return service.task_definition_arn
    busiest = max(service.deployments, key=lambda d: (d.running, d is primary))
    return busiest.task_definition_arn if busiest.running else service.task_definition_arn


def revisions_to_deregister(revisions: Iterable[Revision], newest: int, keep: int,
                            in_use: set[str]) -> list[Revision]:
    """Return the ACTIVE REVISIONS up to NEWEST beyond the KEEP newest, not IN_USE."""
    active = sorted((r for r in revisions if r.active and r.number <= newest), key=lambda r: r.number)
    older = active[: max(0, len(active) - max(1, keep))]
    return [r for r in older if r.arn not in in_use]


# creating safely and cleaning up ------------------------------------------------------------------
@dataclass
class Registered:
    """The revision a register produced, and a note when ECS's answer was an error but it was made anyway."""

    task_definition: TaskDefinition
    note: str = ""


def _contains(have: Any, want: Any) -> bool:
    """Say whether HAVE (what ECS describes) holds everything in WANT (what was sent)."""
    if isinstance(want, dict):
        return isinstance(have, dict) and all(k in have and _contains(have[k], v) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(have, list) and len(have) == len(want) and all(
            _contains(h, w) for h, w in zip(have, want, strict=True))
    return bool(have == want)


def same_definition(td: TaskDefinition, spec: dict[str, Any]) -> bool:
    """Say whether revision TD is what registering SPEC would make (tags aside)."""
    sent = {k: v for k, v in registration(spec).items() if k != "tags"}
    return _contains(td.raw.get("taskDefinition", {}), sent)


def made_anyway(gateway: Any, family: str, before: int, spec: dict[str, Any]) -> list[TaskDefinition]:
    """Return FAMILY's ACTIVE revisions newer than BEFORE that match SPEC, oldest first."""
    fresh = [r.arn for r in gateway.active_revisions(family) if r.number > before]
    return [td for td in (gateway.task_definition(arn) for arn in fresh) if same_definition(td, spec)]


def _deregister_all(gateway: Any, tds: list[TaskDefinition]) -> str:
    """Deregister TDS; say what was done in a clause."""
    done, failed = [], []
    for td in tds:
        try:
            gateway.deregister_task_definition(td.arn)
            done.append(td.label)
        except AwsError as exc:
            failed.append(f"{td.label} ({exc})")
    parts = [f"deregistered {', '.join(done)}"] if done else []
    parts += [f"could not deregister {', '.join(failed)}"] if failed else []
    return "; ".join(parts)


def register_safely(gateway: Any, spec: dict[str, Any], say: Callable[[str], None] = lambda _: None) -> Registered:
    """Register SPEC once; after a failure adopt the revision ECS made anyway, or say none was made."""
    family = str(registration(spec).get("family") or "")
    known = gateway.active_revisions(family)
    before = known[-1].number if known else 0
    try:
        return Registered(gateway.register_task_definition(spec))
    except AwsError as exc:
        error = exc
    except KeyboardInterrupt:
        say(f"interrupted during RegisterTaskDefinition: {undo_register(gateway, family, before, spec)}")
        raise
    try:
        made = made_anyway(gateway, family, before, spec)
    except AwsError as exc:
        raise AwsError(f"{error}; could not check whether ECS registered it anyway ({exc}): "
                       f"see `taskdefs {family}`", operation=error.operation, code=error.code) from None
    if not made:
        raise AwsError(f"{error}; nothing was registered", operation=error.operation, code=error.code)
    adopted, extra = made[0], made[1:]
    note = f"ECS registered {adopted.label} although the call answered with an error, so it was adopted ({error})"
    if extra:
        note += f"; {_deregister_all(gateway, extra)} (duplicates)"
    return Registered(adopted, note)


def undo_register(gateway: Any, family: str, before: int, spec: dict[str, Any]) -> str:
    """Deregister what registering SPEC made in FAMILY after revision BEFORE; say what was done."""
    try:
        made = made_anyway(gateway, family, before, spec)
    except AwsError as exc:
        return f"could not check for a new revision of {family} ({exc})"
    return _deregister_all(gateway, made) or "no new revision was registered"


def revisions_in_use(gateway: Any) -> set[str]:
    """Return the task definition ARNs any service of any cluster runs or deploys (all its deployments)."""
    in_use: set[str] = set()
    for cluster in gateway.list_clusters():
        for svc in gateway.list_services(cluster.name):
            in_use.add(svc.task_definition_arn)
            in_use.update(dep.task_definition_arn for dep in svc.deployments)
    return in_use


# following a rollout -----------------------------------------------------------------------------
@dataclass
class Outcome:
    """How a wait ended: COMPLETED, FAILED or TIMEOUT, with one line saying why."""

    state: str
    reason: str
    service: Service | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.state == "COMPLETED"


@dataclass
class Progress:
    """One observation of a rollout, for the progress line."""

    deployment: Deployment | None
    old_running: int
    elapsed: float
    service: Service


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


def _stopped_reason(gateway: Any, cluster: str, service: str, task_definition_arn: str) -> str:
    stopped = gateway.service_tasks(cluster, service, desired_status="STOPPED")
    return failure_reason(stopped, task_definition_arn)


def _gone(gateway: Any, cluster: str, svc: Service, deployment_id: str | None, last: Deployment | None) -> str:
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


def follow_rollout(gateway: Any, cluster: str, service: str, deployment_id: str | None, *, timeout: float,
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


def follow_scale(gateway: Any, cluster: str, service: str, *, timeout: float, sleep: Sleep,
                 monotonic: Clock, on_progress: Callable[[Progress], None],
                 on_event: Callable[[ServiceEvent], None], poll: float = POLL_SECONDS,
                 seen_events: set[str] | None = None) -> Outcome:
    """Poll the service until its running count equals its desired count with nothing pending."""
    start = monotonic()
    seen = set(seen_events) if seen_events is not None else None
    while True:
        svc = gateway.describe_services(cluster, [service])[0]
        if seen is None:  # no baseline given: the events there at the start are old news
            seen = {e.id for e in svc.events}
        for event in reversed(svc.events):
            if event.id not in seen:
                seen.add(event.id)
                on_event(event)
        elapsed = monotonic() - start
        on_progress(Progress(svc.primary, 0, elapsed, svc))
        if svc.running == svc.desired and svc.pending == 0 and len(svc.deployments) <= 1:
            return Outcome("COMPLETED", f"{svc.name} runs {svc.running}/{svc.desired} tasks", svc, elapsed)
        if elapsed >= timeout:
            return Outcome("TIMEOUT", f"gave up after {int(timeout)}s: {svc.running}/{svc.desired} running, "
                                      f"{svc.pending} pending", svc, elapsed)
        sleep(min(poll, max(0.0, timeout - elapsed)) or poll)


def exit_code_of(task: Task, essential: Iterable[str] | None = None) -> int | None:
    """Return TASK's exit code: its ESSENTIAL containers' (all when None) first non-zero code, else the first."""
    names = set(essential) if essential is not None else None
    containers = [c for c in task.containers if names is None or c.name in names] or list(task.containers)
    codes = [c.exit_code for c in containers if c.exit_code is not None]
    nonzero = [c for c in codes if c != 0]
    if nonzero:
        return nonzero[0]
    return codes[0] if codes else None


def wait_tasks(gateway: Any, cluster: str, arns: list[str], *, timeout: float, sleep: Sleep,
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

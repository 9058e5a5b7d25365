"""Deploy a new image: plan the next revision, register it safely, point the service at it or undo, follow it."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import AwsError
from ..images import replace as replace_image
from ..model import READ_ONLY_TASK_DEFINITION_FIELDS, Revision, Service, TaskDefinition, arn_name, registration
from . import OperationError
from .deployments import Going, going
from .ecr import refuse_missing_images
from .goals import STABLE, Goal, refusal
from .rollback import RolledBack, roll_back_after, rollback_target
from .rollout import Outcome, Watch, watch_deployment, watch_rollout

if TYPE_CHECKING:
    from .gateway import Gateway


class PlanError(OperationError, ValueError):
    """The requested change does not fit the task definition."""


@dataclass(frozen=True)
class ImageChange:
    container: str
    old: str
    new: str


@dataclass(frozen=True)
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


def revisions_to_deregister(revisions: Iterable[Revision], newest: int, keep: int,
                            in_use: set[str]) -> list[Revision]:
    """Return the ACTIVE REVISIONS up to NEWEST beyond the KEEP newest, not IN_USE."""
    active = sorted((r for r in revisions if r.active and r.number <= newest), key=lambda r: r.number)
    older = active[: max(0, len(active) - max(1, keep))]
    return [r for r in older if r.arn not in in_use]


# creating safely and cleaning up ------------------------------------------------------------------
@dataclass(frozen=True)
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


def made_anyway(gateway: Gateway, family: str, before: int, spec: dict[str, Any]) -> list[TaskDefinition]:
    """Return FAMILY's ACTIVE revisions newer than BEFORE that match SPEC, oldest first."""
    fresh = [r.arn for r in gateway.active_revisions(family) if r.number > before]
    return [td for td in (gateway.task_definition(arn) for arn in fresh) if same_definition(td, spec)]


def _deregister_all(gateway: Gateway, tds: list[TaskDefinition]) -> str:
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


def register_safely(gateway: Gateway, spec: dict[str, Any], say: Callable[[str], None] = lambda _: None,
                    listed: Future[list[Revision]] | None = None) -> Registered:
    """Register SPEC once; after a failure adopt the revision ECS made anyway, or say none was made.

    LISTED, when given, is SPEC's family's ACTIVE revisions already asked for (see `plan_next`).
    """
    family = str(registration(spec).get("family") or "")
    known = listed.result() if listed is not None else gateway.active_revisions(family)
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
                       f"see `taskdefs {family}`", operation=error.operation, code=error.code,
                       details=error.details) from None
    if not made:
        raise AwsError(f"{error}; nothing was registered", operation=error.operation, code=error.code,
                       details=error.details)
    adopted, extra = made[0], made[1:]
    note = f"ECS registered {adopted.label} although the call answered with an error, so it was adopted ({error})"
    if extra:
        note += f"; {_deregister_all(gateway, extra)} (duplicates)"
    return Registered(adopted, note)


def undo_register(gateway: Gateway, family: str, before: int, spec: dict[str, Any]) -> str:
    """Deregister what registering SPEC made in FAMILY after revision BEFORE; say what was done."""
    try:
        made = made_anyway(gateway, family, before, spec)
    except AwsError as exc:
        return f"could not check for a new revision of {family} ({exc})"
    return _deregister_all(gateway, made) or "no new revision was registered"


def revisions_in_use(gateway: Gateway) -> set[str]:
    """Return the task definition ARNs any service of any cluster runs or deploys (all its deployments)."""
    in_use: set[str] = set()
    for cluster in gateway.list_clusters():
        for svc in gateway.list_services(cluster.name):
            in_use.add(svc.task_definition_arn)
            in_use.update(dep.task_definition_arn for dep in svc.deployments)
    return in_use




def deregister_old(gateway: Gateway, new: TaskDefinition, keep: int) -> list[str]:
    """Deregister NEW's family's ACTIVE revisions older than the KEEP newest that no service anywhere uses."""
    in_use = revisions_in_use(gateway)
    doomed = revisions_to_deregister(gateway.revisions(new.family), new.revision, keep, in_use)
    gone = []
    for revision in doomed:
        gateway.deregister_task_definition(revision.arn)
        gone.append(revision.label)
    return gone


# pointing the service at it, or undoing ---------------------------------------------------------
def first_line(exc: BaseException) -> str:
    """Return EXC's first line (or its type's name), for a one-line message."""
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def deregister_orphan(gateway: Gateway, td: TaskDefinition) -> str:
    """Deregister TD, a revision nothing points at after a failure; say whether that worked."""
    try:
        gateway.deregister_task_definition(td.arn)
    except Exception as exc:
        return f"could not deregister the orphan revision {td.label}: {first_line(exc)}"
    return f"deregistered the orphan revision {td.label}"


def point_at(gateway: Gateway, cluster: str, service: str, current: TaskDefinition, new_td: TaskDefinition,
             note: Callable[[str], None]) -> Service:
    """Point SERVICE at NEW_TD; if ECS refuses, deregister NEW_TD so nothing is left behind, and say so."""
    try:
        return gateway.update_service(cluster, service, task_definition=new_td.arn)
    except Exception as exc:
        error = first_line(exc)
        try:  # an error after ECS applied the change (a lost answer) must not orphan a revision in use
            svc: Service | None = gateway.describe_service(cluster, service)
        except Exception:
            svc = None
        if svc is not None and svc.task_definition_arn == new_td.arn:
            note(f"note: UpdateService reported an error ({error}) but {service} runs {new_td.label}")
            return svc
        cleanup = deregister_orphan(gateway, new_td)
        raise OperationError(f"UpdateService failed, so {service} still runs {current.label}: {error}; "
                             f"{cleanup}") from None


def after_interrupt(gateway: Gateway, cluster: str, service: str, current: TaskDefinition,
                    new_td: TaskDefinition) -> str:
    """Leave nothing half done after Ctrl-C between register and UpdateService; say what ECS holds."""
    try:
        svc = gateway.describe_service(cluster, service)
    except Exception as exc:
        return (f"interrupted: could not check {service} ({str(exc).splitlines()[0]}); {new_td.label} stays "
                f"registered (see `ls {cluster} {service}`)")
    if svc.task_definition_arn == new_td.arn:
        return (f"interrupted after UpdateService went through: {service} in {cluster} now runs {new_td.label} "
                "and ECS goes on with the deployment")
    return (f"interrupted before UpdateService completed: {service} still runs {current.label}; "
            f"{deregister_orphan(gateway, new_td)}")


# the whole update ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class UpdateRequest:
    """What `update` was asked: the service, the changes, and what to do about the rollout."""

    cluster: str
    service: str
    images: dict[str | None, str]
    set_env: list[tuple[str, str, str]] = field(default_factory=list)
    unset_env: list[tuple[str, str]] = field(default_factory=list)
    wait: bool = False
    rollback: bool = False
    deregister_old: bool = False
    keep: int = 3
    dry_run: bool = False  # nothing is registered: plan_next need not list the family's revisions ahead
    goal: Goal = STABLE  # where a wait ends (--wait-until)
    verify: bool = True  # refuse new ECR images that ECR does not hold, before anything is registered


@dataclass(frozen=True)
class Planned:
    """The service as it is, its current revision, and the plan of the next one."""

    service: Service
    current: TaskDefinition
    plan: Plan
    listed: Future[list[Revision]] | None = field(default=None, compare=False)  # the family's ACTIVE revisions
    superseding: Going | None = None  # the deployment still going that this one replaces


@dataclass(frozen=True)
class Deployed:
    """A registered revision the service now points at, and the deployment ECS started for it."""

    current: TaskDefinition
    new: TaskDefinition
    plan: Plan
    service: Service
    deployment_id: str | None  # the deployments[] entry (ecs-svc/...) ECS started
    service_deployment_arn: str | None = None  # the service deployment it started (None on older endpoints)
    superseded: Going | None = None

    @property
    def rollout_id(self) -> str:
        """Return the one id messages name this rollout by: the service deployment's, else the ecs-svc one."""
        if self.service_deployment_arn:
            return arn_name(self.service_deployment_arn)
        return self.deployment_id or "-"


@dataclass(frozen=True)
class Updated:
    """What an update did: nothing (not confirmed), or deployed and, when waited for, how it ended."""

    deployed: Deployed | None = None
    outcome: Outcome | None = None
    deregistered: tuple[str, ...] = ()
    rollback: RolledBack | None = None


class UpdateReport(Protocol):
    """Where an update asks whether to go on, and tells what it did."""

    def review(self, planned: Planned) -> bool: ...

    def deployed(self, deployed: Deployed) -> None: ...

    def finished(self, outcome: Outcome, what: str) -> None: ...

    def deregistered(self, labels: list[str]) -> None: ...

    def rolled_back(self, result: RolledBack) -> None: ...

    def say(self, line: str) -> None: ...

    def note(self, line: str) -> None: ...

    def fail(self, line: str) -> None: ...


def plan_next(gateway: Gateway, cluster: str, service: str, images: dict[str | None, str],
              set_env: list[tuple[str, str, str]], unset_env: list[tuple[str, str]], *, ahead: bool = True) -> Planned:
    """Plan SERVICE's next revision: its current one with IMAGES and the environment changes applied.

    AHEAD lists the family's ACTIVE revisions (which `register_safely` needs) while the current one is
    described: one round trip fewer on the way to UpdateService.
    """
    svc = gateway.describe_service(cluster, service)
    refuse_other_controller(svc)
    family = arn_name(svc.task_definition_arn).rpartition(":")[0]
    listed = gateway.submit(gateway.active_revisions, family) if ahead and family else None
    current = gateway.task_definition(svc.task_definition_arn)
    plan = plan_update(current, images, set_env, unset_env)
    return Planned(svc, current, plan, listed if current.family == family else None, going(gateway, svc))


CONTROLLERS = {"CODE_DEPLOY": "CodeDeploy", "EXTERNAL": "an external controller"}


def refuse_other_controller(svc: Service) -> None:
    """Refuse, before anything is registered, to deploy a service ECS does not deploy itself."""
    if svc.controller in CONTROLLERS:
        raise OperationError(f"{svc.name} is deployed by {CONTROLLERS[svc.controller]} (deploymentController "
                             f"{svc.controller}), not by UpdateService: nothing was registered; deploy it there")


def new_deployment_arn(gateway: Gateway, cluster: str, service: str, before: Service, updated: Service) -> str | None:
    """Return the service deployment UpdateService started, or None when ECS names none (older endpoints)."""
    arn = updated.current_service_deployment
    if arn and arn != before.current_service_deployment:
        return arn
    if not before.current_service_deployment and not arn:
        return None
    try:
        again = gateway.describe_service(cluster, service).current_service_deployment
    except AwsError:
        return None
    return again if again and again != before.current_service_deployment else None


def follow(gateway: Gateway, cluster: str, service: str, planned: Planned, deployed: Deployed, watch: Watch,
           rollback_pending: bool = False) -> Outcome:
    """Follow the service deployment UPDATE started by its own status; else its deployments[] entry."""
    seen = {e.id for e in deployed.service.events}
    arn = deployed.service_deployment_arn
    outcome = watch_deployment(gateway, cluster, service, arn, deployed.deployment_id, seen, watch,
                               rollback_pending=rollback_pending) if arn else None
    return outcome or watch_rollout(gateway, cluster, service, deployed.deployment_id, seen, watch,
                                    rollback_pending=rollback_pending)


def deploy(gateway: Gateway, cluster: str, service: str, planned: Planned, note: Callable[[str], None]) -> Deployed:
    """Register PLANNED's revision and point SERVICE at it; undo the registration on failure or Ctrl-C."""
    current = planned.current
    registered = register_safely(gateway, planned.plan.spec, say=note, listed=planned.listed)
    new_td = registered.task_definition
    try:
        if registered.note:
            note(f"note: {registered.note}")
        updated = point_at(gateway, cluster, service, current, new_td, note)
    except KeyboardInterrupt:
        note(after_interrupt(gateway, cluster, service, current, new_td))
        raise
    primary = updated.primary
    deployment_id = primary.id if primary and primary.task_definition_arn == new_td.arn else None
    arn = new_deployment_arn(gateway, cluster, service, planned.service, updated)
    return Deployed(current, new_td, planned.plan, updated, deployment_id, arn, planned.superseding)


def update(gateway: Gateway, request: UpdateRequest, report: UpdateReport, watching: Callable[[], Watch]) -> Updated:
    """Plan, deploy once REPORT approves, and when asked follow the rollout, then deregister old or roll back."""
    planned = plan_next(gateway, request.cluster, request.service, request.images, request.set_env,
                        request.unset_env, ahead=not request.dry_run)
    if request.verify:
        refuse_missing_images(gateway, [(c.container, c.new) for c in planned.plan.images if c.new != c.old])
    return carry_out(gateway, request, planned, report, watching)


def carry_out(gateway: Gateway, request: UpdateRequest, planned: Planned, report: UpdateReport,
              watching: Callable[[], Watch]) -> Updated:
    """Deploy PLANNED once REPORT approves, and when asked follow the rollout, then deregister old or roll back."""
    cluster, service = request.cluster, request.service
    if request.wait:
        refusal(request.goal, planned.service)  # before anything is shown, asked or changed
    if not report.review(planned):
        return Updated()
    back_to = rollback_target(planned.service)
    deployed = deploy(gateway, cluster, service, planned, report.note)
    report.deployed(deployed)
    if not request.wait:
        return Updated(deployed)
    new_td = deployed.new
    outcome = follow(gateway, cluster, service, planned, deployed, watching(), request.rollback)
    report.finished(outcome, f"rollout of {new_td.label}")
    if outcome.ok and request.deregister_old:
        gone = deregister_old(gateway, new_td, request.keep)
        report.say(f"deregistered {', '.join(gone)} (kept the {request.keep} newest)" if gone
                   else "no old revisions to deregister")
        report.deregistered(gone)
        return Updated(deployed, outcome, tuple(gone))
    if not outcome.ok and request.rollback:
        rolled = roll_back_after(gateway, cluster, service, back_to, deployed.deployment_id, outcome, watching(),
                                 report.say, report.fail)
        report.rolled_back(rolled)
        return Updated(deployed, outcome, rollback=rolled)
    return Updated(deployed, outcome)

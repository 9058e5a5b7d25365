"""Service deployments: a service's history, the one running now, its hooks, stages and bake time, continue, stop.

Every read here is optional: an endpoint without these APIs, revisions made before they existed, or a
refusal (AccessDenied, UnknownOperation, InvalidParameter) answer None or nothing, so callers go on as
they did before service deployments existed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from ..errors import AwsError
from ..model import (
    LIFECYCLE_STAGES,
    RolloutFacts,
    Service,
    ServiceDeployment,
    ServiceRevision,
    Task,
    arn_name,
    stage_index,
)
from . import OperationError

if TYPE_CHECKING:
    from .gateway import Gateway

T = TypeVar("T")
TRAFFIC_STRATEGIES = frozenset({"BLUE_GREEN", "LINEAR", "CANARY"})  # these go through every lifecycle stage


def optional(read: Callable[[], T]) -> T | None:
    """Return READ(), or None when ECS answers the call with an error (the API is missing or refused)."""
    try:
        return read()
    except AwsError:
        return None


# reading --------------------------------------------------------------------------------------------
def current_deployment(gateway: Gateway, service: Service) -> ServiceDeployment | None:
    """Return SERVICE's current service deployment, or None when ECS names or describes none."""
    arn = service.current_service_deployment
    if not arn:
        return None
    found = optional(lambda: gateway.describe_service_deployments([arn]))
    return found[0] if found else None


def current_deployments(gateway: Gateway, services: Iterable[Service]) -> dict[str, ServiceDeployment]:
    """Return the current service deployment of each of SERVICES that has one, by service ARN (20 a call)."""
    listed = [s for s in services if s.current_service_deployment]
    found = optional(lambda: gateway.describe_service_deployments(
        [s.current_service_deployment or "" for s in listed])) if listed else None
    by_arn = {d.arn: d for d in found or []}
    return {s.arn: by_arn[s.current_service_deployment or ""] for s in listed
            if s.current_service_deployment in by_arn}


def revisions(gateway: Gateway, arns: Iterable[str]) -> dict[str, ServiceRevision]:
    """Describe service revisions ARNS, keyed by ARN; none when ECS cannot describe them."""
    wanted = [a for a in dict.fromkeys(arns) if a]
    if not wanted:
        return {}
    return optional(lambda: gateway.describe_service_revisions(wanted)) or {}


def running_revisions(gateway: Gateway, service: Service) -> list[ServiceRevision]:
    """Return the service revisions SERVICE runs now (currentServiceRevisions), or none."""
    found = revisions(gateway, [r.arn for r in service.current_revisions])
    return [found[r.arn] for r in service.current_revisions if r.arn in found]


def revision_label(arn: str | None, described: dict[str, ServiceRevision]) -> str:
    """Return `family:rev` of service revision ARN, or the ARN's last part when it was not described."""
    if not arn:
        return "-"
    found = described.get(arn)
    return found.revision if found else arn_name(arn)


@dataclass(frozen=True)
class History:
    """A service's deployments, newest first, and the service revisions they name."""

    service: Service
    deployments: list[ServiceDeployment]
    revisions: dict[str, ServiceRevision] = field(default_factory=dict)

    def label(self, arn: str | None) -> str:
        return revision_label(arn, self.revisions)

    def find(self, ident: str) -> ServiceDeployment:
        """Return the deployment whose id (its ARN's last part) is IDENT or starts with it; refuse an unclear one."""
        exact = [d for d in self.deployments if ident in (d.id, d.arn)]
        matches = exact or [d for d in self.deployments if d.id.startswith(ident)]
        if not matches:
            raise OperationError(f"service {self.service.name} has no deployment {ident!r} (see `deployments "
                                 f"{self.service.cluster} {self.service.name}`)")
        if len(matches) > 1:
            raise OperationError(f"{ident!r} names {len(matches)} deployments of {self.service.name} "
                                 f"({', '.join(d.id for d in matches[:5])}): give more of the id", 2)
        return matches[0]


def _newest_first(found: list[ServiceDeployment]) -> list[ServiceDeployment]:
    floor = datetime.min.replace(tzinfo=UTC)

    def key(d: ServiceDeployment) -> datetime:
        stamp = d.created_at or d.started_at or floor
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    return sorted(found, key=key, reverse=True)


def history(gateway: Gateway, cluster: str, service: str) -> History:
    """Return SERVICE's deployment history newest first, each described, with the revisions they name."""
    svc = gateway.describe_service(cluster, service)
    try:
        briefs = gateway.list_service_deployments(cluster, service)
    except AwsError as exc:
        raise OperationError(f"ECS lists no service deployments for {service} in {cluster}: {exc}") from None
    described = {d.arn: d for d in optional(lambda: gateway.describe_service_deployments(
        [b.arn for b in briefs])) or []}
    found = _newest_first([described.get(b.arn, b) for b in briefs])
    arns = [a for d in found for a in [d.target.arn if d.target else "", *(s.arn for s in d.sources),
                                       d.rollback.service_revision_arn if d.rollback else ""] if a]
    return History(svc, found, revisions(gateway, arns))


# a deployment still going ------------------------------------------------------------------------
ENDED = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})


@dataclass(frozen=True)
class Going:
    """A deployment of a service that has not ended: its id (the service deployment's where ECS has one)."""

    id: str
    revision: str
    state: str  # the service deployment's status (and stage), else the deployment's rolloutState

    def __str__(self) -> str:
        return f"deployment {self.id} ({self.revision}, {self.state})"


def going(gateway: Gateway, service: Service) -> Going | None:
    """Return SERVICE's deployment that has not ended yet, or None when the last one has ended."""
    primary = service.primary
    if primary is None:
        return None
    moving = primary.rollout_state in ("IN_PROGRESS", None) and (
        primary.rollout_state == "IN_PROGRESS" or len(service.deployments) > 1)
    if not moving:
        return None
    current = current_deployment(gateway, service)
    if current is None:
        return Going(primary.id, primary.revision, primary.rollout_state or "replacing tasks")
    if current.status in ENDED:
        return None
    stage = f" at {current.lifecycle_stage}" if current.lifecycle_stage else ""
    return Going(current.id, primary.revision, current.status + stage)


# what a deployment is doing ------------------------------------------------------------------------
def bake_minutes(deployment: ServiceDeployment | None, service: Service | None = None) -> float | None:
    """Return how long the deployment bakes, in minutes, by its strategy (None when it does not)."""
    config = (deployment.deployment_configuration if deployment else None) or (
        service.deployment_configuration if service else None) or {}
    strategy = str(config.get("strategy") or "ROLLING")
    value = {"BLUE_GREEN": config.get("bakeTimeInMinutes"),
             "LINEAR": (config.get("linearConfiguration") or {}).get("stepBakeTimeInMinutes"),
             "CANARY": (config.get("canaryConfiguration") or {}).get("canaryBakeTimeInMinutes")}.get(strategy)
    if strategy == "LINEAR" and value is None:
        value = config.get("bakeTimeInMinutes")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def bake_left(deployment: ServiceDeployment, now: datetime, service: Service | None = None) -> float | None:
    """Return the seconds of bake time left at NOW, when DEPLOYMENT is in BAKE_TIME (counted from its update)."""
    minutes = bake_minutes(deployment, service)
    since = deployment.updated_at
    if deployment.lifecycle_stage != "BAKE_TIME" or minutes is None or since is None:
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return max(0.0, minutes * 60 - (now - since).total_seconds())


def weights(deployment: ServiceDeployment, described: dict[str, ServiceRevision] | None = None) -> str:
    """Say how traffic is split between the target and source revisions, or '' when ECS gives no weights."""
    parts = []
    for role, rev in [("target", deployment.target), *(("source", s) for s in deployment.sources)]:
        if rev is None or (rev.production_traffic_weight is None and rev.test_traffic_weight is None):
            continue
        part = f"{role} {revision_label(rev.arn, described or {})} production {rev.production_traffic_weight or 0:g}%"
        if rev.test_traffic_weight is not None:
            part += f", test {rev.test_traffic_weight:g}%"
        parts.append(part)
    return "; ".join(parts)


def target_name(arn: str | None) -> str:
    """Return the short name of a hook's target: a Lambda function's name, else the ARN's last part."""
    if not arn:
        return ""
    return arn.split(":function:", 1)[-1] if ":function:" in arn else arn_name(arn)


def hook_line(deployment: ServiceDeployment, service: str, cluster: str | None = None) -> str:
    """Say what a deployment paused at a hook waits for, and how to go on or back."""
    hook = deployment.awaiting
    if hook is None:
        return ""
    where = f" at {deployment.lifecycle_stage}" if deployment.lifecycle_stage else ""
    names = f"{cluster} {service}" if cluster else service
    expiry = ""
    if hook.expires_at is not None:
        then = "continue" if hook.timeout_action == "CONTINUE" else "roll back"
        expiry = f"; at {hook.expires_at.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%SZ')} ECS will {then}"
    if hook.target_type == "PAUSE":
        return (f"deployment {deployment.id} is paused{where} by hook {hook.hook_id}, waiting for someone to "
                f"approve{expiry}: run `continue {names}` to go on, or `continue --rollback {names}` to roll back")
    return (f"deployment {deployment.id} waits{where} for hook {hook.hook_id} ({hook.target_type} "
            f"{target_name(hook.target_arn)}){expiry}")


def stages_between(before: str | None, now: str | None, strategy: str) -> list[str]:
    """Return the stages reached since BEFORE, up to NOW, in order (a poll may have missed some)."""
    start, end = stage_index(before), stage_index(now)
    if end <= start:
        return []
    if strategy in TRAFFIC_STRATEGIES:  # these pass every stage: the ones between two polls happened too
        first = start + 1 if before else min(end, 1)  # RECONCILE_SERVICE only comes when it is seen
        return list(LIFECYCLE_STAGES[first:end + 1])
    return [LIFECYCLE_STAGES[end]]


def digest_findings(service: Service, tasks: list[Task]) -> list[str]:
    """Say where RUNNING tasks of SERVICE run different digests of the same image tag."""
    seen: dict[tuple[str, str], set[str]] = {}
    for task in tasks:
        if task.last_status != "RUNNING":
            continue
        for c in task.containers:
            if c.image and c.image_digest and "@" not in c.image:
                seen.setdefault((c.name, c.image), set()).add(c.image_digest)
    return [f"tasks of {service.name} run {len(digests)} digests of {image} (container {name}: "
            f"{', '.join(sorted(d[:19] for d in digests))}): the tag was pushed again"
            for (name, image), digests in sorted(seen.items()) if len(digests) > 1]


def deployment_findings(deployment: ServiceDeployment | None, service: Service) -> list[str]:
    """Say what is wrong with SERVICE's current deployment: a hook awaiting action, a failed rollback, a stop."""
    if deployment is None:
        return []
    found = []
    reason = f": {deployment.status_reason}" if deployment.status_reason else ""
    if deployment.awaiting is not None:
        found.append(hook_line(deployment, service.name, service.cluster))
    if deployment.status == "ROLLBACK_FAILED":
        found.append(f"deployment {deployment.id} ROLLBACK_FAILED{reason}")
    elif deployment.status == "STOPPED" and not any(d.rollout_state == "FAILED" for d in service.deployments):
        found.append(f"deployment {deployment.id} STOPPED{reason}")  # (a FAILED rollout already says why)
    return found


# acting ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Continued:
    """A paused deployment resumed: which, at which hook, and which way."""

    deployment: ServiceDeployment
    hook_id: str
    action: str


def paused(gateway: Gateway, cluster: str, service: str) -> ServiceDeployment:
    """Return SERVICE's current deployment waiting at a hook; refuse in one line when nothing waits."""
    svc = gateway.describe_service(cluster, service)
    deployment = current_deployment(gateway, svc)
    if deployment is None or deployment.awaiting is None:
        state = f" (deployment {deployment.id} is {deployment.status})" if deployment else ""
        raise OperationError(f"nothing waits to be continued in {service}{state}")
    return deployment


def resume(gateway: Gateway, deployment: ServiceDeployment, rollback: bool) -> Continued:
    """Continue DEPLOYMENT past the hook it waits at, or roll it back."""
    hook = deployment.awaiting
    if hook is None:
        raise OperationError(f"deployment {deployment.id} waits at no hook")
    action = "ROLLBACK" if rollback else "CONTINUE"
    gateway.continue_service_deployment(deployment.arn, hook.hook_id, action)
    return Continued(deployment, hook.hook_id, action)


def running_deployment(gateway: Gateway, service: Service) -> ServiceDeployment | None:
    """Return SERVICE's current service deployment while it is still going (None when none is, or unknown)."""
    deployment = current_deployment(gateway, service)
    return deployment if deployment is not None and deployment.status in ("PENDING", "IN_PROGRESS") else None


def source_label(gateway: Gateway, deployment: ServiceDeployment) -> str:
    """Return the revisions DEPLOYMENT came from, as `family:rev`, for a message."""
    arns = [s.arn for s in deployment.sources]
    described = revisions(gateway, arns)
    return ", ".join(revision_label(a, described) for a in arns) or "the previous revision"


def _now(service: Service, deployment: ServiceDeployment) -> datetime:
    """Use the newest timestamp ECS reported as 'now' (as check does), so no clock of our own is needed."""
    stamps = [s for s in (deployment.updated_at, *(e.created_at for e in service.events[:1])) if s is not None]
    stamps = [s if s.tzinfo else s.replace(tzinfo=UTC) for s in stamps]
    return max([*stamps, datetime.now(UTC)])


def rollout_facts(service: Service, deployment: ServiceDeployment | None,
                  running: list[ServiceRevision]) -> RolloutFacts:
    """Gather what a service's detail shows of its strategy, its running deployment, and the digests it runs."""
    if deployment is None or not deployment.running:
        return RolloutFacts(service.strategy, revisions=tuple(running))
    described = {r.arn: r for r in running}
    return RolloutFacts(deployment.strategy, deployment, weights(deployment, described),
                        bake_left(deployment, _now(service, deployment), service),
                        hook_line(deployment, service.name, service.cluster), tuple(running))


def rollback_label(gateway: Gateway, deployment: ServiceDeployment) -> str:
    """Return the revision ECS rolls DEPLOYMENT back to (its rollback's, else its sources), as `family:rev`."""
    to = deployment.rollback.service_revision_arn if deployment.rollback else None
    return revision_label(to, revisions(gateway, [to])) if to else source_label(gateway, deployment)


def rolls_back_to(gateway: Gateway, deployment: ServiceDeployment) -> str | None:
    """Return the task definition a StopServiceDeployment ROLLBACK would go back to, when it is clear.

    That is the one source revision's; with several sources (a deployment started over an unfinished
    one) ECS's choice may be a revision that never came up, so None.
    """
    if len(deployment.sources) != 1:
        return None
    found = revisions(gateway, [deployment.sources[0].arn]).get(deployment.sources[0].arn)
    return found.task_definition_arn if found else None

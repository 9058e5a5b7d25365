"""Roll a service back: choose the revision to go back to, point the service at it, and follow that."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Service, ServiceDeployment, TaskDefinition, arn_name
from . import OperationError
from .deployments import rollback_label, rolls_back_to, running_deployment, source_label
from .rollout import ROLLING_BACK, Outcome, Watch, watch_deployment, watch_rollout

if TYPE_CHECKING:
    from .gateway import Gateway


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


@dataclass(frozen=True)
class Target:
    """The revision a service is to go back to, and the service as it was."""

    service: Service
    task_definition: TaskDefinition


def choose_target(gateway: Gateway, cluster: str, service: str, revision: int | None = None,
                  described: Service | None = None) -> Target:
    """Return SERVICE's revision REVISION, or else the ACTIVE one before its own; refuse what cannot be used."""
    svc = described or gateway.describe_service(cluster, service)
    family, current = svc.revision.rsplit(":", 1)
    if revision is not None:
        target = gateway.task_definition(f"{family}:{revision}")
        if target.status != "ACTIVE":
            raise OperationError(f"{target.label} is {target.status}: ECS does not point services at "
                                 "deregistered revisions")
    else:
        older = [r for r in gateway.revisions(family) if r.active and r.number < int(current)]
        if not older:
            raise OperationError(f"{svc.revision} has no earlier ACTIVE revision to roll back to")
        target = gateway.task_definition(older[-1].arn)
    if target.arn == svc.task_definition_arn:
        raise OperationError(f"{service} already runs {target.label}")
    return Target(svc, target)


@dataclass(frozen=True)
class Stop:
    """A service deployment still going, which ECS itself is to roll back (StopServiceDeployment ROLLBACK)."""

    service: Service
    deployment: ServiceDeployment
    back_to: str  # the revisions it came from, as `family:rev`


def choose(gateway: Gateway, cluster: str, service: str, revision: int | None = None) -> Target | Stop:
    """Return how to roll SERVICE back: stop its running deployment (no REVISION asked), else a revision."""
    svc = gateway.describe_service(cluster, service)
    if revision is None:
        deployment = running_deployment(gateway, svc)
        if deployment is not None and rolls_back_to(gateway, deployment):
            return Stop(svc, deployment, source_label(gateway, deployment))
    return choose_target(gateway, cluster, service, revision, svc)


def stop(gateway: Gateway, chosen: Stop) -> str:
    """Ask ECS to stop CHOSEN's deployment and roll it back; return the deployment's ARN."""
    return gateway.stop_service_deployment(chosen.deployment.arn, "ROLLBACK")


def go_back(gateway: Gateway, cluster: str, service: str, target: Target) -> Service:
    """Point SERVICE at TARGET's revision; return the service as ECS answered."""
    return gateway.update_service(cluster, service, task_definition=target.task_definition.arn)


@dataclass(frozen=True)
class RolledBack:
    """Where a rollback after a failed rollout went, and how it ended."""

    to: str
    deployment: str | None
    outcome: Outcome


def roll_back_after(gateway: Gateway, cluster: str, service: str, to_arn: str, failed_id: str | None,
                    failed: Outcome, watch: Watch, say: Callable[[str], None],
                    fail: Callable[[str], None]) -> RolledBack:
    """Point SERVICE back at TO_ARN after FAILED (or follow ECS's own rollback there) and wait."""
    label = arn_name(to_arn)
    followed = failed.deployment
    if followed is not None and (followed.status in ROLLING_BACK or (
            followed.status in ("PENDING", "IN_PROGRESS") and rolls_back_to(gateway, followed) == to_arn)):
        return _ecs_rolls_back(gateway, cluster, service, followed, failed, watch, say, fail)
    if followed is not None and followed.status == "ROLLBACK_SUCCESSFUL":
        back = rollback_label(gateway, followed)
        say(f"rolled back: {service} runs {back} again (ECS rolled it back itself)")
        return RolledBack(back, followed.id, Outcome("COMPLETED", failed.reason, failed.service, 0.0, followed))
    latest = failed.service
    primary = latest.primary if latest else None
    if primary is not None and primary.task_definition_arn == to_arn and primary.id != failed_id:
        say(f"ECS is already rolling {service} back to {label} (deployment {primary.id}); following it")
        deployment_id: str | None = primary.id
        seen = {e.id for e in latest.events} if latest else set()
    else:
        say(f"rolling {service} back to {label}")
        updated = gateway.update_service(cluster, service, task_definition=to_arn)
        deployment_id = updated.primary.id if updated.primary else None
        seen = {e.id for e in updated.events}
    outcome = watch_rollout(gateway, cluster, service, deployment_id, seen, watch)
    if outcome.ok:
        say(f"rolled back: {service} runs {label} again ({outcome.reason})")
    else:
        fail(f"the rollback to {label} did not settle either: {outcome.reason}")
    return RolledBack(label, deployment_id, outcome)


def _ecs_rolls_back(gateway: Gateway, cluster: str, service: str, deployment: ServiceDeployment, failed: Outcome,
                    watch: Watch, say: Callable[[str], None], fail: Callable[[str], None]) -> RolledBack:
    """Have ECS roll DEPLOYMENT back (StopServiceDeployment ROLLBACK unless it already does) and follow it."""
    label = rollback_label(gateway, deployment)
    if deployment.status in ROLLING_BACK:
        say(f"ECS is already rolling {service} back to {label} (service deployment {deployment.id}); following it")
    else:
        say(f"stopping service deployment {deployment.id}: ECS rolls {service} back to {label}")
        gateway.stop_service_deployment(deployment.arn, "ROLLBACK")
    seen = {e.id for e in failed.service.events} if failed.service else set()
    outcome = watch_deployment(gateway, cluster, service, deployment.arn, None, seen, watch, expect_rollback=True)
    if outcome is None:
        outcome = watch_rollout(gateway, cluster, service, None, seen, watch)
    if outcome.ok:
        say(f"rolled back: {service} runs {label} again ({outcome.reason})")
    else:
        fail(f"the rollback to {label} did not settle either: {outcome.reason}")
    return RolledBack(label, deployment.id, outcome)

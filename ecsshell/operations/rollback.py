"""Roll a service back: choose the revision to go back to, point the service at it, and follow that."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Service, TaskDefinition, arn_name
from . import OperationError
from .rollout import Outcome, Watch, watch_rollout

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


def choose_target(gateway: Gateway, cluster: str, service: str, revision: int | None = None) -> Target:
    """Return SERVICE's revision REVISION, or else the ACTIVE one before its own; refuse what cannot be used."""
    svc = gateway.describe_service(cluster, service)
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

"""List a cluster's or a service's tasks, and find one task by a unique id prefix, as git finds commits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Task
from . import OperationError

if TYPE_CHECKING:
    from .gateway import Gateway

SHOWN_CANDIDATES = 5  # an ambiguous prefix names at most this many of the tasks it matches


def list_tasks(gateway: Gateway, cluster: str, service: str | None = None, *, stopped: bool = False) -> list[Task]:
    """Return SERVICE's tasks, or every task of CLUSTER (standalone ones too), running or recently stopped."""
    desired = "STOPPED" if stopped else "RUNNING"
    if service:
        return gateway.service_tasks(cluster, service, desired_status=desired)
    return gateway.cluster_tasks(cluster, desired_status=desired)


def match_task(tasks: list[Task], ref: str, cluster: str) -> Task:
    """Return the one task of TASKS whose id starts with REF (or whose ARN is REF); refuse none or several."""
    exact = [t for t in tasks if ref in (t.arn, t.id)]
    found = exact or [t for t in tasks if t.id.startswith(ref)]
    if not found:
        raise OperationError(f'no running task of cluster "{cluster}" has an id starting with "{ref}"')
    if len(found) > 1:
        names = ", ".join(t.id for t in found[:SHOWN_CANDIDATES])
        more = f" and {len(found) - SHOWN_CANDIDATES} more" if len(found) > SHOWN_CANDIDATES else ""
        raise OperationError(f'task id prefix "{ref}" is ambiguous in cluster "{cluster}": it matches '
                             f"{len(found)} tasks ({names}{more}); give more of the id")
    return found[0]


def find_task(gateway: Gateway, cluster: str, ref: str) -> Task:
    """Return CLUSTER's running task named by REF: a whole id or ARN, or a prefix only one id has."""
    return match_task(gateway.cluster_tasks(cluster, desired_status="RUNNING"), ref, cluster)


def stop(gateway: Gateway, cluster: str, task: Task, reason: str) -> Task:
    """Stop TASK in CLUSTER with REASON; return the task as ECS reports it after StopTask."""
    return gateway.stop_task(cluster, task.arn, reason)

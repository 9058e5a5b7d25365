"""List a cluster's or a service's tasks, and find one task by a unique id prefix, as git finds commits."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import AwsError
from ..model import Service, Task
from . import OperationError

if TYPE_CHECKING:
    from .gateway import Gateway

SHOWN_CANDIDATES = 5  # an ambiguous prefix names at most this many of the tasks it matches
MIN_PREFIX = 4  # characters of a task id a prefix needs (as TASK_REF reads one)
TASK_REF = re.compile(r"^(?:arn:[^/]+:task/.+|[0-9a-f][0-9a-f-]{3,})$")  # a task ARN, or 4+ characters of an id
SHORT_REF = re.compile(r"^[0-9a-f][0-9a-f-]{0,2}$")  # what could begin a task id, but is too short to name one
WHOLE_ID = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def list_tasks(gateway: Gateway, cluster: str, service: str | None = None, *, stopped: bool = False) -> list[Task]:
    """Return SERVICE's tasks, or every task of CLUSTER (standalone ones too), running or recently stopped."""
    desired = "STOPPED" if stopped else "RUNNING"
    if service:
        return gateway.service_tasks(cluster, service, desired_status=desired)
    return gateway.cluster_tasks(cluster, desired_status=desired)


class AmbiguousTask(OperationError):
    """A task id prefix that more than one task's id starts with."""


def match_task(tasks: list[Task], ref: str, cluster: str, which: str = "running task") -> Task:
    """Return the one task of TASKS whose id starts with REF (or whose ARN is REF); refuse none or several."""
    exact = [t for t in tasks if ref in (t.arn, t.id)]
    found = exact or [t for t in tasks if t.id.startswith(ref)]
    if not found:
        short = f" ({too_short(ref)})" if too_short(ref) else ""
        raise OperationError(f'no {which} of cluster "{cluster}" has an id starting with "{ref}"{short}')
    if len(found) > 1:
        names = ", ".join(t.id for t in found[:SHOWN_CANDIDATES])
        more = f" and {len(found) - SHOWN_CANDIDATES} more" if len(found) > SHOWN_CANDIDATES else ""
        raise AmbiguousTask(f'task id prefix "{ref}" is ambiguous in cluster "{cluster}": it matches '
                             f"{len(found)} tasks ({names}{more}); give more of the id")
    return found[0]


def too_short(ref: str) -> str:
    """Return a clause saying how many characters a task id prefix needs when REF is too short for one, else ''."""
    return f"a task id prefix needs at least {MIN_PREFIX} characters" if SHORT_REF.match(ref) else ""


def find_task(gateway: Gateway, cluster: str, ref: str) -> Task:
    """Return CLUSTER's running task named by REF: a whole id or ARN, or a prefix only one id has."""
    return match_task(gateway.cluster_tasks(cluster, desired_status="RUNNING"), ref, cluster)


def stop(gateway: Gateway, cluster: str, task: Task, reason: str) -> Task:
    """Stop TASK in CLUSTER with REASON; return the task as ECS reports it after StopTask."""
    return gateway.stop_task(cluster, task.arn, reason)


def looks_like_task(ref: str) -> bool:
    """Say whether REF could name a task: a task ARN, or at least 4 characters of a (hex) task id."""
    return bool(TASK_REF.match(ref))


def find_any_task(gateway: Gateway, cluster: str, ref: str) -> Task:
    """Return CLUSTER's task named by REF, running or recently stopped: a whole id or ARN, or a unique prefix."""
    if WHOLE_ID.match(ref) or ref.startswith("arn:"):
        found = gateway.describe_tasks(cluster, [ref])
        if found:
            return found[0]
    stopped = gateway.submit(gateway.cluster_tasks, cluster, "STOPPED")
    running = gateway.cluster_tasks(cluster, desired_status="RUNNING")
    return match_task(running + stopped.result(), ref, cluster, "task")


def service_or_task(gateway: Gateway, cluster: str, name: str) -> Service | Task:
    """Return CLUSTER's service NAME; failing that, when NAME looks like a task id (or prefix), that task.

    A service of that name always wins. When neither exists the service's error (with its did-you-mean) stands.
    """
    try:
        return gateway.describe_service(cluster, name)
    except AwsError as exc:
        if too_short(name):  # perhaps meant as a task: say what a prefix needs
            raise AwsError(f"{exc}; {too_short(name)}", operation=exc.operation, code=exc.code) from None
        if not looks_like_task(name):
            raise
        service_error = exc
    try:
        return find_any_task(gateway, cluster, name)
    except AmbiguousTask:
        raise
    except OperationError:
        raise service_error from None

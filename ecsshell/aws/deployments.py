"""ECS service deployments and service revisions: list, describe (20 a call, concurrently), stop, continue."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from ..model import ServiceDeployment, ServiceRevision
from . import convert
from .caller import ClientName
from .pool import chunked, distinct

T = TypeVar("T")
R = TypeVar("R")

ARN_BATCH = 20  # DescribeServiceDeployments / DescribeServiceRevisions take at most 20 ARNs a call
LIST_PAGE = 100  # ListServiceDeployments maxResults (ECS's maximum; its default is 20)


class Calls(Protocol):
    """The part of the gateway this module uses."""

    def call(self, api: ClientName, method: str, context: str = "", /, **params: Any) -> dict[str, Any]: ...

    def call_once(self, api: ClientName, method: str, context: str = "", /, **params: Any) -> dict[str, Any]: ...

    def pages(self, api: ClientName, method: str, key: str, context: str = "", /, *, token_in: str = "nextToken",
              token_out: str = "nextToken", **params: Any) -> Iterator[list[Any]]: ...

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...


def list_service_deployments(gateway: Calls, cluster: str, service: str,
                             status: list[str] | None = None) -> list[ServiceDeployment]:
    """Return SERVICE's deployment briefs (of STATUS, if given), following nextToken to the last page."""
    params: dict[str, Any] = {"cluster": cluster, "service": service, "maxResults": LIST_PAGE}
    if status:
        params["status"] = status
    pages = gateway.pages("ecs", "list_service_deployments", "serviceDeployments",
                          f'service "{service}" in cluster "{cluster}"', **params)
    return [convert.service_deployment(brief) for page in pages for brief in page]


def describe_service_deployments(gateway: Calls, arns: Iterable[str]) -> list[ServiceDeployment]:
    """Describe service deployments ARNS, 20 a call, concurrently, in the order asked (unknown ones left out)."""
    wanted = [a for a in distinct(arns) if a]

    def batch(names: list[str]) -> list[ServiceDeployment]:
        answer = gateway.call("ecs", "describe_service_deployments", "service deployments",
                              serviceDeploymentArns=names)
        return [convert.service_deployment(d) for d in answer.get("serviceDeployments") or []]

    found = {d.arn: d for part in gateway.map(batch, list(chunked(wanted, ARN_BATCH))) for d in part}
    return [found[a] for a in wanted if a in found]


def describe_service_revisions(gateway: Calls, arns: Iterable[str]) -> dict[str, ServiceRevision]:
    """Describe service revisions ARNS, 20 a call, concurrently, keyed by ARN (unknown ones left out)."""
    wanted = [a for a in distinct(arns) if a]

    def batch(names: list[str]) -> list[ServiceRevision]:
        answer = gateway.call("ecs", "describe_service_revisions", "service revisions", serviceRevisionArns=names)
        return [convert.service_revision(r) for r in answer.get("serviceRevisions") or []]

    return {r.arn: r for part in gateway.map(batch, list(chunked(wanted, ARN_BATCH))) for r in part}


def stop_service_deployment(gateway: Calls, arn: str, stop_type: str = "ROLLBACK") -> str:
    """Ask ECS to stop service deployment ARN (ROLLBACK: go back to the source revision; ABORT: stay)."""
    answer = gateway.call_once("ecs", "stop_service_deployment", f'service deployment "{arn}"',
                               serviceDeploymentArn=arn, stopType=stop_type)
    return str(answer.get("serviceDeploymentArn") or arn)


def continue_service_deployment(gateway: Calls, arn: str, hook_id: str, action: str = "CONTINUE") -> str:
    """Resume service deployment ARN paused at hook HOOK_ID (ACTION CONTINUE, or ROLLBACK)."""
    answer = gateway.call_once("ecs", "continue_service_deployment", f'service deployment "{arn}"',
                               serviceDeploymentArn=arn, hookId=hook_id, action=action)
    return str(answer.get("serviceDeploymentArn") or arn)

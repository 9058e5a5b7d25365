"""What the load balancer and log helpers need from the gateway: calls, paged calls and a pool map."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
# the boto3 clients ecsshell makes
ClientName = Literal["ecs", "elbv2", "elb", "logs", "sts", "ssm", "iam", "scheduler", "events",
                     "application-autoscaling", "ecr", "secretsmanager", "cloudwatch", "organizations", "account",
                     "ec2"]


class Caller(Protocol):
    """The part of the gateway a helper module uses, so that helpers never import the gateway."""

    def call(self, api: ClientName, method: str, context: str = "", /, **params: Any) -> dict[str, Any]: ...

    def call_once(self, api: ClientName, method: str, context: str = "", /, **params: Any) -> dict[str, Any]: ...

    def pages(self, api: ClientName, method: str, key: str, context: str = "", /, *, token_in: str = "nextToken",
              token_out: str = "nextToken", **params: Any) -> Iterator[list[Any]]: ...

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...

"""The calls the operations make on AWS, typed, so they need not know the boto3 gateway."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from ..model import (
    Cluster,
    LoadBalancer,
    LogEvent,
    Revision,
    RunFailure,
    Service,
    ServiceRevision,
    Task,
    TaskDefinition,
)

T = TypeVar("T")
R = TypeVar("R")


class Gateway(Protocol):
    """What of ECS, ELB and CloudWatch Logs the operations use (ecsshell.aws.gateway.Gateway has it all)."""

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]: ...

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...

    def list_clusters(self) -> list[Cluster]: ...

    def list_services(self, cluster: str) -> list[Service]: ...

    def describe_services(self, cluster: str, names: list[str]) -> list[Service]: ...

    def describe_service(self, cluster: str, name: str) -> Service: ...

    def update_service(self, cluster: str, service: str, *, task_definition: str | None = None,
                       desired_count: int | None = None) -> Service: ...

    def service_revisions(self, arns: Iterable[str]) -> list[ServiceRevision]: ...

    def task_definition(self, ref: str) -> TaskDefinition: ...

    def task_definitions(self, arns: Iterable[str]) -> dict[str, TaskDefinition]: ...

    def revisions(self, family: str) -> list[Revision]: ...

    def active_revisions(self, family: str) -> list[Revision]: ...

    def register_task_definition(self, spec: Mapping[str, Any]) -> TaskDefinition: ...

    def deregister_task_definition(self, arn: str) -> None: ...

    def describe_tasks(self, cluster: str, arns: Iterable[str]) -> list[Task]: ...

    def service_tasks(self, cluster: str, service: str, desired_status: str = "RUNNING") -> list[Task]: ...

    def cluster_tasks(self, cluster: str, desired_status: str = "RUNNING",
                      family: str | None = None) -> list[Task]: ...

    def stop_task(self, cluster: str, task: str, reason: str) -> Task: ...

    def has_cluster(self, name: str) -> bool: ...

    def run_task(self, cluster: str, task_definition: str, *, count: int = 1, launch_type: str | None = None,
                 network_configuration: dict[str, Any] | None = None) -> tuple[list[Task], list[RunFailure]]: ...

    def load_balancers(self, services: Iterable[Service]) -> list[LoadBalancer]: ...

    def log_events(self, group: str, stream_names_or_prefix: str | Sequence[str],
                   start_time_ms: int) -> list[LogEvent]: ...

"""Why tasks fail, as ECS reports it: stop code, stopped reason, container exit codes, health and events.

Tests and worlds script one cause at a time, on a task definition revision or a service:

- `cannot_pull`: the image cannot be pulled (stopCode TaskFailedToStart, "CannotPullContainerError: ...");
- `lacks_secrets`: the execution role cannot read the secrets or registry auth ("ResourceInitializationError:
  unable to pull secrets or registry auth: ...");
- `exits`: an essential container exits with a code ("Essential container in task exited");
- `fails_health_checks`: the container health check fails ("Task failed container health checks");
- `fails_target_health`: the load balancer's health checks fail (see `load_balancing.py`);
- `unplaceable`: no container instance can take the service's tasks (the service event ECS writes).

The scheduler's failure path (`Scheduler._stopped`) hands each failed task to `Causes.shape`, and its
reconcile loop asks `Causes.placeable` before it starts tasks.
"""

from __future__ import annotations

import hashlib
import uuid
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

PULL_ERROR = "CannotPullContainerError"
INIT_ERROR = "ResourceInitializationError"
SECRETS_REASON = f"{INIT_ERROR}: unable to pull secrets or registry auth: "
HEALTH_REASON = "Task failed container health checks"
ESSENTIAL_REASON = "Essential container in task exited"
NO_INSTANCES = "No Container Instances were found in your cluster."
DEFAULT_PULL_DETAIL = ("pull image manifest has been retried 7 time(s): failed to resolve ref {image}: "
                       "not found")
DEFAULT_SECRETS_DETAIL = ("execution resource retrieval failed: unable to retrieve secret from asm: service call "
                          "has been retried 1 time(s): AccessDeniedException: User: "
                          "arn:aws:sts::123456789012:assumed-role/ecsTaskExecutionRole is not authorized to "
                          "perform: secretsmanager:GetSecretValue")
SIGTERM_EXIT = 143  # what a container stopped by ECS (SIGTERM) usually exits with


def placement_event(service_name: str, reason: str) -> str:
    """Return the service event ECS writes when it cannot place a task of SERVICE_NAME."""
    return (f"(service {service_name}) was unable to place a task because no container instance met all of its "
            f"requirements. Reason: {reason} For more information, see the Troubleshooting section of the "
            "Amazon ECS Developer Guide.")


def image_digest(image: str) -> str:
    """Return the digest the registry would resolve IMAGE to (the pinned one, or one made from the name)."""
    if "@sha256:" in image:
        return image.split("@", 1)[1]
    return "sha256:" + hashlib.sha256(image.encode()).hexdigest()


def started(task: Any) -> None:
    """Give TASK's containers what ECS reports once they run: image digest, runtime id, the ECS Exec agent."""
    for container in task.containers:
        container.image_digest = image_digest(str(container.image or ""))
        container.runtime_id = f"{task.id}-{uuid.uuid4().int % 10**10:010d}"
        if getattr(task, "enable_execute_command", False):
            container.managed_agents = [{"name": "ExecuteCommandAgent", "lastStatus": "RUNNING"}]


class World(Protocol):
    """The world as scripting a cause needs it: its lock, its scheduler and moto's ECS backend."""

    @property
    def lock(self) -> AbstractContextManager[Any]: ...

    @property
    def scheduler(self) -> Any: ...  # the Scheduler (scheduler.py imports this module)

    def backend(self, service: str = "ecs") -> Any: ...


class Causes:
    """The failure causes scripted on task definition revisions and services of one world."""

    def __init__(self) -> None:
        self.exit_codes: dict[str, tuple[int, str | None]] = {}  # task definition ARN -> (code, container)
        self.unplaceable: dict[str, str] = {}  # "cluster:service" -> the reason placement gives

    def clear(self) -> None:
        self.exit_codes.clear()
        self.unplaceable.clear()

    def shape(self, task: Any, reason: str, now: datetime) -> None:
        """Make the failed TASK look as ECS reports a task stopped for REASON."""
        containers = list(task.containers)
        if reason.startswith((PULL_ERROR, INIT_ERROR)):
            task.stop_code = "TaskFailedToStart"
            if reason.startswith(PULL_ERROR):
                task.pull_started_at = now - timedelta(seconds=1)
            for index, container in enumerate(containers):
                container.exitCode = None
                container.reason = reason if index == 0 and reason.startswith(PULL_ERROR) else None
            return
        task.started_at = now - timedelta(seconds=1)
        task.pull_started_at = now - timedelta(seconds=3)
        task.pull_stopped_at = now - timedelta(seconds=2)
        if reason.startswith(HEALTH_REASON):
            task.stop_code = "ServiceSchedulerInitiated"
            task.health_status = "UNHEALTHY"
            for container in containers:
                container.exitCode = SIGTERM_EXIT
                container.reason = None
                container.health_status = "UNHEALTHY"
            return
        code, name = self.exit_codes.get(task.task_definition_arn, (None, None))
        if code is None:
            return
        failing = next((c for c in containers if c.name == name), containers[0] if containers else None)
        for container in containers:
            ours = container is failing
            container.exitCode = code if ours else 0
            container.reason = f"Container {container.name} exited with code {code}" if ours else None

    def placeable(self, service: Any, now: datetime, write_event: Any) -> bool:
        """Say whether SERVICE's tasks can be placed; if not, write ECS's event (once until it changes)."""
        reason = self.unplaceable.get(f"{service.cluster_name}:{service.name}")
        if reason is None:
            return True
        message = placement_event(service.name, reason)
        newest = service.events[0]["message"] if service.events else None
        if newest != message:
            write_event(service, now, message)
        return False


# what tests and worlds script --------------------------------------------------------------------
def cannot_pull(world: World, task_definition: str, detail: str | None = None) -> None:
    """Make tasks of TASK_DEFINITION fail to pull their image."""
    image = world.backend().describe_task_definition(task_definition).container_definitions[0].get("image")
    text = detail or DEFAULT_PULL_DETAIL.format(image=image)
    world.scheduler.break_revision(task_definition, f"{PULL_ERROR}: {text}")


def lacks_secrets(world: World, task_definition: str, detail: str = DEFAULT_SECRETS_DETAIL) -> None:
    """Make tasks of TASK_DEFINITION fail because the execution role cannot read their secrets."""
    world.scheduler.break_revision(task_definition, SECRETS_REASON + detail)


def exits(world: World, task_definition: str, code: int, container: str | None = None) -> None:
    """Make an essential container (CONTAINER, or the first) of TASK_DEFINITION's tasks exit with CODE."""
    scheduler = world.scheduler
    scheduler.break_revision(task_definition, ESSENTIAL_REASON)
    arn = str(world.backend().describe_task_definition(task_definition).arn)
    with world.lock:
        scheduler.causes.exit_codes[arn] = (code, container)


def fails_health_checks(world: World, task_definition: str) -> None:
    """Make TASK_DEFINITION's tasks fail their container health checks (ECS then stops them)."""
    world.scheduler.break_revision(task_definition, HEALTH_REASON)


def fails_target_health(world: World, task_definition: str) -> None:
    """Make the load balancer targets of TASK_DEFINITION's tasks fail their health checks."""
    world.scheduler.mark_unhealthy(task_definition)


def unplaceable(world: World, cluster: str, service: str, reason: str = NO_INSTANCES) -> None:
    """Make the scheduler unable to place SERVICE's new tasks in CLUSTER, for REASON."""
    with world.lock:
        world.scheduler.causes.unplaceable[f"{cluster}:{service}"] = reason

"""Class-level shims that make moto's ECS backend answer the way the ECS control plane does.

Each shim is one function that wraps one moto method; `install` applies them all once per process.
This module imports moto at its top: `server` imports it only when a world starts.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any, Protocol

from moto.core.responses import ActionResult
from moto.ecs import exceptions, models, responses

from . import awsvpc, client_tokens, execute_command, fleets, load_balancing, scaling, schedules, speedups, ssm_sessions
from .scheduler import START_SECONDS, Scheduler, container_records, new_deployment_id


class Host(load_balancing.Host, Protocol):
    """The world as the shims see it: its region and its scheduler (the emulated clock)."""

    @property
    def region(self) -> str: ...

    @property
    def scheduler(self) -> Scheduler: ...

    def at(self, account: str, region: str) -> AbstractContextManager[None]: ...


def _deployments(world: Host, backend: Any) -> AbstractContextManager[None]:
    """Let the service deployments read BACKEND's account and Region (a world serves several) meanwhile."""
    return world.at(backend.account_id, backend.region_name)


class _Worlds(dict[str, "Host"]):
    """Region -> world, so shims can reach the scheduler's clock; a world serves every Region (issue 14),
    so a Region no world was started for falls back to the world registered last."""

    def get(self, region: str, default: Host | None = None) -> Host | None:  # type: ignore[override]
        found = super().get(region)
        if found is None and self:
            found = next(reversed(self.values()))
        return found if found is not None else default


_worlds: dict[str, Host] = _Worlds()
_installed = False


def _world_for(region: str) -> Host | None:
    return _worlds.get(region)


def _wrap(cls: type, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    original = getattr(cls, name)
    if getattr(original, "_ecsshell_shim", False):
        return
    wrapped = functools.wraps(original)(make(original))
    wrapped._ecsshell_shim = True  # type: ignore[attr-defined]
    setattr(cls, name, wrapped)


def register(world: Host) -> None:
    """Let the shims find WORLD's scheduler by its region."""
    _worlds[world.region] = world


def unregister(world: Host) -> None:
    """Forget WORLD (stopped), so the shims of another world's calls never read its clock."""
    for region in [r for r, w in _worlds.items() if w is world]:
        del _worlds[region]


def install() -> None:
    """Apply every shim to moto's classes, once per process."""
    global _installed
    if _installed:
        return
    # moto's EC2 backend otherwise loads ~1,300 default AMIs on every reset (hundreds of milliseconds).
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    load_balancing.install(_worlds)
    schedules.install(_worlds)
    execute_command.install()
    ssm_sessions.install(_world_for)
    awsvpc.install()
    speedups.install()
    scaling.install()
    fleets.install()  # account:ListRegions, opt-in Regions, AssumeRole refused by an account
    backend_cls = models.EC2ContainerServiceBackend
    response_cls = responses.EC2ContainerServiceResponse
    _count_task_memory(backend_cls)
    _wrap(backend_cls, "list_tasks", _list_tasks_by_service)
    _wrap(backend_cls, "describe_task_definition", _describe_latest_active_revision)
    _wrap(backend_cls, "create_service", _refuse_duplicate_service)
    _wrap(backend_cls, "update_service", _update_service_like_ecs)
    _wrap(backend_cls, "stop_task", _stop_task_like_ecs)
    _wrap(backend_cls, "describe_clusters", _describe_clusters_counted)
    _wrap(backend_cls, "describe_services", _describe_services_with_revisions)
    _wrap(response_cls, "list_task_definition_families", _list_families_by_status)
    _wrap(response_cls, "list_task_definitions", _sort_task_definitions)
    _wrap(response_cls, "create_service", _keep_service_settings)
    _wrap(response_cls, "run_task", _run_task_like_ecs)
    _wrap(response_cls, "describe_tasks", _describe_tasks_in_cluster)
    client_tokens.install()  # outermost: a repeated token answers before any shim starts a task
    _installed = True


def _list_tasks_by_service(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make ListTasks filter by serviceName (unknown: ServiceNotFound) and desiredStatus (default RUNNING)."""
    def shim(self: Any, cluster_str: Any = None, container_instance: Any = None, family: Any = None,
             started_by: Any = None, service_name: Any = None, desiredStatus: Any = None) -> Any:
        tasks = original(self, cluster_str, container_instance, family, started_by, None, None)
        if service_name:
            name = service_name.rsplit("/", 1)[-1]
            cluster = self._get_cluster(cluster_str or "default")
            if f"{cluster.name}:{name}" not in self.services:
                raise exceptions.ServiceNotFoundException()
            tasks = [t for t in tasks if t.group == f"service:{name}"]
        wanted = desiredStatus or "RUNNING"
        return [t for t in tasks if t.desired_status == wanted]
    return shim


def _describe_latest_active_revision(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make DescribeTaskDefinition of a bare family answer its latest ACTIVE revision."""
    def shim(self: Any, task_definition_str: str) -> Any:
        name = task_definition_str.split("/")[-1]
        if ":" not in name:
            active = [td for td in self.task_definitions.get(name, {}).values() if td.status == "ACTIVE"]
            if not active:
                raise exceptions.TaskDefinitionNotFoundException()
            return max(active, key=lambda td: td.revision)
        return original(self, task_definition_str)
    return shim


def _refuse_duplicate_service(original: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse CreateService of an ACTIVE service and start a new one's deployment IN_PROGRESS with no tasks."""
    def shim(self: Any, cluster_str: str, service_name: str, *args: Any, **kwargs: Any) -> Any:
        cluster = self._get_cluster(cluster_str)
        existing = self.services.get(f"{cluster.name}:{service_name}")
        if existing is not None and existing.status == "ACTIVE":
            raise exceptions.InvalidParameterException("Creation of service was not idempotent.")
        service = original(self, cluster_str, service_name, *args, **kwargs)
        world = _world_for(self.region_name)
        now = world.scheduler.now() if world else None
        service.created_at = now
        service.deployment_configuration = getattr(service, "deployment_configuration", None) or {
            "deploymentCircuitBreaker": {"enable": True, "rollback": False},
            "maximumPercent": 200, "minimumHealthyPercent": 100}
        service.running_count = 0
        service.pending_count = 0
        for deployment in service.deployments:
            deployment.update(runningCount=0, pendingCount=0, failedTasks=0, rolloutState="IN_PROGRESS",
                              rolloutStateReason=f"ECS deployment {deployment['id']} in progress.",
                              createdAt=now, updatedAt=now)
        if world is not None and now is not None:
            with _deployments(world, self):
                world.scheduler.service_deployments.service_created(service, now)
        return service
    return shim


# UpdateService's refusal of a new task definition for services ECS does not deploy itself
CONTROLLER_REFUSALS = {
    "CODE_DEPLOY": "Unable to update task definition on services with a CODE_DEPLOY deployment controller. "
                   "Use AWS CodeDeploy to trigger a new deployment.",
    "EXTERNAL": "Unable to update task definition on services with a EXTERNAL deployment controller. "
                "Use a new task set to deploy a new task definition.",
}


def _update_service_like_ecs(original: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse UpdateService to an INACTIVE task definition, a negative desiredCount or a task definition
    change of a CODE_DEPLOY or EXTERNAL service; deploy on change or force, recording a service deployment."""
    def shim(self: Any, props: dict[str, Any]) -> Any:
        props = dict(props)
        cluster_str = props.get("cluster", "default")
        service = self._get_service(cluster_str, props["service"].split("/")[-1])
        force = bool(props.pop("force_new_deployment", False))
        td_str = props.pop("task_definition", None)
        new_td = self.describe_task_definition(td_str) if td_str else None
        if new_td is not None and new_td.status != "ACTIVE":
            raise exceptions.EcsClientException("TaskDefinition is inactive")
        refusal = CONTROLLER_REFUSALS.get(service.deployment_controller.get("type", "ECS"))
        if refusal and new_td is not None and new_td.arn != service.task_definition:
            raise exceptions.InvalidParameterException(refusal)
        desired = props.pop("desired_count", None)
        if desired is not None and (not isinstance(desired, int) or desired < 0):
            raise exceptions.InvalidParameterException("desiredCount must be a non-negative integer.")
        result = original(self, props)
        world = _world_for(self.region_name)
        now = world.scheduler.now() if world else None
        if desired is not None:
            service.desired_count = desired
        changed = new_td is not None and new_td.arn != service.task_definition
        if new_td is not None:
            service.task_definition = new_td.arn
        if (changed or force) and service.deployments:
            old = service.deployments[0]
            old["status"] = "ACTIVE"
            deployment = dict(old)
            deployment_id = new_deployment_id()
            deployment.update(id=deployment_id, status="PRIMARY", taskDefinition=service.task_definition,
                              desiredCount=service.desired_count, runningCount=0, pendingCount=0,
                              failedTasks=0, rolloutState="IN_PROGRESS",
                              rolloutStateReason=f"ECS deployment {deployment_id} in progress.",
                              createdAt=now, updatedAt=now)
            service.deployments.insert(0, deployment)
        elif service.deployments:
            service.deployments[0]["desiredCount"] = service.desired_count
            if desired is not None and service.deployments[0].get("rolloutState") == "COMPLETED" \
                    and desired != service.running_count:
                service.emu_steady = False
        if world is not None and now is not None:
            with _deployments(world, self):
                world.scheduler.service_deployments.service_updated(service, now, deployed=changed or force)
        return result
    return shim


def _list_families_by_status(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make ListTaskDefinitionFamilies honour status ACTIVE and INACTIVE."""
    def shim(self: Any) -> Any:
        result = original(self)
        status = self._get_param("status", "ALL")
        if status in ("ACTIVE", "INACTIVE"):
            backend = self.ecs_backend
            data = result.result if hasattr(result, "result") else result
            keep = []
            for family in data["families"]:
                statuses = {td.status for td in backend.task_definitions.get(family, {}).values()}
                if (status == "ACTIVE" and "ACTIVE" in statuses) or \
                        (status == "INACTIVE" and "ACTIVE" not in statuses):
                    keep.append(family)
            data["families"] = keep
        return result
    return shim


def _sort_task_definitions(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make ListTaskDefinitions sort by family and revision, descending for sort=DESC."""
    def shim(self: Any) -> Any:
        result = original(self)
        data = result.result if hasattr(result, "result") else result
        arns = data["taskDefinitionArns"]

        def key(arn: str) -> tuple[str, int]:
            family, revision = arn.rsplit("/", 1)[-1].rsplit(":", 1)
            return family, int(revision)

        arns.sort(key=key, reverse=self._get_param("sort", "ASC") == "DESC")
        return result
    return shim


def _keep_service_settings(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make CreateService keep deploymentConfiguration, healthCheckGracePeriodSeconds and enableExecuteCommand."""
    def shim(self: Any) -> Any:
        result = original(self)
        service = self.ecs_backend._get_service(self._get_param("cluster", "default"),
                                                self._get_param("serviceName"))
        service.deployment_configuration = self._get_param("deploymentConfiguration") or {
            "deploymentCircuitBreaker": {"enable": True, "rollback": False},
            "maximumPercent": 200, "minimumHealthyPercent": 100}
        service.health_check_grace_period_seconds = self._get_param("healthCheckGracePeriodSeconds")
        service.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
        world = _world_for(self.ecs_backend.region_name)
        if world is not None:
            with _deployments(world, self.ecs_backend):
                world.scheduler.service_deployments.service_configured(service)
        return result
    return shim


def _run_task_like_ecs(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make RunTask on EC2 without container instances fail each task, and start tasks PENDING at emulated time."""
    def shim(self: Any) -> Any:
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        launch_type = self._get_param("launchType")
        strategy = self._get_param("capacityProviderStrategy") or cluster.default_capacity_provider_strategy
        fargate = launch_type == "FARGATE" or bool(
            strategy and strategy[0].get("capacityProvider") in ("FARGATE", "FARGATE_SPOT"))
        if not fargate and not backend.container_instances.get(cluster.name):
            backend.describe_task_definition(self._get_param("taskDefinition"))
            count = self._get_int_param("count", 1)
            failures = [{"arn": cluster.arn, "reason": "No Container Instances were found in your cluster."}
                        for _ in range(count)]
            return ActionResult({"tasks": [], "failures": failures})
        result = original(self)
        data = result.result if hasattr(result, "result") else result
        world = _world_for(backend.region_name)
        for task in data["tasks"]:
            task_def = backend.describe_task_definition(task.task_definition_arn)
            task.containers = container_records(task_def, task)
            task.last_status = "PENDING"
            task.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
            if world is not None:
                with _deployments(world, backend):
                    world.scheduler.service_deployments.stamp_digests(task)  # digests resolved at run time
                now = world.scheduler.now()
                task.created_at = now
                task.emu_created_at = now
                task.emu_ready_at = now + timedelta(seconds=START_SECONDS)
        return result
    return shim


def _stop_task_like_ecs(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make StopTask of an unknown task a 400, and stop the task's containers at emulated time."""
    def shim(self: Any, cluster_str: str, task_str: str, reason: str) -> Any:
        cluster = self._get_cluster(cluster_str)
        task_id = task_str.split("/")[-1]
        if not any(arn.endswith(task_id) for arn in self.tasks.get(cluster.name, {})):
            raise exceptions.InvalidParameterException("The referenced task was not found.")
        task = original(self, cluster_str, task_str, reason)
        world = _world_for(self.region_name)
        if world is not None:
            now = world.scheduler.now()
            task.stopped_at = getattr(task, "stopped_at", None) or now
            task.stopping_at = getattr(task, "stopping_at", None) or now
            task.stop_code = getattr(task, "stop_code", None) or "UserInitiated"
            task.health_status = "UNKNOWN"
            for container in task.containers:
                if container.last_status != "STOPPED":
                    container.last_status = "STOPPED"
                    container.health_status = "UNKNOWN"
        return task
    return shim


def _describe_tasks_in_cluster(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make DescribeTasks answer only the named cluster's tasks and report the others MISSING."""
    def shim(self: Any) -> Any:
        result = original(self)
        data = result.result if hasattr(result, "result") else result
        cluster = self.ecs_backend._get_cluster(self._get_param("cluster", "default"))
        data["tasks"] = [t for t in data["tasks"] if t.cluster_name == cluster.name]
        world = _world_for(self.ecs_backend.region_name)
        if world is not None:
            with _deployments(world, self.ecs_backend):
                for task in data["tasks"]:
                    world.scheduler.service_deployments.stamp_digests(task)
        found = {t.task_arn for t in data["tasks"]} | {t.id for t in data["tasks"]}
        data["failures"] = [{"arn": wanted, "reason": "MISSING"} for wanted in self._get_param("tasks", [])
                            if wanted not in found and wanted.rsplit("/", 1)[-1] not in found]
        return result
    return shim


def _describe_services_with_revisions(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make DescribeServices carry currentServiceDeployment and currentServiceRevisions with live counts."""
    def shim(self: Any, *args: Any, **kwargs: Any) -> Any:
        services, failures = original(self, *args, **kwargs)
        world = _world_for(self.region_name)
        if world is not None:
            with _deployments(world, self):
                for service in services:
                    world.scheduler.service_deployments.publish(service)
        return services, failures
    return shim


def _describe_clusters_counted(original: Callable[..., Any]) -> Callable[..., Any]:
    """Make DescribeClusters report the service, task and instance counts that exist."""
    def shim(self: Any, *args: Any, **kwargs: Any) -> Any:
        Scheduler.refresh_counts(self)
        return original(self, *args, **kwargs)
    return shim



def _count_task_memory(backend_cls: Any) -> None:
    """Make task placement count task-level memory for containers that set none (Fargate task definitions)."""
    original_requirements = backend_cls._calculate_task_resource_requirements
    if getattr(original_requirements, "_ecsshell_shim", False):
        return

    def requirements(task_definition: Any) -> Any:
        """Count task-level memory for containers that set none (Fargate task definitions)."""
        containers = task_definition.container_definitions
        if all(c.get("memory") or c.get("memoryReservation") or c.get("Memory") or c.get("MemoryReservation")
               for c in containers):
            return original_requirements(task_definition)
        share = int(task_definition.memory or 0) // max(1, len(containers))
        shaped = copy.copy(task_definition)
        shaped.container_definitions = [
            c if (c.get("memory") or c.get("memoryReservation")) else {**c, "memory": share}
            for c in containers]
        return original_requirements(shaped)

    requirements._ecsshell_shim = True  # type: ignore[attr-defined]
    backend_cls._calculate_task_resource_requirements = staticmethod(requirements)

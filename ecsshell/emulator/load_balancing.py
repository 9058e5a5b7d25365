"""Load balancer targets for service tasks, and the target health the scheduler decides.

When a service task reaches RUNNING, each of the service's `loadBalancers` gets a target for it:
an ALB/NLB target group gets the task's ENI address and container port (awsvpc), or its container
instance's EC2 id and host port (bridge on EC2), or a made-up address when the task has neither;
a classic ELB gets the container instance. A target drains while its task is stopping and is
deregistered once the task has stopped. moto keys target-group targets by id alone and reports
every target healthy: `install` keys them by (id, port) and reports targets of task definitions in
`scheduler.unhealthy` as failing their health checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

UNHEALTHY_REASON = "Target.ResponseCodeMismatch"
UNHEALTHY_DESCRIPTION = "Health checks failed with these codes: [502]"
DRAINING_REASON = "Target.DeregistrationInProgress"
DRAINING_DESCRIPTION = "Target deregistration is in progress"
CLASSIC_UNHEALTHY_DESCRIPTION = ("Instance has failed at least the UnhealthyThreshold number of health "
                                 "checks consecutively.")
SYNTHETIC_NETWORK = "10.254"  # addresses for tasks that have neither an ENI nor a container instance


class Marks(Protocol):
    """The scheduler as load balancing sees it: which task definitions fail health checks, and its targets."""

    @property
    def unhealthy(self) -> set[str]: ...

    @property
    def elb(self) -> LoadBalancing: ...


class Host(Protocol):
    """The world as load balancing sees it: moto's backends and its scheduler's marks."""

    @property
    def scheduler(self) -> Marks: ...

    def backend(self, service: str = "ecs") -> Any: ...


@dataclass
class Registration:
    """One target a task holds: in a target group (ALB/NLB) or a classic load balancer."""

    target_id: str
    port: int | None
    task_definition_arn: str
    target_group_arn: str | None = None
    load_balancer_name: str | None = None
    draining: bool = False


def port_of(value: Any) -> int | None:
    """Return VALUE as a port number, or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class LoadBalancing:
    """Keeps service tasks registered with their services' load balancers."""

    def __init__(self, world: Host) -> None:
        self.world = world
        self.by_task: dict[tuple[str, str], list[Registration]] = {}  # (cluster, task ARN) -> targets
        self._synthetic = 0

    def reset(self) -> None:
        """Forget every registration (moto's load balancers are reset separately)."""
        self.by_task.clear()
        self._synthetic = 0

    # the scheduler's hooks ----------------------------------------------------------------------
    def task_running(self, backend: Any, task: Any) -> None:
        """Register TASK with its service's load balancers, if it belongs to a service with any."""
        group = task.group or ""
        if not group.startswith("service:"):
            return
        service = backend.services.get(f"{task.cluster_name}:{group.split(':', 1)[1]}")
        if service is None or not service.load_balancers:
            return
        registrations: list[Registration] = []
        for ref in service.load_balancers:
            if ref.get("targetGroupArn"):
                registration = self._register_target(backend, task, ref)
            elif ref.get("loadBalancerName"):
                registration = self._register_instance(backend, task, ref)
            else:
                registration = None
            if registration is not None:
                registrations.append(registration)
        if registrations:
            self.by_task[(task.cluster_name, task.task_arn)] = registrations

    def sweep(self, backend: Any) -> None:
        """Drain targets of stopping tasks and deregister targets of stopped or forgotten ones."""
        for key, registrations in list(self.by_task.items()):
            cluster, arn = key
            task = backend.tasks.get(cluster, {}).get(arn)
            if task is None or task.last_status == "STOPPED":
                del self.by_task[key]
                for registration in registrations:
                    self._deregister(registration)
            elif task.desired_status == "STOPPED":
                for registration in registrations:
                    if not registration.draining:
                        registration.draining = True
                        self._mark(registration, emu_draining=True)

    # registration --------------------------------------------------------------------------------
    def _target_for(self, backend: Any, task: Any, ref: dict[str, Any]) -> tuple[str, int | None]:
        """Choose the (id, port) under which TASK serves REF's container port."""
        container_port = port_of(ref.get("containerPort"))
        eni = eni_of(task)
        if eni is not None:
            return eni[1], container_port
        instance_arn = task.container_instance_arn
        if instance_arn:
            instance = backend.container_instances.get(task.cluster_name, {}).get(instance_arn.rsplit("/", 1)[-1])
            if instance is not None:
                return str(instance.ec2_instance_id), self._host_port(task, ref) or container_port
        self._synthetic += 1
        n = self._synthetic
        return f"{SYNTHETIC_NETWORK}.{n // 250 % 250}.{n % 250 + 1}", container_port

    @staticmethod
    def _host_port(task: Any, ref: dict[str, Any]) -> int | None:
        for container in task.containers:
            if container.name != ref.get("containerName"):
                continue
            for binding in getattr(container, "network_bindings", None) or []:
                if port_of(binding.get("containerPort")) == port_of(ref.get("containerPort")):
                    return port_of(binding.get("hostPort"))
        return None

    def _register_target(self, backend: Any, task: Any, ref: dict[str, Any]) -> Registration | None:
        target_group = self.world.backend("elbv2").target_groups.get(ref["targetGroupArn"])
        if target_group is None:
            return None
        target_id, port = self._target_for(backend, task, ref)
        target_group.register([{"Id": target_id, "Port": port if port is not None else target_group.port}])
        registration = Registration(target_id, port_of(port if port is not None else target_group.port),
                                    task.task_definition_arn, target_group_arn=target_group.arn)
        self._mark(registration, emu_task_arn=task.task_arn, emu_task_definition=task.task_definition_arn)
        return registration

    def _register_instance(self, backend: Any, task: Any, ref: dict[str, Any]) -> Registration | None:
        name = ref["loadBalancerName"]
        classic = self.world.backend("elb")
        if classic.load_balancers.get(name) is None or not task.container_instance_arn:
            return None
        target_id, port = self._target_for(backend, task, ref)
        if not target_id.startswith("i-"):
            return None
        balancer = classic.load_balancers[name]
        if target_id not in balancer.instance_sparse_ids:
            classic.register_instances(name, [target_id])
        return Registration(target_id, port, task.task_definition_arn, load_balancer_name=name)

    def _deregister(self, registration: Registration) -> None:
        if registration.target_group_arn:
            target_group = self.world.backend("elbv2").target_groups.get(registration.target_group_arn)
            if target_group is not None and target_key(registration.target_id, registration.port) \
                    in target_group.targets:
                target_group.deregister([{"Id": registration.target_id, "Port": registration.port}])
            return
        name = registration.load_balancer_name
        classic = self.world.backend("elb")
        if name is None or classic.load_balancers.get(name) is None:
            return
        still_used = any(r.load_balancer_name == name and r.target_id == registration.target_id
                         for regs in self.by_task.values() for r in regs)
        if not still_used:
            classic.deregister_instances(name, [registration.target_id])

    def _mark(self, registration: Registration, **fields: Any) -> None:
        if not registration.target_group_arn:
            return
        target_group = self.world.backend("elbv2").target_groups.get(registration.target_group_arn)
        if target_group is not None:
            target = target_group.targets.get(target_key(registration.target_id, registration.port))
            if target is not None:
                target.update(fields)

    # questions the health shims ask ------------------------------------------------------------
    def classic_unhealthy(self, load_balancer_name: str, instance_id: str) -> bool:
        """Say whether INSTANCE_ID serves LOAD_BALANCER_NAME a task whose targets are marked unhealthy."""
        unhealthy = self.world.scheduler.unhealthy
        return any(r.load_balancer_name == load_balancer_name and r.target_id == instance_id
                   and r.task_definition_arn in unhealthy for regs in self.by_task.values() for r in regs)


def eni_of(task: Any) -> tuple[str, str] | None:
    """Return (attachment id, private IPv4 address) of TASK's elastic network interface, if any."""
    for attachment in getattr(task, "attachments", None) or []:
        details = {d["name"]: d["value"] for d in attachment.get("details", [])}
        if attachment.get("type") == "ElasticNetworkInterface" and "privateIPv4Address" in details:
            return str(attachment["id"]), str(details["privateIPv4Address"])
    return None


def target_key(target_id: str, port: Any) -> tuple[str, int | None]:
    """Key a target-group target by id and port (moto keys by id alone)."""
    return target_id, port_of(port)


def install(worlds: Mapping[str, Host]) -> None:
    """Shim moto's target groups and classic ELB health once per process."""
    # moto loads here, when a world starts, not when ecsshell is imported: start-up time
    from moto.elb.responses import ELBResponse
    from moto.elbv2.exceptions import InvalidTargetError, TargetNotRunning
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

    if getattr(FakeTargetGroup, "_ecsshell_shim", False):
        return

    def register(self: Any, targets: list[dict[str, Any]]) -> None:
        for target in targets:
            instance = self.ec2_backend.get_instance_by_id(target["Id"])
            if instance is not None and instance.state != "running":
                raise TargetNotRunning(instance_id=target["Id"])
            key = target_key(target["Id"], target.get("Port", self.port))
            self.targets[key] = {"Id": target["Id"], "Port": key[1] if key[1] is not None else self.port}
            self.deregistered_targets.pop(key, None)

    def deregister(self: Any, targets: list[dict[str, Any]]) -> None:
        for target in targets:
            key = _find(self.targets, target, self.port)
            if key is None:
                raise InvalidTargetError()
            self.deregistered_targets[key] = self.targets.pop(key)

    def deregister_terminated_instances(self: Any, instance_ids: list[str]) -> None:
        for key in list(self.targets):
            if key[0] in instance_ids:
                self.terminated_targets[key] = self.targets.pop(key)

    def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        key = _find(self.targets, target, self.port)
        port = target.get("Port", self.port)
        if key is None:
            gone = _find(self.deregistered_targets, target, self.port)
            if gone is not None:
                return FakeHealthStatus(target["Id"], port, self.health_check_port, "unused",
                                        "Target.NotRegistered", "Target is not registered to the target group")
            if _find(self.terminated_targets, target, self.port) is not None:
                return FakeHealthStatus(target["Id"], port, self.health_check_port, "draining",
                                        DRAINING_REASON, DRAINING_DESCRIPTION)
            if target["Id"].startswith("i-"):
                return FakeHealthStatus(target["Id"], target.get("Port", 80), self.health_check_port, "unused",
                                        "Target.NotRegistered", "Target is not registered to the target group")
            return FakeHealthStatus(target["Id"], port, self.health_check_port, "unavailable",
                                    "Target.NotRegistered", "Target is not registered")
        found = self.targets[key]
        if found.get("emu_draining"):
            return FakeHealthStatus(found["Id"], found["Port"], self.health_check_port, "draining",
                                    DRAINING_REASON, DRAINING_DESCRIPTION)
        world = worlds.get(self.region_name)
        if world is not None and found.get("emu_task_definition") in world.scheduler.unhealthy:
            return FakeHealthStatus(found["Id"], found["Port"], self.health_check_port, "unhealthy",
                                    UNHEALTHY_REASON, UNHEALTHY_DESCRIPTION)
        if found["Id"].startswith("i-"):
            instance = ec2_backend.get_instance_by_id(found["Id"])
            if instance is not None and instance.state == "stopped":
                return FakeHealthStatus(found["Id"], found["Port"], self.health_check_port, "unused",
                                        "Target.InvalidState", "Target is in the stopped state")
        return FakeHealthStatus(found["Id"], found["Port"], self.health_check_port, "healthy")

    original_instance_health = ELBResponse.describe_instance_health

    def describe_instance_health(self: Any) -> Any:
        result: Any = original_instance_health(self)
        data: Any = result.result if hasattr(result, "result") else result
        world = worlds.get(self.region)
        name = self._get_param("LoadBalancerName")
        for entry in data["InstanceStates"]:
            if world is not None and entry.get("State") == "InService" and \
                    world.scheduler.elb.classic_unhealthy(name, entry["InstanceId"]):
                entry.update(State="OutOfService", ReasonCode="Instance", Description=CLASSIC_UNHEALTHY_DESCRIPTION)
        return result

    FakeTargetGroup.register = register  # type: ignore[method-assign]
    FakeTargetGroup.deregister = deregister  # type: ignore[method-assign]
    FakeTargetGroup.deregister_terminated_instances = deregister_terminated_instances  # type: ignore[method-assign]
    FakeTargetGroup.health_for = health_for  # type: ignore[method-assign]
    ELBResponse.describe_instance_health = describe_instance_health  # type: ignore[method-assign]
    FakeTargetGroup._ecsshell_shim = True  # type: ignore[attr-defined]


def _find(targets: dict[Any, dict[str, Any]], target: dict[str, Any], default_port: Any) -> Any:
    """Return the key of TARGET in TARGETS: by id and port, or by id alone when no port is given."""
    key = target_key(target["Id"], target.get("Port", default_port))
    if key in targets:
        return key
    if "Port" not in target or target.get("Port") is None:
        return next((k for k in targets if k[0] == target["Id"]), None)
    return None

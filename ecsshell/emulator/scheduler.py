"""The ECS service scheduler that moto lacks, driven by emulated time.

Each service keeps `desiredCount` tasks of its PRIMARY deployment; a new deployment starts new
tasks, stops old ones as the new ones reach RUNNING, and ends COMPLETED, or FAILED when its tasks
keep failing to start (the deployment circuit breaker).
"""

from __future__ import annotations

import copy
import math
import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import World

START_SECONDS = 3.0  # PENDING -> RUNNING (or failed) for a new task
DRAIN_SECONDS = 2.0  # desired STOPPED -> STOPPED for an old task
STEP_SECONDS = 1.0
BROKEN_REASON = "Essential container in task exited"


def circuit_breaker_threshold(desired: int) -> int:
    """Failed tasks that trip the ECS deployment circuit breaker for DESIRED tasks."""
    return min(200, max(3, math.ceil(desired / 2)))


def new_deployment_id() -> str:
    return "ecs-svc/" + str(uuid.uuid4().int)[:19]


class Scheduler:
    """Runs services' tasks and rollouts in emulated time (advance) or in the background (run)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.started = datetime.now(timezone.utc).replace(microsecond=0)
        self.elapsed = 0.0
        self.broken: dict[str, str] = {}  # task definition ARN -> stopped reason
        self.exits: dict[str, tuple[float, int]] = {}  # family -> (seconds to run, exit code)
        self.unhealthy: set[str] = set()  # task definition ARNs whose targets fail health checks
        self.log_lines: dict[str, list[str]] = {}  # family -> lines each container writes when it starts
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # time --------------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.started + timedelta(seconds=self.elapsed)

    def advance(self, seconds: float) -> None:
        """Move emulated time forward by SECONDS, acting once per emulated second."""
        remaining = seconds
        while remaining > 1e-9:
            step = min(STEP_SECONDS, remaining)
            with self.world.lock:
                self.elapsed += step
                self.tick()
            remaining -= step

    def run(self, speed: float = 1.0, interval: float = 0.5) -> None:
        """Advance time in a background thread, SPEED emulated seconds per real second."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval):
                self.advance(interval * speed)

        self._thread = threading.Thread(target=loop, name="ecs-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def reset(self) -> None:
        self.started = datetime.now(timezone.utc).replace(microsecond=0)
        self.elapsed = 0.0
        self.broken.clear()
        self.exits.clear()
        self.unhealthy.clear()
        self.log_lines.clear()

    # what tests and worlds mark ----------------------------------------------------------------
    def _arn(self, task_definition: str) -> str:
        return str(self.world.backend().describe_task_definition(task_definition).arn)

    def break_revision(self, task_definition: str, reason: str = BROKEN_REASON) -> None:
        """Make tasks of TASK_DEFINITION (family:rev or ARN) fail to start."""
        with self.world.lock:
            self.broken[self._arn(task_definition)] = reason

    def mark_unhealthy(self, task_definition: str) -> None:
        """Make load balancer targets of TASK_DEFINITION's tasks fail their health checks."""
        with self.world.lock:
            self.unhealthy.add(self._arn(task_definition))

    def exit_after(self, family: str, seconds: float, exit_code: int = 0) -> None:
        """Make standalone tasks of FAMILY stop by themselves after SECONDS with EXIT_CODE."""
        self.exits[family] = (seconds, exit_code)

    # the scheduler -----------------------------------------------------------------------------
    def tick(self) -> None:
        """Act once on every service and standalone task (call with the world lock held)."""
        backend = self.world.backend()
        now = self.now()
        for cluster_tasks in backend.tasks.values():
            for task in list(cluster_tasks.values()):
                self._progress_task(task, now)
        for service in list(backend.services.values()):
            if service.status == "ACTIVE" and service.deployment_controller.get("type") == "ECS":
                self._reconcile(backend, service, now)
        self.refresh_counts(backend)

    def _progress_task(self, task: Any, now: datetime) -> None:
        status = task.last_status
        if status in ("PROVISIONING", "PENDING") and task.desired_status == "RUNNING":
            if now < getattr(task, "emu_ready_at", now):
                return
            reason = self.broken.get(task.task_definition_arn)
            if reason:
                self._stopped(task, now, reason, exit_code=1, failed=True)
                return
            task.last_status = "RUNNING"
            task.started_at = now
            task.pull_started_at = now - timedelta(seconds=1)
            task.pull_stopped_at = now
            healthy = task.task_definition_arn not in self.unhealthy
            task.health_status = "HEALTHY" if healthy else "UNHEALTHY"
            for container in task.containers:
                container.last_status = "RUNNING"
                container.health_status = task.health_status
                container.exitCode = None
            self._write_logs(task, now)
            return
        if status == "RUNNING" and task.desired_status == "RUNNING":
            family = task.task_definition_arn.rsplit("/", 1)[-1].split(":")[0]
            run_for = self.exits.get(family)
            if run_for and not task.group.startswith("service:") and task.started_at:
                if now >= task.started_at + timedelta(seconds=run_for[0]):
                    self._stopped(task, now, BROKEN_REASON, exit_code=run_for[1])
            return
        if task.desired_status == "STOPPED" and status not in ("STOPPED", "DEPROVISIONING"):
            if now >= getattr(task, "emu_stop_at", now):
                self._stopped(task, now, task.stopped_reason or "Task stopped by the scheduler", None)

    def _stopped(self, task: Any, now: datetime, reason: str, exit_code: int | None,
                 failed: bool = False) -> None:
        task.last_status = "STOPPED"
        task.desired_status = "STOPPED"
        task.stopped_at = now
        task.stopping_at = now
        task.stopped_reason = task.stopped_reason or reason
        task.stop_code = "EssentialContainerExited" if exit_code is not None else "ServiceSchedulerInitiated"
        task.health_status = "UNKNOWN"
        for index, container in enumerate(task.containers):
            container.last_status = "STOPPED"
            container.exitCode = exit_code if index == 0 else (0 if exit_code is not None else None)
            if failed:
                container.reason = f"Container {container.name} exited with code {exit_code}"
        task.emu_failed = failed

    # services ----------------------------------------------------------------------------------
    def _reconcile(self, backend: Any, service: Any, now: datetime) -> None:
        if not service.deployments:
            return
        tasks = [t for t in backend.tasks.get(service.cluster_name, {}).values()
                 if t.group == f"service:{service.name}"]
        live = [t for t in tasks if t.desired_status == "RUNNING"]
        primary = service.deployments[0]
        primary["desiredCount"] = service.desired_count

        mine = [t for t in live if t.started_by == primary["id"]]
        failed_now = [t for t in tasks if t.started_by == primary["id"] and getattr(t, "emu_failed", False)
                      and not getattr(t, "emu_failure_counted", False)]
        for task in failed_now:
            task.emu_failure_counted = True
            primary["failedTasks"] = primary.get("failedTasks", 0) + 1
            self.event(service, now, f"(service {service.name}) (task {task.id}) failed to start: "
                                     f"{task.stopped_reason}.")

        if primary.get("rolloutState") == "IN_PROGRESS" and \
                primary.get("failedTasks", 0) >= circuit_breaker_threshold(service.desired_count):
            primary["rolloutState"] = "FAILED"
            primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
            primary["updatedAt"] = now
            self.event(service, now, f"(service {service.name}) (deployment {primary['id']}) deployment "
                                     "failed: tasks failed to start.")

        if primary.get("rolloutState") != "FAILED":
            missing = service.desired_count - len(mine)
            if missing > 0:
                started = [self._launch(backend, service, primary, now) for _ in range(missing)]
                ids = " ".join(f"(task {t.id})" for t in started)
                self.event(service, now, f"(service {service.name}) has started {len(started)} tasks: {ids}.")
            elif missing < 0:
                extra = sorted(mine, key=lambda t: getattr(t, "emu_created_at", now))[missing:]
                self._stop_tasks(service, extra, now)

        primary_running = sum(1 for t in mine if t.last_status == "RUNNING")
        old = [t for t in live if t.started_by != primary["id"]]
        if primary.get("rolloutState") != "FAILED":
            keep = max(0, service.desired_count - primary_running)
            old_by_age = sorted(old, key=lambda t: getattr(t, "emu_created_at", now))
            to_stop = old_by_age[: max(0, len(old) - keep)]
            if to_stop:
                self._stop_tasks(service, to_stop, now)
            still = {d["id"] for d in service.deployments[1:]
                     if any(t.started_by == d["id"] and t.last_status != "STOPPED" for t in tasks)}
            service.deployments[1:] = [d for d in service.deployments[1:] if d["id"] in still]

        for deployment in service.deployments:
            ours = [t for t in tasks if t.started_by == deployment["id"] and t.desired_status == "RUNNING"]
            deployment["runningCount"] = sum(1 for t in ours if t.last_status == "RUNNING")
            deployment["pendingCount"] = sum(1 for t in ours if t.last_status in ("PENDING", "PROVISIONING"))
            if deployment is not primary:
                deployment["desiredCount"] = deployment["runningCount"] + deployment["pendingCount"]
        service.running_count = sum(1 for t in live if t.last_status == "RUNNING")
        service.pending_count = sum(1 for t in live if t.last_status in ("PENDING", "PROVISIONING"))

        steady = (len(service.deployments) == 1 and primary["runningCount"] == service.desired_count
                  and primary["pendingCount"] == 0)
        if steady and primary.get("rolloutState") == "IN_PROGRESS":
            primary["rolloutState"] = "COMPLETED"
            primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
            primary["updatedAt"] = now
            self.event(service, now, f"(service {service.name}) has reached a steady state.")
        elif steady and not getattr(service, "emu_steady", False):
            self.event(service, now, f"(service {service.name}) has reached a steady state.")
        service.emu_steady = steady

    def _launch(self, backend: Any, service: Any, deployment: dict[str, Any], now: datetime) -> Any:
        from moto.ecs.models import Task

        task_def = backend.describe_task_definition(deployment["taskDefinition"])
        shape = task_def
        network = service.network_configuration or None
        if task_def.network_mode == "awsvpc" and not network:
            shape = copy.copy(task_def)
            shape.network_mode = "bridge"
        cluster = backend._get_cluster(service.cluster_name)
        task = Task(cluster, shape, None, None, backend=backend, group=f"service:{service.name}",
                    launch_type=service.launch_type or "EC2", started_by=deployment["id"],
                    networking_configuration=network, platform_version=service.platform_version)
        task.task_definition_arn = task_def.arn
        task.containers = container_records(task_def)
        task.last_status = "PENDING"
        task.created_at = now
        task.emu_created_at = now
        task.emu_ready_at = now + timedelta(seconds=START_SECONDS)
        task.health_status = "UNKNOWN"
        backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        return task

    def _stop_tasks(self, service: Any, tasks: list[Any], now: datetime) -> None:
        for task in tasks:
            task.desired_status = "STOPPED"
            task.stopped_reason = "Scaling activity initiated by (deployment %s)" % task.started_by
            task.emu_stop_at = now + timedelta(seconds=DRAIN_SECONDS)
            if task.last_status != "RUNNING":
                task.emu_stop_at = now
        ids = " ".join(f"(task {t.id})" for t in tasks)
        self.event(service, now, f"(service {service.name}) has stopped {len(tasks)} running tasks: {ids}.")

    @staticmethod
    def event(service: Any, when: datetime, message: str) -> None:
        """Add a service event, newest first, as DescribeServices returns them."""
        service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": when, "message": message})
        del service.events[100:]

    @staticmethod
    def refresh_counts(backend: Any) -> None:
        """Set each cluster's service, task and instance counts from what exists."""
        for cluster in backend.clusters.values():
            services = [s for s in backend.services.values()
                        if s.cluster_name == cluster.name and s.status == "ACTIVE"]
            tasks = [t for t in backend.tasks.get(cluster.name, {}).values() if t.desired_status == "RUNNING"]
            cluster.active_services_count = len(services)
            cluster.running_tasks_count = sum(1 for t in tasks if t.last_status == "RUNNING")
            cluster.pending_tasks_count = sum(1 for t in tasks if t.last_status in ("PENDING", "PROVISIONING"))
            instances = backend.container_instances.get(cluster.name, {})
            cluster.registered_container_instances_count = len(instances)

    def _write_logs(self, task: Any, now: datetime) -> None:
        """Write each awslogs container's start-up lines into its CloudWatch Logs stream."""
        task_def = self.world.backend().describe_task_definition(task.task_definition_arn)
        logs = self.world.backend("logs")
        millis = int(now.timestamp() * 1000)
        for container in task_def.container_definitions:
            config = container.get("logConfiguration") or {}
            options = config.get("options") or {}
            if config.get("logDriver") != "awslogs" or "awslogs-group" not in options:
                continue
            group = options["awslogs-group"]
            prefix = options.get("awslogs-stream-prefix", "ecs")
            stream = f"{prefix}/{container['name']}/{task.id}"
            lines = self.log_lines.get(task_def.family) or [
                f"starting {container['name']} ({container.get('image')})",
                f"{container['name']} listening",
            ]
            if group not in logs.groups:
                logs.create_log_group(group, {})
            if stream not in logs.groups[group].streams:
                logs.create_log_stream(group, stream)
            events = [{"timestamp": millis + i, "message": line} for i, line in enumerate(lines)]
            logs.put_log_events(group, stream, events)


def container_records(task_def: Any) -> list[Any]:
    """Return one moto Container record per container of TASK_DEF (moto makes only the first)."""
    from moto.ecs.models import Container

    records = []
    for definition in task_def.container_definitions:
        record = Container(task_def)
        record.name = definition.get("name")
        record.image = definition.get("image")
        record.cpu = definition.get("cpu", 0)
        record.memory = definition.get("memory")
        record.environment = definition.get("environment")
        record.command = definition.get("command")
        record.last_status = "PENDING"
        record.exitCode = None
        record.health_status = "UNKNOWN"
        records.append(record)
    return records

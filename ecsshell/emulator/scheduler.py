"""The ECS service scheduler that moto lacks, driven by emulated time.

Each service keeps `desiredCount` tasks of its PRIMARY deployment; a new deployment starts new
tasks, stops old ones as the new ones reach RUNNING, and ends COMPLETED, or FAILED when its tasks
keep failing to start (the deployment circuit breaker, with optional rollback). Without the circuit
breaker a failing deployment stays IN_PROGRESS and retries with a growing back-off, as ECS does.
Service tasks on EC2 clusters are placed on container instances when the cluster has some, and
service tasks behind load balancers are registered as targets (see `load_balancing.py`).
"""

from __future__ import annotations

import copy
import math
import sys
import threading
import uuid
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from . import failures, load_balancing, scaling
from .deployments import ServiceDeployments
from .load_balancing import LoadBalancing, eni_of

START_SECONDS = 3.0  # PENDING -> RUNNING (or failed) for a new task
DRAIN_SECONDS = 2.0  # desired STOPPED -> STOPPED for an old task
STEP_SECONDS = 1.0
STOPPED_RETENTION_SECONDS = 3600.0  # ECS forgets STOPPED tasks about an hour after they stop
RETRY_BASE_SECONDS = 10.0  # first back-off after failed starts without a circuit breaker
RETRY_MAX_SECONDS = 300.0
FIRST_HOST_PORT = 32768  # dynamic host ports for bridge-mode containers
MAX_ERRORS = 50  # what the scheduler could not do, the newest kept
BROKEN_REASON = "Essential container in task exited"
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."


class Host(load_balancing.Host, Protocol):
    """The world as the scheduler sees it: moto's backends, its marks and the lock its requests hold."""

    @property
    def lock(self) -> AbstractContextManager[Any]: ...

    def places(self) -> list[tuple[str, str]]: ...

    def at(self, account: str, region: str) -> AbstractContextManager[Any]: ...


def circuit_breaker_threshold(desired: int, breaker: dict[str, Any] | None = None) -> int:
    """Failed tasks that trip the ECS deployment circuit breaker BREAKER for DESIRED tasks.

    Its `thresholdConfiguration` (2026-06): COUNT is the number itself; BOUNDED_PERCENT (the default,
    value 50) is that share of the desired count kept within 3 and 200; UNBOUNDED_PERCENT is the share
    alone (at least 1).
    """
    threshold = (breaker or {}).get("thresholdConfiguration") or {}
    kind, value = threshold.get("type") or "BOUNDED_PERCENT", threshold.get("value")
    value = 50 if value is None else int(value)
    if kind == "COUNT":
        return max(1, value)
    share = math.ceil(desired * value / 100)
    return max(1, share) if kind == "UNBOUNDED_PERCENT" else min(200, max(3, share))


def new_deployment_id() -> str:
    """Return a fresh deployment id shaped like ECS's."""
    return "ecs-svc/" + str(uuid.uuid4().int)[:19]


def breaker_config(service: Any) -> dict[str, Any]:
    """Return SERVICE's deploymentCircuitBreaker configuration ({} when it has none)."""
    return dict((getattr(service, "deployment_configuration", None) or {}).get("deploymentCircuitBreaker") or {})


def _room(service: Any, live: list[Any], missing: int) -> int:
    """Return how many of MISSING new tasks may start now: as many as maximumPercent leaves room for.

    With no room at all (maximumPercent 100) all start, as before: stopping old tasks first, down to
    minimumHealthyPercent, is not modelled.
    """
    percent = (getattr(service, "deployment_configuration", None) or {}).get("maximumPercent")
    if percent is None:
        return missing
    room = service.desired_count * int(percent) // 100 - len(live)
    return min(missing, room) if room > 0 else missing


def circuit_breaker(service: Any) -> tuple[bool, bool]:
    """Return (enabled, rollback) of SERVICE's deployment circuit breaker."""
    config = getattr(service, "deployment_configuration", None)
    if not config:
        return True, False
    breaker = config.get("deploymentCircuitBreaker") or {}
    return bool(breaker.get("enable")), bool(breaker.get("rollback"))


class Scheduler:
    """Runs services' tasks and rollouts in emulated time (advance) or in the background (run)."""

    def __init__(self, world: Host) -> None:
        self.world = world
        self.started = datetime.now(UTC).replace(microsecond=0)
        self.elapsed = 0.0
        self.broken: dict[str, str] = {}  # task definition ARN -> stopped reason
        self.exits: dict[str, tuple[float, int]] = {}  # family -> (seconds to run, exit code)
        self.unhealthy: set[str] = set()  # task definition ARNs whose targets fail health checks
        self.log_lines: dict[str, list[str]] = {}  # family -> lines each container writes when it starts
        self.elb = LoadBalancing(world)
        # service deployments and revisions (deployments.py): followed at the end of every tick
        self.service_deployments = ServiceDeployments(self, circuit_breaker_threshold)
        self.hooks = self.service_deployments.hooks  # what lifecycle hooks' Lambda functions answer
        self.causes = failures.Causes()  # scripted failure causes (failures.py)
        self._placements: dict[str, int] = {}  # cluster -> tasks placed (round robin over instances)
        self._host_ports: dict[str, int] = {}  # container instance ARN -> next dynamic host port
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.errors: list[str] = []  # what the scheduler could not do (it goes on with everything else)

    # time --------------------------------------------------------------------------------------
    def now(self) -> datetime:
        """Return the emulated time."""
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

    def skip(self, seconds: float) -> None:
        """Move emulated time forward by SECONDS in one step, acting once at the end (quiet periods)."""
        with self.world.lock:
            self.elapsed += max(0.0, seconds)
            self.tick()

    def backdate(self, seconds: float) -> None:
        """Set the emulated clock SECONDS earlier, so a world built now has a past."""
        with self.world.lock:
            self.started -= timedelta(seconds=seconds)

    def catch_up(self, behind: float = 1.0) -> None:
        """Skip emulated time until it is BEHIND seconds short of the wall clock (if it is later)."""
        gap = math.floor((datetime.now(UTC) - self.now()).total_seconds() - behind)
        if gap > 0:
            self.skip(gap)

    def run(self, speed: float = 1.0, interval: float = 0.5) -> None:
        """Advance time in a background thread, SPEED emulated seconds per real second."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.advance(interval * speed)
                except Exception as exc:  # the world goes on: a background thread that dies stops every rollout
                    self.report("the scheduler", exc)

        self._thread = threading.Thread(target=loop, name="ecs-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread started by run, if any."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def reset(self) -> None:
        """Forget marks, time and load balancer registrations (call with the world lock held)."""
        self.started = datetime.now(UTC).replace(microsecond=0)
        self.elapsed = 0.0
        self.broken.clear()
        self.exits.clear()
        self.unhealthy.clear()
        self.log_lines.clear()
        self.elb.reset()
        self.service_deployments.reset()
        self.causes.clear()
        self._placements.clear()
        self._host_ports.clear()
        self.errors.clear()

    def report(self, what: str, exc: BaseException) -> None:
        """Keep and print, once per distinct message, what the scheduler could not do with WHAT."""
        line = f"ecsshell emulator: could not act on {what}: {type(exc).__name__}: {exc}"
        if line not in self.errors:
            self.errors.append(line)
            del self.errors[:-MAX_ERRORS]
            print(line, file=sys.stderr, flush=True)

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
            arn = self._arn(task_definition)
            self.unhealthy.add(arn)
            for cluster_tasks in self.world.backend().tasks.values():
                for task in cluster_tasks.values():
                    if task.task_definition_arn == arn and task.last_status == "RUNNING":
                        task.health_status = "UNHEALTHY"

    def exit_after(self, family: str, seconds: float, exit_code: int = 0) -> None:
        """Make standalone tasks of FAMILY stop by themselves after SECONDS with EXIT_CODE."""
        self.exits[family] = (seconds, exit_code)

    # the scheduler -----------------------------------------------------------------------------
    def tick(self) -> None:
        """Act once on every service and standalone task of every account and Region (world lock held)."""
        for account, region in self.world.places():  # issue 14: several accounts and Regions at once
            with self.world.at(account, region):  # world.backend() answers for that place meanwhile
                try:
                    self._tick()
                except Exception as exc:  # the other places, and the next tick, still run
                    self.report(f"account {account} in {region}", exc)

    def _tick(self) -> None:
        backend = self.world.backend()
        now = self.now()
        by_group: dict[tuple[str, str], list[Any]] = {}
        for cluster_name, cluster_tasks in backend.tasks.items():
            for arn, task in list(cluster_tasks.items()):
                self._progress_task(task, now)
                stopped_at = getattr(task, "stopped_at", None)
                if task.last_status == "STOPPED" and stopped_at is not None and \
                        now - stopped_at > timedelta(seconds=STOPPED_RETENTION_SECONDS):
                    del cluster_tasks[arn]
                    continue
                group = task.group or ""
                if group.startswith("service:"):
                    by_group.setdefault((cluster_name, group), []).append(task)
        for service in list(backend.services.values()):
            if service.deployment_controller.get("type") != "ECS":
                continue
            tasks = by_group.get((service.cluster_name, f"service:{service.name}"), [])
            try:
                if service.status == "ACTIVE":
                    self._reconcile(backend, service, now, tasks)
                else:
                    self._retire(tasks, now)
            except Exception as exc:  # one service the emulator cannot run must not stop every other one
                self.report(f"service {service.name}", exc)
                self.event(service, now, f"(service {service.name}) was unable to place a task: the emulator "
                           f"failed ({type(exc).__name__}); see its standard error.")
        self.service_deployments.sync(backend, now)
        self.elb.sweep(backend)
        self.refresh_counts(backend)
        scaling.settle(backend, now)  # the scaler: desired counts back within their scalable targets' bounds

    def _progress_task(self, task: Any, now: datetime) -> None:
        status = task.last_status
        if status in ("PROVISIONING", "PENDING") and task.desired_status == "RUNNING":
            if now < getattr(task, "emu_ready_at", now):
                return
            reason = self.broken.get(task.task_definition_arn)
            if reason:
                self._stopped(task, now, reason, exit_code=1, failed=True)
                if task.stop_code == "EssentialContainerExited":  # it ran: its containers wrote lines first
                    self._write_logs(task, task.started_at or now, failed=True)
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
            failures.started(task)
            self._write_logs(task, now)
            self.elb.task_running(self.world.backend(), task)
            return
        if status == "RUNNING" and task.desired_status == "RUNNING":
            family = task.task_definition_arn.rsplit("/", 1)[-1].split(":")[0]
            run_for = self.exits.get(family)
            if run_for and not (task.group or "").startswith("service:") and task.started_at \
                    and now >= task.started_at + timedelta(seconds=run_for[0]):
                self._stopped(task, now, BROKEN_REASON, exit_code=run_for[1])
            return
        if task.desired_status == "STOPPED" and status not in ("STOPPED", "DEPROVISIONING"):
            if now >= getattr(task, "emu_stop_at", now):
                self._stopped(task, now, task.stopped_reason or "Task stopped by the scheduler", None)
            return
        if status == "STOPPED" and getattr(task, "stopped_at", None) is None:
            task.stopped_at = now  # stopped by moto itself (StopTask): date it when first seen

    def _stopped(self, task: Any, now: datetime, reason: str, exit_code: int | None,
                 failed: bool = False) -> None:
        task.last_status = "STOPPED"
        task.desired_status = "STOPPED"
        task.stopped_at = now
        task.stopping_at = now
        task.execution_stopped_at = now
        task.stopped_reason = task.stopped_reason or reason
        task.stop_code = "EssentialContainerExited" if exit_code is not None else "ServiceSchedulerInitiated"
        task.health_status = "UNKNOWN"
        for index, container in enumerate(task.containers):
            container.last_status = "STOPPED"
            container.health_status = "UNKNOWN"
            container.exitCode = exit_code if index == 0 else (0 if exit_code is not None else None)
            if failed:
                container.reason = f"Container {container.name} exited with code {exit_code}"
        if failed:
            self.causes.shape(task, task.stopped_reason, now)
        task.emu_failed = failed

    # services ----------------------------------------------------------------------------------
    def _reconcile(self, backend: Any, service: Any, now: datetime, tasks: list[Any]) -> None:
        if not service.deployments:
            return
        live = [t for t in tasks if t.desired_status == "RUNNING"]
        primary = service.deployments[0]
        primary["desiredCount"] = service.desired_count
        breaker, rollback = circuit_breaker(service)

        mine = [t for t in live if t.started_by == primary["id"]]
        failed_now = [t for t in tasks if t.started_by == primary["id"] and getattr(t, "emu_failed", False)
                      and not getattr(t, "emu_failure_counted", False)]
        for task in failed_now:
            task.emu_failure_counted = True
            primary["failedTasks"] = primary.get("failedTasks", 0) + 1
            self.event(service, now, f"(service {service.name}) (task {task.id}) failed to start: "
                                     f"{task.stopped_reason}.")
        if failed_now and not breaker:
            self._back_off(service, primary, now)

        threshold = circuit_breaker_threshold(service.desired_count, breaker_config(service))
        if breaker and primary.get("rolloutState") == "IN_PROGRESS" and primary.get("failedTasks", 0) >= threshold:
            primary["rolloutState"] = "FAILED"
            primary["rolloutStateReason"] = CIRCUIT_BREAKER_REASON
            primary["updatedAt"] = now
            self.event(service, now, f"(service {service.name}) (deployment {primary['id']}) deployment "
                                     "failed: tasks failed to start.")
            if rollback and len(service.deployments) > 1:
                primary = self._roll_back(service, now)
                mine = [t for t in live if t.started_by == primary["id"]]  # blue's own tasks after blue/green

        if primary.get("rolloutState") != "FAILED":
            missing = service.desired_count - len(mine)
            retry_at = getattr(service, "emu_retry_at", {}).get(primary["id"])
            placeable = missing <= 0 or self.causes.placeable(service, now, self.event)
            if missing > 0 and (retry_at is None or now >= retry_at) and placeable:
                started = [self._launch(backend, service, primary, now) for _ in range(_room(service, live, missing))]
                tasks.extend(started)
                live.extend(started)
                mine.extend(started)
                ids = " ".join(f"(task {t.id})" for t in started)
                self.event(service, now, f"(service {service.name}) has started {len(started)} tasks: {ids}.")
            elif missing < 0:
                extra = sorted(mine, key=lambda t: getattr(t, "emu_created_at", now))[missing:]
                self._stop_tasks(service, extra, now)

        primary_running = sum(1 for t in mine if t.last_status == "RUNNING" and t.desired_status == "RUNNING")
        old = [t for t in live if t.started_by != primary["id"] and t.desired_status == "RUNNING"]
        if primary.get("rolloutState") != "FAILED":
            keep = max(0, service.desired_count - primary_running)
            old_by_age = sorted(old, key=lambda t: getattr(t, "emu_created_at", now))
            to_stop = old_by_age[: max(0, len(old) - keep)]
            if self.service_deployments.holds_old_tasks(service):  # blue/green: blue runs until CLEAN_UP
                to_stop = []
            if to_stop:
                self._stop_tasks(service, to_stop, now)
            still = {d["id"] for d in service.deployments[1:]
                     if any(t.started_by == d["id"] and t.last_status != "STOPPED" for t in tasks)}
            service.deployments[1:] = [d for d in service.deployments[1:] if d["id"] in still]

        live = [t for t in live if t.desired_status == "RUNNING"]
        for deployment in service.deployments:
            ours = [t for t in live if t.started_by == deployment["id"]]
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

    def _back_off(self, service: Any, deployment: dict[str, Any], now: datetime) -> None:
        """Delay the next start of DEPLOYMENT's tasks after failures, doubling up to a limit."""
        retries: dict[str, datetime] = getattr(service, "emu_retry_at", None) or {}
        rounds: dict[str, int] = getattr(service, "emu_retry_rounds", None) or {}
        count = rounds.get(deployment["id"], 0) + 1
        rounds[deployment["id"]] = count
        delay = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (count - 1))
        retries[deployment["id"]] = now + timedelta(seconds=delay)
        service.emu_retry_at = retries
        service.emu_retry_rounds = rounds
        if count >= 2:
            self.event(service, now, f"(service {service.name}) is unable to consistently start tasks "
                                     "successfully. For more information, see the Troubleshooting section "
                                     "of the Amazon ECS Developer Guide.")

    def _roll_back(self, service: Any, now: datetime) -> dict[str, Any]:
        """Replace the failed PRIMARY deployment with a new one on the previous task definition."""
        staged = self.service_deployments.staged_rollback(service, now)  # blue/green: back to blue's tasks
        if staged is not None:
            return staged
        failed = service.deployments[0]
        previous = service.deployments[1]
        deployment_id = new_deployment_id()
        deployment = dict(previous)
        deployment.update(id=deployment_id, status="PRIMARY", desiredCount=service.desired_count,
                          runningCount=0, pendingCount=0, failedTasks=0, rolloutState="IN_PROGRESS",
                          rolloutStateReason=f"ECS deployment {deployment_id} in progress.",
                          createdAt=now, updatedAt=now)
        failed["status"] = "ACTIVE"
        failed["rolloutStateReason"] = (f"{CIRCUIT_BREAKER_REASON} Rolling back to deployment "
                                        f"{deployment_id}.")
        service.task_definition = deployment["taskDefinition"]
        service.deployments.insert(0, deployment)
        self.event(service, now, f"(service {service.name}) rolling back to deployment {deployment_id}.")
        self.service_deployments.rolled_back(service, failed, deployment, now)
        return deployment

    def _retire(self, tasks: list[Any], now: datetime) -> None:
        """Stop the tasks of a deleted service."""
        for task in tasks:
            if task.desired_status == "RUNNING":
                task.desired_status = "STOPPED"
                task.stopped_reason = task.stopped_reason or "Service deleted"
                task.emu_stop_at = now + timedelta(seconds=DRAIN_SECONDS if task.last_status == "RUNNING" else 0)

    def _launch(self, backend: Any, service: Any, deployment: dict[str, Any], now: datetime) -> Any:
        from moto.ecs.models import Task  # moto loads on first use, not on import: start-up time

        task_def = backend.describe_task_definition(deployment["taskDefinition"])
        shape = task_def
        network = service.network_configuration or None
        if task_def.network_mode == "awsvpc" and not network:
            shape = copy.copy(task_def)
            shape.network_mode = "bridge"
        cluster = backend._get_cluster(service.cluster_name)
        launch_type = service.launch_type or "EC2"
        instance = self._place(backend, cluster.name) if launch_type != "FARGATE" else None
        task: Any = Task(cluster, shape, instance.container_instance_arn if instance else None, None,
                    backend=backend, group=f"service:{service.name}", launch_type=launch_type,
                    started_by=deployment["id"], networking_configuration=network,
                    platform_version=service.platform_version)
        task.task_definition_arn = task_def.arn
        task.enable_execute_command = bool(getattr(service, "enable_execute_command", False))
        task.containers = container_records(task_def, task)
        if instance is not None and shape.network_mode != "awsvpc":
            self._bind_host_ports(task, task_def, instance.container_instance_arn)
        task.last_status = "PENDING"
        task.created_at = now
        task.emu_created_at = now
        task.emu_ready_at = now + timedelta(seconds=START_SECONDS)
        task.health_status = "UNKNOWN"
        backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        return task

    def _place(self, backend: Any, cluster_name: str) -> Any:
        """Return the next ACTIVE container instance of CLUSTER_NAME, round robin, or None."""
        instances = [i for i in backend.container_instances.get(cluster_name, {}).values()
                     if i.status == "ACTIVE"]
        if not instances:
            return None
        count = self._placements.get(cluster_name, 0)
        self._placements[cluster_name] = count + 1
        return instances[count % len(instances)]

    def _bind_host_ports(self, task: Any, task_def: Any, instance_arn: str) -> None:
        """Give each bridge-mode port mapping its host port (fixed, or the next dynamic one)."""
        for record, definition in zip(task.containers, task_def.container_definitions, strict=False):
            bindings = []
            for mapping in definition.get("portMappings") or []:
                host_port = mapping.get("hostPort") or 0
                if not host_port:
                    host_port = self._host_ports.get(instance_arn, FIRST_HOST_PORT)
                    self._host_ports[instance_arn] = host_port + 1
                bindings.append({"bindIP": "0.0.0.0", "containerPort": mapping.get("containerPort"),
                                 "hostPort": host_port, "protocol": mapping.get("protocol", "tcp")})
            record.network_bindings = bindings

    def _stop_tasks(self, service: Any, tasks: list[Any], now: datetime) -> None:
        for task in tasks:
            task.desired_status = "STOPPED"
            task.stopped_reason = f"Scaling activity initiated by (deployment {task.started_by})"
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
        services_by_cluster: dict[str, int] = {}
        for service in backend.services.values():
            if service.status == "ACTIVE":
                services_by_cluster[service.cluster_name] = services_by_cluster.get(service.cluster_name, 0) + 1
        for cluster in backend.clusters.values():
            tasks = [t for t in backend.tasks.get(cluster.name, {}).values() if t.desired_status == "RUNNING"]
            cluster.active_services_count = services_by_cluster.get(cluster.name, 0)
            cluster.running_tasks_count = sum(1 for t in tasks if t.last_status == "RUNNING")
            cluster.pending_tasks_count = sum(1 for t in tasks if t.last_status in ("PENDING", "PROVISIONING"))
            instances = backend.container_instances.get(cluster.name, {})
            cluster.registered_container_instances_count = len(instances)

    def _write_logs(self, task: Any, now: datetime, failed: bool = False) -> None:
        """Write each awslogs container's start-up lines into its CloudWatch Logs stream (FAILED: and its end)."""
        task_def = self.world.backend().describe_task_definition(task.task_definition_arn)
        logs = self.world.backend("logs")
        millis = int(now.timestamp() * 1000)
        for index, container in enumerate(task_def.container_definitions):
            config = container.get("logConfiguration") or {}
            options = config.get("options") or {}
            if config.get("logDriver") != "awslogs" or "awslogs-group" not in options:
                continue
            group = options["awslogs-group"]
            prefix = options.get("awslogs-stream-prefix", "ecs")
            stream = f"{prefix}/{container['name']}/{task.id}"
            image = str(container.get("image") or "")
            tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else "latest"
            family_lines = self.log_lines.get(task_def.family) if index == 0 else None
            lines = [line.format(image=image, tag=tag) for line in family_lines] if family_lines else [
                f"starting {container['name']} ({image})",
                f"{container['name']} listening",
            ]
            if failed:
                code = next((c.exitCode for c in task.containers if c.name == container["name"]), None)
                lines = lines[:1] + ([f"fatal: {container['name']} cannot start; exiting with code {code}"]
                                     if code else [])
            if group not in logs.groups:
                logs.create_log_group(group, {})
            if stream not in logs.groups[group].streams:
                logs.create_log_stream(group, stream)
            events = [{"timestamp": millis + i, "message": line} for i, line in enumerate(lines)]
            logs.put_log_events(group, stream, events)


def container_records(task_def: Any, task: Any = None) -> list[Any]:
    """Return one moto Container record per container of TASK_DEF (moto makes only the first)."""
    from moto.ecs.models import Container  # moto loads on first use, not on import: start-up time

    records = []
    eni = eni_of(task) if task is not None else None
    for definition in task_def.container_definitions:
        record: Any = Container(task_def)  # type: ignore[abstract]
        if task is not None:
            cluster = task.cluster_arn.replace(":cluster/", ":container/", 1)
            record.container_arn = f"{cluster}/{task.id}/{uuid.uuid4()}"
            record.task_arn = task.task_arn
        record.name = definition.get("name")
        record.image = definition.get("image")
        record.cpu = definition.get("cpu", 0)
        record.memory = definition.get("memory")
        record.memory_reservation = definition.get("memoryReservation")
        record.essential = definition.get("essential", True)
        record.environment = definition.get("environment")
        record.command = definition.get("command")
        record.last_status = "PENDING"
        record.exitCode = None
        record.health_status = "UNKNOWN"
        if eni is not None:
            record.network_interfaces = [{"attachmentId": eni[0], "privateIpv4Address": eni[1]}]
        records.append(record)
    return records

"""ECS service deployments and service revisions in the emulated world, and the APIs that read and steer them.

Every CreateService and UpdateService of an ECS-controlled service makes a service deployment
(`arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID`); a new task definition or a
forced deployment also makes a service revision (`.../service-revision/CLUSTER/SERVICE/NUMBER`)
whose container images are resolved to digests from `registry.Registry` at that moment. The
scheduler (scheduler.py) runs the tasks; `ServiceDeployments.sync` follows its ECS deployments each
emulated second: ROLLING ends SUCCESSFUL when the service is steady (or meets its earlySuccessCriteria:
`healthyPercent` of the new revision running, old tasks gone unless cleanup is DEFERRED), a circuit-breaker rollback
ends ROLLBACK_SUCCESSFUL with `rollback` set, a newer deployment STOPs an unfinished one.
BLUE_GREEN, LINEAR and CANARY deployments of a new revision walk their lifecycle stages in
strategies.py (blue keeps its tasks until CLEAN_UP; traffic weights in the deployment's
ServiceRevisionSummary entries) and run their lifecycle hooks in hooks.py; their rollbacks (circuit
breaker, hook, StopServiceDeployment) make blue's own ECS deployment PRIMARY again, its tasks untouched.
The first deployment of a service (CreateService) and scale-only deployments always roll.
Operations answered here (moto has none): ListServiceDeployments (newest first), DescribeServiceDeployments,
DescribeServiceRevisions, StopServiceDeployment (ROLLBACK: back to the source revision, ending
ROLLBACK_SUCCESSFUL; ABORT: STOPPED, the service stays on the target), ContinueServiceDeployment.

World-side API for tests:
- `world.registry.push(image)`: the tag gets a new digest (returned); `world.registry.digest(image)`
  is what it resolves to now. Running tasks keep their revision's digest; the next deployment
  (a new task definition, or `forceNewDeployment=True`) resolves the new one.
- `world.scheduler.hooks` (hooks.LambdaHooks): `.fail(lambda_arn, times=None)` makes an AWS_LAMBDA
  hook answer FAILED (the deployment rolls back), `.hang(lambda_arn)` makes it time out,
  `.succeed(lambda_arn)` undoes both; `.invocations` lists (function ARN, stage) in order.
- A blue/green service in a test: CreateService with `deploymentConfiguration={"strategy": "BLUE_GREEN",
  "bakeTimeInMinutes": N, "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"]}]}`
  (LINEAR: `linearConfiguration`, CANARY: `canaryConfiguration`), let it settle (`world.advance(5)`), then
  UpdateService to a new task definition; `world.advance` walks the stages. `worlds.staged_service`
  does this in one call. A PAUSE hook waits for ContinueServiceDeployment with the `hookId` from
  `lifecycleHookDetails`; the demo world has releases/storefront (BLUE_GREEN,
  paused) and releases/ledger (CANARY).
- `world.scheduler.service_deployments`: this store; `.of_service(cluster, name)` lists a service's
  deployment records, oldest first (`.status`, `.arn`, `.lifecycle_stage`, `.hooks`).
- Faults: `world.faults.fail("DescribeServiceRevisions", status=400, body=json.dumps({"__type":
  "AccessDeniedException", "message": "..."}), content_type="application/x-amz-json-1.1")` refuses it.

The circuit breaker's threshold follows `thresholdConfiguration` (scheduler.circuit_breaker_threshold).
Not modelled: `resetOnHealthyTask` (failures are never reset),
traffic weights in DescribeServices' currentServiceRevisions (botocore 1.44's
ServiceCurrentRevisionSummary has only arn and counts), alarms-based rollback, a new revision for
UpdateService changes other than the task definition or forceNewDeployment (the scheduler deploys only
those), PRE_PRODUCTION_TRAFFIC_SHIFT hooks before every LINEAR/CANARY step (they run once), green
tasks registering in the alternate target group (load_balancing.py registers every task in targetGroupArn).
"""

from __future__ import annotations

import base64
import copy
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from .hooks import LambdaHooks
from .registry import Registry
from .strategies import STAGED, StageMachine
from .wsgi import ClientError, decode_token, encode_token

DESCRIBE_MOST = 20  # ARNs one DescribeServiceDeployments / DescribeServiceRevisions call may carry
LIST_DEFAULT, LIST_MOST = 20, 100  # ListServiceDeployments page size
STATUSES = ("PENDING", "SUCCESSFUL", "STOPPED", "STOP_REQUESTED", "IN_PROGRESS", "ROLLBACK_REQUESTED",
            "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")
FINISHED = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
STOPPABLE = frozenset({"PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"})
SUPERSEDED_REASON = "Service deployment stopped: a newer service deployment started."
STOPPED_BY_USER = "Service deployment stopped by user request."
ROLLBACK_BY_USER = "Service deployment rolled back by user request."
SERVICE_DELETED = "Service deployment stopped: the service was deleted."
NO_SOURCE = "The service deployment has no source service revision to roll back to."


class Host(Protocol):
    """The scheduler as deployments see it: the world, its emulated clock and service events."""

    @property
    def world(self) -> Any: ...

    def now(self) -> datetime: ...

    def event(self, service: Any, when: datetime, message: str) -> None: ...


def stamp(when: datetime | None) -> float | None:
    """Return WHEN as the epoch seconds ECS's JSON protocol carries."""
    return when.timestamp() if when is not None else None


def parse_time(value: Any) -> datetime | None:
    """Return a request timestamp (epoch seconds or ISO 8601) as an aware datetime."""
    if value is None:
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(float(value), UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ClientError("InvalidParameterException", f"Invalid timestamp: {value}.") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def short_id() -> str:
    """Return a service deployment id shaped like ECS's (20 URL-safe characters)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes[:15]).decode()


def prefix_of_backend(backend: Any) -> str:
    """Return `arn:aws:ecs:REGION:ACCOUNT` of moto's ECS BACKEND."""
    return f"arn:aws:ecs:{backend.region_name}:{backend.account_id}"


def prefix_of(service: Any) -> str:
    """Return `arn:aws:ecs:REGION:ACCOUNT` of SERVICE."""
    return str(service.arn).split(":service/", 1)[0]


@dataclass
class Revision:
    """One service revision: what a deployment runs, with its images' digests fixed when it was made."""

    arn: str
    service_arn: str
    cluster_arn: str
    task_definition: str
    created_at: datetime
    container_images: list[dict[str, Any]]
    settings: dict[str, Any]  # launchType, loadBalancers, networkConfiguration, ... (ServiceRevision keys)

    def digest_of(self, container: str) -> str | None:
        for image in self.container_images:
            if image["containerName"] == container:
                return image.get("imageDigest")
        return None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"serviceRevisionArn": self.arn, "serviceArn": self.service_arn,
                               "clusterArn": self.cluster_arn, "taskDefinition": self.task_definition}
        out.update(copy.deepcopy(self.settings))
        out["containerImages"] = copy.deepcopy(self.container_images)
        out["guardDutyEnabled"] = False
        out["createdAt"] = stamp(self.created_at)
        return out


@dataclass
class Record:
    """One service deployment and what the emulator needs to follow it."""

    arn: str
    cluster: str
    service: str
    service_arn: str
    cluster_arn: str
    created_at: datetime
    target: str  # revision ARN
    sources: list[str]  # revision ARNs running when it started
    rollback_to: str | None  # the revision a rollback returns to
    configuration: dict[str, Any]
    ecs_id: str  # the ECS deployment (service.deployments[].id) it currently follows
    strategy: str = "ROLLING"
    status: str = "IN_PROGRESS"
    status_reason: str | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    stopped_at: datetime | None = None
    lifecycle_stage: str | None = None
    hooks: list[dict[str, Any]] = field(default_factory=list)  # DeploymentLifecycleHookDetail, plus _private keys
    rollback: dict[str, Any] | None = None
    breaker_status: str = "DISABLED"
    failures: int = 0
    threshold: int = 3
    weights: dict[str, tuple[float, float]] = field(default_factory=dict)  # revision -> (test, production)
    frozen: list[dict[str, Any]] | None = None  # revision summaries when it finished
    requested: str | None = None  # reason of a requested rollback or stop
    machine: Any = None  # strategies.py's stage machine for BLUE_GREEN, LINEAR and CANARY

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def touch(self, now: datetime) -> None:
        self.updated_at = now

    def brief(self) -> dict[str, Any]:
        out = {"serviceDeploymentArn": self.arn, "serviceArn": self.service_arn, "clusterArn": self.cluster_arn,
               "createdAt": stamp(self.created_at), "startedAt": stamp(self.started_at),
               "targetServiceRevisionArn": self.target, "status": self.status}
        if self.finished_at is not None:
            out["finishedAt"] = stamp(self.finished_at)
        if self.status_reason:
            out["statusReason"] = self.status_reason
        return out


class ServiceDeployments:
    """The service deployments and revisions of one emulated world, kept in step with its scheduler."""

    def __init__(self, host: Host, threshold: Callable[[int, dict[str, Any]], int]) -> None:
        self.host = host
        self.threshold = threshold  # the circuit breaker's failure threshold for a desired count
        self.registry = Registry()
        self.hooks = LambdaHooks()
        self.records: dict[str, Record] = {}
        self.revisions: dict[str, Revision] = {}
        self.by_service: dict[str, list[str]] = {}  # service ARN (so account and Region) -> record ARNs, oldest first
        self.revision_of: dict[str, str] = {}  # ECS deployment id -> revision ARN
        self._active: dict[str, None] = {}  # unfinished record ARNs, in creation order
        self._numbers: dict[str, int] = {}  # service ARN -> its last revision number

    def reset(self) -> None:
        """Forget every deployment, revision and registry push."""
        self.registry.reset()
        self.hooks.reset()
        self.records.clear()
        self.revisions.clear()
        self.by_service.clear()
        self.revision_of.clear()
        self._active.clear()
        self._numbers.clear()

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        """Return the operations this store answers, for the WSGI layer."""
        return {"ListServiceDeployments": self.list_service_deployments,
                "DescribeServiceDeployments": self.describe_service_deployments,
                "DescribeServiceRevisions": self.describe_service_revisions,
                "StopServiceDeployment": self.stop_service_deployment,
                "ContinueServiceDeployment": self.continue_service_deployment}

    # lookups ------------------------------------------------------------------------------------
    def of_service(self, cluster: str, service: str) -> list[Record]:
        """Return SERVICE's deployment records (in the account and Region `backend()` answers for), oldest first."""
        found = self._backend().services.get(f"{cluster}:{service}")
        return [self.records[arn] for arn in self.by_service.get(found.arn, [])] if found is not None else []

    def current(self, service: Any) -> Record | None:
        arns = self.by_service.get(service.arn)
        return self.records[arns[-1]] if arns else None

    def _backend(self) -> Any:
        return self.host.world.backend()

    @staticmethod
    def _service_of(record: Record) -> Any:
        from moto.backends import get_backend  # start-up time, as the world does

        _, _, _, region, account, _ = record.service_arn.split(":", 5)
        backend = get_backend("ecs")[account][region]
        return backend.services.get(f"{record.cluster}:{record.service}")

    def _revision_for(self, service: Any, deployment: dict[str, Any], now: datetime) -> str:
        """Return the revision ECS deployment DEPLOYMENT runs, matching by task definition if it is new."""
        known = self.revision_of.get(deployment["id"])
        if known is not None:
            return known
        for record in reversed([self.records[arn] for arn in self.by_service.get(service.arn, [])]):
            for arn in [record.target, *record.sources]:
                if self.revisions[arn].task_definition == deployment.get("taskDefinition"):
                    self.revision_of[deployment["id"]] = arn
                    return arn
        revision = self._new_revision(service, str(deployment.get("taskDefinition")), now)
        self.revision_of[deployment["id"]] = revision.arn
        return revision.arn

    # what CreateService and UpdateService do ----------------------------------------------------
    def _new_revision(self, service: Any, task_definition: str, now: datetime) -> Revision:
        key = service.arn
        number = self._numbers.get(key, 0) + 1
        self._numbers[key] = number
        backend = self._backend()
        images = []
        for definition in backend.describe_task_definition(task_definition).container_definitions:
            image = str(definition.get("image") or "")
            entry = {"containerName": definition.get("name"), "image": image}
            if definition.get("versionConsistency") != "disabled":
                entry["imageDigest"] = self.registry.digest(image)
            images.append(entry)
        settings: dict[str, Any] = {}
        if service.launch_type:
            settings["launchType"] = service.launch_type
        if service.launch_type == "FARGATE":
            settings["platformVersion"] = service.platform_version or "LATEST"
            settings["platformFamily"] = "Linux"
        strategy = getattr(service, "capacity_provider_strategy", None)
        if strategy:
            settings["capacityProviderStrategy"] = copy.deepcopy(strategy)
        settings["loadBalancers"] = copy.deepcopy(service.load_balancers or [])
        settings["serviceRegistries"] = copy.deepcopy(service.service_registries or [])
        if service.network_configuration:
            settings["networkConfiguration"] = copy.deepcopy(service.network_configuration)
        resolved = []
        for balancer in service.load_balancers or []:
            if balancer.get("targetGroupArn"):
                entry = {"targetGroupArn": balancer["targetGroupArn"]}
                rule = (balancer.get("advancedConfiguration") or {}).get("productionListenerRule")
                if rule:
                    entry["productionListenerRule"] = rule
                resolved.append(entry)
        if resolved:
            settings["resolvedConfiguration"] = {"loadBalancers": resolved}
        prefix = prefix_of(service)
        revision = Revision(arn=f"{prefix}:service-revision/{service.cluster_name}/{service.name}/{number}",
                            service_arn=service.arn, cluster_arn=service.cluster_arn,
                            task_definition=task_definition, created_at=now, container_images=images,
                            settings=settings)
        self.revisions[revision.arn] = revision
        return revision

    def _new_record(self, service: Any, now: datetime, target: str, sources: list[str],
                    rollback_to: str | None, staged: bool) -> Record:
        prefix = prefix_of(service)
        configuration = copy.deepcopy(getattr(service, "deployment_configuration", None) or {})
        strategy = configuration.get("strategy") or "ROLLING"
        record = Record(arn=f"{prefix}:service-deployment/{service.cluster_name}/{service.name}/{short_id()}",
                        cluster=service.cluster_name, service=service.name, service_arn=service.arn,
                        cluster_arn=service.cluster_arn, created_at=now, started_at=now, updated_at=now,
                        target=target, sources=sources, rollback_to=rollback_to, configuration=configuration,
                        ecs_id=service.deployments[0]["id"], strategy=strategy if staged else "ROLLING")
        self._configure_breaker(record, service)
        if record.strategy in STAGED and rollback_to is not None:
            record.machine = StageMachine(record, reconcile=len(sources) > 1)
        for arn in self.by_service.get(service.arn, []):
            earlier = self.records[arn]
            if not earlier.finished:
                self._end(earlier, "STOPPED", now, SUPERSEDED_REASON, stopped=True)
        self.records[record.arn] = record
        self.by_service.setdefault(service.arn, []).append(record.arn)
        self._active[record.arn] = None
        self.publish(service)
        return record

    def _configure_breaker(self, record: Record, service: Any) -> None:
        breaker = record.configuration.get("deploymentCircuitBreaker") or {}
        record.breaker_status = "MONITORING" if breaker.get("enable") else "DISABLED"
        record.threshold = self.threshold(service.desired_count, breaker)

    def service_created(self, service: Any, now: datetime) -> None:
        """Record CreateService: revision 1 and the service's first deployment."""
        if service.deployment_controller.get("type") != "ECS" or not service.deployments:
            return
        revision = self._new_revision(service, service.task_definition, now)
        self.revision_of[service.deployments[0]["id"]] = revision.arn
        self._new_record(service, now, revision.arn, [], None, staged=False)

    def service_configured(self, service: Any) -> None:
        """Take CreateService's deploymentConfiguration into the service's first deployment."""
        record = self.current(service)
        if record is not None and len(self.by_service[service.arn]) == 1:
            record.configuration = copy.deepcopy(service.deployment_configuration or {})
            self._configure_breaker(record, service)

    def service_updated(self, service: Any, now: datetime, deployed: bool) -> None:
        """Record UpdateService: a new deployment, and a new revision when DEPLOYED (new task definition or forced)."""
        if service.deployment_controller.get("type") != "ECS" or not service.deployments:
            return
        primary = service.deployments[0]
        if deployed:
            earlier = service.deployments[1:]
            sources = list(dict.fromkeys(self._revision_for(service, d, now) for d in earlier))
            target = self._new_revision(service, primary["taskDefinition"], now).arn
            self.revision_of[primary["id"]] = target
            rollback_to = self._revision_for(service, earlier[0], now) if earlier else None
            self._new_record(service, now, target, sources, rollback_to, staged=bool(sources))
            return
        target = self._revision_for(service, primary, now)
        sources = list(dict.fromkeys(self._revision_for(service, d, now) for d in service.deployments))
        previous = self.current(service)
        rollback_to = previous.rollback_to if previous is not None and previous.target == target else None
        self._new_record(service, now, target, sources, rollback_to, staged=False)

    def publish(self, service: Any) -> None:
        """Set the service's currentServiceDeployment and currentServiceRevisions for DescribeServices."""
        record = self.current(service)
        if record is None:
            return
        service.current_service_deployment = record.arn
        service.current_service_revisions = [
            {k: v for k, v in summary.items() if k in ("arn", "requestedTaskCount", "runningTaskCount",
                                                       "pendingTaskCount")}
            for summary in self._live_summaries(service).values()
            if summary["requestedTaskCount"] or summary["runningTaskCount"] or summary["pendingTaskCount"]]

    def stamp_digests(self, task: Any) -> None:
        """Give TASK's containers the image digests of their revision (or of the registry now, standalone)."""
        if getattr(task, "emu_digests", False):
            return
        revision = self.revisions.get(self.revision_of.get(task.started_by or "", ""))
        for container in task.containers:
            digest = revision.digest_of(container.name) if revision is not None else None
            container.image_digest = digest or self.registry.digest(str(container.image or ""))
        task.emu_digests = True

    # following the scheduler ------------------------------------------------------------------
    def _live_summaries(self, service: Any) -> dict[str, dict[str, Any]]:
        """Return revision ARN -> ServiceRevisionSummary counts from the service's tasks, primary first."""
        now = self.host.now()
        out: dict[str, dict[str, Any]] = {}
        for deployment in service.deployments:
            arn = self._revision_for(service, deployment, now)
            summary = out.setdefault(arn, {"arn": arn, "requestedTaskCount": 0, "runningTaskCount": 0,
                                           "pendingTaskCount": 0})
            summary["requestedTaskCount"] += int(deployment.get("desiredCount") or 0)
            summary["runningTaskCount"] += int(deployment.get("runningCount") or 0)
            summary["pendingTaskCount"] += int(deployment.get("pendingCount") or 0)
        return out

    def summaries(self, record: Record) -> dict[str, dict[str, Any]]:
        """Return RECORD's revision summaries: live while it runs, as they were when it finished."""
        if record.frozen is not None:
            return {s["arn"]: s for s in record.frozen}
        service = self._service_of(record)
        live = self._live_summaries(service) if service is not None else {}
        out = {}
        for arn in [record.target, *record.sources]:
            summary = dict(live.get(arn) or {"arn": arn, "requestedTaskCount": 0, "runningTaskCount": 0,
                                             "pendingTaskCount": 0})
            if arn in record.weights:
                summary["requestedTestTrafficWeight"], summary["requestedProductionTrafficWeight"] = \
                    record.weights[arn]
            out[arn] = summary
        return out

    def _end(self, record: Record, status: str, now: datetime, reason: str | None = None,
             stopped: bool = False) -> None:
        record.frozen = list(self.summaries(record).values())
        record.status = status
        if reason:
            record.status_reason = reason
        if stopped:
            record.stopped_at = now
        else:
            record.finished_at = now
        if record.breaker_status == "MONITORING":
            record.breaker_status = "MONITORING_COMPLETE"
        record.touch(now)
        self._active.pop(record.arn, None)

    def sync(self, backend: Any, now: datetime) -> None:
        """Follow every unfinished deployment one emulated step (call with the world lock held)."""
        mine = f"{prefix_of_backend(backend)}:"
        for arn in list(self._active):
            record = self.records[arn]
            if not record.service_arn.startswith(mine):
                continue  # another account's or Region's deployment: its backend's tick follows it
            service = backend.services.get(f"{record.cluster}:{record.service}")
            if service is None or service.status != "ACTIVE" or not service.deployments:
                self._end(record, "STOPPED", now, SERVICE_DELETED, stopped=True)
                continue
            self._follow(record, service, now)
            self.publish(service)

    def _follow(self, record: Record, service: Any, now: datetime) -> None:
        primary = service.deployments[0]
        if record.status == "STOP_REQUESTED":
            self._end(record, "STOPPED", now, record.requested or STOPPED_BY_USER, stopped=True)
            return
        if record.status == "ROLLBACK_REQUESTED":
            self.roll_back(record, service, now, record.requested or ROLLBACK_BY_USER)
            return
        if record.status == "IN_PROGRESS" and primary["id"] == record.ecs_id:
            record.failures = int(primary.get("failedTasks") or 0)
            if primary.get("rolloutState") == "FAILED":  # the circuit breaker without rollback: it stops
                record.breaker_status = "TRIGGERED"
                self._end(record, "STOPPED", now, str(primary.get("rolloutStateReason")), stopped=True)
                return
        if record.status == "IN_PROGRESS" and record.machine is not None \
                and not record.machine.step(self, record, service, now):
            return  # the stage machine holds the deployment (stages, bake times, hooks)
        steady = (len(service.deployments) == 1 and primary["id"] == record.ecs_id
                  and primary.get("runningCount") == service.desired_count and not primary.get("pendingCount"))
        if (steady or self._early_success(record, service, primary)) and record.status == "IN_PROGRESS":
            self._end(record, "SUCCESSFUL", now)
        elif steady and record.status == "ROLLBACK_IN_PROGRESS":
            self._end(record, "ROLLBACK_SUCCESSFUL", now)

    def rolled_back(self, service: Any, failed: dict[str, Any], deployment: dict[str, Any], now: datetime) -> None:
        """Follow the scheduler's circuit-breaker rollback from ECS deployment FAILED to DEPLOYMENT."""
        record = self.current(service)
        if record is None or record.finished or record.ecs_id != failed["id"]:
            return
        revision = self._revision_for(service, deployment, now)
        record.failures = int(failed.get("failedTasks") or 0)
        record.breaker_status = "TRIGGERED"
        record.status = "ROLLBACK_IN_PROGRESS"
        record.status_reason = str(failed.get("rolloutStateReason"))
        record.rollback = {"reason": "Circuit breaker failure detected: tasks failed to start.",
                           "startedAt": now, "serviceRevisionArn": revision}
        record.ecs_id = deployment["id"]
        self._shift_all(record, revision)
        record.touch(now)

    def staged_rollback(self, service: Any, now: datetime) -> dict[str, Any] | None:
        """Roll a staged deployment whose circuit breaker tripped back to blue's own ECS deployment.

        Blue's tasks kept running beside green's, so ECS only moves traffic back; return blue's
        deployment, PRIMARY again, or None when the scheduler should roll back by starting new tasks.
        """
        failed = service.deployments[0]
        record = self.current(service)
        if record is None or record.finished or record.machine is None or record.ecs_id != failed["id"] \
                or not any(self.revision_of.get(d["id"]) == record.rollback_to for d in service.deployments[1:]):
            return None
        deployment = self._run_revision(service, str(record.rollback_to), now)
        back = f"Rolling back to deployment {deployment['id']}."
        failed["rolloutStateReason"] = f"{failed.get('rolloutStateReason')} {back}"
        self.host.event(service, now, f"(service {service.name}) rolling back to deployment {deployment['id']}.")
        self.rolled_back(service, failed, deployment, now)
        return deployment

    @staticmethod
    def _early_success(record: Record, service: Any, primary: dict[str, Any]) -> bool:
        """Say whether a rolling deployment meets its earlySuccessCriteria (2026-09) before it is steady.

        It succeeds once `healthyPercent` of the desired count runs the new revision; with
        `sourceServiceRevisionCleanup` BLOCKING only after the old revision's tasks are gone, with
        DEFERRED while they still drain (ECS goes on scaling the new revision to 100% either way).
        """
        criteria = record.configuration.get("earlySuccessCriteria") or {}
        if not criteria.get("enable") or record.strategy != "ROLLING" or primary["id"] != record.ecs_id:
            return False
        needed = math.ceil(service.desired_count * int(criteria.get("healthyPercent") or 100) / 100)
        if int(primary.get("runningCount") or 0) < needed:
            return False
        return criteria.get("sourceServiceRevisionCleanup") == "DEFERRED" or len(service.deployments) == 1

    def _shift_all(self, record: Record, revision: str) -> None:
        """Send all test and production traffic of a staged deployment to REVISION."""
        if record.strategy == "ROLLING":
            return
        for arn in [record.target, *record.sources]:
            record.weights[arn] = (100.0, 100.0) if arn == revision else (0.0, 0.0)

    def holds_old_tasks(self, service: Any) -> bool:
        """Tell the scheduler to keep the old revision's tasks: a staged deployment before CLEAN_UP."""
        record = self.current(service)
        return bool(record is not None and record.status in ("IN_PROGRESS", "ROLLBACK_REQUESTED")
                    and record.machine is not None and record.machine.holds(record))

    def roll_back(self, record: Record, service: Any, now: datetime, reason: str) -> None:
        """Start rolling RECORD back to its source revision (ROLLBACK_IN_PROGRESS)."""
        revision = record.rollback_to or (record.sources[0] if record.sources else None)
        if revision is None:
            self._end(record, "ROLLBACK_FAILED", now, NO_SOURCE)
            return
        deployment = self._run_revision(service, revision, now)
        record.status = "ROLLBACK_IN_PROGRESS"
        record.status_reason = reason
        record.rollback = {"reason": reason, "startedAt": now, "serviceRevisionArn": revision}
        record.ecs_id = deployment["id"]
        self._shift_all(record, revision)
        record.touch(now)
        self.host.event(service, now, f"(service {service.name}) (service-deployment {record.arn.rsplit('/', 1)[-1]}) "
                                      f"rolling back to service revision {revision.rsplit('/', 1)[-1]}.")

    def _run_revision(self, service: Any, revision: str, now: datetime) -> dict[str, Any]:
        """Make REVISION's ECS deployment PRIMARY again (its tasks stay), or start a new one for it."""
        primary = service.deployments[0]
        existing = next((d for d in service.deployments[1:] if self.revision_of.get(d["id"]) == revision), None)
        if existing is not None:
            service.deployments.remove(existing)
            deployment = existing
        else:
            deployment = dict(primary)
            deployment.update(id="ecs-svc/" + str(uuid.uuid4().int)[:19], runningCount=0, pendingCount=0,
                              failedTasks=0, createdAt=now,
                              taskDefinition=self.revisions[revision].task_definition)
            self.revision_of[deployment["id"]] = revision
        deployment.update(status="PRIMARY", desiredCount=service.desired_count, rolloutState="IN_PROGRESS",
                          rolloutStateReason=f"ECS deployment {deployment['id']} in progress.", updatedAt=now)
        primary["status"] = "ACTIVE"
        service.deployments.insert(0, deployment)
        service.task_definition = deployment["taskDefinition"]
        service.emu_steady = False
        return deployment

    # the APIs ---------------------------------------------------------------------------------
    def _find(self, arn: Any) -> Record:
        record = self.records.get(str(arn))
        if record is None:
            raise ClientError("ServiceDeploymentNotFoundException", "The service deployment does not exist.")
        return record

    def to_json(self, record: Record) -> dict[str, Any]:
        """Return RECORD as a ServiceDeployment."""
        summaries = self.summaries(record)
        out: dict[str, Any] = {
            "serviceDeploymentArn": record.arn, "serviceArn": record.service_arn, "clusterArn": record.cluster_arn,
            "createdAt": stamp(record.created_at), "startedAt": stamp(record.started_at),
            "updatedAt": stamp(record.updated_at),
            "sourceServiceRevisions": [summaries[arn] for arn in record.sources if arn in summaries],
            "targetServiceRevision": summaries[record.target], "status": record.status,
            "deploymentConfiguration": copy.deepcopy(record.configuration),
            "deploymentCircuitBreaker": {"status": record.breaker_status, "failureCount": record.failures,
                                         "threshold": record.threshold},
        }
        alarms = record.configuration.get("alarms") or {}
        if alarms.get("enable"):
            status = "MONITORING" if not record.finished else "MONITORING_COMPLETE"
            out["alarms"] = {"status": status, "alarmNames": list(alarms.get("alarmNames") or [])}
        else:
            out["alarms"] = {"status": "DISABLED"}
        for key, value in (("finishedAt", record.finished_at), ("stoppedAt", record.stopped_at)):
            if value is not None:
                out[key] = stamp(value)
        if record.status_reason:
            out["statusReason"] = record.status_reason
        if record.lifecycle_stage:
            out["lifecycleStage"] = record.lifecycle_stage
        if record.hooks:
            out["lifecycleHookDetails"] = [
                {k: (stamp(v) if isinstance(v, datetime) else v) for k, v in hook.items() if not k.startswith("_")}
                for hook in record.hooks]
        if record.rollback is not None:
            out["rollback"] = {k: (stamp(v) if isinstance(v, datetime) else v) for k, v in record.rollback.items()}
        return out

    def list_service_deployments(self, request: dict[str, Any]) -> dict[str, Any]:
        backend = self._backend()
        cluster = str(request.get("cluster") or "default").rsplit("/", 1)[-1]
        if cluster not in backend.clusters:
            raise ClientError("ClusterNotFoundException", "Cluster not found.")
        name = str(request.get("service") or "").rsplit("/", 1)[-1]
        if f"{cluster}:{name}" not in backend.services:
            raise ClientError("ServiceNotFoundException", "Service not found.")
        size = request.get("maxResults")
        size = LIST_DEFAULT if size is None else size
        if not isinstance(size, int) or not 1 <= size <= LIST_MOST:
            raise ClientError("InvalidParameterException", f"maxResults must be between 1 and {LIST_MOST}, got {size}.")
        statuses = request.get("status") or []
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            raise ClientError("InvalidParameterException", f"Invalid status: {unknown[0]}.")
        created = request.get("createdAt") or {}
        after, before = parse_time(created.get("after")), parse_time(created.get("before"))
        records = [r for r in reversed(self.of_service(cluster, name))
                   if (not statuses or r.status in statuses) and (after is None or r.created_at >= after)
                   and (before is None or r.created_at <= before)]
        token = request.get("nextToken")
        offset = decode_token("ListServiceDeployments", token) if token else 0
        answer: dict[str, Any] = {"serviceDeployments": [r.brief() for r in records[offset:offset + size]]}
        if offset + size < len(records):
            answer["nextToken"] = encode_token("ListServiceDeployments", offset + size)
        return answer

    @staticmethod
    def _arns(request: dict[str, Any], key: str) -> list[str]:
        arns = request.get(key) or []
        if not arns:
            raise ClientError("InvalidParameterException", f"{key} must not be empty.")
        if len(arns) > DESCRIBE_MOST:
            raise ClientError("InvalidParameterException",
                              f"{key} can have at most {DESCRIBE_MOST} items, {len(arns)} were given.")
        return [str(a) for a in arns]

    def describe_service_deployments(self, request: dict[str, Any]) -> dict[str, Any]:
        arns = self._arns(request, "serviceDeploymentArns")
        found = [self.to_json(self.records[a]) for a in dict.fromkeys(arns) if a in self.records]
        failures = [{"arn": a, "reason": "MISSING"} for a in dict.fromkeys(arns) if a not in self.records]
        return {"serviceDeployments": found, "failures": failures}

    def describe_service_revisions(self, request: dict[str, Any]) -> dict[str, Any]:
        arns = self._arns(request, "serviceRevisionArns")
        found = [self.revisions[a].to_json() for a in dict.fromkeys(arns) if a in self.revisions]
        failures = [{"arn": a, "reason": "MISSING"} for a in dict.fromkeys(arns) if a not in self.revisions]
        return {"serviceRevisions": found, "failures": failures}

    def stop_service_deployment(self, request: dict[str, Any]) -> dict[str, Any]:
        record = self._find(request.get("serviceDeploymentArn"))
        stop_type = request.get("stopType") or "ROLLBACK"
        if stop_type not in ("ROLLBACK", "ABORT"):
            raise ClientError("InvalidParameterException", f"Invalid stopType: {stop_type}.")
        if record.status not in STOPPABLE:
            raise ClientError("ConflictException",
                              f"The service deployment is {record.status} and cannot be stopped.")
        now = self.host.now()
        if record.status in ("IN_PROGRESS", "PENDING"):
            if stop_type == "ROLLBACK":
                if record.rollback_to is None and not record.sources:
                    raise ClientError("InvalidParameterException", NO_SOURCE)
                record.status, record.requested = "ROLLBACK_REQUESTED", ROLLBACK_BY_USER
            else:
                record.status, record.requested = "STOP_REQUESTED", STOPPED_BY_USER
            record.touch(now)
        return {"serviceDeploymentArn": record.arn}

    def continue_service_deployment(self, request: dict[str, Any]) -> dict[str, Any]:
        record = self._find(request.get("serviceDeploymentArn"))
        action = request.get("action") or "CONTINUE"
        if action not in ("CONTINUE", "ROLLBACK"):
            raise ClientError("InvalidParameterException", f"Invalid action: {action}.")
        hook = next((h for h in record.hooks if h.get("hookId") == request.get("hookId")), None)
        if hook is None or hook.get("status") != "AWAITING_ACTION":
            raise ClientError("InvalidParameterException",
                              f"The lifecycle hook {request.get('hookId')} is not awaiting action.")
        hook["_action"] = action
        record.touch(self.host.now())
        return {"serviceDeploymentArn": record.arn}

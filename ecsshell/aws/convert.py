"""Turn ECS, ELB and CloudWatch Logs JSON answers into the plain model; missing keys are fine.

Every converter the gateway calls takes the answer through `plain_json` first (`@_plained`): no
control sequence from AWS reaches the model, so none reaches a view. Free text (reasons, events,
log lines) is also scrubbed of secrets unless `secrets.revealing()`. The one exception is
`TaskDefinition.raw`, kept exactly as ECS gave it because `update` registers it again; it is shown
only through `secrets.masked_taskdef`, which makes it plain.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..model import (
    Cluster,
    ContainerDef,
    ContainerImage,
    Deployment,
    DeploymentRollback,
    ExecSession,
    LifecycleHook,
    LoadBalancerRef,
    LogEvent,
    Revision,
    RevisionSummary,
    RunFailure,
    Service,
    ServiceDeployment,
    ServiceEvent,
    ServiceRevision,
    TargetHealth,
    Task,
    TaskContainer,
    TaskDefinition,
    arn_name,
)
from ..plain import plain, plain_json
from ..secrets import free_text

if TYPE_CHECKING:  # the boto3 stubs are a test dependency only: these names are for mypy
    from types_boto3_ecs.type_defs import (
        ClusterTypeDef,
        ContainerDefinitionOutputTypeDef,
        ContainerTypeDef,
        DeploymentTypeDef,
        DescribeTaskDefinitionResponseTypeDef,
        FailureTypeDef,
        LoadBalancerTypeDef,
        RegisterTaskDefinitionResponseTypeDef,
        ServiceEventTypeDef,
        ServiceTypeDef,
        TaskTypeDef,
    )
    from types_boto3_elb.type_defs import InstanceStateTypeDef
    from types_boto3_elbv2.type_defs import TargetDescriptionTypeDef, TargetHealthDescriptionTypeDef
    from types_boto3_logs.type_defs import FilteredLogEventTypeDef

Json = Mapping[str, Any]
F = TypeVar("F", bound=Callable[..., Any])


def _plained(convert: F) -> F:
    """Make CONVERT read its answer (the first argument) with every string in it made plain."""
    @functools.wraps(convert)
    def converted(data: Any, *args: Any, **kwargs: Any) -> Any:
        return convert(plain_json(data), *args, **kwargs)

    return cast("F", converted)


def _said(value: Any) -> str | None:
    """Return free text (a reason, an event, a log line) with its secrets masked unless revealing; None if empty."""
    text = _str(value)
    return None if text is None else free_text(text)


def _int(value: Any) -> int | None:
    """Return VALUE as an int, or None when it is absent or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _count(value: Any) -> int:
    return _int(value) or 0


def _str(value: Any) -> str | None:
    """Return VALUE as text, or None when it is absent or empty."""
    return None if value is None or value == "" else str(value)


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _dict(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, Mapping) else None


def _time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


# What each model reads of ECS's answer; the rest goes to its other_members, as ECS returned it. A task's
# `overrides` are never kept: a container override's environment may carry a secret.
CLUSTER_READS = frozenset({"clusterArn", "clusterName", "status", "activeServicesCount", "runningTasksCount",
                           "pendingTasksCount", "registeredContainerInstancesCount"})
DEPLOYMENT_READS = frozenset({"id", "status", "taskDefinition", "desiredCount", "runningCount", "pendingCount",
                              "failedTasks", "rolloutState", "rolloutStateReason", "createdAt", "updatedAt"})
SERVICE_READS = frozenset({
    "serviceArn", "serviceName", "clusterArn", "status", "desiredCount", "runningCount", "pendingCount",
    "taskDefinition", "launchType", "deployments", "events", "loadBalancers", "networkConfiguration", "createdAt",
    "deploymentController", "deploymentConfiguration", "currentServiceDeployment", "currentServiceRevisions",
    "enableExecuteCommand"})
CONTAINER_READS = frozenset({"name", "lastStatus", "exitCode", "reason", "healthStatus", "image", "imageDigest",
                             "runtimeId"})
TASK_READS = frozenset({
    "taskArn", "taskDefinitionArn", "lastStatus", "desiredStatus", "healthStatus", "group", "launchType",
    "startedAt", "stoppedAt", "stoppedReason", "containers", "clusterArn", "stopCode", "createdAt", "pullStartedAt",
    "pullStoppedAt", "enableExecuteCommand", "overrides"})


def _others(data: Any, reads: frozenset[str]) -> dict[str, Any]:
    """Return the members of ECS's answer DATA a model does not read (for its other_members)."""
    return {k: v for k, v in data.items() if k not in reads}


def revision(arn: str, status: str) -> Revision | None:
    """Return the Revision a ListTaskDefinitions ARN names, or None when it names no `family:number`."""
    arn = plain(arn)
    family, _, number = arn_name(arn).rpartition(":")
    if not family or not number.isdigit():
        return None
    return Revision(family=family, number=int(number), arn=arn, status=status)


@_plained
def cluster(data: ClusterTypeDef) -> Cluster:
    """Convert one DescribeClusters entry."""
    arn = str(data.get("clusterArn") or "")
    return Cluster(
        name=str(data.get("clusterName") or arn_name(arn)),
        arn=arn,
        status=str(data.get("status") or ""),
        active_services=_count(data.get("activeServicesCount")),
        running_tasks=_count(data.get("runningTasksCount")),
        pending_tasks=_count(data.get("pendingTasksCount")),
        container_instances=_count(data.get("registeredContainerInstancesCount")),
        other_members=_others(data, CLUSTER_READS),
    )


def deployment(data: DeploymentTypeDef) -> Deployment:
    """Convert one entry of a service's deployments."""
    return Deployment(
        id=str(data.get("id") or ""),
        status=str(data.get("status") or ""),
        task_definition_arn=str(data.get("taskDefinition") or ""),
        desired=_count(data.get("desiredCount")),
        running=_count(data.get("runningCount")),
        pending=_count(data.get("pendingCount")),
        failed=_count(data.get("failedTasks")),
        rollout_state=_str(data.get("rolloutState")),
        rollout_reason=_said(data.get("rolloutStateReason")),
        created_at=_time(data.get("createdAt")),
        updated_at=_time(data.get("updatedAt")),
        other_members=_others(data, DEPLOYMENT_READS),
    )


def service_event(data: ServiceEventTypeDef) -> ServiceEvent:
    """Convert one entry of a service's events."""
    return ServiceEvent(id=str(data.get("id") or ""), created_at=_time(data.get("createdAt")),
                        message=free_text(str(data.get("message") or "")))


def newest_first(events: Iterable[ServiceEvent]) -> tuple[ServiceEvent, ...]:
    """Order EVENTS newest first (stable, so undated events keep ECS's order)."""
    listed = list(events)
    if all(e.created_at is not None for e in listed):
        listed.sort(key=lambda e: e.created_at, reverse=True)  # type: ignore[arg-type,return-value]
    return tuple(listed)


def load_balancer_ref(data: LoadBalancerTypeDef) -> LoadBalancerRef:
    """Convert one entry of a service's loadBalancers."""
    return LoadBalancerRef(
        container_name=_str(data.get("containerName")),
        container_port=_int(data.get("containerPort")),
        target_group_arn=_str(data.get("targetGroupArn")),
        load_balancer_name=_str(data.get("loadBalancerName")),
    )


@_plained
def service(data: ServiceTypeDef) -> Service:
    """Convert one DescribeServices entry."""
    arn = str(data.get("serviceArn") or "")
    return Service(
        name=str(data.get("serviceName") or arn_name(arn)),
        arn=arn,
        cluster_arn=str(data.get("clusterArn") or ""),
        status=str(data.get("status") or ""),
        desired=_count(data.get("desiredCount")),
        running=_count(data.get("runningCount")),
        pending=_count(data.get("pendingCount")),
        task_definition_arn=str(data.get("taskDefinition") or ""),
        launch_type=_str(data.get("launchType")),
        deployments=tuple(deployment(d) for d in _list(data.get("deployments"))),
        events=newest_first(service_event(e) for e in _list(data.get("events"))),
        load_balancers=tuple(load_balancer_ref(lb) for lb in _list(data.get("loadBalancers"))),
        network_configuration=_dict(data.get("networkConfiguration")),
        created_at=_time(data.get("createdAt")),
        deployment_controller=_str((_dict(data.get("deploymentController")) or {}).get("type")),
        deployment_configuration=_dict(data.get("deploymentConfiguration")),
        current_service_deployment=_str(data.get("currentServiceDeployment")),
        current_revisions=tuple(revision_summary(r) for r in _list(data.get("currentServiceRevisions"))
                                if isinstance(r, Mapping)),
        enable_execute_command=bool(data.get("enableExecuteCommand")),
        other_members=_others(data, SERVICE_READS),
    )


def task_container(data: ContainerTypeDef) -> TaskContainer:
    """Convert one container of a DescribeTasks entry."""
    return TaskContainer(
        name=str(data.get("name") or ""),
        last_status=_str(data.get("lastStatus")),
        exit_code=_int(data.get("exitCode")),
        reason=_said(data.get("reason")),
        health=_str(data.get("healthStatus")),
        image=_str(data.get("image")),
        image_digest=_str(data.get("imageDigest")),
        runtime_id=_str(data.get("runtimeId")),
        other_members=_others(data, CONTAINER_READS),
    )


@_plained
def task(data: TaskTypeDef) -> Task:
    """Convert one DescribeTasks (or RunTask, StopTask) entry."""
    return Task(
        arn=str(data.get("taskArn") or ""),
        task_definition_arn=str(data.get("taskDefinitionArn") or ""),
        last_status=str(data.get("lastStatus") or ""),
        desired_status=str(data.get("desiredStatus") or ""),
        health=_str(data.get("healthStatus")),
        group=_str(data.get("group")),
        launch_type=_str(data.get("launchType")),
        started_at=_time(data.get("startedAt")),
        stopped_at=_time(data.get("stoppedAt")),
        stopped_reason=_said(data.get("stoppedReason")),
        containers=tuple(task_container(c) for c in _list(data.get("containers"))),
        cluster_arn=_str(data.get("clusterArn")),
        stop_code=_str(data.get("stopCode")),
        created_at=_time(data.get("createdAt")),
        pull_started_at=_time(data.get("pullStartedAt")),
        pull_stopped_at=_time(data.get("pullStoppedAt")),
        network_interface_id=_attachment_detail(data, "networkInterfaceId"),
        private_ipv4_address=_attachment_detail(data, "privateIPv4Address"),
        enable_execute_command=bool(data.get("enableExecuteCommand")),
        other_members=_others(data, TASK_READS),
    )


def _attachment_detail(data: TaskTypeDef, name: str) -> str | None:
    """Return detail NAME of the task's ElasticNetworkInterface attachment (awsvpc), if it has one."""
    for attachment in _list(data.get("attachments")):
        if attachment.get("type") != "ElasticNetworkInterface":
            continue
        for detail in _list(attachment.get("details")):
            if detail.get("name") == name:
                return _str(detail.get("value"))
    return None


def _pairs(items: Any, key: str, value: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(i.get(key) or ""), str(i.get(value) or "")) for i in _list(items)
                 if isinstance(i, Mapping))


def _strings(items: Any) -> tuple[str, ...]:
    return tuple(str(i) for i in _list(items))


def container_def(data: ContainerDefinitionOutputTypeDef) -> ContainerDef:
    """Convert one containerDefinitions entry."""
    return ContainerDef(
        name=str(data.get("name") or ""),
        image=str(data.get("image") or ""),
        cpu=_int(data.get("cpu")),
        memory=_int(data.get("memory")),
        memory_reservation=_int(data.get("memoryReservation")),
        essential=bool(data.get("essential", True)),
        port_mappings=tuple(dict(p) for p in _list(data.get("portMappings")) if isinstance(p, Mapping)),
        command=_strings(data.get("command")),
        entry_point=_strings(data.get("entryPoint")),
        environment=_pairs(data.get("environment"), "name", "value"),
        secrets=_pairs(data.get("secrets"), "name", "valueFrom"),
        log_configuration=_dict(data.get("logConfiguration")),
        health_check=_dict(data.get("healthCheck")),
    )


def task_definition(
        answer: DescribeTaskDefinitionResponseTypeDef | RegisterTaskDefinitionResponseTypeDef) -> TaskDefinition:
    """Convert a DescribeTaskDefinition (or RegisterTaskDefinition) answer: taskDefinition plus tags."""
    raw = {k: v for k, v in answer.items() if k != "ResponseMetadata"}  # exact: `update` registers it again
    answer = plain_json(answer)
    data: Json = answer.get("taskDefinition") or {}
    arn = str(data.get("taskDefinitionArn") or "")
    label = arn_name(arn)
    family = str(data.get("family") or label.split(":")[0])
    revision = _int(data.get("revision"))
    if revision is None:
        revision = _int(label.rsplit(":", 1)[-1]) if ":" in label else 0
    return TaskDefinition(
        arn=arn,
        family=family,
        revision=revision or 0,
        status=str(data.get("status") or ""),
        containers=tuple(container_def(c) for c in _list(data.get("containerDefinitions"))),
        cpu=_str(data.get("cpu")),
        memory=_str(data.get("memory")),
        network_mode=_str(data.get("networkMode")),
        task_role_arn=_str(data.get("taskRoleArn")),
        execution_role_arn=_str(data.get("executionRoleArn")),
        requires_compatibilities=_strings(data.get("requiresCompatibilities")),
        tags=_pairs(answer.get("tags"), "key", "value"),
        raw=raw,
    )


@_plained
def run_failure(data: FailureTypeDef) -> RunFailure:
    """Convert one RunTask failure."""
    return RunFailure(arn=_str(data.get("arn")), reason=free_text(str(data.get("reason") or "unknown reason")),
                      detail=_said(data.get("detail")))


@_plained
def target_health(data: TargetHealthDescriptionTypeDef) -> TargetHealth:
    """Convert one elbv2 DescribeTargetHealth description."""
    target = data.get("Target") or cast("TargetDescriptionTypeDef", {})
    health = data.get("TargetHealth") or {}
    return TargetHealth(
        target_id=str(target.get("Id") or ""),
        port=_int(target.get("Port")),
        state=str(health.get("State") or "unavailable"),
        reason=_str(health.get("Reason")),
        description=_said(health.get("Description")),
    )


@_plained
def instance_health(data: InstanceStateTypeDef) -> TargetHealth:
    """Convert one classic ELB DescribeInstanceHealth state."""
    reason = data.get("ReasonCode")
    return TargetHealth(
        target_id=str(data.get("InstanceId") or ""),
        port=None,
        state=str(data.get("State") or "Unknown"),
        reason=None if reason in (None, "N/A") else str(reason),
        description=None if data.get("Description") in (None, "N/A") else _said(data.get("Description")),
    )


@_plained
def log_event(data: FilteredLogEventTypeDef) -> LogEvent:
    """Convert one FilterLogEvents event from an awslogs stream named prefix/container/task-id."""
    parts = str(data.get("logStreamName") or "").split("/")
    millis = _int(data.get("timestamp")) or 0
    return LogEvent(
        timestamp=datetime.fromtimestamp(millis / 1000, tz=UTC),
        task_id=parts[-1],
        container=parts[-2] if len(parts) >= 3 else "",
        message=free_text(str(data.get("message") or "").rstrip("\n"), log=True),
        event_id=data.get("eventId"),
    )


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def revision_summary(data: Json) -> RevisionSummary:
    """Convert a ServiceRevisionSummary (or a service's ServiceCurrentRevisionSummary)."""
    return RevisionSummary(
        arn=str(data.get("arn") or ""),
        requested=_count(data.get("requestedTaskCount")),
        running=_count(data.get("runningTaskCount")),
        pending=_count(data.get("pendingTaskCount")),
        test_traffic_weight=_float(data.get("requestedTestTrafficWeight")),
        production_traffic_weight=_float(data.get("requestedProductionTrafficWeight")),
    )


def lifecycle_hook(data: Json) -> LifecycleHook:
    """Convert one lifecycleHookDetails entry of a service deployment."""
    return LifecycleHook(
        hook_id=str(data.get("hookId") or ""),
        target_type=str(data.get("targetType") or ""),
        status=str(data.get("status") or ""),
        target_arn=_str(data.get("targetArn")),
        expires_at=_time(data.get("expiresAt")),
        timeout_action=_str(data.get("timeoutAction")),
    )


@_plained
def service_deployment(data: Json) -> ServiceDeployment:
    """Convert one DescribeServiceDeployments entry, or a ListServiceDeployments brief."""
    target = data.get("targetServiceRevision")
    if not isinstance(target, Mapping) and data.get("targetServiceRevisionArn"):
        target = {"arn": data.get("targetServiceRevisionArn")}
    rollback = data.get("rollback")
    return ServiceDeployment(
        arn=str(data.get("serviceDeploymentArn") or ""),
        service_arn=str(data.get("serviceArn") or ""),
        cluster_arn=str(data.get("clusterArn") or ""),
        status=str(data.get("status") or ""),
        status_reason=_said(data.get("statusReason")),
        lifecycle_stage=_str(data.get("lifecycleStage")),
        target=revision_summary(target) if isinstance(target, Mapping) else None,
        sources=tuple(revision_summary(r) for r in _list(data.get("sourceServiceRevisions"))
                      if isinstance(r, Mapping)),
        hooks=tuple(lifecycle_hook(h) for h in _list(data.get("lifecycleHookDetails")) if isinstance(h, Mapping)),
        rollback=DeploymentRollback(reason=_said(rollback.get("reason")), started_at=_time(rollback.get("startedAt")),
                                    service_revision_arn=_str(rollback.get("serviceRevisionArn")))
        if isinstance(rollback, Mapping) and rollback else None,
        circuit_breaker=_dict(data.get("deploymentCircuitBreaker")),
        alarms=_dict(data.get("alarms")),
        deployment_configuration=_dict(data.get("deploymentConfiguration")),
        created_at=_time(data.get("createdAt")),
        started_at=_time(data.get("startedAt")),
        finished_at=_time(data.get("finishedAt")),
        stopped_at=_time(data.get("stoppedAt")),
        updated_at=_time(data.get("updatedAt")),
    )


@_plained
def service_revision(data: Json) -> ServiceRevision:
    """Convert one DescribeServiceRevisions entry."""
    return ServiceRevision(
        arn=str(data.get("serviceRevisionArn") or ""),
        service_arn=str(data.get("serviceArn") or ""),
        cluster_arn=str(data.get("clusterArn") or ""),
        task_definition_arn=str(data.get("taskDefinition") or ""),
        container_images=tuple(ContainerImage(container_name=str(i.get("containerName") or ""),
                                              image=str(i.get("image") or ""),
                                              image_digest=_str(i.get("imageDigest")))
                               for i in _list(data.get("containerImages")) if isinstance(i, Mapping)),
        launch_type=_str(data.get("launchType")),
        created_at=_time(data.get("createdAt")),
    )
@_plained
def exec_session(data: Mapping[str, Any]) -> ExecSession:
    """Convert an ExecuteCommand answer."""
    session = data.get("session") or {}
    return ExecSession(cluster_arn=str(data.get("clusterArn") or ""), task_arn=str(data.get("taskArn") or ""),
                       container_name=str(data.get("containerName") or ""),
                       session_id=str(session.get("sessionId") or ""), container_arn=_str(data.get("containerArn")),
                       stream_url=str(session.get("streamUrl") or ""), token_value=str(session.get("tokenValue") or ""))

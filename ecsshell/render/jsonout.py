"""Machine output: model objects as JSON documents in ECS's own shape, never drawn through a table.

An ECS object (a Service, Task, Cluster, TaskDefinition, ServiceDeployment, ServiceRevision ...)
becomes the object `aws ecs describe-...` prints: the same member names and nesting, absent members
left out, datetimes as ISO 8601 strings. What ecsshell adds to an object (a `family:revision` label,
a task's id, the images of a service's task definition) goes under the object's one key of its own,
`ecsshell`. Other model objects (ecsshell's own: families, load balancer health, log lines) become
objects keyed by their field names in camelCase plus their simple computed properties; pair tuples
become ECS-style objects (`environment` as `{"name", "value"}`, `tags` as `{"key", "value"}`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from ecsshell.model import (
    Cluster,
    ContainerImage,
    Deployment,
    DeploymentRollback,
    LifecycleHook,
    LoadBalancerRef,
    RevisionSummary,
    RunFailure,
    Service,
    ServiceDeployment,
    ServiceEvent,
    ServiceRevision,
    Task,
    TaskContainer,
    TaskDefinition,
)
from ecsshell.queries import find_task_definition, recent_events, revision_mismatch

ADDED = "ecsshell"  # the key of an ECS object under which ecsshell puts what it adds

PAIR_KEYS: dict[str, tuple[str, str]] = {
    "environment": ("name", "value"),
    "secrets": ("name", "valueFrom"),
    "tags": ("key", "value"),
}


def camel(name: str) -> str:
    """Return a snake_case name in AWS's camelCase: task_definition_arn is taskDefinitionArn."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _is_pairs(value: object) -> bool:
    """Return True for a tuple of two-item tuples (an env list, tags)."""
    return isinstance(value, tuple) and all(isinstance(v, tuple) and len(v) == 2 for v in value)


def _properties(obj: object) -> dict[str, Any]:
    """Return the dataclass's public properties whose values are plain scalars."""
    found: dict[str, Any] = {}
    for name in dir(type(obj)):
        if name.startswith("_") or not isinstance(getattr(type(obj), name, None), property):
            continue
        try:
            value = getattr(obj, name)
        except (AttributeError, IndexError, KeyError, ValueError):
            continue
        if value is None or isinstance(value, str | int | float | bool):
            found[name] = value
    return found


def _dataclass(obj: Any) -> dict[str, Any]:
    """Return a dataclass instance as a JSON-ready dict."""
    doc: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if not f.repr:
            continue
        value = getattr(obj, f.name)
        if f.name in PAIR_KEYS and _is_pairs(value):
            first, second = PAIR_KEYS[f.name]
            doc[camel(f.name)] = [{first: to_jsonable(a), second: to_jsonable(b)} for a, b in value]
        else:
            doc[camel(f.name)] = to_jsonable(value)
    for name, value in _properties(obj).items():
        doc.setdefault(camel(name), value)
    return doc


def to_jsonable(obj: Any) -> Any:
    """Convert ECS objects (in ECS's shape), other dataclasses, datetimes, mappings and sequences into JSON values."""
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    shaped = AWS_SHAPES.get(type(obj))
    if shaped is not None:
        return shaped(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _dataclass(obj)
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return to_jsonable(obj.value)
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, bytes):
        return obj.decode("utf-8", "replace")
    return str(obj)


def _aws(members: dict[str, Any], added: dict[str, Any] | None = None,
         others: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return an ECS object: MEMBERS as JSON values without the absent ones, then the OTHERS ECS returned that
    the model keeps as they came, and what ecsshell ADDED under its key."""
    doc = {k: to_jsonable(v) for k, v in members.items() if v is not None}
    doc.update({k: to_jsonable(v) for k, v in (others or {}).items() if k not in doc and v is not None})
    extra = {k: to_jsonable(v) for k, v in (added or {}).items() if v is not None}
    if extra:
        doc[ADDED] = extra
    return doc


def with_added(doc: dict[str, Any], **added: Any) -> dict[str, Any]:
    """Return an ECS object DOC with more of what ecsshell adds to it (under `ecsshell`)."""
    extra = {**doc.get(ADDED, {}), **{k: to_jsonable(v) for k, v in added.items() if v is not None}}
    return {**doc, ADDED: extra} if extra else doc


def cluster_json(c: Cluster) -> dict[str, Any]:
    """Return a cluster as DescribeClusters prints it."""
    return _aws({"clusterArn": c.arn, "clusterName": c.name, "status": c.status,
                 "registeredContainerInstancesCount": c.container_instances, "runningTasksCount": c.running_tasks,
                 "pendingTasksCount": c.pending_tasks, "activeServicesCount": c.active_services},
                others=c.other_members)


def deployment_json(d: Deployment) -> dict[str, Any]:
    """Return one of a service's deployments as DescribeServices prints it."""
    return _aws({"id": d.id, "status": d.status, "taskDefinition": d.task_definition_arn or None,
                 "desiredCount": d.desired, "pendingCount": d.pending, "runningCount": d.running,
                 "failedTasks": d.failed, "createdAt": d.created_at, "updatedAt": d.updated_at,
                 "rolloutState": d.rollout_state, "rolloutStateReason": d.rollout_reason},
                {"revision": d.revision or None}, d.other_members)


def event_json(e: ServiceEvent) -> dict[str, Any]:
    """Return a service event as DescribeServices prints it."""
    return _aws({"id": e.id, "createdAt": e.created_at, "message": e.message})


def load_balancer_ref_json(lb: LoadBalancerRef) -> dict[str, Any]:
    """Return a service's load balancer link as DescribeServices prints it."""
    return _aws({"targetGroupArn": lb.target_group_arn, "loadBalancerName": lb.load_balancer_name,
                 "containerName": lb.container_name, "containerPort": lb.container_port})


def revision_summary_json(r: RevisionSummary) -> dict[str, Any]:
    """Return a ServiceRevisionSummary (a service's currentServiceRevisions carry the first four members)."""
    return _aws({"arn": r.arn, "requestedTaskCount": r.requested, "runningTaskCount": r.running,
                 "pendingTaskCount": r.pending, "requestedTestTrafficWeight": r.test_traffic_weight,
                 "requestedProductionTrafficWeight": r.production_traffic_weight})


def service_json(s: Service) -> dict[str, Any]:
    """Return a service as DescribeServices prints it; ecsshell adds its `family:revision`."""
    return _aws({
        "serviceArn": s.arn, "serviceName": s.name, "clusterArn": s.cluster_arn or None,
        "loadBalancers": list(s.load_balancers), "status": s.status, "desiredCount": s.desired,
        "runningCount": s.running, "pendingCount": s.pending, "launchType": s.launch_type,
        "taskDefinition": s.task_definition_arn or None, "deploymentConfiguration": s.deployment_configuration,
        "deployments": list(s.deployments), "events": list(s.events), "createdAt": s.created_at,
        "currentServiceDeployment": s.current_service_deployment,
        "currentServiceRevisions": [{"arn": r.arn, "requestedTaskCount": r.requested, "runningTaskCount": r.running,
                                     "pendingTaskCount": r.pending} for r in s.current_revisions],
        "networkConfiguration": s.network_configuration,
        "deploymentController": {"type": s.deployment_controller} if s.deployment_controller else None,
        "enableExecuteCommand": s.enable_execute_command,
    }, {"revision": s.revision or None}, s.other_members)


def task_container_json(c: TaskContainer) -> dict[str, Any]:
    """Return one container of a task as DescribeTasks prints it."""
    return _aws({"name": c.name, "image": c.image, "imageDigest": c.image_digest, "runtimeId": c.runtime_id,
                 "lastStatus": c.last_status, "exitCode": c.exit_code, "reason": c.reason,
                 "healthStatus": c.health}, others=c.other_members)


def task_json(t: Task) -> dict[str, Any]:
    """Return a task as DescribeTasks prints it (its ENI in `attachments`); ecsshell adds its id and revision."""
    details = [{"name": name, "value": value} for name, value in
               (("networkInterfaceId", t.network_interface_id), ("privateIPv4Address", t.private_ipv4_address))
               if value]
    attachments = None if "attachments" in t.other_members else (  # ECS's own, else rebuilt from the model
        [{"type": "ElasticNetworkInterface", "details": details}] if details else None)
    return _aws({
        "attachments": attachments, "clusterArn": t.cluster_arn, "containers": list(t.containers),
        "createdAt": t.created_at, "desiredStatus": t.desired_status or None,
        "enableExecuteCommand": t.enable_execute_command, "group": t.group, "healthStatus": t.health,
        "lastStatus": t.last_status or None, "launchType": t.launch_type, "pullStartedAt": t.pull_started_at,
        "pullStoppedAt": t.pull_stopped_at, "startedAt": t.started_at, "stopCode": t.stop_code,
        "stoppedAt": t.stopped_at, "stoppedReason": t.stopped_reason, "taskArn": t.arn,
        "taskDefinitionArn": t.task_definition_arn or None,
    }, {"id": t.id, "revision": t.revision or None, "networkInterfaceId": t.network_interface_id,
        "privateIpv4Address": t.private_ipv4_address}, t.other_members)


def task_definition_json(td: TaskDefinition, show_secrets: bool = False) -> dict[str, Any]:
    """Return a task definition as DescribeTaskDefinition's `taskDefinition`, secrets masked unless SHOW_SECRETS;
    its tags (beside it in ECS's answer) are what ecsshell adds."""
    from .taskdef import task_definition_document as described

    doc = described(td, mask_secrets=not show_secrets)
    tags = doc.pop("tags", None)
    return with_added(doc, label=td.label, tags=tags or None)


def rollback_json(r: DeploymentRollback) -> dict[str, Any]:
    """Return how ECS rolled a service deployment back, as DescribeServiceDeployments prints it."""
    return _aws({"reason": r.reason, "startedAt": r.started_at, "serviceRevisionArn": r.service_revision_arn})


def hook_json(h: LifecycleHook) -> dict[str, Any]:
    """Return one lifecycle hook of a service deployment, as DescribeServiceDeployments prints it."""
    return _aws({"hookId": h.hook_id, "targetType": h.target_type, "targetArn": h.target_arn, "status": h.status,
                 "expiresAt": h.expires_at, "timeoutAction": h.timeout_action})


def service_deployment_json(d: ServiceDeployment) -> dict[str, Any]:
    """Return a service deployment as DescribeServiceDeployments prints it; ecsshell adds its id and strategy."""
    return _aws({
        "serviceDeploymentArn": d.arn, "serviceArn": d.service_arn or None, "clusterArn": d.cluster_arn or None,
        "createdAt": d.created_at, "startedAt": d.started_at, "finishedAt": d.finished_at, "stoppedAt": d.stopped_at,
        "updatedAt": d.updated_at, "sourceServiceRevisions": list(d.sources), "targetServiceRevision": d.target,
        "status": d.status, "statusReason": d.status_reason, "lifecycleStage": d.lifecycle_stage,
        "lifecycleHookDetails": list(d.hooks) or None, "deploymentConfiguration": d.deployment_configuration,
        "rollback": d.rollback, "deploymentCircuitBreaker": d.circuit_breaker, "alarms": d.alarms,
    }, {"id": d.id, "strategy": d.strategy})


def container_image_json(i: ContainerImage) -> dict[str, Any]:
    """Return one container image of a service revision, as DescribeServiceRevisions prints it."""
    return _aws({"containerName": i.container_name, "imageDigest": i.image_digest, "image": i.image})


def service_revision_json(r: ServiceRevision) -> dict[str, Any]:
    """Return a service revision as DescribeServiceRevisions prints it; ecsshell adds its `family:revision`."""
    return _aws({"serviceRevisionArn": r.arn, "serviceArn": r.service_arn or None, "clusterArn": r.cluster_arn or None,
                 "taskDefinition": r.task_definition_arn or None, "launchType": r.launch_type,
                 "containerImages": list(r.container_images), "createdAt": r.created_at},
                {"revision": r.revision or None})


def failure_json(f: RunFailure) -> dict[str, Any]:
    """Return a RunTask failure as ECS prints it."""
    return _aws({"arn": f.arn, "reason": f.reason, "detail": f.detail})


AWS_SHAPES: dict[type, Any] = {
    Cluster: cluster_json, Deployment: deployment_json, ServiceEvent: event_json,
    LoadBalancerRef: load_balancer_ref_json, RevisionSummary: revision_summary_json, Service: service_json,
    TaskContainer: task_container_json, Task: task_json, TaskDefinition: task_definition_json,
    DeploymentRollback: rollback_json, LifecycleHook: hook_json, ServiceDeployment: service_deployment_json,
    ContainerImage: container_image_json, ServiceRevision: service_revision_json, RunFailure: failure_json,
}


def dumps(obj: Any, *, compact: bool = False) -> str:
    """Return obj as indented JSON (insertion order, non-ASCII kept), or on one line if compact."""
    if compact:
        return json.dumps(to_jsonable(obj), separators=(",", ":"), ensure_ascii=False)
    return json.dumps(to_jsonable(obj), indent=2, sort_keys=False, ensure_ascii=False)


def task_definition_document(task_def: TaskDefinition, show_secrets: bool = False) -> dict[str, Any]:
    """Return a task definition as ECS's TaskDefinition, with secrets masked unless show_secrets."""
    return task_definition_json(task_def, show_secrets)


def raw_task_definition_document(task_def: TaskDefinition, show_secrets: bool = False) -> Any:
    """Return a task definition as DescribeTaskDefinition answers (taskDefinition, tags), masked unless show_secrets."""
    from .taskdef import task_definition_document as described

    doc = described(task_def, mask_secrets=not show_secrets)
    tags = doc.pop("tags", None)
    return {"taskDefinition": to_jsonable(doc), **({"tags": to_jsonable(tags)} if tags else {})}


def service_document(
    service: Service,
    task_def: TaskDefinition | None,
    tasks: list[Task],
    show_secrets: bool = False,
    *,
    events: int | None = None,
    deployment: ServiceDeployment | None = None,
    revisions: list[ServiceRevision] | None = None,
) -> dict[str, Any]:
    """Return one service with its tasks, task definition, warnings, service deployment and service revisions.

    `events` keeps only that many most recent events (newest first); None keeps them all.
    """
    doc = to_jsonable(service)
    if events is not None:
        doc["events"] = to_jsonable(recent_events(service, events))
    return {
        "service": doc,
        "taskDefinition": task_definition_document(task_def, show_secrets) if task_def else None,
        "tasks": to_jsonable(tasks),
        "warnings": [w for w in (revision_mismatch(service, t) for t in tasks) if w],
        "serviceDeployment": to_jsonable(deployment),
        "serviceRevisions": to_jsonable(revisions or []),
    }


def deployment_document(deployment: ServiceDeployment, revisions: Mapping[str, ServiceRevision]) -> dict[str, Any]:
    """Return one service deployment; ecsshell adds the `family:revision` of its target and source revisions."""
    def label(arn: str | None) -> str | None:
        found = revisions.get(arn or "")
        return found.revision if found else None

    return with_added(to_jsonable(deployment),
                      targetRevision=label(deployment.target.arn if deployment.target else None),
                      sourceRevisions=[label(s.arn) for s in deployment.sources])


def named_revisions(deployments: list[ServiceDeployment], revisions: Mapping[str, ServiceRevision]) -> list[Any]:
    """Return the service revisions DEPLOYMENTS name (targets, then sources), each once, as ECS prints them."""
    named: list[str] = []
    for d in deployments:
        for arn in [d.target.arn if d.target else "", *(s.arn for s in d.sources)]:
            if arn in revisions and arn not in named:
                named.append(arn)
    return [to_jsonable(revisions[a]) for a in named]


def deployments_document(cluster: str, service: str, deployments: list[ServiceDeployment],
                         revisions: Mapping[str, ServiceRevision]) -> dict[str, Any]:
    """Return a service's deployment history, newest first, and the service revisions it names."""
    return {"cluster": cluster, "service": service,
            "serviceDeployments": [deployment_document(d, revisions) for d in deployments],
            "serviceRevisions": named_revisions(deployments, revisions)}


def one_deployment_document(cluster: str, service: str, deployment: ServiceDeployment,
                            revisions: Mapping[str, ServiceRevision]) -> dict[str, Any]:
    """Return one service deployment and the service revisions it names."""
    return {"cluster": cluster, "service": service,
            "serviceDeployment": deployment_document(deployment, revisions),
            "serviceRevisions": named_revisions([deployment], revisions)}


def services_document(
    cluster_name: str,
    services: list[Service],
    task_defs: Mapping[str, TaskDefinition],
    *,
    total: int,
) -> dict[str, Any]:
    """Return a cluster's services; ecsshell adds the images of their task definitions, by container."""
    items = []
    for service in services:
        td = find_task_definition(task_defs, service.task_definition_arn)
        items.append(with_added(to_jsonable(service), images={c.name: c.image for c in td.containers} if td else None))
    return {"cluster": cluster_name, "total": total, "services": items}

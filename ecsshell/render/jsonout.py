"""Machine output: model objects as JSON documents, never drawn through a table.

Every key is in AWS's own camelCase, in every command's output: dataclasses become objects keyed
by their field names in camelCase (`task_definition_arn` is `taskDefinitionArn`) plus their simple
computed properties (e.g. a task's `id` and `revision`); fields hidden from repr (a task definition's
`raw` answer) are left out. Pair tuples become ECS-style objects: `environment` as
`{"name", "value"}`, `secrets` as `{"name", "valueFrom"}`, `tags` as `{"key", "value"}`; other
tuples of pairs become lists of two-item lists. Datetimes are ISO 8601 strings.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from ecsshell.model import (
    ContainerDef,
    Service,
    ServiceDeployment,
    ServiceRevision,
    Task,
    TaskDefinition,
)
from ecsshell.queries import find_task_definition, recent_events, revision_mismatch
from ecsshell.secrets import env_pairs, masked_args, masked_options, masked_taskdef

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
    """Convert dataclasses, datetimes, mappings and sequences into plain JSON values."""
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
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


def dumps(obj: Any, *, compact: bool = False) -> str:
    """Return obj as indented JSON (insertion order, non-ASCII kept), or on one line if compact."""
    if compact:
        return json.dumps(to_jsonable(obj), separators=(",", ":"), ensure_ascii=False)
    return json.dumps(to_jsonable(obj), indent=2, sort_keys=False, ensure_ascii=False)


def masked_container(container: ContainerDef, show_secrets: bool) -> ContainerDef:
    """Return a container definition with secret env values, log options and arguments masked."""
    if show_secrets:
        return container
    log = container.log_configuration
    if log and log.get("options"):
        log = {**log, "options": masked_options(log.get("options"), show_secrets=False)}
    return dataclasses.replace(
        container, environment=tuple(env_pairs(container, show_secrets=False)), log_configuration=log,
        command=tuple(masked_args(container.command)), entry_point=tuple(masked_args(container.entry_point)),
    )


def masked_task_definition(task_def: TaskDefinition, show_secrets: bool) -> TaskDefinition:
    """Return a task definition whose containers are masked unless show_secrets."""
    if show_secrets:
        return task_def
    containers = tuple(masked_container(c, show_secrets) for c in task_def.containers)
    return dataclasses.replace(task_def, containers=containers)


def task_definition_document(task_def: TaskDefinition, show_secrets: bool = False) -> dict[str, Any]:
    """Return a task definition (the model's view) with secrets masked unless show_secrets."""
    doc = to_jsonable(masked_task_definition(task_def, show_secrets))
    return doc if isinstance(doc, dict) else {}


def raw_task_definition_document(task_def: TaskDefinition, show_secrets: bool = False) -> Any:
    """Return the DescribeTaskDefinition answer behind a task definition, masked unless show_secrets."""
    return to_jsonable(masked_taskdef(task_def.raw, show_secrets))


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
    """Return one service deployment with `family:rev` of its source and target revisions, and their images."""
    doc = to_jsonable(deployment)

    def label(arn: str | None) -> str | None:
        found = revisions.get(arn or "")
        return found.revision if found else None

    doc["targetRevision"] = label(deployment.target.arn if deployment.target else None)
    doc["sourceRevisions"] = [label(s.arn) for s in deployment.sources]
    named = [deployment.target.arn if deployment.target else "", *(s.arn for s in deployment.sources)]
    doc["serviceRevisions"] = [to_jsonable(revisions[a]) for a in named if a in revisions]
    return doc


def deployments_document(cluster: str, service: str, deployments: list[ServiceDeployment],
                         revisions: Mapping[str, ServiceRevision]) -> dict[str, Any]:
    """Return a service's deployment history, newest first."""
    return {"cluster": cluster, "service": service,
            "serviceDeployments": [deployment_document(d, revisions) for d in deployments]}


def services_document(
    cluster_name: str,
    services: list[Service],
    task_defs: Mapping[str, TaskDefinition],
    *,
    total: int,
) -> dict[str, Any]:
    """Return a cluster's services with the images of their task definitions."""
    items = []
    for service in services:
        doc = to_jsonable(service)
        td = find_task_definition(task_defs, service.task_definition_arn)
        doc["images"] = {c.name: c.image for c in td.containers} if td else None
        items.append(doc)
    return {"cluster": cluster_name, "total": total, "services": items}

"""Compare two services, or a service and a task definition file: what differs once defaults are filled in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import AwsError
from ..model import Service, Task, TaskDefinition
from . import normalise

if TYPE_CHECKING:
    from .gateway import Gateway


@dataclass(frozen=True)
class Side:
    """Where one service of a comparison lives: the gateway of its account and Region, its cluster and name."""

    gateway: Gateway
    cluster: str
    service: str
    label: str  # as the user named it, e.g. staging/api


@dataclass(frozen=True)
class Running:
    """The image digests a service's tasks run, per container, and where ECS said so."""

    digests: dict[str, tuple[str, ...]]  # container -> the distinct digests its tasks run, sorted
    images: dict[str, str]  # container -> the image reference that resolved to them
    source: str  # "tasks" | "service revision" | "" (unknown)
    note: str = ""  # why the digests are unknown
    tasks: int = 0

    @property
    def known(self) -> bool:
        return bool(self.source)

    def mixed(self) -> dict[str, tuple[str, ...]]:
        """Return the containers whose tasks run more than one digest."""
        return {name: found for name, found in self.digests.items() if len(found) > 1}


@dataclass(frozen=True)
class Snapshot:
    """A service as `diff` and `promote` read it: the service, its task definition, what its tasks run."""

    label: str
    service: Service
    task_definition: TaskDefinition
    running: Running


@dataclass(frozen=True)
class Section:
    """One part of a comparison (task definition, running images, service settings), canonical on both sides."""

    name: str
    a: dict[str, Any]
    b: dict[str, Any]

    @property
    def same(self) -> bool:
        return self.a == self.b

    def differences(self) -> list[str]:
        """Return the paths that differ, e.g. containerDefinitions[web].image."""
        return _paths(self.a, self.b, "")


@dataclass(frozen=True)
class Comparison:
    """What `diff` found: the sections compared and notes on what could not be."""

    a_label: str
    b_label: str
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()
    a_revision: str = ""
    b_revision: str = ""

    @property
    def same(self) -> bool:
        return all(s.same for s in self.sections)


@dataclass(frozen=True)
class _Images:
    by_container: dict[str, set[str]] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)


def _from_tasks(tasks: list[Task]) -> _Images | None:
    """Return the digests the TASKS' containers report, or None when any container reports none."""
    found = _Images()
    for task in tasks:
        for c in task.containers:
            if not c.image_digest:
                return None
            found.by_container.setdefault(c.name, set()).add(c.image_digest)
            if c.image:
                found.images.setdefault(c.name, c.image)
    return found if found.by_container else None


def running_images(gateway: Gateway, cluster: str, service: Service) -> Running:
    """Return the digests SERVICE's running tasks run: from DescribeTasks, else from its current service revisions."""
    tasks = gateway.service_tasks(cluster, service.name)
    if not tasks:
        return Running({}, {}, "", f"{service.name} has no running tasks", 0)
    found = _from_tasks(tasks)
    if found is not None:
        return Running({k: tuple(sorted(v)) for k, v in found.by_container.items()}, found.images, "tasks",
                       tasks=len(tasks))
    if not service.current_revisions:
        return Running({}, {}, "", "ECS reports no image digest for its tasks and no service revision",
                       len(tasks))
    try:
        revisions = list(gateway.describe_service_revisions([r.arn for r in service.current_revisions]).values())
    except AwsError as exc:
        return Running({}, {}, "", f"no image digests: DescribeServiceRevisions failed ({exc})", len(tasks))
    by_revision = _Images()
    for revision in revisions:
        for image in revision.container_images:
            if not image.image_digest:
                return Running({}, {}, "", f"service revision {revision.arn.rsplit('/', 1)[-1]} has no digest "
                               f"for container {image.container_name}", len(tasks))
            by_revision.by_container.setdefault(image.container_name, set()).add(image.image_digest)
            by_revision.images.setdefault(image.container_name, image.image)
    if not by_revision.by_container:
        return Running({}, {}, "", "ECS reports no image digests for its tasks or service revisions", len(tasks))
    return Running({k: tuple(sorted(v)) for k, v in by_revision.by_container.items()}, by_revision.images,
                   "service revision", tasks=len(tasks))


def snapshot(side: Side, with_images: bool = True) -> Snapshot:
    """Read SIDE's service, its task definition and (WITH_IMAGES) the digests its tasks run."""
    gateway = side.gateway
    service = gateway.describe_service(side.cluster, side.service)
    td_future = gateway.submit(gateway.task_definition, service.task_definition_arn)
    running = running_images(gateway, side.cluster, service) if with_images else Running({}, {}, "")
    return Snapshot(side.label, service, td_future.result(), running)


def _service_section(service: Service) -> dict[str, Any]:
    balancers = [{k: v for k, v in (("targetGroupArn", lb.target_group_arn), ("loadBalancerName",
                  lb.load_balancer_name), ("containerName", lb.container_name), ("containerPort",
                  lb.container_port)) if v is not None} for lb in service.load_balancers]
    return normalise.service_settings(service.desired, service.deployment_configuration,
                                      service.network_configuration, balancers)


def _images_section(running: Running) -> dict[str, Any]:
    return {name: list(found) if len(found) > 1 else found[0] for name, found in sorted(running.digests.items())}


def _comparable_td(td: Mapping[str, Any]) -> dict[str, Any]:
    """Return the canonical task definition without its family: two services' families differ by design."""
    canonical = normalise.task_definition(td)
    canonical.pop("family", None)
    return canonical


def compare_snapshots(a: Snapshot, b: Snapshot) -> Comparison:
    """Compare two services: task definitions, the digests their tasks run, and their settings."""
    sections = [Section("taskDefinition", _comparable_td(a.task_definition.raw), _comparable_td(b.task_definition.raw))]
    notes = []
    if a.running.known and b.running.known:
        sections.append(Section("runningImages", _images_section(a.running), _images_section(b.running)))
    else:
        why = "; ".join(f"{s.label}: {s.running.note}" for s in (a, b) if not s.running.known)
        notes.append(f"note: running image digests not compared ({why})")
    sections.append(Section("service", _service_section(a.service), _service_section(b.service)))
    return Comparison(a.label, b.label, tuple(sections), tuple(notes), a.task_definition.label,
                      b.task_definition.label)


def compare_services(a: Side, b: Side) -> Comparison:
    """Read both services at once and compare them."""
    first = a.gateway.submit(snapshot, a)
    second = snapshot(b)
    return compare_snapshots(first.result(), second)


def compare_with_file(side: Side, document: Mapping[str, Any], file_label: str) -> Comparison:
    """Compare SIDE's task definition with a task definition DOCUMENT in `register` format."""
    snap = snapshot(side, with_images=False)
    section = Section("taskDefinition", _comparable_td(snap.task_definition.raw), _comparable_td(document))
    family = str(normalise.task_definition(document).get("family") or "")
    return Comparison(side.label, file_label, (section,), (), snap.task_definition.label, family)


def _paths(a: Any, b: Any, path: str) -> list[str]:
    """Return where A and B differ, as paths (containers and named items by name)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                out.append(sub)
            else:
                out.extend(_paths(a[key], b[key], sub))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if _named(a) and _named(b):
            return _named_paths(a, b, path)
        return [] if a == b else [path]
    return [] if a == b else [path]


def _named(items: list[Any]) -> bool:
    return all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items)


def _name(item: dict[str, Any]) -> str:
    return str(item["name"])


def _named_paths(a: list[Any], b: list[Any], path: str) -> list[str]:
    """Return where two lists of named items differ: by name, as path[NAME]."""
    left, right = {_name(i): i for i in a}, {_name(i): i for i in b}
    out: list[str] = []
    for name in sorted(set(left) | set(right)):
        sub = f"{path}[{name}]"
        if name not in left or name not in right:
            out.append(sub)
        else:
            out.extend(_paths(left[name], right[name], sub))
    return out

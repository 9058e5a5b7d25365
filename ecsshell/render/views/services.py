"""Draw a cluster's services as a table, one line per service (kubectl get's shape), or wide, or as records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.images import short
from ecsshell.model import ContainerDef, Service, TaskDefinition
from ecsshell.queries import find_task_definition
from ecsshell.render.states import state_cell, state_style, states_text
from ecsshell.render.widgets import MISSING, WARNING_STYLE, Col, age, cell, heading, new_table, plural, when

# Optional one-line columns, the most wanted first: shown while they fit (`--wide` or `--records` show all).
_DROP_IMAGE, _DROP_ROLLOUT, _DROP_AGE, _DROP_REVISION = 1, 2, 3, 4


def deployment_summary(service: Service) -> str:
    """Return deployments as `PRIMARY web:8 2/2 COMPLETED; ACTIVE web:7 1/2` (running/desired)."""
    parts = []
    for d in service.deployments:
        text = f"{d.status} {d.revision} {d.running}/{d.desired}"
        if d.rollout_state:
            text += f" {d.rollout_state}"
        parts.append(text)
    return "; ".join(parts)


def rollout_state(service: Service) -> str:
    """Return the state of the service's newest (PRIMARY) deployment: COMPLETED, IN_PROGRESS, FAILED, or `-`."""
    primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
    if primary is None:
        return MISSING
    return primary.rollout_state or MISSING


def load_balancer_labels(service: Service) -> str:
    """Return each load balancer link as `tg/name (container:port)`, one per line."""
    lines = []
    for ref in service.load_balancers:
        label = ref.label
        target = f"{ref.container_name or MISSING}:{ref.container_port if ref.container_port else MISSING}"
        lines.append(f"{label} ({target})")
    return "\n".join(lines)


def container_images(task_def: TaskDefinition | None) -> str:
    """Return the image of each container (`name=image`, one per line, when more than one)."""
    if task_def is None:
        return MISSING
    if len(task_def.containers) == 1:
        return task_def.containers[0].image
    return "\n".join(f"{c.name}={c.image}" for c in task_def.containers)


def main_container(containers: Sequence[ContainerDef], family: str = "") -> ContainerDef:
    """Return the container standing for a task: an essential one named for FAMILY (or its image), else the first."""
    essential = [c for c in containers if c.essential] or list(containers)
    for c in essential:
        if family and (c.name == family or _repository_name(c.image) == family):
            return c
    return essential[0]


def _repository_name(image: str) -> str:
    """Return the last path component of IMAGE's repository (`web` for `ECR/team/web:1.5.0`)."""
    return short(image).split("@")[0].rsplit("/", 1)[-1].split(":")[0]


def short_images(containers: Sequence[ContainerDef], family: str = "") -> str:
    """Return the images in short form: the main container's (`web:1.5.0`), then `+name` for each other one.

    The registry host is dropped and a digest keeps 12 hex characters (`web@sha256:4f3c2b1a09e8`):
    see `ecsshell.images.short`; the main container is `main_container`'s.
    """
    if not containers:
        return MISSING
    main = main_container(containers, family)
    return " ".join([short(main.image), *(f"+{c.name}" for c in containers if c is not main)])


def image_label(task_def: TaskDefinition | None) -> str:
    """Return TASK_DEF's images in short form, `-` when it was not found."""
    return MISSING if task_def is None else short_images(task_def.containers, task_def.family)


def status_cell(s: Service) -> Text:
    """Return the service's status, coloured by state (WARNING when not ACTIVE and the state has no colour)."""
    return cell(s.status, state_style(s.status) or (WARNING_STYLE if s.status != "ACTIVE" else ""))


def shortfall_style(s: Service) -> str:
    """Return WARNING's style for a service running fewer tasks than it wants, or not ACTIVE ('' otherwise)."""
    return WARNING_STYLE if s.running < s.desired or s.status != "ACTIVE" else ""


def services_table(
    cluster_name: str,
    services: list[Service],
    task_defs: dict[str, TaskDefinition],
    *,
    total: int,
    wide: bool = False,
    verbose: bool = False,
    records: bool | None = None,
    now: datetime | None = None,
) -> RenderableType:
    """Return `N services in cluster X` then one line per service (full values when WIDE, VERBOSE or RECORDS).

    The short table shows name, status, tasks (desired/running/pending), revision, the images in
    short form, the rollout state of the newest deployment and the age; where the terminal is too
    narrow for all of them it shows the images, the rollout, the age and the revision while they fit. The
    wide one shows every container's whole image, every deployment and the load balancers;
    VERBOSE shows when each service was created rather than its age. RECORDS: True draws a
    block per service, False never does, None (auto) only when even the short table cannot fit.
    """
    header = f"{plural(total, 'service')} in cluster {cluster_name}"
    if len(services) != total:
        header += f" (showing {len(services)})"
    if not services:
        return heading(header)
    if wide or verbose or records:
        return Group(heading(header), _wide_table(services, task_defs, verbose, records, now))
    table = new_table(
        "service",
        "status",
        Col("tasks", right=True),
        Col("revision", drop=_DROP_REVISION),
        Col("image", drop=_DROP_IMAGE),
        Col("rollout", drop=_DROP_ROLLOUT),
        Col("age", right=True, drop=_DROP_AGE),
        one_line=True,
        records=records,
    )
    for s in services:
        table.add_row(
            cell(s.name),
            status_cell(s),
            cell(f"{s.desired}/{s.running}/{s.pending}", shortfall_style(s)),
            cell(s.revision),
            cell(image_label(find_task_definition(task_defs, s.task_definition_arn))),
            state_cell(rollout_state(s)),
            cell(age(s.created_at, now)),
        )
    return Group(heading(header), table)


def _wide_table(services: list[Service], task_defs: dict[str, TaskDefinition], verbose: bool,
                records: bool | None, now: datetime | None) -> RenderableType:
    """Return the services with every value whole: each image, each deployment, the load balancers."""
    table = new_table(
        "service",
        "status",
        Col("desired", right=True),
        Col("running", right=True),
        Col("pending", right=True),
        "revision",
        "images",
        "deployments",
        "load balancers",
        "created" if verbose else Col("age", right=True),
        records=records,
    )
    for s in services:
        table.add_row(
            cell(s.name),
            status_cell(s),
            cell(s.desired),
            cell(s.running, shortfall_style(s)),
            cell(s.pending),
            cell(s.revision),
            cell(container_images(find_task_definition(task_defs, s.task_definition_arn))),
            states_text(deployment_summary(s)),
            cell(load_balancer_labels(s)),
            cell(when(s.created_at) if verbose else age(s.created_at, now)),
        )
    return table

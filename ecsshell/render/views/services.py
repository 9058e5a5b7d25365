"""Draw a cluster's services as a table, one row per service."""

from __future__ import annotations

from rich.console import Group, RenderableType

from ecsshell.model import Service, TaskDefinition
from ecsshell.queries import find_task_definition
from ecsshell.render.states import state_style, states_text
from ecsshell.render.widgets import MISSING, WARNING_STYLE, Col, cell, heading, new_table, plural


def deployment_summary(service: Service) -> str:
    """Return deployments as `PRIMARY web:8 2/2 COMPLETED; ACTIVE web:7 1/2` (running/desired)."""
    parts = []
    for d in service.deployments:
        text = f"{d.status} {d.revision} {d.running}/{d.desired}"
        if d.rollout_state:
            text += f" {d.rollout_state}"
        parts.append(text)
    return "; ".join(parts)


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


def services_table(
    cluster_name: str,
    services: list[Service],
    task_defs: dict[str, TaskDefinition],
    *,
    total: int,
) -> RenderableType:
    """Return `N services in cluster X` then one row per service."""
    header = f"{plural(total, 'service')} in cluster {cluster_name}"
    if len(services) != total:
        header += f" (showing {len(services)})"
    if not services:
        return heading(header)
    table = new_table(
        "service",
        "status",
        Col("desired", right=True),
        Col("running", right=True),
        Col("pending", right=True),
        "task definition",
        "images",
        "deployments",
        "load balancers",
    )
    for s in services:
        td = find_task_definition(task_defs, s.task_definition_arn)
        unhealthy = s.running < s.desired or s.status != "ACTIVE"
        table.add_row(
            cell(s.name),
            cell(s.status, state_style(s.status) or (WARNING_STYLE if s.status != "ACTIVE" else "")),
            cell(s.desired),
            cell(s.running, WARNING_STYLE if unhealthy else ""),
            cell(s.pending),
            cell(s.revision),
            cell(container_images(td)),
            states_text(deployment_summary(s)),
            cell(load_balancer_labels(s)),
        )
    return Group(heading(header), table)

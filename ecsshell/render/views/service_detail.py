"""Draw one service: summary, deployments, tasks, events, load balancers, containers."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import AutoScaling, RolloutFacts, Service, Task, TaskDefinition
from ecsshell.queries import breaker_summary, early_success_summary, recent_events, revision_mismatch
from ecsshell.render.states import state_cell, state_style, states_text
from ecsshell.render.views.taskdefs import task_definition_view
from ecsshell.render.views.tasks import task_containers
from ecsshell.render.widgets import (
    ERROR_STYLE,
    WARNING_STYLE,
    Col,
    cell,
    heading,
    new_table,
    when,
)
from ecsshell.render.wrap import Folded, Pairs

METRICS_KEY = "cpu, memory"


def _bake(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s left"


def _rollout_rows(grid: Pairs, service: Service, rollout: RolloutFacts | None) -> None:
    """Add the strategy and, while a service deployment runs, its stage, traffic and bake time left."""
    if service.controller != "ECS":
        grid.add_row(cell("deployed by"), cell(service.controller))
    grid.add_row(cell("strategy"), cell(rollout.strategy if rollout else service.strategy))
    config = service.deployment_configuration
    for name, fact in (("circuit breaker", breaker_summary(config, service.desired)),
                       ("early success", early_success_summary(config))):
        if fact:
            grid.add_row(cell(name), cell(fact))
    d = rollout.deployment if rollout else None
    if rollout is None or d is None:
        return
    stage = f" at {d.lifecycle_stage}" if d.lifecycle_stage else ""
    grid.add_row(cell("deploying"), cell(f"{d.id} {d.status}{stage}", WARNING_STYLE))
    if rollout.traffic:
        grid.add_row(cell("traffic"), cell(rollout.traffic))
    if rollout.bake_left is not None:
        grid.add_row(cell("bake time"), cell(_bake(rollout.bake_left)))
    if rollout.waiting:
        grid.add_row(cell("waiting"), cell(rollout.waiting, WARNING_STYLE))


def _running_images(rollout: RolloutFacts | None) -> list[RenderableType]:
    """Return the images and digests each running service revision runs (what the tag resolved to)."""
    if rollout is None or not any(r.container_images for r in rollout.revisions):
        return []
    from ecsshell.render.views.deployments import images_table

    return [Text(""), images_table(list(rollout.revisions), "Running images (service revisions)")]


def _service_summary(service: Service, verbose: bool, rollout: RolloutFacts | None = None) -> Pairs:
    """Return the service's key facts as a key/value grid."""
    grid = Pairs()
    grid.add_row(cell("cluster"), cell(service.cluster))
    grid.add_row(cell("status"), state_cell(service.status))
    grid.add_row(
        cell("tasks"),
        cell(f"desired {service.desired}, running {service.running}, pending {service.pending}"),
    )
    grid.add_row(cell("task definition"), cell(service.revision))
    grid.add_row(cell("launch type"), cell(service.launch_type))
    grid.add_row(cell("created"), cell(when(service.created_at)))
    _rollout_rows(grid, service, rollout)
    if verbose:
        grid.add_row(cell("arn"), cell(service.arn))
        grid.add_row(cell("task definition arn"), cell(service.task_definition_arn))
        network = (service.network_configuration or {}).get("awsvpcConfiguration") or {}
        if network:
            grid.add_row(cell("subnets"), cell(", ".join(network.get("subnets") or [])))
            grid.add_row(cell("security groups"), cell(", ".join(network.get("securityGroups") or [])))
            grid.add_row(cell("public ip"), cell(network.get("assignPublicIp")))
    return grid


def _deployments_table(service: Service, verbose: bool) -> RenderableType:
    """Return the service's deployments with counts and rollout state."""
    table = new_table(
        "deployment",
        "status",
        "revision",
        Col("desired", right=True),
        Col("running", right=True),
        Col("pending", right=True),
        Col("failed", right=True),
        "rollout",
        "created",
        *(["updated"] if verbose else []),
    )
    for d in service.deployments:
        rollout = Text(d.rollout_state or "", style=state_style(d.rollout_state))
        if d.rollout_reason:
            rollout.append(f"{' ' if rollout.plain else ''}{d.rollout_reason}")
        row = [
            cell(d.id),
            cell(d.status),
            cell(d.revision),
            cell(d.desired),
            cell(d.running),
            cell(d.pending),
            cell(d.failed, ERROR_STYLE if d.failed else ""),
            rollout if rollout.plain else cell(None),
            cell(when(d.created_at)),
        ]
        if verbose:
            row.append(cell(when(d.updated_at)))
        table.add_row(*row)
    return Group(heading(f"Deployments ({len(service.deployments)})"), table)


def _service_tasks_table(service: Service, tasks: list[Task], verbose: bool) -> RenderableType:
    """Return the service's tasks, marking those on another revision than the service's."""
    notes = {t.arn: revision_mismatch(service, t) for t in tasks}
    columns: list[str | Col] = ["task", "revision", "last status", "desired", "health", "started"]
    if verbose:
        columns.append("containers")
    if any(notes.values()) or any(t.stopped_reason for t in tasks):
        columns.append("note")
    table = new_table(*columns)
    for t in tasks:
        note = notes[t.arn]
        row = [
            cell(t.arn if verbose else t.id),
            cell(t.revision, WARNING_STYLE if note else ""),
            state_cell(t.last_status),
            state_cell(t.desired_status),
            state_cell(t.health),
            cell(when(t.started_at)),
        ]
        if verbose:
            row.append(states_text(task_containers(t.containers)))
        if "note" in columns:
            text = Text()
            if note:
                text.append(f"! {note}", style=WARNING_STYLE)
            if t.stopped_reason:
                text.append(("\n" if note else "") + f"stopped: {t.stopped_reason}")
            row.append(text if text.plain else cell(None))
        table.add_row(*row)
    return Group(heading(f"Tasks ({len(tasks)})"), table)


def events_view(service: Service, count: int) -> RenderableType:
    """Return the `count` most recent events, newest first, with timestamps."""
    events = recent_events(service, count)
    grid = Pairs(key_style="")
    for e in events:
        grid.add_row(cell(when(e.created_at)), cell(e.message))
    title = f"Events ({len(events)} most recent of {len(service.events)}, newest first)"
    if not events:
        return heading(f"Events (none of {len(service.events)})")
    return Group(heading(title), grid)


def _load_balancer_refs(service: Service, verbose: bool) -> RenderableType:
    """Return the service's load balancer links (with verbose, each target group's full ARN)."""
    table = new_table("load balancer", "container", Col("port", right=True), *(["target"] if verbose else []))
    for ref in service.load_balancers:
        row = [cell(ref.label), cell(ref.container_name), cell(ref.container_port)]
        if verbose:
            row.append(cell(ref.target_group_arn or ref.load_balancer_name))
        table.add_row(*row)
    return Group(heading(f"Load balancers ({len(service.load_balancers)})"), table)


def _usage_row(grid: Pairs, usage: Text | None) -> Pairs:
    """Add the CPU and memory line (render/views/metrics.py's metrics_line), when there is one; return GRID."""
    if usage is not None:
        grid.add_row(cell(METRICS_KEY), usage)
    return grid


def service_detail(
    service: Service,
    task_def: TaskDefinition | None,
    tasks: list[Task],
    *,
    verbose: bool,
    events: int,
    show_secrets: bool,
    rollout: RolloutFacts | None = None,
    scaling: AutoScaling | None = None,
    usage: Text | None = None,
) -> RenderableType:
    """Return everything about one service: summary, deployments, tasks, images, events, LBs, containers."""
    blank = Text("")
    parts: list[RenderableType] = [
        heading(f"Service {service.name}"),
        _usage_row(_service_summary(service, verbose, rollout), usage),
        blank,
        _deployments_table(service, verbose),
        blank,
        _service_tasks_table(service, tasks, verbose),
        *_running_images(rollout),
    ]
    warnings = [w for w in (revision_mismatch(service, t) for t in tasks) if w]
    for warning in dict.fromkeys(warnings):
        parts.append(Folded(Text(f"WARNING: {warning}", style=WARNING_STYLE), len("WARNING: ")))
    if scaling is not None:
        from ecsshell.render.views.scaling import auto_scaling_view

        parts += [blank, *auto_scaling_view(scaling)]
    if events > 0:
        parts += [blank, events_view(service, events)]
    if service.load_balancers:
        parts += [blank, _load_balancer_refs(service, verbose)]
    parts.append(blank)
    if task_def is None:
        parts.append(Folded(Text(f"Task definition {service.revision} not found", style=WARNING_STYLE)))
    else:
        parts.append(task_definition_view(task_def, verbose=verbose, show_secrets=show_secrets))
    return Group(*parts)

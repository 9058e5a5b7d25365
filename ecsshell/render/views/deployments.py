"""Draw service deployments: a service's history, one deployment in detail, and what its revision runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import ServiceDeployment, ServiceRevision
from ecsshell.queries import breaker_summary, early_success_summary
from ecsshell.render.states import state_style, states_text
from ecsshell.render.widgets import WARNING_STYLE, Col, KeyValueGrid, age, cell, heading, new_table, when

Label = Callable[[str | None], str]


def status_style(status: str) -> str:
    """Return the style of a service deployment status (the one mapping of render.states)."""
    return state_style(status)


def _sources(d: ServiceDeployment, label: Label) -> str:
    return ", ".join(label(s.arn) for s in d.sources) or "-"


def _rollback(d: ServiceDeployment, label: Label) -> str:
    if d.rollback is None:
        return "-"
    to = f" to {label(d.rollback.service_revision_arn)}" if d.rollback.service_revision_arn else ""
    return f"rolled back{to}"


def history_table(service: str, deployments: list[ServiceDeployment], label: Label, *,
                  now: datetime | None = None) -> RenderableType:
    """Return a service's deployments, newest first: status, strategy, revisions, stage, ages, rollback, reason."""
    table = new_table("deployment", "status", "strategy", "from", "to", "stage", Col("started", right=True),
                      Col("finished", right=True), "rollback", "reason")
    for d in deployments:
        table.add_row(cell(d.id), cell(d.status, status_style(d.status)), cell(d.strategy),
                      cell(_sources(d, label)), cell(label(d.target.arn if d.target else None)),
                      states_text(d.lifecycle_stage or ""), cell(age(d.started_at or d.created_at, now)),
                      cell(age(d.finished_at or d.stopped_at, now)), cell(_rollback(d, label)),
                      states_text(d.status_reason or ""))
    return Group(heading(f"Deployments of {service} ({len(deployments)}, newest first)"), table)


def images_table(revisions: list[ServiceRevision], title: str = "Images") -> RenderableType:
    """Return the images each service revision runs, with the digest ECS resolved."""
    table = new_table("revision", "container", "image", "digest")
    for rev in revisions:
        for image in rev.container_images:
            table.add_row(cell(rev.revision), cell(image.container_name), cell(image.image),
                          cell(image.image_digest))
    return Group(heading(title), table)


def deployment_detail(d: ServiceDeployment, label: Label, revisions: dict[str, ServiceRevision],
                      weights: str = "") -> RenderableType:
    """Return one deployment in detail: its facts, hooks, and the images (and digests) it deployed."""
    grid = KeyValueGrid()
    grid.add_row(cell("deployment"), cell(d.id))
    grid.add_row(cell("arn"), cell(d.arn))
    grid.add_row(cell("status"), cell(d.status, status_style(d.status)))
    grid.add_row(cell("reason"), cell(d.status_reason))
    grid.add_row(cell("strategy"), cell(d.strategy))
    grid.add_row(cell("stage"), cell(d.lifecycle_stage))
    grid.add_row(cell("from"), cell(_sources(d, label)))
    grid.add_row(cell("to"), cell(label(d.target.arn if d.target else None)))
    if weights:
        grid.add_row(cell("traffic"), cell(weights))
    if d.target is not None:
        grid.add_row(cell("target tasks"), cell(f"requested {d.target.requested}, running {d.target.running}, "
                                                f"pending {d.target.pending}"))
    if d.circuit_breaker:
        cb = d.circuit_breaker
        rule = breaker_summary(d.deployment_configuration)
        grid.add_row(cell("circuit breaker"), cell(f"{cb.get('status', '-')}, {cb.get('failureCount', 0)} of "
                                                   f"{cb.get('threshold', '-')} failures" +
                                                   (f" ({rule})" if rule else "")))
    early = early_success_summary(d.deployment_configuration)
    if early:
        grid.add_row(cell("early success"), cell(early))
    if d.alarms and d.alarms.get("alarmNames"):
        grid.add_row(cell("alarms"), cell(f"{d.alarms.get('status', '-')}: {', '.join(d.alarms['alarmNames'])}"))
    if d.rollback is not None:
        grid.add_row(cell("rollback"), cell(f"{_rollback(d, label)} at {when(d.rollback.started_at)}: "
                                            f"{d.rollback.reason or '-'}"))
    for name, moment in (("created", d.created_at), ("started", d.started_at), ("updated", d.updated_at),
                         ("finished", d.finished_at), ("stopped", d.stopped_at)):
        if moment is not None:
            grid.add_row(cell(name), cell(when(moment)))
    parts: list[RenderableType] = [heading(f"Service deployment {d.id}"), grid]
    if d.hooks:
        hooks = new_table("hook", "type", "target", "status", "expires", "on timeout")
        for h in d.hooks:
            hooks.add_row(cell(h.hook_id), cell(h.target_type), cell(h.target_arn),
                          cell(h.status, WARNING_STYLE if h.awaiting else state_style(h.status)),
                          cell(when(h.expires_at)), cell(h.timeout_action))
        parts += [Text(""), heading(f"Lifecycle hooks ({len(d.hooks)})"), hooks]
    deployed = [revisions[a] for a in [d.target.arn if d.target else "", *(s.arn for s in d.sources)]
                if a in revisions]
    if deployed:
        parts += [Text(""), images_table(deployed, "Images (target first, then sources)")]
    return Group(*parts)

"""Draw a fan-out over targets as one table: profile, account and Region first, one row per item or failure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import Cluster, Family, Service, Task, TaskDefinition
from ecsshell.queries import find_task_definition
from ecsshell.render.states import state_cell, states_text
from ecsshell.render.views.services import (
    container_images,
    deployment_summary,
    image_label,
    rollout_state,
    shortfall_style,
    status_cell,
)
from ecsshell.render.widgets import ERROR_STYLE, MISSING, Col, age, cell, heading, new_table, plural

T = TypeVar("T")
Row = list[Text]


@dataclass(frozen=True)
class Place(Generic[T]):
    """One target's answer: where (profile, account, Region), and its items or the one line it failed with."""

    profile: str
    account: str
    region: str
    items: Sequence[T] = ()
    error: str | None = None


def account_of(arn: str | None) -> str:
    """Return the account of an ARN (`arn:aws:ecs:REGION:ACCOUNT:...`), or "" when it has none."""
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 5 else ""


def fleet_table(title: str, columns: Sequence[str | Col], places: Sequence[Place[T]],
                row: Callable[[T], Row], one_line: bool = False) -> RenderableType:
    """Return TITLE and one table: PROFILE, ACCOUNT, REGION, then COLUMNS from ROW, or a failed target's error.

    ONE_LINE: rows never fold; optional columns show as room allows (see PlainTable).
    """
    failed = sum(1 for p in places if p.error is not None)
    table = new_table("profile", "account", "region", *columns, *(["error"] if failed else []),
                      one_line=one_line and not failed)
    count = 0
    for place in places:
        where = [cell(place.profile), cell(place.account or MISSING), cell(place.region)]
        if place.error is not None:  # last, so a long error stretches no column but its own
            table.add_row(*where, *(cell(MISSING) for _ in columns), cell(place.error, ERROR_STYLE))
            continue
        for item in place.items:
            count += 1
            table.add_row(*where, *row(item), *([cell("")] if failed else []))
    header = f"{title} in {plural(len(places), 'target')}"
    if failed:
        header += f" ({failed} failed)"
    return Group(heading(header), table) if count or failed else heading(header)


def fleet_clusters(places: Sequence[Place[Cluster]]) -> RenderableType:
    """Return the clusters of every target."""
    count = sum(len(p.items) for p in places)
    return fleet_table(plural(count, "cluster"), ["cluster", "status", Col("services", right=True),
                       Col("running", right=True), Col("pending", right=True), Col("instances", right=True)],
                       places, lambda c: [cell(c.name), state_cell(c.status), cell(c.active_services),
                                          cell(c.running_tasks), cell(c.pending_tasks),
                                          cell(c.container_instances)])


def fleet_services(cluster: str, places: Sequence[Place[tuple[Service, TaskDefinition | None]]], *,
                   wide: bool = False, now: datetime | None = None) -> RenderableType:
    """Return the services of CLUSTER in every target: short images and the rollout state, or (WIDE) whole values."""
    def row(pair: tuple[Service, TaskDefinition | None]) -> Row:
        s, td = pair
        status = status_cell(s)
        if wide:
            return [cell(s.name), status, cell(s.desired), cell(s.running, shortfall_style(s)),
                    cell(s.pending), cell(s.revision), cell(container_images(td)),
                    states_text(deployment_summary(s))]
        return [cell(s.name), status, cell(f"{s.desired}/{s.running}/{s.pending}", shortfall_style(s)),
                cell(s.revision), cell(image_label(td)), state_cell(rollout_state(s)), cell(age(s.created_at, now))]

    count = sum(len(p.items) for p in places)
    columns: list[str | Col] = (
        ["service", "status", Col("desired", right=True), Col("running", right=True), Col("pending", right=True),
         "revision", "images", "deployments"] if wide else
        ["service", "status", Col("tasks", right=True), Col("revision", drop=4), Col("image", drop=1),
         Col("rollout", drop=2), Col("age", right=True, drop=3)])
    return fleet_table(f"{plural(count, 'service')} in cluster {cluster}", columns, places, row, one_line=not wide)


def pair_services(services: Sequence[Service], task_defs: dict[str, TaskDefinition]
                  ) -> list[tuple[Service, TaskDefinition | None]]:
    """Return each service with its task definition (None when it was not found)."""
    return [(s, find_task_definition(task_defs, s.task_definition_arn)) for s in services]


def fleet_checks(title: str, places: Sequence[Place[tuple[bool, str]]]) -> RenderableType:
    """Return each target's check lines: OK or WARNING, and what."""
    return fleet_table(title, ["check", "finding"], places,
                       lambda line: [state_cell("OK" if line[0] else "WARNING"), states_text(line[1])])


def fleet_tasks(title: str, places: Sequence[Place[Task]], *, now: datetime | None = None) -> RenderableType:
    """Return the tasks of every target."""
    return fleet_table(title, ["task", "revision", "last status", "desired", "health", Col("age", right=True)],
                       places, lambda t: [cell(t.id), cell(t.revision), state_cell(t.last_status),
                                          state_cell(t.desired_status), state_cell(t.health),
                                          cell(age(t.started_at, now))])


def fleet_families(places: Sequence[Place[Family]]) -> RenderableType:
    """Return the task definition families of every target."""
    count = sum(len(p.items) for p in places)
    title = "1 family" if count == 1 else f"{count} families"
    return fleet_table(title, ["family", Col("latest", right=True)], places,
                       lambda f: [cell(f.name), cell(f.latest_revision)])

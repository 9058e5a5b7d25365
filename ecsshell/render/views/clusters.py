"""Draw clusters as a table."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import Cluster
from ecsshell.render.states import state_cell
from ecsshell.render.widgets import Col, cell, heading, new_table, plural


def clusters_table(clusters: list[Cluster], *, records: bool | None = None) -> RenderableType:
    """Return clusters with their service, task and container instance counts (RECORDS: see PlainTable)."""
    if not clusters:
        return Text("No clusters")
    table = new_table(
        "cluster",
        "status",
        Col("services", right=True),
        Col("running", right=True),
        Col("pending", right=True),
        Col("instances", right=True),
        records=records,
    )
    for c in clusters:
        table.add_row(
            cell(c.name),
            state_cell(c.status),
            cell(c.active_services),
            cell(c.running_tasks),
            cell(c.pending_tasks),
            cell(c.container_instances),
        )
    return Group(heading(plural(len(clusters), "cluster")), table)

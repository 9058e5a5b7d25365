"""Draw load balancers with their listeners, target groups and target health."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import LoadBalancer, TargetHealth
from ecsshell.render.states import state_style
from ecsshell.render.widgets import (
    ERROR_STYLE,
    MISSING,
    OK_STYLE,
    Col,
    PlainTable,
    cell,
    heading,
    new_table,
)
from ecsshell.render.wrap import Folded, Pairs


def _targets_table(targets: Sequence[TargetHealth], first: str) -> PlainTable:
    """Return target (or instance) health rows, each state in its colour (unhealthy ones in the error style)."""
    table = new_table(first, Col("port", right=True), "state", "reason", "description")
    for target in targets:
        style = state_style(target.state) or ("" if target.healthy else ERROR_STYLE)
        table.add_row(
            cell(target.target_id),
            cell(target.port),
            cell(target.state, style),
            cell(target.reason),
            cell(target.description),
        )
    return table


def load_balancers_view(lbs: list[LoadBalancer]) -> RenderableType:
    """Return each load balancer with listeners, target groups and target or instance health."""
    if not lbs:
        return Text("No load balancers")
    parts: list[RenderableType] = []
    for index, lb in enumerate(lbs):
        if index:
            parts.append(Text(""))
        parts.append(Folded(heading(f"Load balancer {lb.name} ({lb.kind})")))
        grid = Pairs()
        grid.add_row(cell("dns name"), cell(lb.dns_name))
        if lb.arn:
            grid.add_row(cell("arn"), cell(lb.arn))
        grid.add_row(cell("listeners"), cell("\n".join(lb.listeners)))
        parts.append(grid)
        for tg in lb.target_groups:
            where = "/".join(str(x) for x in (tg.port, tg.protocol) if x is not None) or MISSING
            counts = f"healthy {tg.healthy_count}, unhealthy {tg.unhealthy_count}"
            line = Text(f"target group {tg.name} {where}: ")
            line.append(counts, style=ERROR_STYLE if tg.unhealthy_count else OK_STYLE)
            parts.append(Folded(line))
            parts.append(Folded(f"  {tg.arn}"))
            if tg.targets:
                parts.append(_targets_table(tg.targets, "target"))
        if lb.kind == "classic" or lb.instances:
            healthy = sum(1 for i in lb.instances if i.healthy)
            unhealthy = len(lb.instances) - healthy
            line = Text("instances: ")
            line.append(f"in service {healthy}, out of service {unhealthy}",
                        style=ERROR_STYLE if unhealthy else OK_STYLE)
            parts.append(Folded(line))
            if lb.instances:
                parts.append(_targets_table(lb.instances, "instance"))
    return Group(*parts)

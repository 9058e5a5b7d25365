"""Draw task definition families, revisions and one task definition's containers."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import ContainerDef, Family, Revision, TaskDefinition
from ecsshell.render.states import state_cell
from ecsshell.render.widgets import MISSING, Col, KeyValueGrid, cell, heading, new_table, plural
from ecsshell.secrets import env_pairs, masked_args, masked_options


def format_port(mapping: Mapping[str, Any]) -> str:
    """Return a port mapping as `host->container/protocol` (host `dynamic` when 0)."""
    container = mapping.get("containerPort")
    host = mapping.get("hostPort")
    protocol = mapping.get("protocol") or "tcp"
    target = f"{container if container is not None else '?'}/{protocol}"
    if mapping.get("containerPortRange"):
        target = f"{mapping['containerPortRange']}/{protocol}"
    if host is None:
        return target
    return f"{'dynamic' if host == 0 else host}->{target}"


def format_ports(mappings: Iterable[Mapping[str, Any]]) -> str:
    """Return every port mapping, comma separated."""
    return ", ".join(format_port(m) for m in mappings)


def shell_words(words: Sequence[str]) -> str:
    """Return a command or entry point as one shell-quoted string."""
    return shlex.join(words)


def format_health_check(check: Mapping[str, Any] | None) -> str:
    """Return a container health check: its command, then interval/timeout/retries/start period."""
    if not check:
        return MISSING
    command = list(check.get("command") or [])
    if command and command[0] == "CMD-SHELL":
        text = "CMD-SHELL " + " ".join(command[1:])
    elif command and command[0] == "CMD":
        text = "CMD " + shell_words(command[1:])
    else:
        text = shell_words(command)
    settings = [
        f"{label} {check[key]}{unit}"
        for key, label, unit in (
            ("interval", "interval", "s"),
            ("timeout", "timeout", "s"),
            ("retries", "retries", ""),
            ("startPeriod", "start period", "s"),
        )
        if check.get(key) is not None
    ]
    return "; ".join([text, *settings]) if settings else text


def format_log_configuration(log: Mapping[str, Any] | None, show_secrets: bool) -> str:
    """Return the log driver and its options (secret-looking options masked), one per line."""
    if not log:
        return MISSING
    lines = [str(log.get("logDriver") or MISSING)]
    lines += [f"{k}={v}" for k, v in masked_options(log.get("options"), show_secrets).items()]
    lines += [f"{s.get('name')} from {s.get('valueFrom')}" for s in log.get("secretOptions") or []]
    return "\n".join(lines)


def families_table(families: list[Family], *, wide: bool = False, records: bool | None = None) -> RenderableType:
    """Return task definition families with their latest active revision (its ARN too when WIDE)."""
    if not families:
        return Text("No task definition families")
    table = new_table("family", Col("latest", right=True), *(["arn"] if wide else []), records=records)
    for f in families:
        table.add_row(cell(f.name), cell(f.latest_revision), *([cell(f.latest_arn)] if wide else []))
    header = "1 family" if len(families) == 1 else f"{len(families)} families"
    return Group(heading(header), table)


def revisions_table(family: str, revisions: list[Revision], *, wide: bool = False,
                    records: bool | None = None) -> RenderableType:
    """Return a family's revisions: `family:revision` and status (and the ARN when WIDE)."""
    header = f"{plural(len(revisions), 'revision')} of {family}"
    if not revisions:
        return heading(header)
    table = new_table("revision", "status", *(["arn"] if wide else []), records=records)
    for r in revisions:
        table.add_row(cell(r.label), state_cell(r.status), *([cell(r.arn)] if wide else []))
    return Group(heading(header), table)


def _container_view(container: ContainerDef, verbose: bool, show_secrets: bool) -> RenderableType:
    """Return one container definition as a key/value grid."""
    grid = KeyValueGrid()
    grid.add_row(cell("image"), cell(container.image))
    grid.add_row(cell("ports"), cell(format_ports(container.port_mappings)))
    command, entry_point = (container.command, container.entry_point) if show_secrets else (
        masked_args(container.command), masked_args(container.entry_point))
    grid.add_row(cell("command"), cell(shell_words(command)))
    grid.add_row(cell("entry point"), cell(shell_words(entry_point)))
    if verbose:
        grid.add_row(cell("cpu"), cell(container.cpu))
        grid.add_row(cell("memory"), cell(container.memory))
        grid.add_row(cell("memory reservation"), cell(container.memory_reservation))
        grid.add_row(cell("essential"), cell("yes" if container.essential else "no"))
        env = "\n".join(f"{k}={v}" for k, v in env_pairs(container, show_secrets))
        grid.add_row(cell("environment"), cell(env))
        secrets = "\n".join(f"{name} from {value_from}" for name, value_from in container.secrets)
        grid.add_row(cell("secrets"), cell(secrets))
        log = format_log_configuration(container.log_configuration, show_secrets)
        grid.add_row(cell("log configuration"), cell(log))
        grid.add_row(cell("health check"), cell(format_health_check(container.health_check)))
    return Group(heading(f"container {container.name}"), grid)


def task_definition_view(task_def: TaskDefinition, *, verbose: bool, show_secrets: bool) -> RenderableType:
    """Return a task definition: task-level settings (verbose) then each container."""
    status = f" ({task_def.status})" if task_def.status else ""  # none from the bulk (cacheable) path
    parts: list[RenderableType] = [heading(f"Task definition {task_def.label}{status}")]
    if verbose:
        grid = KeyValueGrid()
        grid.add_row(cell("arn"), cell(task_def.arn))
        grid.add_row(cell("cpu"), cell(task_def.cpu))
        grid.add_row(cell("memory"), cell(task_def.memory))
        grid.add_row(cell("network mode"), cell(task_def.network_mode))
        grid.add_row(cell("task role"), cell(task_def.task_role_arn))
        grid.add_row(cell("execution role"), cell(task_def.execution_role_arn))
        grid.add_row(cell("requires compatibilities"), cell(", ".join(task_def.requires_compatibilities)))
        if task_def.tags:
            grid.add_row(cell("tags"), cell("\n".join(f"{k}={v}" for k, v in task_def.tags)))
        parts.append(grid)
    for container in task_def.containers:
        parts.append(_container_view(container, verbose, show_secrets))
    return Group(*parts)

"""Draw clusters, services, task definitions, tasks and load balancers as rich renderables.

Every cell is a `Text` (never markup) and every column folds long values instead of
ellipsising them, whatever console draws them (ours in `render.text` or cmd2's). Tables draw an
ASCII header rule without colour and a box-drawing one on a colour terminal; a table too wide
for the terminal to stay readable turns into one record per row; key/value grids put a long
value under its key when the terminal is narrow.
"""

from __future__ import annotations

import copy
import shlex
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ecsshell.model import (
    Cluster,
    ContainerDef,
    Family,
    LoadBalancer,
    Revision,
    RunFailure,
    Service,
    TargetHealth,
    Task,
    TaskContainer,
    TaskDefinition,
    arn_name,
)
from ecsshell.render.secrets import env_pairs, masked_args, masked_options

# No borders, one rule under the header, broken between columns so it marks each column's span:
# ASCII ("-") without colour, box-drawing ("─") on a colour terminal.
ASCII_HEAD = box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)
TERMINAL_BOX = box.Box("    \n    \n ─  \n    \n    \n    \n    \n    \n")

WARNING_STYLE = "bold yellow"
ERROR_STYLE = "bold red"
OK_STYLE = "green"
HEADING_STYLE = "bold"
MISSING = "-"
_MEASURE_WIDTH = 10_000_000
_READABLE_WIDTH = 8
_COLUMN_GAP = 2
# A key/value grid puts each value under its key when fewer cells than this remain beside the keys.
_VALUE_MIN_WIDTH = 30


class PlainTable(Table):
    """A table drawn with TERMINAL_BOX on a colour console and ASCII_HEAD otherwise.

    When its columns cannot get even a readable minimum width (the header, at least 8 cells,
    less when the content is shorter) it is drawn as records instead: one block per row with
    a `header value` line per column, every value folded, never cut.
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self._fits(console, options):
            yield from self._records()
            return
        plain = console.color_system is None or console.no_color or options.ascii_only
        drawn = copy.copy(self)
        drawn.box = ASCII_HEAD if plain else TERMINAL_BOX
        yield from Table.__rich_console__(drawn, console, options)

    def _fits(self, console: Console, options: ConsoleOptions) -> bool:
        """Return True when folding the widest columns leaves each its readable minimum width.

        Rich narrows the widest columns first, down to a common level; the table reads well
        when that level is at least every column's floor (its longest header word, at least
        `_READABLE_WIDTH`, never more than the column's natural width).
        """
        wide = options.update_width(_MEASURE_WIDTH)
        naturals, floors = [], []
        for column in self.columns:
            header = _plain(column.header)
            natural = max(_natural(console, wide, cell) for cell in (header, *column.cells))
            longest_word = max((len(word) for word in header.split()), default=0)
            naturals.append(natural)
            floors.append(min(natural, max(longest_word, _READABLE_WIDTH)))
        level = max(floors, default=0)
        gaps = _COLUMN_GAP * max(0, len(naturals) - 1)
        return sum(min(n, level) for n in naturals) + gaps <= options.max_width

    def _records(self) -> Iterator[RenderableType]:
        """Yield each row as a titled block of `header value` lines."""
        columns = [(_plain(c.header), list(c.cells)) for c in self.columns]
        if not columns:
            return
        (first_header, first_cells), rest = columns[0], columns[1:]
        for index, first in enumerate(first_cells):
            if index:
                yield Text("")
            title = Text(f"{first_header} ", style=HEADING_STYLE)
            title.append_text(first if isinstance(first, Text) else Text(str(first)))
            yield title
            grid = _grid()
            for header, cells in rest:
                grid.add_row(Text(header), cells[index])
            yield Padding(grid, (0, 0, 0, 2), expand=False)


def _natural(console: Console, options: ConsoleOptions, cell: RenderableType) -> int:
    """Return a cell's unwrapped width (fast for plain text and `Text`)."""
    if isinstance(cell, str | Text):
        plain = cell if isinstance(cell, str) else cell.plain
        return max(cell_len(line) for line in plain.expandtabs(8).split("\n"))
    return Measurement.get(console, options, cell).maximum


def _plain(renderable: RenderableType) -> str:
    """Return a header's text."""
    return renderable.plain if isinstance(renderable, Text) else str(renderable)


@dataclass(frozen=True)
class Col:
    """A column header, optionally right-justified (numbers)."""

    header: str
    right: bool = False


def _table(*columns: str | Col) -> Table:
    """Return an empty table whose columns fold long values."""
    table = PlainTable(
        box=TERMINAL_BOX,
        show_edge=False,
        pad_edge=False,
        header_style=HEADING_STYLE,
        collapse_padding=True,
        expand=False,
    )
    for column in columns:
        col = column if isinstance(column, Col) else Col(column)
        table.add_column(Text(col.header), justify="right" if col.right else "left", overflow="fold")
    return table


class KeyValueGrid:
    """Rows of `key  value`: side by side when values get room, else each value under its key."""

    def __init__(self, key_style: str = HEADING_STYLE) -> None:
        self.key_style = key_style
        self.rows: list[tuple[Text, RenderableType]] = []

    def add_row(self, key: Text | str, value: RenderableType) -> None:
        """Append one key and its value."""
        self.rows.append((key if isinstance(key, Text) else Text(key), value))

    def _key_width(self) -> int:
        """Return the width of the longest key line."""
        return max((cell_len(line) for key, _ in self.rows for line in key.plain.split("\n")), default=0)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        key_width = self._key_width()
        values = [Measurement.get(console, options, value) for _, value in self.rows]
        widest = max((m.maximum for m in values), default=0)
        narrowest = max((m.minimum for m in values), default=0)
        maximum = key_width + _COLUMN_GAP + widest
        return Measurement(min(maximum, max(key_width, narrowest + 2)), maximum)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key_width = self._key_width()
        room = options.max_width - key_width - _COLUMN_GAP
        side: Table | None = None
        for key, value in self.rows:
            if room >= _VALUE_MIN_WIDTH or Measurement.get(console, options, value).maximum <= room:
                if side is None:
                    side = Table.grid(padding=(0, _COLUMN_GAP, 0, 0), expand=False)
                    side.add_column(style=self.key_style, overflow="fold", min_width=key_width)
                    side.add_column(overflow="fold")
                side.add_row(key, value)
                continue
            if side is not None:
                yield side
                side = None
            heading = key.copy()
            if self.key_style:
                heading.stylize(self.key_style)
            yield heading
            yield Padding(value, (0, 0, 0, 2), expand=False)
        if side is not None:
            yield side


def _grid() -> KeyValueGrid:
    """Return an empty key/value grid whose values fold."""
    return KeyValueGrid()


def _t(value: object, style: str = "") -> Text:
    """Return a cell: the value as plain text (never markup), `-` when missing."""
    if value is None or value == "":
        return Text(MISSING, style=style)
    text = str(value)
    if cell_len(text) == 0:  # only zero-width characters (e.g. a lone combining mark): give them a base
        text = " " + text
    return Text(text, style=style)


def _heading(text: str) -> Text:
    """Return a section heading."""
    return Text(text, style=HEADING_STYLE)


def _plural(count: int, word: str) -> str:
    """Return `1 word` or `N words`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def when(moment: datetime | None) -> str:
    """Return a timestamp as `YYYY-MM-DD HH:MM:SSZ` in UTC (naive ones as given), or `-`."""
    if moment is None:
        return MISSING
    if moment.tzinfo is None:
        return moment.isoformat(sep=" ", timespec="seconds")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


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


def find_task_definition(task_defs: Mapping[str, TaskDefinition], arn: str) -> TaskDefinition | None:
    """Find a task definition keyed by ARN or by `family:revision`."""
    label = arn_name(arn)
    found = task_defs.get(arn) or task_defs.get(label)
    if found is not None:
        return found
    return next((td for td in task_defs.values() if td.arn == arn or td.label == label), None)


def revision_mismatch(service: Service, task: Task) -> str | None:
    """Return a warning when a task runs another task definition revision than its service."""
    if not task.task_definition_arn or not service.task_definition_arn:
        return None
    if task.revision == service.revision:
        return None
    return f"task uses {task.revision} but service uses {service.revision}"


def recent_events(service: Service, count: int) -> list[Any]:
    """Return exactly the `count` most recent events, newest first (none when count <= 0)."""
    if count <= 0:
        return []
    ordered = sorted(
        service.events,
        key=lambda e: (e.created_at is not None, e.created_at.timestamp() if e.created_at else 0.0),
        reverse=True,
    )
    return ordered[:count]


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


def task_containers(containers: Sequence[TaskContainer]) -> str:
    """Return each task container as `name STATUS [exit N] [health]`, one per line."""
    lines = []
    for c in containers:
        words = [c.name, c.last_status or MISSING]
        if c.exit_code is not None:
            words.append(f"exit {c.exit_code}")
        if c.health and c.health != "UNKNOWN":
            words.append(c.health.lower())
        if c.reason:
            words.append(f"({c.reason})")
        lines.append(" ".join(words))
    return "\n".join(lines)


# Clusters ------------------------------------------------------------------------------------


def clusters_table(clusters: list[Cluster]) -> RenderableType:
    """Return clusters with their service, task and container instance counts."""
    if not clusters:
        return Text("No clusters")
    table = _table(
        "cluster",
        "status",
        Col("services", right=True),
        Col("running", right=True),
        Col("pending", right=True),
        Col("instances", right=True),
    )
    for c in clusters:
        table.add_row(
            _t(c.name),
            _t(c.status),
            _t(c.active_services),
            _t(c.running_tasks),
            _t(c.pending_tasks),
            _t(c.container_instances),
        )
    return Group(_heading(_plural(len(clusters), "cluster")), table)


# Services ------------------------------------------------------------------------------------


def services_table(
    cluster_name: str,
    services: list[Service],
    task_defs: dict[str, TaskDefinition],
    *,
    total: int,
) -> RenderableType:
    """Return `N services in cluster X` then one row per service."""
    header = f"{_plural(total, 'service')} in cluster {cluster_name}"
    if len(services) != total:
        header += f" (showing {len(services)})"
    if not services:
        return _heading(header)
    table = _table(
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
            _t(s.name),
            _t(s.status, WARNING_STYLE if s.status != "ACTIVE" else ""),
            _t(s.desired),
            _t(s.running, WARNING_STYLE if unhealthy else ""),
            _t(s.pending),
            _t(s.revision),
            _t(container_images(td)),
            _t(deployment_summary(s)),
            _t(load_balancer_labels(s)),
        )
    return Group(_heading(header), table)


def _service_summary(service: Service, verbose: bool) -> KeyValueGrid:
    """Return the service's key facts as a key/value grid."""
    grid = _grid()
    grid.add_row(_t("cluster"), _t(service.cluster))
    grid.add_row(_t("status"), _t(service.status))
    grid.add_row(
        _t("tasks"),
        _t(f"desired {service.desired}, running {service.running}, pending {service.pending}"),
    )
    grid.add_row(_t("task definition"), _t(service.revision))
    grid.add_row(_t("launch type"), _t(service.launch_type))
    grid.add_row(_t("created"), _t(when(service.created_at)))
    if verbose:
        grid.add_row(_t("arn"), _t(service.arn))
        grid.add_row(_t("task definition arn"), _t(service.task_definition_arn))
        network = (service.network_configuration or {}).get("awsvpcConfiguration") or {}
        if network:
            grid.add_row(_t("subnets"), _t(", ".join(network.get("subnets") or [])))
            grid.add_row(_t("security groups"), _t(", ".join(network.get("securityGroups") or [])))
            grid.add_row(_t("public ip"), _t(network.get("assignPublicIp")))
    return grid


def _deployments_table(service: Service, verbose: bool) -> RenderableType:
    """Return the service's deployments with counts and rollout state."""
    table = _table(
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
        rollout = " ".join(x for x in (d.rollout_state, d.rollout_reason) if x)
        style = ERROR_STYLE if d.rollout_state == "FAILED" else ""
        row = [
            _t(d.id),
            _t(d.status),
            _t(d.revision),
            _t(d.desired),
            _t(d.running),
            _t(d.pending),
            _t(d.failed, ERROR_STYLE if d.failed else ""),
            _t(rollout, style),
            _t(when(d.created_at)),
        ]
        if verbose:
            row.append(_t(when(d.updated_at)))
        table.add_row(*row)
    return Group(_heading(f"Deployments ({len(service.deployments)})"), table)


def _service_tasks_table(service: Service, tasks: list[Task], verbose: bool) -> RenderableType:
    """Return the service's tasks, marking those on another revision than the service's."""
    notes = {t.arn: revision_mismatch(service, t) for t in tasks}
    columns: list[str | Col] = ["task", "revision", "last status", "desired", "health", "started"]
    if verbose:
        columns.append("containers")
    if any(notes.values()) or any(t.stopped_reason for t in tasks):
        columns.append("note")
    table = _table(*columns)
    for t in tasks:
        note = notes[t.arn]
        row = [
            _t(t.arn if verbose else t.id),
            _t(t.revision, WARNING_STYLE if note else ""),
            _t(t.last_status),
            _t(t.desired_status),
            _t(t.health),
            _t(when(t.started_at)),
        ]
        if verbose:
            row.append(_t(task_containers(t.containers)))
        if "note" in columns:
            text = Text()
            if note:
                text.append(f"! {note}", style=WARNING_STYLE)
            if t.stopped_reason:
                text.append(("\n" if note else "") + f"stopped: {t.stopped_reason}")
            row.append(text if text.plain else _t(None))
        table.add_row(*row)
    return Group(_heading(f"Tasks ({len(tasks)})"), table)


def events_view(service: Service, count: int) -> RenderableType:
    """Return the `count` most recent events, newest first, with timestamps."""
    events = recent_events(service, count)
    grid = KeyValueGrid(key_style="")
    for e in events:
        grid.add_row(_t(when(e.created_at)), _t(e.message))
    title = f"Events ({len(events)} most recent of {len(service.events)}, newest first)"
    if not events:
        return _heading(f"Events (none of {len(service.events)})")
    return Group(_heading(title), grid)


def _load_balancer_refs(service: Service) -> RenderableType:
    """Return the service's load balancer links."""
    table = _table("load balancer", "container", Col("port", right=True), "target")
    for ref in service.load_balancers:
        table.add_row(
            _t(ref.label),
            _t(ref.container_name),
            _t(ref.container_port),
            _t(ref.target_group_arn or ref.load_balancer_name),
        )
    return Group(_heading(f"Load balancers ({len(service.load_balancers)})"), table)


def _container_view(container: ContainerDef, verbose: bool, show_secrets: bool) -> RenderableType:
    """Return one container definition as a key/value grid."""
    grid = _grid()
    grid.add_row(_t("image"), _t(container.image))
    grid.add_row(_t("ports"), _t(format_ports(container.port_mappings)))
    command, entry_point = (container.command, container.entry_point) if show_secrets else (
        masked_args(container.command), masked_args(container.entry_point))
    grid.add_row(_t("command"), _t(shell_words(command)))
    grid.add_row(_t("entry point"), _t(shell_words(entry_point)))
    if verbose:
        grid.add_row(_t("cpu"), _t(container.cpu))
        grid.add_row(_t("memory"), _t(container.memory))
        grid.add_row(_t("memory reservation"), _t(container.memory_reservation))
        grid.add_row(_t("essential"), _t("yes" if container.essential else "no"))
        env = "\n".join(f"{k}={v}" for k, v in env_pairs(container, show_secrets))
        grid.add_row(_t("environment"), _t(env))
        secrets = "\n".join(f"{name} from {value_from}" for name, value_from in container.secrets)
        grid.add_row(_t("secrets"), _t(secrets))
        log = format_log_configuration(container.log_configuration, show_secrets)
        grid.add_row(_t("log configuration"), _t(log))
        grid.add_row(_t("health check"), _t(format_health_check(container.health_check)))
    return Group(_heading(f"container {container.name}"), grid)


def task_definition_view(task_def: TaskDefinition, *, verbose: bool, show_secrets: bool) -> RenderableType:
    """Return a task definition: task-level settings (verbose) then each container."""
    parts: list[RenderableType] = [_heading(f"Task definition {task_def.label} ({task_def.status})")]
    if verbose:
        grid = _grid()
        grid.add_row(_t("arn"), _t(task_def.arn))
        grid.add_row(_t("cpu"), _t(task_def.cpu))
        grid.add_row(_t("memory"), _t(task_def.memory))
        grid.add_row(_t("network mode"), _t(task_def.network_mode))
        grid.add_row(_t("task role"), _t(task_def.task_role_arn))
        grid.add_row(_t("execution role"), _t(task_def.execution_role_arn))
        grid.add_row(_t("requires compatibilities"), _t(", ".join(task_def.requires_compatibilities)))
        if task_def.tags:
            grid.add_row(_t("tags"), _t("\n".join(f"{k}={v}" for k, v in task_def.tags)))
        parts.append(grid)
    for container in task_def.containers:
        parts.append(_container_view(container, verbose, show_secrets))
    return Group(*parts)


def service_detail(
    service: Service,
    task_def: TaskDefinition | None,
    tasks: list[Task],
    *,
    verbose: bool,
    events: int,
    show_secrets: bool,
) -> RenderableType:
    """Return everything about one service: summary, deployments, tasks, events, LBs, containers."""
    blank = Text("")
    parts: list[RenderableType] = [
        _heading(f"Service {service.name}"),
        _service_summary(service, verbose),
        blank,
        _deployments_table(service, verbose),
        blank,
        _service_tasks_table(service, tasks, verbose),
    ]
    warnings = [w for w in (revision_mismatch(service, t) for t in tasks) if w]
    for warning in dict.fromkeys(warnings):
        parts.append(Text(f"WARNING: {warning}", style=WARNING_STYLE))
    if events > 0:
        parts += [blank, events_view(service, events)]
    if service.load_balancers:
        parts += [blank, _load_balancer_refs(service)]
    parts.append(blank)
    if task_def is None:
        parts.append(Text(f"Task definition {service.revision} not found", style=WARNING_STYLE))
    else:
        parts.append(task_definition_view(task_def, verbose=verbose, show_secrets=show_secrets))
    return Group(*parts)


# Task definitions ----------------------------------------------------------------------------


def families_table(families: list[Family]) -> RenderableType:
    """Return task definition families with their latest active revision."""
    if not families:
        return Text("No task definition families")
    table = _table("family", Col("latest", right=True), "arn")
    for f in families:
        table.add_row(_t(f.name), _t(f.latest_revision), _t(f.latest_arn))
    header = "1 family" if len(families) == 1 else f"{len(families)} families"
    return Group(_heading(header), table)


def revisions_table(family: str, revisions: list[Revision]) -> RenderableType:
    """Return a family's revisions: number, status and ARN."""
    header = f"{_plural(len(revisions), 'revision')} of {family}"
    if not revisions:
        return _heading(header)
    table = _table(Col("revision", right=True), "status", "arn")
    for r in revisions:
        table.add_row(_t(r.number), _t(r.status, "" if r.active else "dim"), _t(r.arn))
    return Group(_heading(header), table)


# Tasks ---------------------------------------------------------------------------------------


def tasks_table(tasks: list[Task]) -> RenderableType:
    """Return tasks with revision, status, health, start/stop and container states."""
    if not tasks:
        return Text("No tasks")
    stopped = any(t.stopped_at or t.stopped_reason for t in tasks)
    columns: list[str | Col] = [
        "task", "revision", "last status", "desired", "health", "launch type", "started",
    ]
    if stopped:
        columns += ["stopped", "stopped reason"]
    columns.append("containers")
    table = _table(*columns)
    for t in tasks:
        row = [
            _t(t.id),
            _t(t.revision),
            _t(t.last_status),
            _t(t.desired_status),
            _t(t.health),
            _t(t.launch_type),
            _t(when(t.started_at)),
        ]
        if stopped:
            row += [_t(when(t.stopped_at)), _t(t.stopped_reason)]
        row.append(_t(task_containers(t.containers)))
        table.add_row(*row)
    return Group(_heading(_plural(len(tasks), "task")), table)


def run_result(tasks: list[Task], failures: list[RunFailure]) -> RenderableType:
    """Return the tasks RunTask started and any failures it reported."""
    parts: list[RenderableType] = []
    if tasks:
        table = _table("task", "revision", "last status", "containers")
        for t in tasks:
            table.add_row(_t(t.id), _t(t.revision), _t(t.last_status), _t(task_containers(t.containers)))
        parts += [_heading(f"Started {_plural(len(tasks), 'task')}"), table]
    elif not failures:
        parts.append(Text("No task started", style=WARNING_STYLE))
    if failures:
        table = _table("arn", "reason", "detail")
        for f in failures:
            table.add_row(_t(f.arn), _t(f.reason, ERROR_STYLE), _t(f.detail))
        if parts:
            parts.append(Text(""))
        parts += [Text(_plural(len(failures), "failure"), style=ERROR_STYLE), table]
    return Group(*parts)


# Load balancers ------------------------------------------------------------------------------


def _targets_table(targets: Sequence[TargetHealth], first: str) -> Table:
    """Return target (or instance) health rows, unhealthy ones in the error style."""
    table = _table(first, Col("port", right=True), "state", "reason", "description")
    for target in targets:
        style = "" if target.healthy else ERROR_STYLE
        table.add_row(
            _t(target.target_id),
            _t(target.port),
            _t(target.state, style),
            _t(target.reason),
            _t(target.description),
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
        parts.append(_heading(f"Load balancer {lb.name} ({lb.kind})"))
        grid = _grid()
        grid.add_row(_t("dns name"), _t(lb.dns_name))
        if lb.arn:
            grid.add_row(_t("arn"), _t(lb.arn))
        grid.add_row(_t("listeners"), _t("\n".join(lb.listeners)))
        parts.append(grid)
        for tg in lb.target_groups:
            where = "/".join(str(x) for x in (tg.port, tg.protocol) if x is not None) or MISSING
            counts = f"healthy {tg.healthy_count}, unhealthy {tg.unhealthy_count}"
            line = Text(f"target group {tg.name} {where}: ")
            line.append(counts, style=ERROR_STYLE if tg.unhealthy_count else OK_STYLE)
            parts.append(line)
            parts.append(Text(f"  {tg.arn}"))
            if tg.targets:
                parts.append(_targets_table(tg.targets, "target"))
        if lb.kind == "classic" or lb.instances:
            healthy = sum(1 for i in lb.instances if i.healthy)
            unhealthy = len(lb.instances) - healthy
            line = Text("instances: ")
            line.append(f"in service {healthy}, out of service {unhealthy}",
                        style=ERROR_STYLE if unhealthy else OK_STYLE)
            parts.append(line)
            if lb.instances:
                parts.append(_targets_table(lb.instances, "instance"))
    return Group(*parts)


# Checks --------------------------------------------------------------------------------------


def check_report(findings: list[str], ok_line: str) -> RenderableType:
    """Return each finding as a visible warning, or the single OK line when there is none."""
    if not findings:
        return Text(ok_line, style=OK_STYLE)
    return Group(*(Text(f"WARNING: {f}", style=WARNING_STYLE) for f in findings))

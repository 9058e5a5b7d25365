"""Draw services' CPU and memory: a table busiest first, sparklines, one line for `ls`, and the JSON document.

Sparklines use the eight block characters on a terminal; where output has no colour (a pipe,
NO_COLOR, `--no-color`, `set color false`) they are plain ASCII, `_.-=#` from low to high. A gap is a period with
no datapoint. Heights are on a 0-100% scale (higher when a value passes 100%, as CPU can on EC2).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import MetricSeries, MetricsReport, Service, ServiceMetrics
from ecsshell.render.states import state_cell
from ecsshell.render.widgets import NOTE_STYLE, Col, cell, heading, new_table, window

SPARKS = "▁▂▃▄▅▆▇█"
ASCII_SPARKS = "_.-=#"
GAP = " "
SPARK_WIDTH = 36  # most characters a sparkline takes: more periods than this are grouped, each group's peak
TABLE_SPARK_WIDTH = 24


def _slots(series: MetricSeries, start: datetime, end: datetime, period: int) -> list[float | None]:
    """Return one value per period of [START, END): the series' datapoint there, or None."""
    count = max(1, round((end - start).total_seconds() / period))
    slots: list[float | None] = [None] * count
    for stamp, value in zip(series.timestamps, series.values, strict=True):
        index = int((stamp - start).total_seconds() // period)
        if 0 <= index < count:
            slots[index] = value
    return slots


def sparkline(series: MetricSeries, start: datetime, end: datetime, period: int, *, plain: bool,
              width: int = SPARK_WIDTH) -> str:
    """Return SERIES as a sparkline over [START, END), at most WIDTH characters (PLAIN: ASCII)."""
    slots = _slots(series, start, end, period)
    group = max(1, math.ceil(len(slots) / max(1, width)))
    grouped = [[v for v in slots[i:i + group] if v is not None] for i in range(0, len(slots), group)]
    ramp = ASCII_SPARKS if plain else SPARKS
    top = max(100.0, max(series.values, default=0.0))
    out = []
    for values in grouped:
        if not values:
            out.append(GAP)
            continue
        level = round(max(0.0, max(values)) / top * (len(ramp) - 1))
        out.append(ramp[min(len(ramp) - 1, level)])
    return "".join(out)


def percent(value: float | None) -> str:
    """Return VALUE as a whole percentage, or `-`."""
    return "-" if value is None else f"{value:.0f}%"


def deployment_state(service: Service) -> str:
    """Return the primary deployment's rollout state (IN_PROGRESS while another deployment is still up)."""
    primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
    if primary is None:
        return service.status
    if len(service.deployments) > 1 and primary.rollout_state != "FAILED":
        return "IN_PROGRESS"
    return primary.rollout_state or primary.status


def metrics_table(report: MetricsReport, *, plain: bool) -> RenderableType:
    """Return the services busiest first: tasks, deployment, CPU and memory now/average/peak and sparklines."""
    seconds = (report.end - report.start).total_seconds()
    every = f"{report.period // 3600}-hour" if report.period % 3600 == 0 else f"{report.period // 60}-minute"
    title = (f"CPU and memory of {report.cluster}, last {window(seconds)} ({every} averages, "
             f"to {report.end.astimezone(UTC):%H:%M}Z), busiest first")
    if not report.services:
        return Group(heading(title), Text(f"cluster {report.cluster} has no services", style=NOTE_STYLE))
    table = new_table("service", Col("tasks", right=True), "deployment", Col("cpu", right=True),
                      Col("avg", right=True, drop=3), Col("peak", right=True, drop=2), Col("cpu trend", drop=4),
                      Col("mem", right=True), Col("avg", right=True, drop=3), Col("peak", right=True, drop=2),
                      Col("mem trend", drop=5))
    for service, found in zip(report.services, report.metrics, strict=True):
        table.add_row(cell(service.name), cell(f"{service.running}/{service.desired}"),
                      state_cell(deployment_state(service)),
                      cell(percent(found.cpu.now)), cell(percent(found.cpu.average)), cell(percent(found.cpu.peak)),
                      cell(sparkline(found.cpu, report.start, report.end, report.period, plain=plain,
                                     width=TABLE_SPARK_WIDTH)),
                      cell(percent(found.memory.now)), cell(percent(found.memory.average)),
                      cell(percent(found.memory.peak)),
                      cell(sparkline(found.memory, report.start, report.end, report.period, plain=plain,
                                     width=TABLE_SPARK_WIDTH)))
    parts: list[RenderableType] = [heading(title), table]
    empty = [m.service for m in report.metrics if not m.has_data]
    if empty:
        parts.append(Text(f"no datapoints in CloudWatch (AWS/ECS) for: {', '.join(empty)}", style=NOTE_STYLE))
    return Group(*parts)


def metrics_line(found: ServiceMetrics | None, problem: str, start: datetime, end: datetime, period: int,
                 *, plain: bool) -> Text:
    """Return `ls CLUSTER SERVICE`'s line: CPU and memory now, sparkline, average and peak (or why there is none)."""
    last = window((end - start).total_seconds())
    if found is None:
        return Text(f"unavailable: {problem}", style=NOTE_STYLE)
    if not found.has_data:
        return Text(f"no CloudWatch datapoints in the last {last}", style=NOTE_STYLE)
    line = Text()
    for name, series in (("cpu", found.cpu), ("memory", found.memory)):
        if name == "memory":
            line.append(", ")
        line.append(f"{name} {percent(series.now)} ")
        line.append(sparkline(series, start, end, period, plain=plain, width=TABLE_SPARK_WIDTH))
        line.append(f" avg {percent(series.average)} peak {percent(series.peak)}")
    line.append(f" (last {last})", style=NOTE_STYLE)
    return line


def _result(series: MetricSeries) -> dict[str, Any]:
    doc: dict[str, Any] = {"Id": series.id, "Label": series.label,
                           "Timestamps": [t.astimezone(UTC).isoformat() for t in series.timestamps],
                           "Values": list(series.values), "StatusCode": series.status_code}
    if series.messages:
        doc["Messages"] = [{"Code": code, "Value": value} for code, value in series.messages]
    return doc


def _summary(series: MetricSeries) -> dict[str, float | None]:
    return {"now": series.now, "average": series.average, "peak": series.peak}


def metrics_document(report: MetricsReport) -> dict[str, Any]:
    """Return the report as JSON: the window, and per service GetMetricData's MetricDataResults and a summary."""
    return {
        "cluster": report.cluster,
        "since": report.start.astimezone(UTC).isoformat(),
        "until": report.end.astimezone(UTC).isoformat(),
        "period": report.period,
        "services": [{
            "serviceName": service.name,
            "desiredCount": service.desired,
            "runningCount": service.running,
            "MetricDataResults": [_result(found.cpu), _result(found.memory)],
            "ecsshell": {"deployment": deployment_state(service), "CPUUtilization": _summary(found.cpu),
                         "MemoryUtilization": _summary(found.memory)},
        } for service, found in zip(report.services, report.metrics, strict=True)],
    }

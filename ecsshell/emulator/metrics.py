"""CloudWatch's GetMetricData as CloudWatch answers it, over moto's stored datapoints; the worlds' AWS/ECS metrics.

moto 5.2.6 answers GetMetricData by scanning every stored datapoint for every query and every
period (seconds for one cluster's services over 3 hours), takes any number of queries, keeps
StartTime as given, and has neither MaxDatapoints nor NextToken. Here the same datapoints are
indexed once per call and answered per the botocore model and CloudWatch's documentation:
- at most 500 MetricDataQueries (ValidationError beyond), Ids unique and `[a-z][a-zA-Z0-9_]*`;
- StartTime rounded down to the minute, EndTime exclusive, each datapoint at the start of its period;
- Id, Label, Timestamps, Values and StatusCode per query; `PartialData` and a NextToken once
  MaxDatapoints (default 100,800) are returned, in ScanBy's order (TimestampDescending by default);
- MetricStat queries only: ecsshell sends no metric math, and an Expression is refused in one line.

`seed` gives a world's services three hours of CPUUtilization and MemoryUtilization (a datapoint
each minute of the last hour, every five minutes before), one put_metric_data batch per service on
moto's backend: busy services, idle ones, the rest between.
"""

from __future__ import annotations

import base64
import json
import math
import random
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from .wsgi import ClientError

TARGET = "GraniteServiceVersion20100801.GetMetricData"  # CloudWatch's JSON protocol names the operation so
MAX_QUERIES = 500
MAX_DATAPOINTS = 100_800
QUERY_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")
NAMESPACE = "AWS/ECS"
SEED_HOURS = 3
STATS = ("Average", "Sum", "Minimum", "Maximum", "SampleCount")
Backend = Callable[[], Any]  # moto's CloudWatch backend for the caller's account and Region


class World(Protocol):
    """What `seed` uses of the emulated world (server.World has it)."""

    lock: Any
    scheduler: Any

    def backend(self, service: str = "ecs", account: str | None = None, region: str | None = None) -> Any: ...


def handlers(backend: Backend) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    """Return the CloudWatch operations answered here, keyed by X-Amz-Target, for the WSGI layer."""
    return {TARGET: lambda request: get_metric_data(backend(), request)}


def _fail(message: str) -> ClientError:
    return ClientError("ValidationError", message)


def _time(value: Any, name: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError):
        raise _fail(f"The parameter {name} is required and must be a timestamp.") from None


def _validate(queries: list[dict[str, Any]]) -> None:
    if not queries:
        raise _fail("The parameter MetricDataQueries is required.")
    if len(queries) > MAX_QUERIES:
        raise _fail(f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}.")
    seen: set[str] = set()
    for number, query in enumerate(queries, start=1):
        ident = str(query.get("Id") or "")
        if not QUERY_ID.fullmatch(ident):
            raise _fail(f"The value {ident} for parameter MetricDataQueries.member.{number}.Id is not valid: "
                        "it must start with a lowercase letter and hold only letters, digits and underscores.")
        if ident in seen:
            raise _fail(f"The value {ident} for parameter MetricDataQueries.member.{number}.Id is non-unique.")
        seen.add(ident)
        if "Expression" in query:
            raise _fail("The emulated CloudWatch answers MetricStat queries only, not metric math "
                        f"(MetricDataQueries.member.{number}.Expression).")
        stat = query.get("MetricStat")
        if not isinstance(stat, dict):
            raise _fail(f"The parameter MetricDataQueries.member.{number}.MetricStat is required.")
        period = stat.get("Period")
        if not isinstance(period, int) or period < 1 or (period >= 60 and period % 60) or \
                (period < 60 and period not in (1, 5, 10, 20, 30)):
            raise _fail(f"The parameter MetricDataQueries.member.{number}.MetricStat.Period must be 1, 5, 10, 20, "
                        "30, or a multiple of 60.")
        if stat.get("Stat") not in STATS:
            raise _fail(f"The emulated CloudWatch answers the statistics {', '.join(STATS)}, "
                        f"not {stat.get('Stat')!r}.")


def _key(namespace: Any, name: Any, dimensions: Iterable[tuple[Any, Any]]) -> tuple[Any, Any, frozenset[Any]]:
    return namespace, name, frozenset(dimensions)


def _statistic(stat: str, data: list[Any]) -> float:
    """Return STAT over moto's datums DATA (single values and statistic sets alike)."""
    counts = [float(getattr(d, "sample_count", 1)) for d in data]
    sums = [float(d.sum) if hasattr(d, "sum") else float(d.value) for d in data]
    if stat == "SampleCount":
        return sum(counts)
    if stat == "Sum":
        return sum(sums)
    if stat == "Minimum":
        return min(float(d.min) if hasattr(d, "min") else float(d.value) for d in data)
    if stat == "Maximum":
        return max(float(d.max) if hasattr(d, "max") else float(d.value) for d in data)
    return sum(sums) / sum(counts)


def _series(index: dict[Any, list[Any]], query: dict[str, Any], start: datetime,
            end: datetime) -> list[tuple[float, float]]:
    """Return QUERY's (epoch seconds, value) per period with data, oldest first."""
    stat = query["MetricStat"]
    metric = stat.get("Metric") or {}
    key = _key(metric.get("Namespace"), metric.get("MetricName"),
               ((d.get("Name"), d.get("Value")) for d in metric.get("Dimensions") or []))
    period = int(stat["Period"])
    unit = stat.get("Unit")
    buckets: dict[int, list[Any]] = {}
    for datum in index.get(key, ()):
        if unit and datum.unit != unit:
            continue
        buckets.setdefault(int((datum.timestamp - start).total_seconds() // period), []).append(datum)
    base = start.timestamp()
    return [(base + slot * period, _statistic(stat["Stat"], buckets[slot])) for slot in sorted(buckets)
            if base + slot * period < end.timestamp()]


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps(["GetMetricData", offset]).encode()).decode()


def _offset(token: str) -> int:
    try:
        op, offset = json.loads(base64.urlsafe_b64decode(token.encode()))
        if op != "GetMetricData" or not isinstance(offset, int) or offset < 0:
            raise ValueError(token)
    except (ValueError, TypeError):
        raise ClientError("InvalidNextToken", "The service couldn't process the NextToken.") from None
    return int(offset)


def get_metric_data(cloudwatch: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Answer GetMetricData REQUEST (JSON protocol) from moto's backend CLOUDWATCH."""
    queries = list(request.get("MetricDataQueries") or [])
    _validate(queries)
    start = _time(request.get("StartTime"), "StartTime").replace(second=0, microsecond=0)
    end = _time(request.get("EndTime"), "EndTime")
    if start >= end:
        raise _fail("The parameter StartTime must be less than the parameter EndTime.")
    most = request.get("MaxDatapoints", MAX_DATAPOINTS)
    if not isinstance(most, int) or most < 1:
        raise _fail("The parameter MaxDatapoints must be a positive integer.")
    descending = (request.get("ScanBy") or "TimestampDescending") == "TimestampDescending"
    index: dict[Any, list[Any]] = {}
    for datum in cloudwatch.get_all_metrics():
        stamp = datum.timestamp if datum.timestamp.tzinfo else datum.timestamp.replace(tzinfo=UTC)
        if start <= stamp < end:
            datum.timestamp = stamp
            index.setdefault(_key(datum.namespace, datum.name,
                                  ((d.name, d.value) for d in datum.dimensions)), []).append(datum)
    skip = _offset(request["NextToken"]) if request.get("NextToken") else 0
    results = []
    passed = 0  # datapoints of the queries before this one, in the order the pages go through them
    for query in queries:
        if query.get("ReturnData", True) is False:
            continue
        points = _series(index, query, start, end)
        if descending:
            points.reverse()
        page = points[max(0, skip - passed):max(0, skip + most - passed)]  # this page's [skip, skip + most)
        later = passed + len(points) > skip + most
        passed += len(points)
        label = query.get("Label") or query["MetricStat"]["Metric"].get("MetricName", query["Id"])
        results.append({"Id": query["Id"], "Label": label, "Timestamps": [t for t, _ in page],
                        "Values": [v for _, v in page], "StatusCode": "PartialData" if later else "Complete"})
    answer: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if passed > skip + most:
        answer["NextToken"] = _token(skip + most)
    return answer


# the worlds' metrics -----------------------------------------------------------------------------
BUSY = frozenset({"web", "checkout"})  # services that work hard; IDLE ones barely wake
IDLE = frozenset({"worker", "notifications", "legacy"})


def _shape(cluster: str, service: str) -> tuple[float, float, float]:
    """Return (CPU level, CPU swing, memory level) in percent for a service's plausible curve."""
    if service in BUSY and cluster == "prod":
        return 62.0, 22.0, 71.0
    if service in IDLE or cluster != "prod":
        return 3.0, 2.0, 18.0
    return 24.0, 10.0, 42.0


def _minutes(hours: int) -> list[int]:
    """Return the minutes before now that get a datapoint: each of the last hour, every fifth before it.

    A 3-hour `metrics` asks for 5-minute periods and `top` for the last hour's minutes, so both are
    whole; a datapoint costs moto an object (and the demo's start a few microseconds).
    """
    return sorted({*range(0, hours * 60, 5), *range(min(60, hours * 60))}, reverse=True)


def datapoints(cluster: str, service: str, now: datetime, hours: int = SEED_HOURS) -> list[dict[str, Any]]:
    """Return a PutMetricData batch of a service's CPU and memory over the last HOURS, oldest first (deterministic)."""
    rng = random.Random(f"{cluster}/{service}")
    level, swing, memory = _shape(cluster, service)
    dimensions = [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": service}]
    end = now.astimezone(UTC).replace(second=0, microsecond=0)
    count = hours * 60
    phase = rng.random()
    batch = []
    for ago in _minutes(hours):
        minute = count - 1 - ago
        stamp = end - timedelta(minutes=ago)
        wave = math.sin(minute / count * 2 * math.pi * 1.5 + phase)
        cpu = max(0.1, level + swing * wave + rng.uniform(-swing, swing) / 3)
        mem = max(0.5, memory + minute / count * 4 + rng.uniform(-1.0, 1.0))
        batch.append({"MetricName": "CPUUtilization", "Dimensions": dimensions, "Timestamp": stamp,
                      "Value": round(cpu, 2), "Unit": "Percent"})
        batch.append({"MetricName": "MemoryUtilization", "Dimensions": dimensions, "Timestamp": stamp,
                      "Value": round(mem, 2), "Unit": "Percent"})
    return batch


def seed(world: World, services: Iterable[tuple[str, str]]) -> None:
    """Give each (cluster, service) SEED_HOURS of AWS/ECS metrics: one put_metric_data batch on moto's backend.

    On the backend, not through the API: a CloudWatch client reads CloudWatch's model (and moto's
    router its own copy), which would add to every demo's start for datapoints ecsshell only reads.
    """
    now = world.scheduler.now()
    with world.lock:
        cloudwatch = world.backend("cloudwatch")
        for cluster, service in services:
            cloudwatch.put_metric_data(NAMESPACE, datapoints(cluster, service, now))

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
moto's backend: busy services, idle ones, the rest between. As the world's clock moves on, each
GetMetricData first gives them a datapoint for every minute begun since, so `top` sees them live.
"""

from __future__ import annotations

import base64
import json
import math
import random
import re
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from .wsgi import ClientError

TARGET = "GraniteServiceVersion20100801.GetMetricData"  # CloudWatch's JSON protocol names the operation so
MAX_QUERIES = 500
MAX_DATAPOINTS = 100_800
QUERY_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")
NAMESPACE = "AWS/ECS"
SEED_HOURS = 3
LIVE = "ecsshell_live"  # on moto's CloudWatch backend: {(cluster, service): epoch minute of its last datapoint}
STATS = ("Average", "Sum", "Minimum", "Maximum", "SampleCount")
Backend = Callable[[], Any]  # moto's CloudWatch backend for the caller's account and Region


class World(Protocol):
    """What `seed` uses of the emulated world (server.World has it)."""

    lock: Any
    scheduler: Any

    def backend(self, service: str = "ecs", account: str | None = None, region: str | None = None) -> Any: ...


def handlers(backend: Backend, now: Callable[[], datetime]) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    """Return the CloudWatch operations answered here, keyed by X-Amz-Target, for the WSGI layer (NOW: its clock)."""
    def answer(request: dict[str, Any]) -> dict[str, Any]:
        cloudwatch = backend()
        catch_up(cloudwatch, now())
        return get_metric_data(cloudwatch, request)

    return {TARGET: answer}


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


def _values(cluster: str, service: str, minute: int) -> tuple[float, float]:
    """Return (CPU, memory) of a service at epoch MINUTE: slow waves and some noise, the same on every call."""
    level, swing, memory = _shape(cluster, service)
    phase = zlib.crc32(f"{cluster}/{service}".encode()) % 1000 / 1000 * 2 * math.pi
    rng = random.Random(f"{cluster}/{service}/{minute}")
    cpu = level + swing * math.sin(minute / 120 * 2 * math.pi + phase) + rng.uniform(-swing, swing) / 3
    mem = memory + 2 * math.sin(minute / 720 * 2 * math.pi + phase) + rng.uniform(-1.0, 1.0)
    return round(max(0.1, cpu), 2), round(max(0.5, mem), 2)


def _batch(cluster: str, service: str, minutes: Iterable[int]) -> list[dict[str, Any]]:
    """Return a PutMetricData batch of a service's CPU and memory at each epoch minute of MINUTES."""
    dimensions = [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": service}]
    batch = []
    for minute in minutes:
        stamp = datetime.fromtimestamp(minute * 60, UTC)
        cpu, mem = _values(cluster, service, minute)
        batch.append({"MetricName": "CPUUtilization", "Dimensions": dimensions, "Timestamp": stamp,
                      "Value": cpu, "Unit": "Percent"})
        batch.append({"MetricName": "MemoryUtilization", "Dimensions": dimensions, "Timestamp": stamp,
                      "Value": mem, "Unit": "Percent"})
    return batch


def datapoints(cluster: str, service: str, now: datetime, hours: int = SEED_HOURS) -> list[dict[str, Any]]:
    """Return a PutMetricData batch of a service's CPU and memory over the last HOURS, oldest first (deterministic)."""
    last = int(now.timestamp() // 60)
    return _batch(cluster, service, [last - ago for ago in _minutes(hours)])


def seed(world: World, services: Iterable[tuple[str, str]]) -> None:
    """Give each (cluster, service) SEED_HOURS of AWS/ECS metrics: one put_metric_data batch on moto's backend.

    On the backend, not through the API: a CloudWatch client reads CloudWatch's model (and moto's
    router its own copy), which would add to every demo's start for datapoints ecsshell only reads.
    The services then get a datapoint for each minute the world's clock begins (see `catch_up`).
    """
    now = world.scheduler.now()
    with world.lock:
        cloudwatch = world.backend("cloudwatch")
        live: dict[tuple[str, str], int] = getattr(cloudwatch, LIVE, None) or {}
        for cluster, service in services:
            cloudwatch.put_metric_data(NAMESPACE, datapoints(cluster, service, now))
            live[(cluster, service)] = int(now.timestamp() // 60)
        setattr(cloudwatch, LIVE, live)  # on moto's backend: a reset of the world forgets it with the datapoints


def catch_up(cloudwatch: Any, now: datetime) -> None:
    """Give each seeded service a datapoint for every minute begun since its last one (the world's clock moved)."""
    live: dict[tuple[str, str], int] | None = getattr(cloudwatch, LIVE, None)
    current = int(now.timestamp() // 60)
    for (cluster, service), last in (live or {}).items():
        if current > last:
            minutes = range(max(last + 1, current - SEED_HOURS * 60 + 1), current + 1)
            cloudwatch.put_metric_data(NAMESPACE, _batch(cluster, service, minutes))
            live[(cluster, service)] = current  # type: ignore[index]

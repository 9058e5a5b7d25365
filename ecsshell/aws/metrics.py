"""Read services' AWS/ECS CPU and memory from CloudWatch: GetMetricData, up to 500 queries a call, every page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..model import MetricSeries, ServiceMetrics
from .caller import Caller

# GetMetricData takes at most 500 MetricDataQueries a call (botocore's cloudwatch model documents it);
# a service's two queries always go in the same call
METRIC_QUERY_BATCH = 500
NAMESPACE = "AWS/ECS"
METRICS = (("cpu", "CPUUtilization"), ("memory", "MemoryUtilization"))
STAT = "Average"


def queries(cluster: str, services: Sequence[str], period: int, first: int = 0) -> list[dict[str, Any]]:
    """Return the MetricDataQueries of SERVICES' CPU and memory (Ids cpuN and memoryN, N counted from FIRST)."""
    out = []
    for index, name in enumerate(services, start=first):
        for key, metric in METRICS:
            out.append({
                "Id": f"{key}{index}",
                "Label": f"{name} {metric}",
                "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": metric,
                                          "Dimensions": [{"Name": "ClusterName", "Value": cluster},
                                                         {"Name": "ServiceName", "Value": name}]},
                               "Period": period, "Stat": STAT},
                "ReturnData": True,
            })
    return out


def _utc(value: Any) -> datetime:
    return value.astimezone(UTC) if isinstance(value, datetime) else datetime.fromtimestamp(float(value), UTC)


def metric_data(caller: Caller, batch: list[dict[str, Any]], start: datetime, end: datetime,
                context: str) -> dict[str, MetricSeries]:
    """Return one GetMetricData call's results (every NextToken page merged), keyed by query Id."""
    merged: dict[str, dict[str, Any]] = {q["Id"]: {"label": q.get("Label", q["Id"]), "points": {},
                                                   "status": "Complete", "messages": []} for q in batch}
    token = None
    while True:
        params: dict[str, Any] = {"MetricDataQueries": batch, "StartTime": start, "EndTime": end,
                                  "ScanBy": "TimestampAscending"}
        if token:
            params["NextToken"] = token
        answer = caller.call("cloudwatch", "get_metric_data", context, **params)
        for result in answer.get("MetricDataResults") or []:
            found = merged.setdefault(result["Id"], {"label": result["Id"], "points": {}, "status": "Complete",
                                                     "messages": []})
            found["label"] = result.get("Label") or found["label"]
            for stamp, value in zip(result.get("Timestamps") or [], result.get("Values") or [], strict=False):
                found["points"][_utc(stamp)] = float(value)
            found["status"] = result.get("StatusCode") or found["status"]
            found["messages"] += [(str(m.get("Code", "")), str(m.get("Value", "")))
                                  for m in result.get("Messages") or []]
        token = answer.get("NextToken")
        if not token:
            break
    out = {}
    for query_id, found in merged.items():
        points = sorted(found["points"].items())
        out[query_id] = MetricSeries(query_id, found["label"], tuple(t for t, _ in points),
                                     tuple(v for _, v in points), found["status"], tuple(found["messages"]))
    return out


def service_metrics(caller: Caller, cluster: str, services: Sequence[str], start: datetime, end: datetime,
                    period: int) -> list[ServiceMetrics]:
    """Return SERVICES' CPU and memory in [START, END) by PERIOD seconds: ceil(2N/500) calls (and their pages)."""
    names = list(dict.fromkeys(services))
    per_call = max(1, METRIC_QUERY_BATCH // len(METRICS))
    batches = [queries(cluster, names[i:i + per_call], period, first=i) for i in range(0, len(names), per_call)]
    context = f'metrics of cluster "{cluster}"'
    parts = caller.map(lambda batch: metric_data(caller, batch, start, end, context), batches)
    series = {key: value for part in parts for key, value in part.items()}
    return [ServiceMetrics(cluster, name, series[f"cpu{i}"], series[f"memory{i}"]) for i, name in enumerate(names)]

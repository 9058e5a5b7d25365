"""Read awslogs container output from CloudWatch Logs (FilterLogEvents, all pages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import LogEvent
from . import convert
from .caller import Caller
from .errors import NotFound

STREAM_BATCH = 100  # FilterLogEvents logStreamNames per call


def _filter(gateway: Caller, group: str, start_ms: int, end_ms: int | None, **where: Any) -> list[LogEvent]:
    params: dict[str, Any] = {"logGroupName": group, "startTime": int(start_ms), **where}
    if end_ms is not None:
        params["endTime"] = int(end_ms)
    pages = gateway.pages("logs", "filter_log_events", "events", f'log group "{group}"', **params)
    return [convert.log_event(e) for page in pages for e in page]


def log_events(gateway: Caller, group: str, stream_names_or_prefix: str | Sequence[str], start_time_ms: int,
               end_time_ms: int | None = None) -> list[LogEvent]:
    """Return GROUP's events in the streams named (a list) or starting with a prefix (a str), by time."""
    if isinstance(stream_names_or_prefix, str):
        where = {"logStreamNamePrefix": stream_names_or_prefix} if stream_names_or_prefix else {}
        found = _filter(gateway, group, start_time_ms, end_time_ms, **where)
    else:
        names = list(dict.fromkeys(stream_names_or_prefix))
        if not names:
            return []
        batches = [names[i:i + STREAM_BATCH] for i in range(0, len(names), STREAM_BATCH)]
        parts = gateway.map(lambda batch: _filter(gateway, group, start_time_ms, end_time_ms,
                                                  logStreamNames=batch), batches)
        found = [event for part in parts for event in part]
    return sorted(found, key=lambda e: e.timestamp)


def last_log_events(gateway: Caller, group: str, streams: Sequence[str], end_time_ms: int,
                    limit: int) -> list[LogEvent]:
    """Return the last LIMIT events before END_TIME_MS of GROUP's STREAMS (GetLogEvents from the tail, one call a
    stream), by time; a stream that does not exist (a container that never logged) has none."""
    def tail(stream: str) -> list[LogEvent]:
        try:
            answer = gateway.call("logs", "get_log_events", f'log stream "{group}/{stream}"', logGroupName=group,
                                  logStreamName=stream, endTime=int(end_time_ms), limit=limit, startFromHead=False)
        except NotFound:
            return []
        return [convert.log_event({**event, "logStreamName": stream}) for event in answer.get("events") or []]

    found = [event for part in gateway.map(tail, list(dict.fromkeys(streams))) for event in part]
    return sorted(found, key=lambda e: e.timestamp)[-limit:]

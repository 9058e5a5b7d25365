"""CPU and memory at a glance: a window's period, every service's metrics in batched calls, busiest first."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from ..errors import AwsError
from ..model import MetricsReport, Service, ServiceMetrics
from . import OperationError
from .gateway import Gateway

DEFAULT_WINDOW = 3 * 3600.0  # `metrics` looks back 3 hours unless told otherwise
MINUTE_WINDOW = 3600.0  # windows up to an hour get 1-minute datapoints, longer ones 5-minute ones
FIVE_MINUTE_WINDOW = 15 * 86400.0  # CloudWatch keeps 1-minute data 15 days, 5-minute data 63, hourly 455
LONGEST_WINDOW = 455 * 86400.0


def period_for(seconds: float) -> int:
    """Return the datapoint period for a window of SECONDS: 60 s up to 1 h, 300 s up to 15 days, 3600 s beyond."""
    if seconds <= MINUTE_WINDOW:
        return 60
    if seconds <= FIVE_MINUTE_WINDOW:
        return 300
    return 3600


def window(now: datetime, seconds: float) -> tuple[datetime, datetime, int]:
    """Return (start, end, period): END is NOW rounded up to a period, START whole periods before it."""
    if not 0 < seconds <= LONGEST_WINDOW:
        raise OperationError(f"--since must be at most 455d (CloudWatch keeps metrics 15 months), "
                             f"not {seconds:g}s", 2)
    period = period_for(seconds)
    stamp = now.astimezone(UTC).timestamp()
    end = datetime.fromtimestamp(math.ceil(stamp / period) * period, UTC)
    if end.timestamp() == stamp:  # on a boundary: the period that starts now has no data yet
        end += timedelta(seconds=period)
    periods = max(1, math.ceil(seconds / period))
    return end - timedelta(seconds=periods * period), end, period


def _busiest(pair: tuple[Service, ServiceMetrics]) -> tuple[bool, float, float, str]:
    cpu = pair[1].cpu
    return cpu.now is None, -(cpu.now or 0.0), -(cpu.average or 0.0), pair[0].name


def cluster_metrics(gateway: Gateway, cluster: str, service: str | None, seconds: float,
                    now: datetime) -> MetricsReport:
    """Return CLUSTER's services (or SERVICE alone) with CPU and memory over the last SECONDS, busiest first."""
    start, end, period = window(now, seconds)
    if service is not None:  # the service and its metrics at once: one round trip
        described = gateway.submit(gateway.describe_service, cluster, service)
        found = gateway.service_metrics(cluster, [service], start, end, period)
        services = [described.result()]
    else:
        services = gateway.list_services(cluster)
        found = gateway.service_metrics(cluster, [s.name for s in services], start, end, period)
    pairs = sorted(zip(services, found, strict=True), key=_busiest)
    return MetricsReport(cluster, start, end, period, tuple(s for s, _ in pairs), tuple(m for _, m in pairs))


def glance(gateway: Gateway, cluster: str, service: str, now: datetime,
           seconds: float = DEFAULT_WINDOW) -> tuple[ServiceMetrics | None, str]:
    """Return SERVICE's CPU and memory for `ls`'s one line, or None and why not (never raises an AWS error)."""
    start, end, period = window(now, seconds)
    try:
        return gateway.service_metrics(cluster, [service], start, end, period)[0], ""
    except AwsError as exc:
        return None, str(exc)


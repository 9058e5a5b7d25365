"""Scale a service: set its desired count and follow it until the running count matches."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model import Service, ServiceEvent
from .rollout import Outcome, Progress
from .run import POLL_SECONDS, Clock, Sleep

if TYPE_CHECKING:
    from .gateway import Gateway


def scale(gateway: Gateway, cluster: str, service: str, count: int) -> Service:
    """Set SERVICE's desired count to COUNT; return the service as ECS answered."""
    return gateway.update_service(cluster, service, desired_count=count)


def follow_scale(gateway: Gateway, cluster: str, service: str, *, timeout: float, sleep: Sleep,
                 monotonic: Clock, on_progress: Callable[[Progress], None],
                 on_event: Callable[[ServiceEvent], None], poll: float = POLL_SECONDS,
                 seen_events: set[str] | None = None) -> Outcome:
    """Poll the service until its running count equals its desired count with nothing pending."""
    start = monotonic()
    seen = set(seen_events) if seen_events is not None else None
    while True:
        svc = gateway.describe_services(cluster, [service])[0]
        if seen is None:  # no baseline given: the events there at the start are old news
            seen = {e.id for e in svc.events}
        for event in reversed(svc.events):
            if event.id not in seen:
                seen.add(event.id)
                on_event(event)
        elapsed = monotonic() - start
        on_progress(Progress(svc.primary, 0, elapsed, svc))
        if svc.running == svc.desired and svc.pending == 0 and len(svc.deployments) <= 1:
            return Outcome("COMPLETED", f"{svc.name} runs {svc.running}/{svc.desired} tasks", svc, elapsed)
        if elapsed >= timeout:
            return Outcome("TIMEOUT", f"gave up after {int(timeout)}s: {svc.running}/{svc.desired} running, "
                                      f"{svc.pending} pending", svc, elapsed)
        sleep(min(poll, max(0.0, timeout - elapsed)) or poll)



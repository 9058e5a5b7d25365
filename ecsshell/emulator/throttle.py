"""An opt-in model of ECS request throttling: token buckets per group of actions, account and Region.

ECS throttles each account and Region apart (so does this) with token buckets: a bucket holds at most
`burst` tokens, every call takes one, and the bucket refills at `rate` tokens a second (Amazon ECS API
Reference, "Request throttling for the Amazon ECS API": cluster read actions have a bucket of 50). A call that finds its
bucket empty is answered ThrottlingException, which botocore retries after a real backoff sleep, so the
refill uses real time too. A throttled call takes no token. Off until `enable()`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """A bucket's size (the burst) and its refill rate in tokens a second (the sustained rate)."""

    burst: float
    rate: float


# group -> limit. Reads: the reference figures (bucket 50, about 20 a second sustained).
# RegisterTaskDefinition: 20 burst, 1 a second (reported by CI users). The other writes are guesses
# in between: a deploy's handful of UpdateService/RunTask calls pass, a storm of them does not.
DEFAULT_LIMITS: dict[str, Limit] = {
    "read": Limit(50, 20),
    "register": Limit(20, 1),
    "write": Limit(40, 10),
}
REGISTER = frozenset({"RegisterTaskDefinition", "DeregisterTaskDefinition", "DeleteTaskDefinitions"})


def group_of(operation: str) -> str:
    """Return the throttle group of an ECS OPERATION: read (Describe*, List*, Get*), register or write."""
    if operation in REGISTER:
        return "register"
    if operation.startswith(("Describe", "List", "Get")):
        return "read"
    return "write"


class Bucket:
    """One token bucket; not locked itself (the Throttle holds its lock)."""

    def __init__(self, limit: Limit, now: float) -> None:
        self.limit = limit
        self.tokens = float(limit.burst)
        self.stamp = now

    def take(self, now: float) -> bool:
        """Refill for the time since the last call, then take a token if there is one."""
        self.tokens = min(self.limit.burst, self.tokens + (now - self.stamp) * self.limit.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Throttle:
    """Token buckets per group of ECS actions; `admit(operation)` says whether a call may go on."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._limits: dict[str, Limit] = {}
        self._buckets: dict[tuple[str, ...], Bucket] = {}  # (group, account, Region), made full on first use
        self.throttled = 0  # calls answered ThrottlingException since enabled

    @property
    def enabled(self) -> bool:
        with self._lock:
            return bool(self._limits)

    def enable(self, limits: Mapping[str, Limit | tuple[float, float]] | None = None) -> None:
        """Throttle ECS calls with full buckets: DEFAULT_LIMITS, with LIMITS' groups ((burst, rate)) replaced."""
        merged = dict(DEFAULT_LIMITS)
        for group, limit in (limits or {}).items():
            if group not in DEFAULT_LIMITS:
                raise ValueError(f"unknown throttle group {group!r}: one of {', '.join(DEFAULT_LIMITS)}")
            merged[group] = limit if isinstance(limit, Limit) else Limit(*limit)
        with self._lock:
            now = self._clock()
            self._limits = merged
            self._buckets = {(group,): Bucket(limit, now) for group, limit in merged.items()}
            self.throttled = 0

    def limit(self, group: str) -> Limit | None:
        """Return GROUP's limit while throttling, else None."""
        with self._lock:
            return self._limits.get(group)

    def refill(self) -> None:
        """Fill every bucket again and zero the count, keeping the limits (a benchmark's next run starts afresh)."""
        with self._lock:
            self.throttled = 0
            now = self._clock()
            self._buckets = {(group,): Bucket(limit, now) for group, limit in self._limits.items()}

    def disable(self) -> None:
        """Stop throttling (the state after a world reset)."""
        with self._lock:
            self._limits = {}
            self._buckets = {}
            self.throttled = 0

    def admit(self, operation: str, place: tuple[str, str] | None = None) -> bool:
        """Take a token for ECS OPERATION in PLACE (account, Region; None: the world's own);
        False when its bucket is empty (answer ThrottlingException)."""
        with self._lock:
            if not self._limits:
                return True
            group = group_of(operation)
            key = (group, *place) if place is not None else (group,)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = Bucket(self._limits[group], self._clock())
            if bucket.take(self._clock()):
                return True
            self.throttled += 1
            return False

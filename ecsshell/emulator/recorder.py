"""Count the calls the emulated world answers, the most in flight at once, connections and server CPU."""

from __future__ import annotations

import threading
from collections import Counter


class Recorder:
    """Thread-safe tally of requests per operation, peak concurrency, connections and CPU seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.connections = 0  # TCP connections accepted
        self.cpu_seconds = 0.0  # thread CPU time the server spent on requests

    def connected(self) -> None:
        with self._lock:
            self.connections += 1

    def add_cpu(self, seconds: float) -> None:
        with self._lock:
            self.cpu_seconds += seconds

    def begin(self, operation: str) -> None:
        with self._lock:
            self.calls[operation] += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def end(self) -> None:
        with self._lock:
            self.in_flight -= 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.calls)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.peak_in_flight = self.in_flight
            self.connections = 0
            self.cpu_seconds = 0.0

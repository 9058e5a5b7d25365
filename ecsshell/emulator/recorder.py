"""Count the calls the emulated world answers and the most that were in flight at once."""

from __future__ import annotations

import threading
from collections import Counter


class Recorder:
    """Thread-safe tally of requests per operation and of peak concurrency."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.in_flight = 0
        self.peak_in_flight = 0

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

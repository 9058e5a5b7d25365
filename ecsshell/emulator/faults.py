"""Faults the emulated world injects: latency, throttling and server errors."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

THROTTLE_BODY = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
DENIED_BODY = json.dumps({"__type": "AccessDeniedException",
                          "message": "User is not authorized to perform this action in this Region"})


@dataclass
class FaultReply:
    """An HTTP answer sent instead of the real one."""

    status: int
    body: str
    content_type: str = "application/x-amz-json-1.1"
    after_apply: bool = False  # carry the request out first, then answer this instead


class Faults:
    """Per-request latency, 'throttle the next N calls of X', and 5xx on a named operation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latency: dict[str | None, float] = {}
        self._throttle: dict[str, int] = {}
        self._errors: dict[str, tuple[int, int, bool]] = {}  # operation -> (status, remaining, after_apply)
        self._bodies: dict[str, tuple[str, str]] = {}  # operation -> (body, content type) of its errors
        self._denied: set[str] = set()  # Regions whose every call is refused with AccessDeniedException

    def latency(self, seconds: float, operation: str | None = None) -> None:
        """Delay every request (or only OPERATION's) by SECONDS before it is answered."""
        with self._lock:
            if seconds <= 0:
                self._latency.pop(operation, None)
            else:
                self._latency[operation] = seconds

    def throttle(self, operation: str, times: int = 1) -> None:
        """Answer the next TIMES calls of OPERATION with a ThrottlingException."""
        with self._lock:
            self._throttle[operation] = self._throttle.get(operation, 0) + times

    def fail(self, operation: str, status: int = 500, times: int = 1, *, after_apply: bool = False,
             body: str | None = None, content_type: str = "text/html") -> None:
        """Answer the next TIMES calls of OPERATION with an HTTP STATUS error.

        AFTER_APPLY carries the call out first (a lost answer); BODY replaces ECS's JSON error (a proxy's page).
        """
        with self._lock:
            self._errors[operation] = (status, times, after_apply)
            if body is None:
                self._bodies.pop(operation, None)
            else:
                self._bodies[operation] = (body, content_type)

    def deny(self, region: str) -> None:
        """Refuse every JSON-protocol call (ECS, logs) signed for REGION with AccessDeniedException."""
        with self._lock:
            self._denied.add(region)

    def clear(self) -> None:
        with self._lock:
            self._denied.clear()
            self._latency.clear()
            self._throttle.clear()
            self._errors.clear()
            self._bodies.clear()

    def delay_for(self, operation: str) -> float:
        with self._lock:
            return self._latency.get(operation, self._latency.get(None, 0.0))

    def reply_for(self, operation: str, region: str = "") -> FaultReply | None:
        """Return the fault to answer this request (signed for REGION) with, consuming one use of it."""
        with self._lock:
            if region in self._denied:
                return FaultReply(400, DENIED_BODY)
            if self._throttle.get(operation, 0) > 0:
                self._throttle[operation] -= 1
                return FaultReply(400, THROTTLE_BODY)
            error = self._errors.get(operation)
            if error and error[1] > 0:
                status, remaining, after_apply = error
                self._errors[operation] = (status, remaining - 1, after_apply)
                if operation in self._bodies:
                    return FaultReply(status, *self._bodies[operation], after_apply=after_apply)
                body = json.dumps({"__type": "ServerException", "message": f"Injected fault on {operation}"})
                return FaultReply(status, body, after_apply=after_apply)
            return None

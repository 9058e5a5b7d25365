"""Deployment lifecycle hooks of the emulated world: PAUSE gates and AWS_LAMBDA targets tests can script.

A hook runs when its deployment enters one of its `lifecycleStages`. A PAUSE hook waits
AWAITING_ACTION for ContinueServiceDeployment (CONTINUE or ROLLBACK); an AWS_LAMBDA hook is
IN_PROGRESS for `LAMBDA_SECONDS`, then SUCCEEDED, or FAILED (the deployment rolls back) when a
test made its function fail with `world.scheduler.hooks.fail(arn)`. A hook not resolved by its
`expiresAt` (timeoutConfiguration.timeoutInMinutes, default 1440) is TIMED_OUT and its
timeoutConfiguration.action (default ROLLBACK) is taken.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

LAMBDA_SECONDS = 2.0  # how long an AWS_LAMBDA hook takes to answer
DEFAULT_TIMEOUT_MINUTES = 1440
DEFAULT_TIMEOUT_ACTION = "ROLLBACK"
WAITING = ("AWAITING_ACTION", "IN_PROGRESS")


class LambdaHooks:
    """What AWS_LAMBDA hook functions answer: success, unless a test scripted a failure or a hang."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failing: dict[str, int | None] = {}  # function ARN -> failures left (None: always)
        self._hanging: set[str] = set()
        self.invocations: list[tuple[str, str]] = []  # (function ARN, lifecycle stage), in order

    def reset(self) -> None:
        """Make every function succeed again and forget the invocations."""
        with self._lock:
            self._failing.clear()
            self._hanging.clear()
            self.invocations.clear()

    def fail(self, arn: str, times: int | None = None) -> None:
        """Make hook function ARN answer FAILED (the next TIMES invocations, or always)."""
        with self._lock:
            self._failing[arn] = times
            self._hanging.discard(arn)

    def hang(self, arn: str) -> None:
        """Make hook function ARN never answer, so its hook times out."""
        with self._lock:
            self._hanging.add(arn)
            self._failing.pop(arn, None)

    def succeed(self, arn: str) -> None:
        """Make hook function ARN answer SUCCEEDED again."""
        with self._lock:
            self._failing.pop(arn, None)
            self._hanging.discard(arn)

    def answer(self, arn: str) -> str | None:
        """Return what function ARN answers now (SUCCEEDED or FAILED), or None while it hangs."""
        with self._lock:
            if arn in self._hanging:
                return None
            if arn not in self._failing:
                return "SUCCEEDED"
            left = self._failing[arn]
            if left is not None:
                if left <= 1:
                    del self._failing[arn]
                else:
                    self._failing[arn] = left - 1
            return "FAILED"

    def invoked(self, arn: str, stage: str) -> None:
        with self._lock:
            self.invocations.append((arn, stage))


def _configured(configuration: dict[str, Any], stage: str) -> Iterator[dict[str, Any]]:
    for hook in configuration.get("lifecycleHooks") or []:
        if stage in (hook.get("lifecycleStages") or []):
            yield hook


def start(record: Any, stage: str, now: datetime, lambdas: LambdaHooks) -> None:
    """Start RECORD's hooks for STAGE: one DeploymentLifecycleHookDetail each in `record.hooks`."""
    for hook in _configured(record.configuration, stage):
        timeout = hook.get("timeoutConfiguration") or {}
        target = hook.get("targetType") or "AWS_LAMBDA"
        detail: dict[str, Any] = {
            "hookId": uuid.uuid4().hex[:20], "targetType": target,
            "status": "AWAITING_ACTION" if target == "PAUSE" else "IN_PROGRESS",
            "expiresAt": now + timedelta(minutes=timeout.get("timeoutInMinutes") or DEFAULT_TIMEOUT_MINUTES),
            "timeoutAction": timeout.get("action") or DEFAULT_TIMEOUT_ACTION,
            "_stage": stage, "_due": now + timedelta(seconds=LAMBDA_SECONDS)}
        if target == "AWS_LAMBDA":
            detail["targetArn"] = hook.get("hookTargetArn")
            lambdas.invoked(str(hook.get("hookTargetArn")), stage)
        record.hooks.append(detail)


def verdict(record: Any, stage: str, now: datetime, lambdas: LambdaHooks) -> tuple[str, str]:
    """Resolve RECORD's hooks of STAGE as far as they can be: ('wait'|'continue'|'rollback', reason)."""
    waiting = False
    for hook in record.hooks:
        if hook["_stage"] != stage or hook["status"] not in WAITING:
            continue
        action = hook.pop("_action", None)
        if action is not None:  # ContinueServiceDeployment
            hook["status"] = "SUCCEEDED" if action == "CONTINUE" else "FAILED"
            if action == "ROLLBACK":
                return "rollback", f"Lifecycle hook {hook['hookId']} at {stage} asked for a rollback."
            continue
        if now >= hook["expiresAt"]:
            hook["status"] = "TIMED_OUT"
            if hook["timeoutAction"] == "ROLLBACK":
                return "rollback", f"Lifecycle hook {hook['hookId']} at {stage} timed out."
            continue
        if hook["targetType"] == "AWS_LAMBDA" and now >= hook["_due"]:
            answer = lambdas.answer(str(hook.get("targetArn")))
            if answer == "FAILED":
                hook["status"] = "FAILED"
                return "rollback", f"Lifecycle hook {hook['hookId']} at {stage} failed: {hook.get('targetArn')}."
            if answer == "SUCCEEDED":
                hook["status"] = "SUCCEEDED"
                continue
        waiting = True
    return ("wait", "") if waiting else ("continue", "")

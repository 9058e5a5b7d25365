"""Stage machines of BLUE_GREEN, LINEAR and CANARY service deployments, in emulated time.

A staged deployment scales the green revision up beside the blue one (the scheduler keeps blue's
tasks while `holds` says so), shifts test then production traffic to green, bakes, and cleans
blue up. `lifecycleStage` walks RECONCILE_SERVICE (only with more than one revision running),
PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT,
PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME (bakeTimeInMinutes), CLEAN_UP,
at least one emulated second each. Production traffic moves at once (BLUE_GREEN), by
linearConfiguration.stepPercent every stepBakeTimeInMinutes (LINEAR), or canaryPercent first and
the rest after canaryBakeTimeInMinutes (CANARY). Hooks (hooks.py) hold a stage until they are
resolved; the PRE_PRODUCTION_TRAFFIC_SHIFT hooks run once, before the first production shift, while
the deployment shows PRODUCTION_TRAFFIC_SHIFT (ServiceDeploymentLifecycleStage has no such stage).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from . import hooks
from .hooks import LambdaHooks

STAGES = ("RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
          "POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT",
          "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP")
SHOWN = {"PRE_PRODUCTION_TRAFFIC_SHIFT": "PRODUCTION_TRAFFIC_SHIFT"}
STAGED = ("BLUE_GREEN", "LINEAR", "CANARY")
LINEAR_STEP_PERCENT, LINEAR_STEP_MINUTES = 10.0, 6  # ECS's defaults
CANARY_PERCENT, CANARY_MINUTES = 5.0, 10


class Store(Protocol):
    """The deployment store as a stage machine sees it."""

    @property
    def hooks(self) -> LambdaHooks: ...

    def roll_back(self, record: Any, service: Any, now: datetime, reason: str) -> None: ...


class StageMachine:
    """Where one staged deployment is: its stage, its production traffic share and its next move."""

    def __init__(self, record: Any, reconcile: bool) -> None:
        self.strategy = record.strategy
        self.index = 0 if reconcile else 1
        self.entered = False
        self.green = 0.0  # production traffic share of the target revision, percent
        self.wait_until: datetime | None = None
        self.shift(record, test=0.0)

    @property
    def stage(self) -> str:
        return STAGES[self.index]

    def holds(self, record: Any) -> bool:
        """Whether blue's tasks must keep running (every stage before CLEAN_UP)."""
        return self.stage != "CLEAN_UP"

    def shift(self, record: Any, test: float | None = None, production: float | None = None) -> None:
        """Set the target's test and/or production share; the blue revision gets the rest."""
        old_test, old_production = record.weights.get(record.target, (0.0, 0.0))
        green = (old_test if test is None else test, old_production if production is None else production)
        record.weights[record.target] = green
        for arn in record.sources:
            record.weights[arn] = (100.0 - green[0], 100.0 - green[1]) if arn == record.rollback_to else (0.0, 0.0)

    def step(self, store: Store, record: Any, service: Any, now: datetime) -> bool:
        """Act one emulated second; return True once at CLEAN_UP (the store then waits for steady)."""
        if not self.entered:
            self._enter(store, record, now)
            return self.stage == "CLEAN_UP"
        if self.stage == "CLEAN_UP":
            return True
        outcome, reason = hooks.verdict(record, self.stage, now, store.hooks)
        if outcome == "rollback":
            store.roll_back(record, service, now, reason)
            return False
        if outcome == "wait" or not self._done(record, service, now):
            return False
        self.index += 1
        self.entered = False
        self._enter(store, record, now)
        return self.stage == "CLEAN_UP"

    def _enter(self, store: Store, record: Any, now: datetime) -> None:
        self.entered = True
        record.lifecycle_stage = SHOWN.get(self.stage, self.stage)
        record.touch(now)
        config = record.configuration
        if self.stage == "TEST_TRAFFIC_SHIFT":
            self.shift(record, test=100.0)
        elif self.stage == "PRODUCTION_TRAFFIC_SHIFT":
            self._shift_production(record, now)
        elif self.stage == "BAKE_TIME":
            self.wait_until = now + timedelta(minutes=config.get("bakeTimeInMinutes") or 0)
        hooks.start(record, self.stage, now, store.hooks)

    def _shift_production(self, record: Any, now: datetime) -> None:
        """Move production traffic one step of the strategy and say when the next step is due."""
        config = record.configuration
        if self.strategy == "LINEAR":
            linear = config.get("linearConfiguration") or {}
            step = float(linear.get("stepPercent") or LINEAR_STEP_PERCENT)
            minutes = linear.get("stepBakeTimeInMinutes")
            self.green = min(100.0, round(self.green + step, 1))
            wait = LINEAR_STEP_MINUTES if minutes is None else minutes
        elif self.strategy == "CANARY" and self.green == 0.0:
            canary = config.get("canaryConfiguration") or {}
            self.green = float(canary.get("canaryPercent") or CANARY_PERCENT)
            minutes = canary.get("canaryBakeTimeInMinutes")
            wait = CANARY_MINUTES if minutes is None else minutes
        else:
            self.green, wait = 100.0, 0
        self.wait_until = now + timedelta(minutes=wait) if self.green < 100.0 else None
        self.shift(record, production=self.green)

    def _done(self, record: Any, service: Any, now: datetime) -> bool:
        """Whether the current stage's own work is over (hooks aside)."""
        if self.stage == "SCALE_UP":
            primary = service.deployments[0]
            return bool(primary["id"] == record.ecs_id and primary.get("runningCount") == service.desired_count
                        and not primary.get("pendingCount"))
        if self.stage == "PRODUCTION_TRAFFIC_SHIFT":
            if self.green >= 100.0:
                return True
            if self.wait_until is not None and now >= self.wait_until:
                self._shift_production(record, now)
                record.touch(now)
            return False
        if self.stage == "BAKE_TIME":
            return self.wait_until is None or now >= self.wait_until
        return True

"""What a wait waits for: `--wait-until deployed|stable|paused|STAGE`, and whether a deployment got there.

- `stable` (the default): the service deployment ended SUCCESSFUL and the service is steady: one
  deployment, running = desired, nothing pending (what `aws ecs wait services-stable` waits for).
  With earlySuccessCriteria and DEFERRED cleanup ECS says SUCCESSFUL while old tasks still drain;
  `stable` waits for them.
- `deployed`: ECS says the deployment succeeded (SUCCESSFUL; rollout COMPLETED without service
  deployments), old tasks draining or not.
- `paused`: a PAUSE lifecycle hook awaits action (`continue` goes on).
- a lifecycle stage (`POST_TEST_TRAFFIC_SHIFT`, also written `ecs:POST_TEST_TRAFFIC_SHIFT` as
  ecspresso does): the service deployment reached it, while it still runs or by succeeding after it.
A wait that reaches a stage or a pause ends with the deployment still going in ECS.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import LIFECYCLE_STAGES, Service, ServiceDeployment, stage_index
from . import OperationError

WORDS = ("deployed", "stable", "paused")
TRAFFIC_STAGES = frozenset({"TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT",
                            "POST_PRODUCTION_TRAFFIC_SHIFT"})


@dataclass(frozen=True)
class Goal:
    """Where a wait ends: `deployed`, `stable`, `paused`, or a lifecycle stage's name."""

    word: str = "stable"

    @property
    def stage(self) -> str | None:
        return self.word if self.word in LIFECYCLE_STAGES else None

    @property
    def ends_rollout(self) -> bool:
        """Say whether reaching the goal means the deployment is over (not a stage or a pause on the way)."""
        return self.word in ("deployed", "stable")

    def __str__(self) -> str:
        return self.word


STABLE = Goal()


def parse_goal(text: str) -> Goal:
    """Return the goal TEXT names; a ValueError naming the choices (and the nearest) otherwise."""
    word = text.strip()
    if word.lower() in WORDS:
        return Goal(word.lower())
    stage = word.upper().removeprefix("ECS:")
    if stage in LIFECYCLE_STAGES:
        return Goal(stage)
    from ..suggest import did_you_mean

    choices = [*WORDS, *LIFECYCLE_STAGES]
    hint = did_you_mean(stage if stage.isupper() and "_" in stage else word.lower(), choices)
    raise ValueError(f"GOAL is deployed, stable, paused or a lifecycle stage ({', '.join(LIFECYCLE_STAGES)}), "
                     f"not {text!r}{hint}")


def refusal(goal: Goal, service: Service) -> None:
    """Refuse, before anything changes, a goal SERVICE's deployments can never reach."""
    config = service.deployment_configuration or {}
    strategy = service.strategy
    name = service.name
    if goal.word == "paused":
        hooks = config.get("lifecycleHooks") or []
        if not any(h.get("targetType") == "PAUSE" for h in hooks):
            raise OperationError(f"--wait-until paused: {name} has no PAUSE lifecycle hook, so its deployments "
                                 f"never pause; wait until deployed, stable or a stage")
    elif goal.stage in TRAFFIC_STAGES and strategy == "ROLLING":
        raise OperationError(f"--wait-until {goal}: {name} deploys ROLLING, which shifts no traffic; wait until "
                             f"deployed, stable, or a stage its deployments pass (e.g. SCALE_UP)")
    elif goal.stage and service.controller != "ECS":
        raise OperationError(f"--wait-until {goal}: {name} is deployed by {service.controller}, whose stages "
                             f"ECS does not report; wait until deployed or stable")


def steady(service: Service) -> bool:
    """Say whether SERVICE is steady: one deployment, running = desired, nothing pending."""
    if len(service.deployments) != 1:
        return False
    d = service.deployments[0]
    return d.running == d.desired == service.desired and d.pending == 0


def reached_on_the_way(goal: Goal, d: ServiceDeployment, furthest: str | None,
                       released: str | None = None) -> str | None:
    """Say why GOAL is reached while D still runs (a pause, or a stage as far as FURTHEST), else None.

    RELEASED: a hook just continued, which a poll may still read as awaiting action.
    """
    if d.status not in ("IN_PROGRESS", "PENDING"):
        return None
    hook = next((h for h in d.hooks if h.awaiting and h.hook_id != released), None)
    if goal.word == "paused" and hook is not None and hook.target_type == "PAUSE":
        return f"service deployment {d.id} paused at {d.lifecycle_stage or 'a hook'}: hook {hook.hook_id} " \
               f"awaits action"
    if goal.stage and stage_index(furthest) >= stage_index(goal.stage):
        now = f" (now at {d.lifecycle_stage})" if d.lifecycle_stage != goal.stage else ""
        return f"service deployment {d.id} reached {goal.stage}{now}"
    return None


def missed(goal: Goal, d: ServiceDeployment, furthest: str | None) -> str | None:
    """Say why D ended SUCCESSFUL without GOAL (a pause or a stage never reached), else None."""
    if goal.word == "paused":
        return f"service deployment {d.id} ended {d.status} without pausing"
    if goal.stage and stage_index(furthest) < stage_index(goal.stage):
        return f"service deployment {d.id} ended {d.status} without reporting stage {goal.stage}"
    return None

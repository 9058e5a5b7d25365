"""A service's Application Auto Scaling: read it beside `ls`, check a count against it, change its min and max."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import AwsError, one_line
from ..model import AutoScaling, ScalableTarget
from . import OperationError

if TYPE_CHECKING:
    from .gateway import Gateway

ACTIVITIES = 5  # scaling activities `ls CLUSTER SERVICE` shows


def how_to_create(cluster: str, service: str) -> str:
    """Return the AWS CLI command that gives SERVICE a scalable target."""
    return (f"aws application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension "
            f"ecs:service:DesiredCount --resource-id service/{cluster}/{service} --min-capacity N --max-capacity M")


def read(gateway: Gateway, cluster: str, service: str, activities: int = ACTIVITIES) -> Callable[[], AutoScaling]:
    """Start reading SERVICE's target, policies and last ACTIVITIES at once on the pool; return what waits for them.

    What cannot be read (denied, throttled) is said in `denied`: the rest of the service still shows.
    """
    target = gateway.submit(gateway.scalable_target, cluster, service)
    policies = gateway.submit(gateway.scaling_policies, cluster, service)
    recent = gateway.submit(gateway.scaling_activities, cluster, service, activities)

    def result() -> AutoScaling:
        try:
            found = target.result()
            if found is None:
                return AutoScaling()
            return AutoScaling(found, tuple(policies.result()), tuple(recent.result()))
        except AwsError as exc:
            return AutoScaling(denied=one_line(str(exc)))

    return result


def outside_warning(target: ScalableTarget, count: int) -> str:
    """Return the warning for setting the desired count to COUNT outside TARGET's min and max, or ""."""
    bound = target.outside(count)
    if not bound:
        return ""
    value = target.min_capacity if bound == "minimum" else target.max_capacity
    side = "below" if bound == "minimum" else "above"
    stopped = "scale-out" if bound == "minimum" else "scale-in"
    if stopped in target.suspended:
        then = f"its {stopped} is suspended, so the count stays at {count} until it is resumed"
    else:
        then = f"Application Auto Scaling will move it back to {value}"
    return (f"{count} is {side} the scalable target's {bound} capacity {value} "
            f"(min {target.min_capacity}, max {target.max_capacity}): {then}")


@dataclass(frozen=True)
class BoundsChange:
    """A change of a scalable target's min and max: the target as it is, and the bounds asked for."""

    cluster: str
    service: str
    before: ScalableTarget
    min_capacity: int
    max_capacity: int

    @property
    def changed(self) -> bool:
        return (self.min_capacity, self.max_capacity) != (self.before.min_capacity, self.before.max_capacity)

    def lines(self) -> list[str]:
        """Return the before -> after of each bound, one line each ("min 2 -> 3", "max 10 (unchanged)")."""
        out = []
        for word, old, new in (("min", self.before.min_capacity, self.min_capacity),
                               ("max", self.before.max_capacity, self.max_capacity)):
            out.append(f"{word} {old} -> {new}" if old != new else f"{word} {old} (unchanged)")
        return out


def plan_bounds(gateway: Gateway, cluster: str, service: str, min_capacity: int | None,
                max_capacity: int | None) -> BoundsChange:
    """Read SERVICE's scalable target and plan setting MIN_CAPACITY and/or MAX_CAPACITY; refuse what AWS would."""
    if min_capacity is not None and max_capacity is not None and min_capacity > max_capacity:
        raise OperationError(f"--min {min_capacity} is above --max {max_capacity}: min must not exceed max", 2)
    target = gateway.scalable_target(cluster, service)
    if target is None:
        raise OperationError(f"{service} in {cluster} has no scalable target, so it has no min and max to change; "
                             f"create one with `{how_to_create(cluster, service)}`")
    new_min = target.min_capacity if min_capacity is None else min_capacity
    new_max = target.max_capacity if max_capacity is None else max_capacity
    if new_min > new_max:
        given = " and ".join(f"--{w} {v}" for w, v in (("min", min_capacity), ("max", max_capacity)) if v is not None)
        raise OperationError(f"min {new_min} would be above max {new_max} (from {given}; the target has min "
                             f"{target.min_capacity}, max {target.max_capacity}): min must not exceed max", 2)
    return BoundsChange(cluster, service, target, new_min, new_max)


def apply_bounds(gateway: Gateway, change: BoundsChange, say: Callable[[str], None] = lambda _: None) -> None:
    """Register CHANGE's min and max; on failure or Ctrl-C put the previous ones back, and say so."""
    try:
        gateway.register_scalable_target(change.cluster, change.service, min_capacity=change.min_capacity,
                                         max_capacity=change.max_capacity)
    except AwsError as exc:
        raise OperationError(f"RegisterScalableTarget failed ({one_line(str(exc))}); {restore(gateway, change)}") \
            from None
    except KeyboardInterrupt:
        say(f"interrupted during RegisterScalableTarget: {restore(gateway, change)}")
        raise


def restore(gateway: Gateway, change: BoundsChange) -> str:
    """Put CHANGE's previous min and max back if the target differs from them; say what was done."""
    old = change.before
    try:
        now = gateway.scalable_target(change.cluster, change.service)
    except AwsError as exc:
        return (f"could not check whether the scalable target changed ({one_line(str(exc))}): see "
                f"`ls {change.cluster} {change.service}`")
    if now is not None and (now.min_capacity, now.max_capacity) == (old.min_capacity, old.max_capacity):
        return f"nothing changed (min {old.min_capacity}, max {old.max_capacity})"
    try:
        gateway.register_scalable_target(change.cluster, change.service, min_capacity=old.min_capacity,
                                         max_capacity=old.max_capacity)
    except AwsError as exc:
        held = f"min {now.min_capacity}, max {now.max_capacity}" if now is not None else "no scalable target"
        return (f"could not restore min {old.min_capacity}, max {old.max_capacity} ({one_line(str(exc))}): "
                f"the service now has {held}")
    return f"restored the previous min {old.min_capacity}, max {old.max_capacity}"

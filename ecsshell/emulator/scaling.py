"""Application Auto Scaling as it answers for ECS services: what moto lacks, the scaler, and the demo's target.

moto 5.2.6 answers DescribeScalableTargets with a NextToken that repeats (botocore's paginator stops),
without the RoleARN and SuspendedState AWS always returns; filters DescribeScalingPolicies' ResourceId
by substring and ignores PolicyNames; accepts min above max and a new target without min or max; and
has no DescribeScalingActivities. The shims here close those gaps on moto's response class. `settle`
is the scaler: a service whose desired count stays outside its target's min and max is moved back
to the nearer bound after `SETTLE_SECONDS`, with a scaling activity, as Application Auto Scaling does.
"""

from __future__ import annotations

import base64
import functools
import json
import sys
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
MOST = 50  # the largest MaxResults of DescribeScalableTargets, DescribeScalingPolicies, DescribeScalingActivities
SETTLE_SECONDS = 60.0  # how long a desired count stays outside min and max before the scaler moves it
ROLE = ("arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_ECSService")
NOT_SUSPENDED = {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": False,
                 "ScheduledScalingSuspended": False}
_installed: list[bool] = []


class World(Protocol):
    """What the demo's builder needs of the world: its clock, its lock and moto's backends."""

    scheduler: Any
    lock: Any

    def backend(self, service: str = "ecs", account: str | None = None, region: str | None = None) -> Any: ...


def _invalid(message: str) -> Exception:
    from moto.applicationautoscaling.exceptions import AWSValidationException

    return AWSValidationException(message)


def _window(params: dict[str, Any], operation: str) -> tuple[int, int]:
    """Return (offset, size) of the page PARAMS ask for; refuse a bad MaxResults or NextToken."""
    size = params.get("MaxResults")
    size = MOST if size is None else size
    if not isinstance(size, int) or not 1 <= size <= MOST:
        raise _invalid(f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: "
                       f"Member must have value less than or equal to {MOST}")
    token = params.get("NextToken")
    if not token:
        return 0, size
    try:
        op, offset = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        if op != operation or not isinstance(offset, int) or offset < 0:
            raise ValueError(token)
    except (ValueError, TypeError):
        raise _invalid("Invalid NextToken") from None
    return offset, size


def _page(items: list[Any], window: tuple[int, int], operation: str) -> tuple[list[Any], str | None]:
    offset, size = window
    more = offset + size < len(items)
    token = base64.urlsafe_b64encode(json.dumps([operation, offset + size]).encode()).decode() if more else None
    return items[offset:offset + size], token


def _answer(**members: Any) -> str:
    return json.dumps({k: v for k, v in members.items() if v is not None})


def activities(backend: Any) -> list[dict[str, Any]]:
    """Return BACKEND's scaling activities (oldest first), kept on moto's backend so a reset forgets them."""
    if not hasattr(backend, "emu_activities"):
        backend.emu_activities = []
    found: list[dict[str, Any]] = backend.emu_activities
    return found


def record(backend: Any, resource: str, description: str, cause: str, when: datetime, *,
           status: str = "Successful", message: str = "", ended: datetime | None = None) -> dict[str, Any]:
    """Add a scaling activity of RESOURCE (an ECS service's desired count) to BACKEND; return it."""
    activity = {"ActivityId": str(uuid.uuid4()), "ServiceNamespace": NAMESPACE, "ResourceId": resource,
                "ScalableDimension": DIMENSION, "Description": description, "Cause": cause,
                "StartTime": when.timestamp(), "EndTime": (ended or when).timestamp(), "StatusCode": status}
    if message:
        activity["StatusMessage"] = message
    activities(backend).append(activity)
    return activity


# the shims on moto's response class --------------------------------------------------------------
def _target_document(response: Any, target: Any) -> dict[str, Any]:
    from moto.applicationautoscaling.responses import _build_target

    doc = _build_target(target)
    doc["RoleARN"] = doc.get("RoleARN") or ROLE.format(account=response.current_account)
    doc["SuspendedState"] = {**NOT_SUSPENDED, **(doc.get("SuspendedState") or {})}
    return doc


def describe_scalable_targets(self: Any) -> str:
    """Page DescribeScalableTargets as AWS does, with the RoleARN and SuspendedState it always returns."""
    self._validate_params()
    params = json.loads(self.body or "{}")
    window = _window(params, "DescribeScalableTargets")
    found = self.applicationautoscaling_backend.describe_scalable_targets(
        params.get("ServiceNamespace"), params.get("ResourceIds"), params.get("ScalableDimension"))
    page, token = _page(found, window, "DescribeScalableTargets")
    return _answer(ScalableTargets=[_target_document(self, t) for t in page], NextToken=token)


def describe_scaling_policies(self: Any) -> str:
    """Filter DescribeScalingPolicies by exact ResourceId, dimension and PolicyNames; page as AWS does."""
    from moto.applicationautoscaling.responses import _build_policy

    params = json.loads(self.body or "{}")
    window = _window(params, "DescribeScalingPolicies")
    names = params.get("PolicyNames")
    found = [p for p in self.applicationautoscaling_backend.policies.values()
             if p.service_namespace == params.get("ServiceNamespace")
             and params.get("ResourceId") in (None, p.resource_id)
             and params.get("ScalableDimension") in (None, p.scalable_dimension)
             and (not names or p.policy_name in names)]
    page, token = _page(found, window, "DescribeScalingPolicies")
    return _answer(ScalingPolicies=[_build_policy(p) for p in page], NextToken=token)


def describe_scaling_activities(self: Any) -> str:
    """Answer DescribeScalingActivities (moto has none): newest first, filtered and paged as AWS does."""
    self._validate_params()
    params = json.loads(self.body or "{}")
    window = _window(params, "DescribeScalingActivities")
    found = [a for a in reversed(activities(self.applicationautoscaling_backend))
             if a["ServiceNamespace"] == params.get("ServiceNamespace")
             and params.get("ResourceId") in (None, a["ResourceId"])
             and params.get("ScalableDimension") in (None, a["ScalableDimension"])]
    page, token = _page(found, window, "DescribeScalingActivities")
    return _answer(ScalingActivities=page, NextToken=token)


def _register_like_aws(original: Callable[..., str]) -> Callable[..., str]:
    """Refuse a new target without min and max, and min above max (given or kept), as AWS does."""
    @functools.wraps(original)
    def shim(self: Any) -> str:
        params = json.loads(self.body or "{}")
        backend = self.applicationautoscaling_backend
        resource, dimension = params.get("ResourceId"), params.get("ScalableDimension")
        existing = backend.targets.get(dimension, {}).get(resource)
        low, high = params.get("MinCapacity"), params.get("MaxCapacity")
        if existing is None and (low is None or high is None):
            raise _invalid("MinCapacity and MaxCapacity are required to register a new scalable target")
        low = existing.min_capacity if low is None else low
        high = existing.max_capacity if high is None else high
        if low is not None and high is not None and low > high:
            raise _invalid(f"Minimum capacity ({low}) cannot be greater than maximum capacity ({high})")
        return original(self)

    shim._ecsshell_shim = True  # type: ignore[attr-defined]
    return shim


def install() -> None:
    """Apply the shims to moto's Application Auto Scaling responses, once per process."""
    if _installed:
        return
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse as response

    response.describe_scalable_targets = describe_scalable_targets  # type: ignore[method-assign]
    response.describe_scaling_policies = describe_scaling_policies  # type: ignore[method-assign]
    response.describe_scaling_activities = describe_scaling_activities  # type: ignore[attr-defined]
    if not getattr(response.register_scalable_target, "_ecsshell_shim", False):
        response.register_scalable_target = _register_like_aws(  # type: ignore[method-assign]
            response.register_scalable_target)
    _installed.append(True)


# the scaler ---------------------------------------------------------------------------------------
def _backend_of(ecs_backend: Any) -> Any:
    """Return the Application Auto Scaling backend of ECS_BACKEND's place if moto made one, else None."""
    models = sys.modules.get("moto.applicationautoscaling.models")
    if models is None:
        return None
    accounts = dict.get(models.applicationautoscaling_backends, ecs_backend.account_id)
    return dict.get(accounts, ecs_backend.region_name) if accounts is not None else None


def settle(ecs_backend: Any, now: datetime) -> None:
    """Move back within min and max every desired count that has stayed outside them SETTLE_SECONDS."""
    backend = _backend_of(ecs_backend)
    if backend is None:
        return
    for target in list(backend.targets.get(DIMENSION, {}).values()):
        parts = target.resource_id.split("/")
        service = ecs_backend.services.get(f"{parts[1]}:{parts[2]}") if len(parts) == 3 else None
        if service is None or service.status != "ACTIVE":
            continue
        suspended = target.suspended_state or {}
        desired, low, high = service.desired_count, target.min_capacity, target.max_capacity
        if desired < low and not suspended.get("DynamicScalingOutSuspended"):
            bound, cause = low, f"minimum capacity is {low}"
        elif desired > high and not suspended.get("DynamicScalingInSuspended"):
            bound, cause = high, f"maximum capacity is {high}"
        else:
            target.emu_outside_since = None
            continue
        since = getattr(target, "emu_outside_since", None)
        if since is None:
            target.emu_outside_since = now
            continue
        if (now - since).total_seconds() < SETTLE_SECONDS:
            continue
        target.emu_outside_since = None
        ecs_backend.update_service({"cluster": parts[1], "service": parts[2], "desired_count": bound})
        record(backend, target.resource_id, f"Setting desired count to {bound}.",
               f"the desired count {desired} was outside the scalable target's range and its {cause}", now,
               message=f"Successfully set desired count to {bound}. Change successfully fulfilled by ecs.")


# the demo ---------------------------------------------------------------------------------------
def demo_scaling(world: World) -> None:
    """Give the demo's prod/web a target (min 2, max 10), a CPU target tracking policy and two activities.

    On moto's backend directly, as the demo's network is: a client would load the service's model and
    moto's router on the demo's start for calls ecsshell never makes.
    """
    install()
    resource = "service/prod/web"
    now = world.scheduler.now()
    with world.lock:
        backend = world.backend("application-autoscaling")
        backend.register_scalable_target(NAMESPACE, resource, DIMENSION, 2, 10, None, None)
        policy = backend.put_scaling_policy(
            "web-cpu60", NAMESPACE, resource, DIMENSION,
            {"TargetValue": 60.0, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
             "ScaleOutCooldown": 60, "ScaleInCooldown": 300}, "TargetTrackingScaling")
        alarm = f"TargetTracking-{resource}-Alarm"
        record(backend, resource, "Setting desired count to 4.",
               f"monitor alarm {alarm}High-5c1d in state ALARM triggered policy {policy.policy_name}",
               now - timedelta(hours=3), message="Successfully set desired count to 4. Change successfully "
                                                 "fulfilled by ecs.")
        record(backend, resource, "Setting desired count to 3.",
               f"monitor alarm {alarm}Low-9e2a in state ALARM triggered policy {policy.policy_name}",
               now - timedelta(minutes=40), message="Successfully set desired count to 3. Change successfully "
                                                 "fulfilled by ecs.")

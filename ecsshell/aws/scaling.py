"""Read and change a service's Application Auto Scaling: its scalable target, policies and activities."""

from __future__ import annotations

from typing import Any

from ..model import SUSPENDED_LABELS, ScalableTarget, ScalingActivity, ScalingPolicy, arn_name
from ..plain import plain_json
from .caller import Caller, ClientName

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
API: ClientName = "application-autoscaling"
WHERE = {"ServiceNamespace": NAMESPACE, "ScalableDimension": DIMENSION}
PAGE = 50  # the largest MaxResults of the Describe* calls of Application Auto Scaling


def resource_id(cluster: str, service: str) -> str:
    """Return the ResourceId Application Auto Scaling names SERVICE of CLUSTER by: service/CLUSTER/SERVICE."""
    return f"service/{arn_name(cluster)}/{arn_name(service)}"


def _context(cluster: str, service: str) -> str:
    return f'the scalable target of service "{service}" in cluster "{cluster}"'


def to_target(data: dict[str, Any]) -> ScalableTarget:
    """Return AWS's ScalableTarget as the model's (strings made plain)."""
    data = plain_json(data)
    suspended = data.get("SuspendedState") or {}
    return ScalableTarget(str(data.get("ResourceId") or ""), int(data.get("MinCapacity") or 0),
                          int(data.get("MaxCapacity") or 0),
                          tuple(label for key, label in SUSPENDED_LABELS.items() if suspended.get(key)), data)


def to_policy(data: dict[str, Any]) -> ScalingPolicy:
    data = plain_json(data)
    return ScalingPolicy(str(data.get("PolicyName") or ""), str(data.get("PolicyType") or ""), data)


def to_activity(data: dict[str, Any]) -> ScalingActivity:
    data = plain_json(data)
    return ScalingActivity(data.get("StartTime"), str(data.get("StatusCode") or ""),
                           str(data.get("Description") or ""), str(data.get("Cause") or ""), data)


def scalable_target(gateway: Caller, cluster: str, service: str) -> ScalableTarget | None:
    """Return SERVICE's scalable target (ecs:service:DesiredCount), or None when it has none."""
    answer = gateway.call(API, "describe_scalable_targets", _context(cluster, service),
                          ResourceIds=[resource_id(cluster, service)], **WHERE)
    found = [t for t in answer.get("ScalableTargets") or [] if t.get("ResourceId") == resource_id(cluster, service)]
    return to_target(found[0]) if found else None


def scaling_policies(gateway: Caller, cluster: str, service: str) -> list[ScalingPolicy]:
    """Return SERVICE's scaling policies, every page, by name."""
    pages = gateway.pages(API, "describe_scaling_policies", "ScalingPolicies", _context(cluster, service),
                          token_in="NextToken", token_out="NextToken", ResourceId=resource_id(cluster, service),
                          MaxResults=PAGE, **WHERE)
    return sorted((to_policy(p) for page in pages for p in page), key=lambda p: p.name)


def scaling_activities(gateway: Caller, cluster: str, service: str, count: int) -> list[ScalingActivity]:
    """Return SERVICE's COUNT most recent scaling activities, newest first (one call)."""
    if count <= 0:
        return []
    answer = gateway.call(API, "describe_scaling_activities", _context(cluster, service),
                          ResourceId=resource_id(cluster, service), MaxResults=min(count, PAGE),
                          **WHERE)
    found = [to_activity(a) for a in answer.get("ScalingActivities") or []]
    return found[:count]


def register_scalable_target(gateway: Caller, cluster: str, service: str, *, min_capacity: int | None,
                             max_capacity: int | None) -> None:
    """Set SERVICE's scalable target's min and/or max capacity (RegisterScalableTarget, sent once)."""
    params: dict[str, Any] = {"ResourceId": resource_id(cluster, service), **WHERE}
    if min_capacity is not None:
        params["MinCapacity"] = min_capacity
    if max_capacity is not None:
        params["MaxCapacity"] = max_capacity
    gateway.call_once(API, "register_scalable_target", _context(cluster, service), **params)

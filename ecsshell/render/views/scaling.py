"""Draw a service's Application Auto Scaling: its scalable target, policies and last scaling activities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import RenderableType
from rich.text import Text

from ecsshell.model import AutoScaling, ScalingPolicy
from ecsshell.render.states import state_cell
from ecsshell.render.widgets import WARNING_STYLE, cell, heading, new_table, when
from ecsshell.render.wrap import Folded

POLICY_TYPES = {"TargetTrackingScaling": "target tracking", "StepScaling": "step scaling",
                "PredictiveScaling": "predictive"}


def number(value: Any) -> str:
    """Return a capacity, threshold or target as written: 60 rather than 60.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _seconds(value: Any) -> str:
    return f"{value}s" if value is not None else "default"


def _customized(spec: Mapping[str, Any]) -> str:
    """Return a customized metric: NAMESPACE/NAME STATISTIC, or the expression a metric math query returns."""
    if spec.get("Metrics"):
        returned = [m for m in spec["Metrics"] if m.get("ReturnData", True)] or spec["Metrics"]
        last = returned[-1]
        return f"metric math {last.get('Label') or last.get('Expression') or last.get('Id', '?')}"
    metric = f"{spec.get('Namespace', '?')}/{spec.get('MetricName', '?')}"
    statistic = f" {spec['Statistic']}" if spec.get("Statistic") else ""
    return f"{metric}{statistic}"


def _step(step: Mapping[str, Any], adjustment: str) -> str:
    """Return one step adjustment: `[0, 10) +1`, `[10, +inf) +50%`, `= 4` for ExactCapacity."""
    low, high = step.get("MetricIntervalLowerBound"), step.get("MetricIntervalUpperBound")
    span = f"[{number(low) if low is not None else '-inf'}, {number(high) if high is not None else '+inf'})"
    change = int(step.get("ScalingAdjustment") or 0)
    if adjustment == "ExactCapacity":
        return f"{span} = {change}"
    sign = "+" if change >= 0 else ""
    unit = "%" if adjustment == "PercentChangeInCapacity" else ""
    return f"{span} {sign}{change}{unit}"


def policy_rule(policy: ScalingPolicy) -> tuple[str, str, str]:
    """Return a policy's (metric or steps, target, cooldowns) as the table shows them."""
    doc = policy.document
    tracking = doc.get("TargetTrackingScalingPolicyConfiguration")
    if tracking:
        predefined = tracking.get("PredefinedMetricSpecification") or {}
        metric = predefined.get("PredefinedMetricType") or _customized(
            tracking.get("CustomizedMetricSpecification") or {})
        if predefined.get("ResourceLabel"):
            metric += f" ({predefined['ResourceLabel']})"
        cooldowns = (f"out {_seconds(tracking.get('ScaleOutCooldown'))}, "
                     f"in {_seconds(tracking.get('ScaleInCooldown'))}")
        if tracking.get("DisableScaleIn"):
            cooldowns += "; scale-in disabled"
        return metric, number(tracking.get("TargetValue")), cooldowns
    step = doc.get("StepScalingPolicyConfiguration")
    if step:
        adjustment = step.get("AdjustmentType") or "ChangeInCapacity"
        steps = ", ".join(_step(s, adjustment) for s in step.get("StepAdjustments") or []) or "no steps"
        alarms = ", ".join(a.get("AlarmName", "") for a in doc.get("Alarms") or [])
        rule = f"{adjustment}: {steps}" + (f" on alarm {alarms}" if alarms else "")
        aggregation = f", {step['MetricAggregationType']}" if step.get("MetricAggregationType") else ""
        return rule, "-", f"{_seconds(step.get('Cooldown'))}{aggregation}"
    predictive = doc.get("PredictiveScalingPolicyConfiguration")
    if predictive:
        specs = predictive.get("MetricSpecifications") or [{}]
        spec = specs[0]
        pair = (spec.get("PredefinedMetricPairSpecification") or spec.get("PredefinedScalingMetricSpecification")
                or {})
        metric = pair.get("PredefinedMetricType") or "customized metrics"
        return f"forecast {metric}", number(spec.get("TargetValue", "-")), \
            f"mode {predictive.get('Mode') or 'ForecastOnly'}"
    return "-", "-", "-"


def _target_line(scaling: AutoScaling) -> RenderableType:
    target = scaling.target
    assert target is not None
    line = heading(f"Auto scaling: min {target.min_capacity}, max {target.max_capacity}")
    if target.suspended:
        line.append(f"; suspended: {', '.join(target.suspended)}", style=WARNING_STYLE)
    return line


def _policies(policies: tuple[ScalingPolicy, ...]) -> RenderableType:
    if not policies:
        return Folded(Text("no scaling policy: only scheduled actions and `scale` change the desired count"))
    table = new_table("policy", "type", "metric / steps", "target", "cooldowns")
    for policy in policies:
        rule, target, cooldowns = policy_rule(policy)
        table.add_row(cell(policy.name), cell(POLICY_TYPES.get(policy.policy_type, policy.policy_type)),
                      cell(rule), cell(target), cell(cooldowns))
    return table


def _activities(scaling: AutoScaling) -> list[RenderableType]:
    if not scaling.activities:
        return [Text(""), heading("Scaling activities (none)")]
    table = new_table("started", "status", "description", "cause")
    for activity in scaling.activities:
        table.add_row(cell(when(activity.start)), state_cell(activity.status), cell(activity.description),
                      cell(activity.cause))
    return [Text(""), heading(f"Scaling activities ({len(scaling.activities)} most recent, newest first)"), table]


def auto_scaling_view(scaling: AutoScaling | None) -> list[RenderableType]:
    """Return the service detail's auto scaling section: one line when it has no scalable target."""
    if scaling is None:
        return []
    if scaling.denied:
        return [Folded(Text(f"Auto scaling: not read ({scaling.denied})", style=WARNING_STYLE), 2)]
    if scaling.target is None:
        return [heading("Auto scaling: none (no scalable target)")]
    return [_target_line(scaling), _policies(scaling.policies), *_activities(scaling)]


def auto_scaling_document(scaling: AutoScaling) -> dict[str, Any]:
    """Return what the service's `ecsshell` key holds of its auto scaling, in AWS's own shapes."""
    from ecsshell.render.jsonout import to_jsonable

    if scaling.denied:
        return {"error": scaling.denied}
    return {"scalableTarget": to_jsonable(dict(scaling.target.document)) if scaling.target else None,
            "scalingPolicies": [to_jsonable(dict(p.document)) for p in scaling.policies],
            "scalingActivities": [to_jsonable(dict(a.document)) for a in scaling.activities]}

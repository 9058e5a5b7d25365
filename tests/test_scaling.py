"""Application Auto Scaling of a service: `ls CLUSTER SERVICE` shows it, `scale` warns of it and changes min/max."""

from __future__ import annotations

import json
from typing import Any

import pytest
from harness import at_terminal

from ecsshell.emulator import World

NS, DIM = "ecs", "ecs:service:DesiredCount"
WEB = "service/prod/web"


def aas(world: World) -> Any:
    return world.client("application-autoscaling")


def register(world: World, resource: str = WEB, low: int = 2, high: int = 10) -> None:
    aas(world).register_scalable_target(ServiceNamespace=NS, ResourceId=resource, ScalableDimension=DIM,
                                        MinCapacity=low, MaxCapacity=high)


def bounds(world: World, resource: str = WEB) -> tuple[int, int]:
    (target,) = aas(world).describe_scalable_targets(ServiceNamespace=NS, ResourceIds=[resource])["ScalableTargets"]
    return target["MinCapacity"], target["MaxCapacity"]


def desired(world: World, service: str = "web") -> int:
    return int(world.client("ecs").describe_services(cluster="prod", services=[service])["services"][0]["desiredCount"])


def policies(world: World) -> None:
    client = aas(world)
    client.put_scaling_policy(PolicyName="cpu60", ServiceNamespace=NS, ResourceId=WEB, ScalableDimension=DIM,
                              PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={
                                  "TargetValue": 60.0, "ScaleOutCooldown": 60, "ScaleInCooldown": 300,
                                  "PredefinedMetricSpecification": {
                                      "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
    client.put_scaling_policy(PolicyName="queue", ServiceNamespace=NS, ResourceId=WEB, ScalableDimension=DIM,
                              PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={
                                  "TargetValue": 100.0, "DisableScaleIn": True, "CustomizedMetricSpecification": {
                                      "Namespace": "MyApp", "MetricName": "QueueDepth", "Statistic": "Average"}})
    client.put_scaling_policy(PolicyName="steps", ServiceNamespace=NS, ResourceId=WEB, ScalableDimension=DIM,
                              PolicyType="StepScaling", StepScalingPolicyConfiguration={
                                  "AdjustmentType": "ChangeInCapacity", "Cooldown": 120, "StepAdjustments": [
                                      {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10,
                                       "ScalingAdjustment": 1},
                                      {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 3}]})


def assert_aws_shape(name: str, documents: list[dict[str, Any]]) -> None:
    """Check that each of DOCUMENTS has only members of botocore's shape NAME, and all its required ones."""
    import botocore.session

    shape = botocore.session.get_session().get_service_model("application-autoscaling").shape_for(name)
    for document in documents:
        assert set(document) <= set(shape.members), (name, set(document) - set(shape.members))
        assert set(shape.required_members) <= set(document), (name, set(shape.required_members) - set(document))


def row(out: str, first: str) -> str:
    """Return the line of OUT starting with FIRST, its runs of spaces made one."""
    return next(" ".join(line.split()) for line in out.splitlines() if line.startswith(first + " "))


# ls CLUSTER SERVICE -------------------------------------------------------------------------------
def test_ls_service_shows_target_policies_activities_and_survives_a_denial(world, small, ecsshell) -> None:
    register(world, low=1, high=3)
    policies(world)
    assert ecsshell("scale", "prod", "web", "4").code == 0  # above max 3: the scaler moves it back
    world.advance(1)  # the scaler sees the count outside min and max
    world.scheduler.skip(61)  # and moves it back a minute later (one tick: no task need run meanwhile)
    assert desired(world) == 3
    world.recorder.reset()
    out = ecsshell("ls", "prod", "web").out
    assert "Auto scaling: min 1, max 3" in out
    assert row(out, "cpu60") == "cpu60 target tracking ECSServiceAverageCPUUtilization 60 out 60s, in 300s"
    assert row(out, "queue") == ("queue target tracking MyApp/QueueDepth Average 100 out default, in default; "
                                 "scale-in disabled")
    assert row(out, "steps") == "steps step scaling ChangeInCapacity: [0, 10) +1, [10, +inf) +3 - 120s"
    assert "Setting desired count to 3." in out and "maximum capacity is 3" in out
    for call in ("DescribeScalableTargets", "DescribeScalingPolicies", "DescribeScalingActivities"):
        assert world.recorder.calls[call] == 1, call  # each once, on the pool beside the rest of the detail
    document = json.loads(ecsshell("ls", "prod", "web", "--output", "json").out)
    scaling = document["service"]["ecsshell"]["autoScaling"]
    assert scaling["scalableTarget"]["MinCapacity"] == 1 and scaling["scalableTarget"]["ResourceId"] == WEB
    assert scaling["scalableTarget"]["SuspendedState"]["DynamicScalingInSuspended"] is False
    assert [p["PolicyName"] for p in scaling["scalingPolicies"]] == ["cpu60", "queue", "steps"]
    assert scaling["scalingActivities"][0]["StatusCode"] == "Successful"
    for shape, docs in (("ScalableTarget", [scaling["scalableTarget"]]), ("ScalingPolicy", scaling["scalingPolicies"]),
                        ("ScalingActivity", scaling["scalingActivities"])):
        assert_aws_shape(shape, docs)
    plain = ecsshell("ls", "prod", "api").out
    assert "Auto scaling: none (no scalable target)" in plain and "Scaling activities" not in plain
    assert json.loads(ecsshell("ls", "prod", "api", "--output", "json").out)["service"]["ecsshell"][
        "autoScaling"] == {"scalableTarget": None, "scalingPolicies": [], "scalingActivities": []}
    world.faults.fail("DescribeScalableTargets", status=400, times=10)  # denied, throttled: the rest still shows
    result = ecsshell("ls", "prod", "web")
    assert result.code == 0, result.err
    assert "Auto scaling: not read" in result.out and "Service web" in result.out


# scale COUNT outside min and max ----------------------------------------------------------------
def test_scale_outside_the_bounds_warns_on_stderr_and_still_scales_in_a_script(world, small, ecsshell) -> None:
    register(world, low=2, high=4)
    result = ecsshell("scale", "prod", "web", "1")
    assert result.code == 0, result.err
    assert "warning: 1 is below the scalable target's minimum capacity 2" in result.err
    assert "Application Auto Scaling will move it back to 2" in result.err
    assert "warning" not in result.out and desired(world) == 1
    within = ecsshell("scale", "prod", "web", "3")
    assert within.code == 0 and "warning" not in within.err
    document = json.loads(ecsshell("scale", "prod", "web", "9", "--output", "json").out)
    assert "above the scalable target's maximum capacity 4" in document["warning"]
    aas(world).register_scalable_target(ServiceNamespace=NS, ResourceId=WEB, ScalableDimension=DIM,
                                        SuspendedState={"DynamicScalingInSuspended": True})
    held = ecsshell("scale", "prod", "web", "6")
    assert "its scale-in is suspended, so the count stays at 6 until it is resumed" in held.err
    world.advance(1)
    world.scheduler.skip(61)
    assert desired(world) == 6  # the scaler leaves it, as it does while scale-in is suspended
    assert "Auto scaling: min 2, max 4; suspended: scale-in" in ecsshell("ls", "prod", "web").out


# scale --min/--max ----------------------------------------------------------------------------
def test_scale_min_max_changes_the_target_refuses_cleanly_and_restores_after_a_failure(world, small, ecsshell) -> None:
    register(world)
    world.recorder.reset()
    dry = ecsshell("scale", "prod", "web", "--max", "6", "--dry-run")
    assert dry.code == 0 and "max 10 -> 6" in dry.out and "nothing changed" in dry.out
    refused = ecsshell("--read-only", "scale", "prod", "web", "--max", "6", "-y")
    assert refused.code == 1 and "read-only" in refused.err
    upside_down = ecsshell("scale", "prod", "web", "--min", "12", "-y")
    assert upside_down.code == 2 and "min 12 would be above max 10" in upside_down.err
    none = ecsshell("scale", "prod", "api", "--min", "1", "-y")
    assert none.code == 1 and "api in prod has no scalable target" in none.err
    assert "register-scalable-target" in none.err and len(none.err.strip().splitlines()) == 1
    assert world.recorder.calls["RegisterScalableTarget"] == 0 and bounds(world) == (2, 10)
    changed = ecsshell("scale", "prod", "web", "--min", "3", "--max", "6", "-y")
    assert changed.code == 0, changed.err
    assert "min 2 -> 3; max 10 -> 6" in changed.out
    assert bounds(world) == (3, 6)
    world.faults.fail("RegisterScalableTarget", status=500, after_apply=True)  # applied, answered 500
    result = ecsshell("scale", "prod", "web", "--max", "5", "-y")
    assert result.code == 1
    assert "RegisterScalableTarget failed" in result.err
    assert "restored the previous min 3, max 6" in result.err and "Traceback" not in result.err
    assert bounds(world) == (3, 6)


# the emulator answers as AWS does ------------------------------------------------------------------
def test_the_emulator_pages_refuses_and_answers_activities_as_aws_does(world, small) -> None:
    from botocore.exceptions import ClientError

    for name in ("web", "api", "worker"):
        register(world, f"service/prod/{name}", 1, 3)
    client = aas(world)
    pages = client.get_paginator("describe_scalable_targets").paginate(
        ServiceNamespace=NS, PaginationConfig={"PageSize": 1})
    targets = [t for page in pages for t in page["ScalableTargets"]]
    assert [t["ResourceId"] for t in targets] == [f"service/prod/{n}" for n in ("web", "api", "worker")]
    assert all(t["RoleARN"].endswith("AWSServiceRoleForApplicationAutoScaling_ECSService") for t in targets)
    policies(world)
    named = client.describe_scaling_policies(ServiceNamespace=NS, ResourceId=WEB, PolicyNames=["steps"])
    assert [p["PolicyName"] for p in named["ScalingPolicies"]] == ["steps"]
    assert client.describe_scaling_policies(ServiceNamespace=NS, ResourceId="service/prod/we")[
        "ScalingPolicies"] == []
    world.client("ecs").update_service(cluster="prod", service="api", desiredCount=4)
    world.advance(1)  # the scaler sees the count outside min and max
    world.scheduler.skip(61)  # and moves it back a minute later (one tick: no task need run meanwhile)
    (activity,) = client.describe_scaling_activities(ServiceNamespace=NS, ResourceId="service/prod/api")[
        "ScalingActivities"]
    assert activity["Description"] == "Setting desired count to 3." and activity["StatusCode"] == "Successful"
    for params in ({"MinCapacity": 5, "MaxCapacity": 4}, {"MinCapacity": 9}, {"MaxCapacity": 0}):
        with pytest.raises(ClientError, match="ValidationException"):
            client.register_scalable_target(ServiceNamespace=NS, ResourceId=WEB, ScalableDimension=DIM, **params)
    with pytest.raises(ClientError, match="required"):
        client.register_scalable_target(ServiceNamespace=NS, ResourceId="service/prod/search",
                                        ScalableDimension=DIM, MinCapacity=1)


def test_the_scaling_docs_examples_run_against_the_demo_world(world, ecsshell) -> None:
    from test_readme import run_examples

    from ecsshell.emulator.worlds import demo_world

    demo_world(world)
    run_examples(ecsshell, "<!-- scaling:", 6, errors_say_why=True)
    assert bounds(world) == (2, 12)


def test_the_shell_warns_shows_before_and_after_and_asks_and_no_changes_nothing(world, small, tmp_path) -> None:



    register(world)
    world.recorder.reset()
    out, err = at_terminal(world, tmp_path, "scale prod web 12", "scale prod web --max 6", stdin="n\nn\n")
    assert "warning: 12 is above the scalable target's maximum capacity 10" in err
    assert out.splitlines() == ["cancelled; nothing changed", "min 2 (unchanged)", "max 10 -> 6",
                                "cancelled; nothing changed"]  # the question itself goes to the terminal
    assert world.recorder.calls["UpdateService"] == world.recorder.calls["RegisterScalableTarget"] == 0
    assert desired(world) == 3 and bounds(world) == (2, 10)


def test_ctrl_c_during_register_scalable_target_restores_the_previous_bounds_and_says_so(world, small) -> None:
    from ecsshell.aws import Gateway, Settings
    from ecsshell.operations import scaling

    register(world)
    said: list[str] = []
    with Gateway.connect(Settings(region=world.region, endpoint_url=world.endpoint_url), env=world.environ()) as gw:
        change = scaling.plan_bounds(gw, "prod", "web", 4, None)
        sent = gw.register_scalable_target

        def sent_then_interrupted(*args: Any, **kwargs: Any) -> None:
            sent(*args, **kwargs)
            if kwargs["min_capacity"] == 4:  # AWS applied it; Ctrl-C came before the answer
                raise KeyboardInterrupt

        gw.register_scalable_target = sent_then_interrupted  # type: ignore[method-assign]
        with pytest.raises(KeyboardInterrupt):
            scaling.apply_bounds(gw, change, said.append)
    assert said == ["interrupted during RegisterScalableTarget: restored the previous min 2, max 10"]
    assert bounds(world) == (2, 10)

"""`--wait-until deployed|stable|paused|STAGE`, the circuit breaker's thresholdConfiguration and earlySuccessCriteria.

Each test runs the real ecsshell against the emulated world (its sleep advances emulated time) and
checks where the service deployment stands in ECS when the wait ended, through boto3.
"""

from __future__ import annotations

from typing import Any

import pytest

PAUSE_AT_TEST_TRAFFIC = [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]


def _staged(world: Any, strategy: str = "BLUE_GREEN", hooks: list[dict[str, Any]] | None = None,
            **config: Any) -> None:
    """Create service web of cluster c with STRATEGY on web:1 (web:2 registered, not deployed), settled."""
    from ecsshell.emulator.worlds import staged_service

    staged_service(world, "c", "web", strategy, hooks=hooks, deploy=False, **config)


def _current(world: Any) -> dict[str, Any]:
    ecs = world.client("ecs")
    arn = ecs.describe_services(cluster="c", services=["web"])["services"][0]["currentServiceDeployment"]
    return ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]


def _revisions(world: Any) -> list[str]:
    return world.client("ecs").list_task_definitions(familyPrefix="web")["taskDefinitionArns"]


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_paused_then_continue_until_deployed(world, ecsshell) -> None:
    _staged(world, hooks=PAUSE_AT_TEST_TRAFFIC)
    paused = ecsshell("update", "c", "web", ":1.28", "--wait-until", "paused", "-y", "--output", "json")
    assert paused.code == 0, paused.err
    assert '"state": "REACHED"' in paused.out
    now = _current(world)
    assert now["status"] == "IN_PROGRESS" and now["lifecycleStage"] == "POST_TEST_TRAFFIC_SHIFT"
    assert [h["status"] for h in now["lifecycleHookDetails"]] == ["AWAITING_ACTION"]
    # the hook just released still reads AWAITING_ACTION on the first poll: that is not a new pause
    early = ecsshell("continue", "c", "web", "-y", "--wait-until", "POST_TEST_TRAFFIC_SHIFT")
    assert early.code == 1 and "already at POST_TEST_TRAFFIC_SHIFT" in _one_line(early.err)
    assert _current(world)["lifecycleHookDetails"][0]["status"] == "AWAITING_ACTION"  # refused: not released
    done = ecsshell("continue", "c", "web", "-y", "--wait-until", "deployed")
    assert done.code == 0, done.err
    assert "done" in done.out
    assert _current(world)["status"] == "SUCCESSFUL"


def test_a_goal_the_service_cannot_reach_is_refused_before_anything_changes(world, ecsshell) -> None:
    _staged(world, "ROLLING")
    before = _revisions(world)
    for goal, says in (("paused", "has no PAUSE lifecycle hook"),
                       ("PRODUCTION_TRAFFIC_SHIFT", "ROLLING, which shifts no traffic")):
        result = ecsshell("update", "c", "web", ":1.28", "--wait-until", goal, "-y")
        assert result.code == 1 and says in _one_line(result.err)
    assert _revisions(world) == before  # nothing registered
    assert _current(world)["status"] == "SUCCESSFUL"  # no new deployment
    back = ecsshell("rollback", "c", "web", "2", "--wait-until", "paused", "-y")
    assert back.code == 1 and "has no PAUSE lifecycle hook" in _one_line(back.err)
    service = world.client("ecs").describe_services(cluster="c", services=["web"])["services"][0]
    assert service["taskDefinition"].endswith("web:1") and len(service["deployments"]) == 1


@pytest.mark.parametrize(("argv", "says"), [
    (("--wait-until", "POST_TEST_TRAFIC"), "did you mean POST_TEST_TRAFFIC_SHIFT?"),
    (("--wait-until", "stabel"), "did you mean stable?"),
    (("--wait-until", "paused", "--no-wait"), "cannot go with --no-wait"),
    (("--wait-until", "paused", "--deregister-old"), "--deregister-old acts once the rollout is over"),
])
def test_bad_goals_are_usage_errors(world, ecsshell, argv, says) -> None:
    _staged(world, "ROLLING")
    before = _revisions(world)
    result = ecsshell("update", "c", "web", ":1.28", *argv, "-y")
    assert result.code == 2 and says in _one_line(result.err)
    assert _revisions(world) == before


def test_early_success_deployed_ends_while_old_tasks_drain_and_stable_waits_for_them(world, ecsshell) -> None:
    _staged(world, "ROLLING", desired=4, maximumPercent=150,  # two new tasks at a time
            earlySuccessCriteria={"enable": True, "healthyPercent": 50, "sourceServiceRevisionCleanup": "DEFERRED"})
    shown = ecsshell("ls", "c", "web")
    assert "SUCCESSFUL at 50% healthy, old tasks drain after (DEFERRED)" in " ".join(shown.out.split())
    deployed = ecsshell("update", "c", "web", ":1.28", "--wait-until", "deployed", "-y")
    assert deployed.code == 0, deployed.err
    assert "early success: SUCCESSFUL at 50% healthy" in deployed.out
    service = world.client("ecs").describe_services(cluster="c", services=["web"])["services"][0]
    assert _current(world)["status"] == "SUCCESSFUL"
    assert len(service["deployments"]) == 2  # ECS said SUCCESSFUL; the old revision's tasks still drain

    stable = ecsshell("update", "c", "web", ":1.29", "--wait", "-y")  # stable is the default goal
    assert stable.code == 0, stable.err
    assert "waiting for the service to be stable" in stable.out
    service = world.client("ecs").describe_services(cluster="c", services=["web"])["services"][0]
    assert len(service["deployments"]) == 1 and service["runningCount"] == 4


def test_threshold_configuration_sets_when_the_breaker_trips_and_is_shown(world, ecsshell, home) -> None:
    from harness import run_ecsshell
    from test_deploy import breaking

    _staged(world, "ROLLING", desired=4, deploymentCircuitBreaker={
        "enable": True, "rollback": True, "thresholdConfiguration": {"type": "COUNT", "value": 1}})
    shown = ecsshell("ls", "c", "web")
    assert "on, then rolls back, trips at 1 failed tasks" in " ".join(shown.out.split())
    result = run_ecsshell(world, home, "update", "c", "web", ":broken", "--wait", "-y", sleep=breaking(world, "web"))
    assert result.code == 1
    assert "trips at 1 failed tasks" in result.out
    breaker = _current(world)["deploymentCircuitBreaker"]
    assert breaker["threshold"] == 1 and breaker["failureCount"] >= 1  # one failure was enough (default: 3)


def test_the_docs_examples_run_against_the_demo_world(world, ecsshell) -> None:
    from test_readme import run_examples

    from ecsshell.emulator.worlds import demo_world

    demo_world(world)
    ran = run_examples(ecsshell, "<!-- waituntil:", 4)
    continued = ran[0][2].out
    assert "until BAKE_TIME" in continued and "reached BAKE_TIME" in continued and "it goes on in ECS" in continued
    assert "reached paused" in ran[1][2].out
    deployments = world.client("ecs").list_service_deployments(cluster="releases", service="storefront")
    latest = world.client("ecs").describe_service_deployments(
        serviceDeploymentArns=[deployments["serviceDeployments"][0]["serviceDeploymentArn"]])["serviceDeployments"][0]
    assert latest["status"] == "IN_PROGRESS"
    assert [h["targetType"] for h in latest["lifecycleHookDetails"] if h["status"] == "AWAITING_ACTION"] == ["PAUSE"]

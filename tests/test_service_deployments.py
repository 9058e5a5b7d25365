"""Service deployments (issue 11, client half): history, stages followed by position, hooks, continue, stop.

The first part drives the operations with a fake Gateway scripted poll by poll (as the brief allows for
operations); the second drives the real ecsshell against the emulated world.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ecsshell.aws import deployments as aws_deployments
from ecsshell.aws.errors import AccessDenied, AwsError
from ecsshell.model import (
    LIFECYCLE_STAGES,
    ContainerImage,
    Deployment,
    LifecycleHook,
    RevisionSummary,
    Service,
    ServiceDeployment,
    ServiceEvent,
    ServiceRevision,
    Task,
    TaskContainer,
)
from ecsshell.operations import OperationError, check, deploy, deployments, rollback
from ecsshell.operations.rollout import Outcome, Progress, Watch, follow_deployment

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
SVC_ARN = "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
DEP_ARN = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/dep2abc"
OLD_DEP = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/dep1xyz"
REV1 = "arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1001"
REV2 = "arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1002"
TD1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
TD2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"


def service(**kw: Any) -> Service:
    base = Service(name="web", arn=SVC_ARN, cluster_arn="arn:aws:ecs:us-east-1:123456789012:cluster/prod",
                   status="ACTIVE", desired=2, running=2, pending=0, task_definition_arn=TD2, launch_type="FARGATE",
                   deployments=(Deployment("ecs-svc/2", "PRIMARY", TD2, 2, 2, 0, 0, "IN_PROGRESS", None, T0, T0),),
                   current_service_deployment=DEP_ARN,
                   deployment_configuration={"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5})
    return replace(base, **kw)


def dep(status: str = "IN_PROGRESS", stage: str | None = None, **kw: Any) -> ServiceDeployment:
    base = ServiceDeployment(arn=DEP_ARN, service_arn=SVC_ARN, cluster_arn="", status=status, lifecycle_stage=stage,
                             target=RevisionSummary(REV2, 2, 2, 0, 0.0, 100.0),
                             sources=(RevisionSummary(REV1, 2, 2, 0, 0.0, 0.0),),
                             deployment_configuration={"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5},
                             created_at=T0, updated_at=T0)
    return replace(base, **kw)


REVISIONS = {
    REV1: ServiceRevision(REV1, SVC_ARN, "", TD1, (ContainerImage("web", "repo/web:1.0", "sha256:" + "a" * 64),)),
    REV2: ServiceRevision(REV2, SVC_ARN, "", TD2, (ContainerImage("web", "repo/web:2.0", "sha256:" + "b" * 64),)),
}


class FakeGateway:
    """The calls the deployment operations make, answered from a script of polls; every call is counted."""

    def __init__(self, polls: list[ServiceDeployment | Exception], svc: Service | None = None) -> None:
        self.polls = polls
        self.svc = svc or service()
        self.calls: list[tuple[str, Any]] = []
        self.revision_error: Exception | None = None
        self.listed: list[ServiceDeployment] = []

    def _poll(self) -> ServiceDeployment | Exception:
        return self.polls[0] if len(self.polls) == 1 else self.polls.pop(0)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return [fn(i) for i in items]

    def describe_services(self, cluster: str, names: list[str]) -> list[Service]:
        self.calls.append(("DescribeServices", names))
        return [self.svc]

    def describe_service(self, cluster: str, name: str) -> Service:
        return self.describe_services(cluster, [name])[0]

    def describe_service_deployments(self, arns: Iterable[str]) -> list[ServiceDeployment]:
        wanted = list(arns)
        self.calls.append(("DescribeServiceDeployments", wanted))
        if self.listed:
            return [d for d in self.listed if d.arn in wanted]
        answer = self._poll()
        if isinstance(answer, Exception):
            raise answer
        return [answer]

    def list_service_deployments(self, cluster: str, service: str,
                                 status: list[str] | None = None) -> list[ServiceDeployment]:
        self.calls.append(("ListServiceDeployments", service))
        return [ServiceDeployment(d.arn, d.service_arn, d.cluster_arn, d.status) for d in self.listed]

    def describe_service_revisions(self, arns: Iterable[str]) -> dict[str, ServiceRevision]:
        self.calls.append(("DescribeServiceRevisions", list(arns)))
        if self.revision_error is not None:
            raise self.revision_error
        return {a: REVISIONS[a] for a in arns if a in REVISIONS}

    def stop_service_deployment(self, arn: str, stop_type: str = "ROLLBACK") -> str:
        self.calls.append(("StopServiceDeployment", (arn, stop_type)))
        return arn

    def continue_service_deployment(self, arn: str, hook_id: str, action: str = "CONTINUE") -> str:
        self.calls.append(("ContinueServiceDeployment", (arn, hook_id, action)))
        return arn

    def service_tasks(self, cluster: str, service: str, desired_status: str = "RUNNING") -> list[Task]:
        return []

    def count(self, operation: str) -> int:
        return sum(1 for name, _ in self.calls if name == operation)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def watching(said: list[str], progress: list[Progress] | None = None, timeout: float = 600.0) -> Watch:
    clock = Clock()
    seen = progress if progress is not None else []
    return Watch(timeout, clock.sleep, clock.monotonic, seen.append, lambda _e: None, said.append, say=said.append)


def follow(gw: FakeGateway, said: list[str], **kw: Any) -> Outcome | None:
    return follow_deployment(gw, "prod", "web", DEP_ARN, "ecs-svc/2", watching(said, kw.pop("progress", None),
                                                                               kw.pop("timeout", 600.0)), **kw)


# stages, by position ---------------------------------------------------------------------------------
def test_a_blue_green_poll_that_missed_stages_still_tells_each_in_order() -> None:
    polls: list[ServiceDeployment | Exception] = [
        dep(stage="RECONCILE_SERVICE"), dep(stage="SCALE_UP"),
        dep(stage="PRODUCTION_TRAFFIC_SHIFT"),  # this poll skipped POST_SCALE_UP .. POST_TEST_TRAFFIC_SHIFT
        dep(stage="BAKE_TIME"), dep(stage="CLEAN_UP"), dep(status="SUCCESSFUL", stage="CLEAN_UP")]
    said: list[str] = []
    outcome = follow(FakeGateway(polls), said)
    assert outcome is not None and outcome.ok, outcome
    stages = [line.split()[1] for line in said if line.startswith("stage ")]
    assert stages == list(LIFECYCLE_STAGES)
    assert said[0] == "following service deployment dep2abc (BLUE_GREEN, IN_PROGRESS)"
    assert "stage POST_SCALE_UP (passed between two polls)" in said
    assert "stage PRODUCTION_TRAFFIC_SHIFT" in said


def test_a_rolling_deployment_tells_only_the_stages_it_reports() -> None:
    assert deployments.stages_between(None, "SCALE_UP", "ROLLING") == ["SCALE_UP"]
    assert deployments.stages_between("SCALE_UP", "CLEAN_UP", "ROLLING") == ["CLEAN_UP"]
    assert deployments.stages_between("CLEAN_UP", "SCALE_UP", "BLUE_GREEN") == []  # never backwards
    assert deployments.stages_between(None, None, "CANARY") == []
    assert deployments.stages_between(None, "SCALE_UP", "CANARY") == ["PRE_SCALE_UP", "SCALE_UP"]  # not RECONCILE


def test_bake_time_left_counts_down_while_it_bakes() -> None:
    progress: list[Progress] = []
    polls: list[ServiceDeployment | Exception] = [dep(stage="BAKE_TIME")] * 3 + [dep(status="SUCCESSFUL")]
    outcome = follow(FakeGateway(list(polls)), [], progress=progress)
    assert outcome is not None and outcome.ok
    left = [p.bake_left for p in progress if p.bake_left is not None]
    assert left == [300.0, 297.0, 294.0]


def test_a_rollback_by_ecs_is_followed_to_its_end_and_each_end_says_which_it_was() -> None:
    reason = "ECS deployment circuit breaker: tasks failed to start"
    breaker = {"status": "TRIGGERED", "failureCount": 3, "threshold": 3}
    rolling = dep(status="ROLLBACK_IN_PROGRESS", stage="SCALE_UP", status_reason=reason, circuit_breaker=breaker)
    ends = {"ROLLBACK_SUCCESSFUL": f"{reason}; ECS rolled back (circuit-breaker rollback); web runs web:1 again",
            "ROLLBACK_FAILED": f"{reason}; ECS could not roll web back to web:1 (ROLLBACK_FAILED) "
                               "(circuit-breaker rollback); it runs web:2",
            "STOPPED": f"{reason}; service deployment dep2abc STOPPED"}
    for status, expected in ends.items():
        gw = FakeGateway([dep(stage="SCALE_UP"), rolling, rolling,
                          dep(status=status, status_reason=reason, circuit_breaker=breaker)])
        said: list[str] = []
        outcome = follow(gw, said)
        assert outcome is not None and outcome.state == "FAILED", status
        assert outcome.reason == expected
        assert outcome.deployment is not None and outcome.deployment.status == status
        assert gw.count("DescribeServiceDeployments") == 4  # not ended at the first ROLLBACK_IN_PROGRESS poll
        assert f"service deployment dep2abc ROLLBACK_IN_PROGRESS: {reason}" in said


def test_a_pause_hook_is_told_once_with_how_to_go_on_and_the_wait_goes_on() -> None:
    hook = LifecycleHook("hook-1", "PAUSE", "AWAITING_ACTION", expires_at=T0 + timedelta(hours=1),
                         timeout_action="ROLLBACK")
    waiting = dep(stage="POST_TEST_TRAFFIC_SHIFT", hooks=(hook,))
    polls: list[ServiceDeployment | Exception] = [waiting, waiting, waiting, dep(status="SUCCESSFUL",
                                                                                  stage="CLEAN_UP")]
    said: list[str] = []
    outcome = follow(FakeGateway(polls), said)
    assert outcome is not None and outcome.ok
    told = [line for line in said if "hook-1" in line]
    assert len(told) == 1
    lambda_hook = LifecycleHook("fn-1", "AWS_LAMBDA", "IN_PROGRESS", target_arn="arn:aws:lambda:us-east-1:1:"
                                "function:smoke")
    said.clear()
    follow(FakeGateway([dep(hooks=(lambda_hook,)), dep(hooks=(lambda_hook,)),
                        dep(status="ROLLBACK_IN_PROGRESS", hooks=(replace(lambda_hook, status="FAILED"),))]), said)
    assert [line for line in said if "fn-1" in line] == ["hook fn-1 (AWS_LAMBDA smoke) IN_PROGRESS",
                                                         "hook fn-1 (AWS_LAMBDA smoke) FAILED"]
    assert "`continue prod web` to go on" in told[0] and "`continue --rollback prod web`" in told[0]
    assert "13:00:00Z ECS will roll back" in told[0]


def test_a_hook_awaiting_past_the_timeout_times_out_naming_it() -> None:
    hook = LifecycleHook("hook-1", "PAUSE", "AWAITING_ACTION")
    outcome = follow(FakeGateway([dep(stage="POST_SCALE_UP", hooks=(hook,))]), [], timeout=30)
    assert outcome is not None and outcome.state == "TIMEOUT"
    assert "at POST_SCALE_UP, waiting for hook hook-1" in outcome.reason


def test_an_endpoint_without_service_deployments_falls_back() -> None:
    denied = AccessDenied("AWS denied DescribeServiceDeployments: no", operation="DescribeServiceDeployments")
    assert follow(FakeGateway([denied]), []) is None
    assert deployments.current_deployment(FakeGateway([denied]), service()) is None
    gw = FakeGateway([dep()])
    gw.revision_error = AwsError("UnknownOperationException", operation="DescribeServiceRevisions")
    assert deployments.running_revisions(gw, service(current_revisions=(RevisionSummary(REV2),))) == []


# continue, stop, refuse ------------------------------------------------------------------------------
def test_continue_sends_the_awaiting_hook_and_refuses_when_nothing_waits() -> None:
    hook = LifecycleHook("hook-9", "PAUSE", "AWAITING_ACTION")
    gw = FakeGateway([dep(stage="POST_SCALE_UP", hooks=(LifecycleHook("h0", "AWS_LAMBDA", "SUCCEEDED"), hook))])
    paused = deployments.paused(gw, "prod", "web")
    done = deployments.resume(gw, paused, rollback=True)
    assert (done.hook_id, done.action) == ("hook-9", "ROLLBACK")
    assert gw.calls[-1] == ("ContinueServiceDeployment", (DEP_ARN, "hook-9", "ROLLBACK"))
    with pytest.raises(OperationError, match=r"^nothing waits to be continued in web \(deployment dep2abc is "
                                             r"SUCCESSFUL\)$"):
        deployments.paused(FakeGateway([dep(status="SUCCESSFUL")]), "prod", "web")


def test_rollback_stops_a_running_deployment_else_goes_back_a_revision() -> None:
    gw = FakeGateway([dep(stage="SCALE_UP")])
    chosen = rollback.choose(gw, "prod", "web")  # type: ignore[arg-type]
    assert isinstance(chosen, rollback.Stop) and chosen.back_to == "web:1"
    rollback.stop(gw, chosen)  # type: ignore[arg-type]
    assert gw.count("StopServiceDeployment") == 1 and gw.calls[-1][1] == (DEP_ARN, "ROLLBACK")
    finished = FakeGateway([dep(status="SUCCESSFUL")])
    assert deployments.running_deployment(finished, service()) is None


def test_a_failed_wait_with_rollback_has_ecs_roll_back_the_deployment_still_going() -> None:
    gw = FakeGateway([dep(status="ROLLBACK_IN_PROGRESS"), dep(status="ROLLBACK_SUCCESSFUL")])
    timed_out = Outcome("TIMEOUT", "gave up", service(), 600.0, dep(stage="SCALE_UP"))
    said: list[str] = []
    rolled = rollback.roll_back_after(gw, "prod", "web", TD1, "ecs-svc/2", timed_out,  # type: ignore[arg-type]
                                      watching(said), said.append, said.append)
    assert gw.count("StopServiceDeployment") == 1 and gw.count("UpdateService") == 0
    assert rolled.outcome.ok and rolled.to == "web:1", rolled
    assert said[0] == "stopping service deployment dep2abc: ECS rolls web back to web:1"


@pytest.mark.parametrize(("controller", "who"), [("CODE_DEPLOY", "CodeDeploy"), ("EXTERNAL", "an external controller")])
def test_a_service_ecs_does_not_deploy_is_refused_before_anything_is_registered(controller: str, who: str) -> None:
    with pytest.raises(OperationError, match=f"^web is deployed by {who} "):
        deploy.refuse_other_controller(service(deployment_controller=controller))
    deploy.refuse_other_controller(service(deployment_controller="ECS"))


# history, check ---------------------------------------------------------------------------------------
def test_history_is_newest_first_and_an_id_prefix_finds_one() -> None:
    older = dep(arn=OLD_DEP, status="SUCCESSFUL", created_at=T0 - timedelta(days=1))
    gw = FakeGateway([])
    gw.listed = [older, dep()]
    found = deployments.history(gw, "prod", "web")  # type: ignore[arg-type]
    assert [d.id for d in found.deployments] == ["dep2abc", "dep1xyz"]
    assert found.label(REV1) == "web:1" and found.find("dep1").arn == OLD_DEP
    assert gw.count("DescribeServiceRevisions") == 1  # every revision named, in one call
    with pytest.raises(OperationError, match="names 2 deployments"):
        found.find("dep")
    with pytest.raises(OperationError, match="has no deployment 'zzz'"):
        found.find("zzz")


def test_check_warns_on_two_digests_of_one_tag_a_waiting_hook_and_a_failed_rollback() -> None:
    def task(n: int, digest: str) -> Task:
        return Task(f"arn:aws:ecs:us-east-1:1:task/prod/t{n}", TD2, "RUNNING", "RUNNING", None, "service:web",
                    containers=(TaskContainer("web", "RUNNING", image="repo/web:2.0", image_digest=digest),))

    tasks = [task(1, "sha256:" + "b" * 64), task(2, "sha256:" + "c" * 64), task(3, "sha256:" + "b" * 64)]
    svc = service(deployments=(Deployment("ecs-svc/2", "PRIMARY", TD2, 3, 3, 0, 0, "COMPLETED", None, T0, T0),),
                  desired=3)
    found = check.findings_for(svc, tasks, [], dep(status="ROLLBACK_FAILED", status_reason="no capacity",
                                                  hooks=(LifecycleHook("h1", "PAUSE", "AWAITING_ACTION"),)))
    assert any(f.startswith("tasks of web run 2 digests of repo/web:2.0") for f in found), found
    assert "deployment dep2abc ROLLBACK_FAILED: no capacity" in found
    assert any("paused by hook h1" in f for f in found)
    assert check.findings_for(svc, tasks[:1], [], dep(status="SUCCESSFUL")) == ["service web runs 1 of 3 desired "
                                                                                  "tasks"]


# the aws half: batching and paging, counted ------------------------------------------------------------
class FakeCalls:
    """Stands for the gateway's call/pages/map, counting calls: the boto3 side is tested against the world."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, api: str, method: str, context: str = "", /, **params: Any) -> dict[str, Any]:
        self.calls.append((method, params))
        if method == "list_service_deployments":
            page = int(params.get("nextToken") or 0)
            answer: dict[str, Any] = {"serviceDeployments": [{"serviceDeploymentArn": f"{DEP_ARN}{page}"}]}
            if page < 2:
                answer["nextToken"] = str(page + 1)
            return answer
        key, out = (("serviceDeploymentArns", "serviceDeployments") if "deployments" in method else
                    ("serviceRevisionArns", "serviceRevisions"))
        arn_key = "serviceDeploymentArn" if "deployments" in method else "serviceRevisionArn"
        return {out: [{arn_key: a, "status": "SUCCESSFUL"} for a in params[key]]}

    call_once = call

    def pages(self, api: str, method: str, key: str, context: str = "", /, **params: Any) -> Iterator[list[Any]]:
        token = None
        while True:
            answer = self.call(api, method, context, **({**params, "nextToken": token} if token else params))
            yield list(answer.get(key) or [])
            token = answer.get("nextToken")
            if not token:
                return

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return [fn(i) for i in items]


def test_describe_asks_20_arns_a_call_and_list_follows_next_token() -> None:
    calls = FakeCalls()
    arns = [f"{DEP_ARN}-{n}" for n in range(45)]
    found = aws_deployments.describe_service_deployments(calls, [*arns, arns[0]])  # type: ignore[arg-type]
    assert [d.arn for d in found] == arns
    assert [len(p["serviceDeploymentArns"]) for _, p in calls.calls] == [20, 20, 5]
    calls.calls.clear()
    listed = aws_deployments.list_service_deployments(calls, "prod", "web")  # type: ignore[arg-type]
    assert len(listed) == 3 and len(calls.calls) == 3
    assert all(p["maxResults"] == 100 and p["cluster"] == "prod" for _, p in calls.calls)


def test_events_seen_while_following_are_told_once() -> None:
    events: list[ServiceEvent] = []
    gw = FakeGateway([dep(stage="SCALE_UP"), dep(status="SUCCESSFUL")],
                     service(events=(ServiceEvent("e1", T0, "(service web) has started 2 tasks"),)))
    clock = Clock()
    watch = Watch(60, clock.sleep, clock.monotonic, lambda _p: None, events.append, lambda _l: None)
    outcome = follow_deployment(gw, "prod", "web", DEP_ARN, None, watch)  # type: ignore[arg-type]
    assert outcome is not None and outcome.ok and [e.id for e in events] == ["e1"]


# against the emulated world -----------------------------------------------------------------------------
API_IMAGE = "registry.example.com:5000/team/api"
DENIED = '{"__type": "AccessDeniedException", "message": "User is not authorized to perform this action"}'


def _ecs(world: Any) -> Any:
    return world.client("ecs")


def _current(world: Any, cluster: str, name: str) -> dict[str, Any]:
    """Return the service's current service deployment, described by boto3."""
    ecs = _ecs(world)
    arn = ecs.describe_services(cluster=cluster, services=[name])["services"][0]["currentServiceDeployment"]
    found: dict[str, Any] = ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]
    return found


def _revision(world: Any, cluster: str, name: str) -> str:
    arn = _ecs(world).describe_services(cluster=cluster, services=[name])["services"][0]["taskDefinition"]
    return str(arn).rsplit("/", 1)[-1]


def _one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_update_wait_follows_a_rolling_service_deployment_to_successful(world, ecsshell, small) -> None:
    result = ecsshell("update", "prod", "api", ":2.5.0", "--wait", "--output", "json")
    assert result.code == 0, result.err
    current = _current(world, "prod", "api")
    assert current["status"] == "SUCCESSFUL"
    doc = json.loads(result.out)
    assert doc["outcome"]["state"] == "COMPLETED"
    assert doc["outcome"]["serviceDeploymentArn"] == current["serviceDeploymentArn"]
    assert doc["outcome"]["serviceDeploymentStatus"] == "SUCCESSFUL"
    calls = world.recorder.snapshot()
    assert calls["DescribeServiceDeployments"] >= 1 and calls["RegisterTaskDefinition"] == 1


def test_deployments_lists_the_history_newest_first_and_shows_one(world, ecsshell, small) -> None:
    assert ecsshell("update", "prod", "api", ":2.5.0", "--wait").code == 0
    result = ecsshell("deployments", "prod", "api")
    assert result.code == 0, result.err
    arns = [b["serviceDeploymentArn"] for b in _ecs(world).list_service_deployments(
        cluster="prod", service="api")["serviceDeployments"]]
    newest = arns[0].rsplit("/", 1)[-1]
    assert result.out.index(newest) < result.out.index(arns[-1].rsplit("/", 1)[-1])
    assert "SUCCESSFUL" in result.out and "api:3" in result.out and "api:4" in result.out
    detail = ecsshell("deployments", "prod", "api", "--", newest[:8])  # `--`: an id may begin with `-`
    assert detail.code == 0, detail.err
    assert f"Service deployment {newest}" in detail.out and f"{API_IMAGE}:2.5.0" in detail.out
    assert "sha256:" in detail.out
    doc = json.loads(ecsshell("--output", "json", "deployments", "prod", "api").out)
    first = doc["serviceDeployments"][0]
    assert first["serviceDeploymentArn"] == arns[0] and first["status"] == "SUCCESSFUL"
    assert first["ecsshell"]["strategy"] == "ROLLING"
    assert first["ecsshell"]["targetRevision"] == "api:4" and first["ecsshell"]["sourceRevisions"] == ["api:3"]
    target = first["targetServiceRevision"]["arn"]
    (revision,) = [r for r in doc["serviceRevisions"] if r["serviceRevisionArn"] == target]
    assert revision["containerImages"][0]["imageDigest"].startswith("sha256:")
    missing = ecsshell("deployments", "prod", "api", "zzzz")
    assert missing.code == 1 and "has no deployment 'zzzz'" in _one_error(missing.err)


def test_rollback_during_a_deployment_asks_ecs_to_stop_it(world, ecsshell, small) -> None:
    assert ecsshell("update", "prod", "api", ":2.5.0", "--no-wait").code == 0
    world.advance(1)
    assert _current(world, "prod", "api")["status"] == "IN_PROGRESS"
    world.recorder.reset()
    result = ecsshell("rollback", "prod", "api", "--wait", "-y")
    assert result.code == 0, result.err
    calls = world.recorder.snapshot()
    assert calls["StopServiceDeployment"] == 1
    assert calls.get("UpdateService", 0) == 0 and calls.get("RegisterTaskDefinition", 0) == 0
    current = _current(world, "prod", "api")
    assert current["status"] == "ROLLBACK_SUCCESSFUL"
    assert _revision(world, "prod", "api") == "api:3"
    assert "stopped deployment" in result.out and "ECS rolls back to api:3" in result.out


def test_rollback_with_no_deployment_going_goes_back_a_revision_as_before(world, ecsshell, small) -> None:
    result = ecsshell("rollback", "prod", "api", "--no-wait", "-y")
    assert result.code == 0, result.err
    assert world.recorder.snapshot().get("StopServiceDeployment", 0) == 0
    assert _revision(world, "prod", "api") == "api:2"


def test_a_code_deploy_service_is_refused_with_nothing_registered(world, ecsshell, small) -> None:
    ecs = _ecs(world)
    td = ecs.describe_services(cluster="prod", services=["api"])["services"][0]["taskDefinition"]
    ecs.create_service(cluster="prod", serviceName="bluegreen", taskDefinition=td, desiredCount=1,
                       launchType="FARGATE", deploymentController={"type": "CODE_DEPLOY"},
                       networkConfiguration=small["network_configuration"])
    before = ecs.list_task_definitions(familyPrefix="api")["taskDefinitionArns"]
    world.recorder.reset()
    result = ecsshell("update", "prod", "bluegreen", ":2.5.0", "--wait")
    assert result.code == 1
    assert _one_error(result.err).startswith("error: bluegreen is deployed by CodeDeploy (deploymentController "
                                             "CODE_DEPLOY)")
    assert ecs.list_task_definitions(familyPrefix="api")["taskDefinitionArns"] == before
    assert world.recorder.snapshot().get("RegisterTaskDefinition", 0) == 0
    shown = ecsshell("ls", "prod", "bluegreen")
    assert shown.code == 0 and "deployed by CODE_DEPLOY" in " ".join(shown.out.split()), shown.err
    history = ecsshell("deployments", "prod", "bluegreen")
    assert history.code == 0 and "ECS lists no service deployments for bluegreen in prod" in history.out


def test_ls_service_shows_the_digest_that_runs_for_a_tag_pushed_twice(world, ecsshell, small) -> None:
    image = f"{API_IMAGE}:2.5.0"
    first = world.registry.push(image)
    assert ecsshell("update", "prod", "api", ":2.5.0", "--wait").code == 0
    second = world.registry.push(image)
    assert second != first
    shown = ecsshell("ls", "prod", "api")
    assert shown.code == 0, shown.err
    assert "Running images" in shown.out and first in shown.out and second not in shown.out
    doc = json.loads(ecsshell("--output", "json", "ls", "prod", "api").out)
    assert [i["imageDigest"] for r in doc["serviceRevisions"] for i in r["containerImages"]] == [first]


def test_check_warns_when_tasks_of_one_service_run_two_digests_of_a_tag(world, ecsshell, small) -> None:
    image = f"{API_IMAGE}:2.5.0"
    ecs = _ecs(world)
    spec = ecs.describe_task_definition(taskDefinition="api")["taskDefinition"]
    container = {**spec["containerDefinitions"][0], "image": image, "versionConsistency": "disabled"}
    keep = ("family", "networkMode", "cpu", "memory", "requiresCompatibilities", "executionRoleArn")
    td = ecs.register_task_definition(containerDefinitions=[container], **{k: spec[k] for k in keep if k in spec})
    ecs.update_service(cluster="prod", service="api", taskDefinition=td["taskDefinition"]["taskDefinitionArn"])
    world.advance(30)
    assert ecsshell("check", "prod", "api").code == 0
    world.registry.push(image)  # without version consistency a task started now pulls the new digest
    assert ecsshell("scale", "prod", "api", "3", "--wait", "-y").code == 0
    checked = ecsshell("check", "prod", "api")
    assert checked.code == 1
    assert f"tasks of api run 2 digests of {image} (container api: sha256:" in checked.out, checked.out


def test_the_fallback_when_describe_service_revisions_is_refused(world, ecsshell, small) -> None:
    assert ecsshell("update", "prod", "api", ":2.5.0", "--wait").code == 0
    world.faults.fail("DescribeServiceRevisions", status=400, times=10, body=DENIED,
                      content_type="application/x-amz-json-1.1")
    shown = ecsshell("ls", "prod", "api")
    assert shown.code == 0 and not shown.err, shown.err
    assert "Running images" not in shown.out and "api:4" in shown.out
    history = ecsshell("deployments", "prod", "api")
    assert history.code == 0 and not history.err, history.err


def test_the_fallback_when_service_deployments_are_refused(world, ecsshell, small) -> None:
    world.faults.fail("DescribeServiceDeployments", status=400, times=1000, body=DENIED,
                      content_type="application/x-amz-json-1.1")
    result = ecsshell("update", "prod", "api", ":2.5.0", "--wait")
    assert result.code == 0, result.err
    assert "rollout of api:4 done: api runs 2/2 tasks of api:4" in result.out  # followed deployments[] instead
    assert ecsshell("check", "prod", "api").code == 0
    world.faults.fail("ListServiceDeployments", status=400, times=10, body=DENIED,
                      content_type="application/x-amz-json-1.1")
    refused = ecsshell("deployments", "prod", "api")
    assert refused.code == 1 and "ECS lists no service deployments for api" in _one_error(refused.err)


# BLUE_GREEN, CANARY and hooks, followed by `update --wait` -------------------------------------------------
STAGED_ORDER = [s for s in LIFECYCLE_STAGES if s != "RECONCILE_SERVICE"]  # one revision running: no reconcile


def _staged(world: Any, strategy: str, hooks: list[dict[str, Any]] | None = None, **config: Any) -> None:
    """Create service web of cluster c with STRATEGY on web:1 (web:2 registered, not deployed), settled."""
    from ecsshell.emulator.worlds import staged_service

    staged_service(world, "c", "web", strategy, hooks=hooks, deploy=False, **config)
    world.recorder.reset()


def _stage_lines(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line.startswith("stage ")]


def _skipping(world: Any, at: int, seconds: float) -> Callable[[float], None]:
    """Return a sleep that once, at its AT-th call, lets SECONDS more pass: that poll misses stages."""
    calls: list[float] = []

    def sleep(wait: float) -> None:
        calls.append(wait)
        world.advance(wait + (seconds if len(calls) == at else 0))

    return sleep


def test_blue_green_stages_are_printed_in_order_even_when_a_poll_skips_some(world, home, tmp_path) -> None:
    from harness import run_ecsshell

    _staged(world, "BLUE_GREEN", bakeTimeInMinutes=2)
    result = run_ecsshell(world, home, "update", "c", "web", ":1.28", "--wait", sleep=_skipping(world, 2, 5))
    assert result.code == 0, result.err
    assert _stage_lines(result.out) == STAGED_ORDER
    assert "(passed between two polls)" in result.out  # the long sleep jumped over stages; they are still told
    assert "following service deployment" in result.out and "(BLUE_GREEN, IN_PROGRESS)" in result.out
    assert "; bake time left 2m" in result.out and "; bake time left 1m" in result.out
    assert "rollout of web:3 done" in result.out
    assert _current(world, "c", "web")["status"] == "SUCCESSFUL"


def test_ls_shows_the_stage_traffic_and_bake_time_left_while_it_bakes(world, ecsshell) -> None:
    world.scheduler.backdate(200)  # emulated time runs behind the wall clock, so `ls` can count against it
    _staged(world, "BLUE_GREEN", bakeTimeInMinutes=5)
    assert ecsshell("update", "c", "web", ":1.28", "--no-wait").code == 0
    for _ in range(60):
        world.advance(1)
        if _current(world, "c", "web").get("lifecycleStage") == "BAKE_TIME":
            break
    baking_since = world.scheduler.now()
    world.scheduler.catch_up(behind=0)  # now a minute or two later, still baking
    baked = (world.scheduler.now() - baking_since).total_seconds()
    assert 30 < baked < 240, baked
    shown = ecsshell("ls", "c", "web")
    assert shown.code == 0, shown.err
    out = " ".join(shown.out.split())
    assert "strategy BLUE_GREEN" in out and "IN_PROGRESS at BAKE_TIME" in out
    assert "target web:3 production 100%, test 100%; source web:1 production 0%" in out
    left = re.search(r"bake time (\d+)m(\d\d)s left", out)
    assert left, out
    assert abs(int(left.group(1)) * 60 + int(left.group(2)) - (300 - baked)) <= 5
    assert "Running images" in out and "nginx:1.28" in out and "sha256:" in out


def test_a_pause_hook_is_waited_at_then_continued_by_the_continue_command(world, home) -> None:
    from harness import run_ecsshell

    _staged(world, "BLUE_GREEN", hooks=[{"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"]}],
            bakeTimeInMinutes=0)
    continued: list[Any] = []

    def sleep(seconds: float) -> None:
        world.advance(seconds)
        hooks = _current(world, "c", "web").get("lifecycleHookDetails") or []
        if not continued and any(h["status"] == "AWAITING_ACTION" for h in hooks):
            world.advance(60)  # a person takes a minute to look; the wait goes on meanwhile
            continued.append(run_ecsshell(world, home, "continue", "c", "web", "-y"))

    result = run_ecsshell(world, home, "update", "c", "web", ":1.28", "--wait", sleep=sleep)
    assert result.code == 0, result.err
    assert continued and continued[0].code == 0, continued
    assert "released from hook" in continued[0].out and "ECS goes on with it" in continued[0].out
    lines = result.out.splitlines()
    waiting = [line for line in lines if "is paused at POST_SCALE_UP by hook" in line]
    assert len(waiting) == 1
    assert "`continue c web` to go on, or `continue --rollback c web` to roll back" in waiting[0]
    assert _stage_lines(result.out) == STAGED_ORDER
    assert world.recorder.snapshot()["ContinueServiceDeployment"] == 1
    done = _current(world, "c", "web")
    assert done["status"] == "SUCCESSFUL" and done["lifecycleHookDetails"][0]["status"] == "SUCCEEDED"


def test_continue_rollback_rolls_a_paused_deployment_back_and_nothing_waiting_is_refused(world, ecsshell) -> None:
    _staged(world, "BLUE_GREEN", hooks=[{"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"]}])
    assert ecsshell("update", "c", "web", ":1.28", "--no-wait").code == 0
    world.advance(10)
    result = ecsshell("continue", "--rollback", "c", "web", "-y", "--output", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["action"] == "ROLLBACK" and doc["hookId"]
    world.advance(10)
    assert _current(world, "c", "web")["status"] == "ROLLBACK_SUCCESSFUL"
    assert _revision(world, "c", "web") == "web:1"
    world.recorder.reset()
    again = ecsshell("continue", "c", "web", "-y")
    assert again.code == 1
    assert _one_error(again.err).startswith("error: nothing waits to be continued in web (deployment ")
    assert world.recorder.snapshot().get("ContinueServiceDeployment", 0) == 0
    read_only = ecsshell("--read-only", "continue", "c", "web", "-y")
    assert read_only.code != 0 and world.recorder.snapshot().get("ContinueServiceDeployment", 0) == 0


def test_a_canary_rolled_back_by_the_circuit_breaker_exits_1_saying_so(world, home) -> None:
    from harness import run_ecsshell
    from test_deploy import breaking

    _staged(world, "CANARY")
    result = run_ecsshell(world, home, "update", "c", "web", ":1.28", "--wait", sleep=breaking(world, "web"))
    assert result.code == 1
    line = _one_error(result.err)
    assert line.startswith("error: rollout of web:3 failed: ECS deployment circuit breaker")
    assert "; ECS rolled back (circuit-breaker rollback); web runs web:1 again" in line, line
    assert _current(world, "c", "web")["status"] == "ROLLBACK_SUCCESSFUL"  # followed to its end
    assert _revision(world, "c", "web") == "web:1"


def test_the_readme_service_deployment_examples_run_against_the_demo_world(world, ecsshell) -> None:
    from test_readme import run_examples

    from ecsshell.emulator.worlds import demo_world

    demo_world(world)
    run_examples(ecsshell, "<!-- deployments:", 6)
    assert _current(world, "prod", "web")["status"] == "SUCCESSFUL"  # the update in the block went through
    hooks = _current(world, "releases", "storefront")["lifecycleHookDetails"]
    assert [h["status"] for h in hooks if h["targetType"] == "PAUSE"] != ["AWAITING_ACTION"]  # continued


def test_on_a_terminal_stage_lines_print_above_the_live_progress_line(world, home) -> None:
    from harness import run_ecsshell

    _staged(world, "BLUE_GREEN", bakeTimeInMinutes=1)
    result = run_ecsshell(world, home, "update", "c", "web", ":1.28", "--wait", "-y", stdout_tty=True,
                          extra={"COLUMNS": "200"})  # wide enough for the whole progress line
    assert result.code == 0, result.err
    assert "\r\x1b[2K" in result.out and "bake 1m left" in result.out
    kept = [part for part in result.out.split("\r\x1b[2K") if part.endswith("\n")]  # lines left on the screen
    plain = "".join(kept)
    assert _stage_lines(plain) == STAGED_ORDER


def test_continue_wait_follows_the_released_deployment_through_its_stages_to_the_end(world, ecsshell) -> None:
    from ecsshell.emulator.worlds import demo_world

    demo_world(world)  # releases/storefront: BLUE_GREEN, paused at POST_TEST_TRAFFIC_SHIFT, 10 minutes' bake
    result = ecsshell("continue", "releases", "storefront", "-y", "--wait", "--timeout", "30m")
    assert result.code == 0, result.err
    stages = _stage_lines(result.out)
    assert stages[-4:] == ["PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"]
    assert [s for s in STAGED_ORDER if s in stages] == stages  # in order, each once
    assert "bake time left" in result.out and "SUCCESSFUL" in result.out
    assert _current(world, "releases", "storefront")["status"] == "SUCCESSFUL"
    timed_out = ecsshell("continue", "releases", "ledger", "-y", "--wait")
    assert timed_out.code == 1 and "nothing waits to be continued" in timed_out.err  # a canary waits at no hook

"""Service deployments and revisions in the emulated world answer as ECS does, through real boto3 clients.

Every answer is also walked against the botocore model: each key must be a member of its shape and
each enum value one the model allows, so a field name or value ECS does not have fails the test.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from ecsshell.emulator import World
from ecsshell.emulator.scheduler import CIRCUIT_BREAKER_REASON

MODEL = botocore.session.get_session().get_service_model("ecs")
ORDER = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
         "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME",
         "CLEAN_UP"]


# helpers -----------------------------------------------------------------------------------------
def conforms(value: Any, shape: Any, path: str = "") -> None:
    """Fail unless VALUE (a parsed answer) has only members, types and enum values SHAPE allows."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), path
        for key, item in value.items():
            if key == "ResponseMetadata" and not path:
                continue
            assert key in shape.members, f"{path}.{key} is not in {shape.name}"
            conforms(item, shape.members[key], f"{path}.{key}")
    elif kind == "list":
        assert isinstance(value, list), path
        for index, item in enumerate(value):
            conforms(item, shape.member, f"{path}[{index}]")
    elif kind == "map":
        assert isinstance(value, dict), path
    elif kind == "string":
        assert isinstance(value, str), path
        if shape.enum:
            assert value in shape.enum, f"{path}={value} not in {shape.enum}"
    elif kind == "timestamp":
        assert isinstance(value, datetime), path
    elif kind == "boolean":
        assert isinstance(value, bool), path
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), path
    elif kind in ("double", "float"):
        assert isinstance(value, int | float), path


def checked(ecs: Any, operation: str, **params: Any) -> dict[str, Any]:
    """Call OPERATION (snake_case) and check its answer against the botocore model."""
    answer = getattr(ecs, operation)(**params)
    name = "".join(part.capitalize() for part in operation.split("_"))
    conforms(answer, MODEL.operation_model(name).output_shape)
    return dict(answer)


def code_of(err: pytest.ExceptionInfo[ClientError]) -> str:
    return str(err.value.response["Error"]["Code"])


def register(ecs: Any, family: str, image: str = "nginx:1.25", **extra: Any) -> str:
    container = {"name": family, "image": image, "memory": 128, "essential": True,
                 "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}], **extra}
    answer = ecs.register_task_definition(family=family, networkMode="bridge", containerDefinitions=[container])
    return str(answer["taskDefinition"]["taskDefinitionArn"])


def cluster_with_instance(world: World, name: str = "c") -> Any:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName=name)
    instance = world.client("ec2").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]
    ecs.register_container_instance(cluster=name, instanceIdentityDocument=json.dumps(
        {"instanceId": instance["InstanceId"]}))
    return ecs


def service(ecs: Any, name: str, task_definition: str, desired: int = 2, **extra: Any) -> dict[str, Any]:
    return dict(ecs.create_service(cluster="c", serviceName=name, taskDefinition=task_definition,
                                   desiredCount=desired, launchType="EC2", **extra)["service"])


def deployments(ecs: Any, name: str) -> list[dict[str, Any]]:
    """Return NAME's service deployments, newest first, described in full."""
    briefs = checked(ecs, "list_service_deployments", cluster="c", service=name)["serviceDeployments"]
    arns = [b["serviceDeploymentArn"] for b in briefs]
    described = checked(ecs, "describe_service_deployments", serviceDeploymentArns=arns)["serviceDeployments"]
    by_arn = {d["serviceDeploymentArn"]: d for d in described}
    return [by_arn[a] for a in arns]


def latest(ecs: Any, name: str) -> dict[str, Any]:
    return deployments(ecs, name)[0]


def describe(ecs: Any, name: str) -> dict[str, Any]:
    return dict(checked(ecs, "describe_services", cluster="c", services=[name])["services"][0])


def rolled(world: World, ecs: Any, name: str = "web", breaker: dict[str, bool] | None = None) -> tuple[str, str]:
    """Create NAME on a first revision, let it settle, and register a second; return both task definitions."""
    first = register(ecs, name, "nginx:1")
    second = register(ecs, name, "nginx:2")
    config: dict[str, Any] = {"maximumPercent": 200, "minimumHealthyPercent": 100,
                              "deploymentCircuitBreaker": breaker or {"enable": True, "rollback": True}}
    service(ecs, name, first, deploymentConfiguration=config)
    world.advance(5)
    return first, second


# ROLLING ---------------------------------------------------------------------------------------------
def test_create_service_makes_a_deployment_and_revision_that_succeed_when_steady(world: World) -> None:
    ecs = cluster_with_instance(world)
    td = register(ecs, "web")
    created = service(ecs, "web", td)
    arn = created["currentServiceDeployment"]
    prefix = "arn:aws:ecs:us-east-1:123456789012"
    assert arn.startswith(f"{prefix}:service-deployment/c/web/")
    [revision] = created["currentServiceRevisions"]
    assert revision["arn"] == f"{prefix}:service-revision/c/web/1" and revision["requestedTaskCount"] == 2

    first = latest(ecs, "web")
    assert first["status"] == "IN_PROGRESS" and first["sourceServiceRevisions"] == []
    assert first["deploymentCircuitBreaker"] == {"status": "MONITORING", "failureCount": 0, "threshold": 3}
    world.advance(5)
    done = latest(ecs, "web")
    assert done["status"] == "SUCCESSFUL" and done["finishedAt"] >= done["startedAt"]
    assert done["targetServiceRevision"]["runningTaskCount"] == 2
    assert describe(ecs, "web")["currentServiceRevisions"] == [
        {"arn": revision["arn"], "requestedTaskCount": 2, "runningTaskCount": 2, "pendingTaskCount": 0}]


def test_rolling_update_runs_in_progress_to_successful_on_the_emulated_clock(world: World) -> None:
    ecs = cluster_with_instance(world)
    _first, second = rolled(world, ecs)
    before = world.scheduler.now()
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(2)
    running = latest(ecs, "web")
    assert running["status"] == "IN_PROGRESS" and running["createdAt"] == before
    assert [s["arn"].rsplit("/", 1)[-1] for s in running["sourceServiceRevisions"]] == ["1"]
    assert running["targetServiceRevision"]["arn"].endswith("/web/2")
    assert {r["arn"].rsplit("/", 1)[-1] for r in describe(ecs, "web")["currentServiceRevisions"]} == {"1", "2"}
    world.advance(10)
    done = latest(ecs, "web")
    assert done["status"] == "SUCCESSFUL"
    assert done["finishedAt"] == before + timedelta(seconds=6)  # 3 s to start, then steady, 2 s to drain
    assert done["sourceServiceRevisions"][0]["runningTaskCount"] == 0
    revisions = checked(ecs, "describe_service_revisions",
                        serviceRevisionArns=[done["targetServiceRevision"]["arn"]])["serviceRevisions"]
    assert revisions[0]["taskDefinition"] == second and revisions[0]["launchType"] == "EC2"


def test_a_newer_deployment_stops_an_unfinished_one(world: World) -> None:
    ecs = cluster_with_instance(world)
    first, second = rolled(world, ecs)
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(1)
    ecs.update_service(cluster="c", service="web", taskDefinition=first)
    world.advance(12)
    newest, superseded = deployments(ecs, "web")[:2]
    assert superseded["status"] == "STOPPED" and "stoppedAt" in superseded and "newer" in superseded["statusReason"]
    assert newest["status"] == "SUCCESSFUL"
    assert newest["targetServiceRevision"]["arn"].endswith("/web/3")  # a new revision, even of an old definition


def test_scaling_and_force_make_deployments_only_force_makes_a_revision(world: World) -> None:
    ecs = cluster_with_instance(world)
    td = register(ecs, "web")
    service(ecs, "web", td)
    world.advance(5)
    ecs.update_service(cluster="c", service="web", desiredCount=3)
    world.advance(5)
    scaled = latest(ecs, "web")
    assert scaled["status"] == "SUCCESSFUL" and scaled["targetServiceRevision"]["arn"].endswith("/web/1")
    assert scaled["targetServiceRevision"]["runningTaskCount"] == 3
    ecs.update_service(cluster="c", service="web", forceNewDeployment=True)
    world.advance(10)
    forced = latest(ecs, "web")
    assert forced["status"] == "SUCCESSFUL" and forced["targetServiceRevision"]["arn"].endswith("/web/2")
    assert len(deployments(ecs, "web")) == 3


def test_circuit_breaker_rollback_ends_rollback_successful_on_the_old_revision(world: World) -> None:
    ecs = cluster_with_instance(world)
    first, second = rolled(world, ecs)
    world.scheduler.break_revision(second)
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(40)
    failed = latest(ecs, "web")
    assert failed["status"] == "ROLLBACK_SUCCESSFUL", failed
    assert failed["statusReason"].startswith(CIRCUIT_BREAKER_REASON)
    assert failed["rollback"]["serviceRevisionArn"].endswith("/web/1")
    assert failed["deploymentCircuitBreaker"]["status"] == "TRIGGERED"
    assert failed["deploymentCircuitBreaker"]["failureCount"] >= 3
    current = describe(ecs, "web")
    assert current["taskDefinition"] == first
    assert [r["arn"].rsplit("/", 1)[-1] for r in current["currentServiceRevisions"]] == ["1"]


def test_circuit_breaker_without_rollback_stops_the_deployment(world: World) -> None:
    ecs = cluster_with_instance(world)
    _first, second = rolled(world, ecs, breaker={"enable": True, "rollback": False})
    world.scheduler.break_revision(second)
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(40)
    stopped = latest(ecs, "web")
    assert stopped["status"] == "STOPPED" and "stoppedAt" in stopped and "rollback" not in stopped
    assert stopped["deploymentCircuitBreaker"]["status"] == "TRIGGERED"


# the read APIs: paging, filters, limits, failures -------------------------------------------------------
def test_list_service_deployments_pages_by_twenty_and_filters(world: World) -> None:
    ecs = cluster_with_instance(world)
    td = register(ecs, "web")
    service(ecs, "web", td, desired=0)
    for count in range(1, 25):
        ecs.update_service(cluster="c", service="web", desiredCount=count % 2)
        world.advance(1)
    first = checked(ecs, "list_service_deployments", cluster="c", service="web")
    assert len(first["serviceDeployments"]) == 20 and "nextToken" in first
    rest = checked(ecs, "list_service_deployments", cluster="c", service="web", nextToken=first["nextToken"])
    assert len(rest["serviceDeployments"]) == 5 and "nextToken" not in rest
    every = first["serviceDeployments"] + rest["serviceDeployments"]
    assert len({d["serviceDeploymentArn"] for d in every}) == 25
    assert [d["createdAt"] for d in every] == sorted((d["createdAt"] for d in every), reverse=True)
    assert len(ecs.list_service_deployments(cluster="c", service="web", maxResults=100)["serviceDeployments"]) == 25
    for bad in (0, 101):
        with pytest.raises(ClientError) as err:
            ecs.list_service_deployments(cluster="c", service="web", maxResults=bad)
        assert code_of(err) == "InvalidParameterException"

    stopped = ecs.list_service_deployments(cluster="c", service="web", status=["STOPPED"], maxResults=100)
    assert stopped["serviceDeployments"] and all(d["status"] == "STOPPED" for d in stopped["serviceDeployments"])
    middle = every[10]["createdAt"]
    newer = ecs.list_service_deployments(cluster="c", service="web", createdAt={"after": middle},
                                         maxResults=100)["serviceDeployments"]
    assert len(newer) == 11
    with pytest.raises(ClientError) as err:
        ecs.list_service_deployments(cluster="c", service="nope")
    assert code_of(err) == "ServiceNotFoundException"
    with pytest.raises(ClientError) as err:
        ecs.list_service_deployments(cluster="nope", service="web")
    assert code_of(err) == "ClusterNotFoundException"


def test_describe_calls_take_twenty_arns_and_report_unknown_ones_as_failures(world: World) -> None:
    ecs = cluster_with_instance(world)
    td = register(ecs, "web")
    service(ecs, "web", td)
    arn = describe(ecs, "web")["currentServiceDeployment"]
    revision = describe(ecs, "web")["currentServiceRevisions"][0]["arn"]
    missing = arn.rsplit("/", 1)[0] + "/doesnotexist"
    answer = checked(ecs, "describe_service_deployments", serviceDeploymentArns=[arn, missing])
    assert [d["serviceDeploymentArn"] for d in answer["serviceDeployments"]] == [arn]
    assert answer["failures"] == [{"arn": missing, "reason": "MISSING"}]
    answer = checked(ecs, "describe_service_revisions", serviceRevisionArns=[revision, revision + "9"])
    assert len(answer["serviceRevisions"]) == 1 and answer["failures"][0]["arn"] == revision + "9"
    for operation, key, value in (("describe_service_deployments", "serviceDeploymentArns", arn),
                                  ("describe_service_revisions", "serviceRevisionArns", revision)):
        assert getattr(ecs, operation)(**{key: [value] * 20})
        with pytest.raises(ClientError) as err:
            getattr(ecs, operation)(**{key: [value] * 21})
        assert code_of(err) == "InvalidParameterException"


def test_describe_service_revisions_can_be_refused_by_an_injected_fault(world: World) -> None:
    ecs = world.client("ecs", retries={"total_max_attempts": 1})
    world.faults.fail("DescribeServiceRevisions", status=400, body=json.dumps(
        {"__type": "AccessDeniedException", "message": "not allowed"}), content_type="application/x-amz-json-1.1")
    with pytest.raises(ClientError) as err:
        ecs.describe_service_revisions(serviceRevisionArns=["arn:aws:ecs:us-east-1:1:service-revision/c/s/1"])
    assert code_of(err) == "AccessDeniedException"
    assert world.recorder.snapshot()["DescribeServiceRevisions"] == 1


# digests ---------------------------------------------------------------------------------------------
def test_a_tag_pushed_again_gets_a_new_digest_for_the_next_deployment_only(world: World) -> None:
    ecs = cluster_with_instance(world)
    td = register(ecs, "web", "registry.example.com/team/web:latest")
    service(ecs, "web", td)
    world.advance(5)
    first = describe(ecs, "web")["currentServiceRevisions"][0]["arn"]
    old = checked(ecs, "describe_service_revisions", serviceRevisionArns=[first])["serviceRevisions"][0]
    [image] = old["containerImages"]
    assert image["image"] == "registry.example.com/team/web:latest" and image["imageDigest"].startswith("sha256:")

    pushed = world.registry.push("registry.example.com/team/web:latest")
    assert pushed != image["imageDigest"] and world.registry.digest("registry.example.com/team/web") == pushed
    tasks = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    described = checked(ecs, "describe_tasks", cluster="c", tasks=tasks)["tasks"]
    assert {c["imageDigest"] for t in described for c in t["containers"]} == {image["imageDigest"]}

    ecs.update_service(cluster="c", service="web", forceNewDeployment=True)
    world.advance(12)
    second = describe(ecs, "web")["currentServiceRevisions"][0]["arn"]
    new = checked(ecs, "describe_service_revisions", serviceRevisionArns=[second])["serviceRevisions"][0]
    assert new["containerImages"][0]["imageDigest"] == pushed
    tasks = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    assert {c["imageDigest"] for t in ecs.describe_tasks(cluster="c", tasks=tasks)["tasks"]
            for c in t["containers"]} == {pushed}
    assert checked(ecs, "describe_service_revisions", serviceRevisionArns=[first])["serviceRevisions"][0][
        "containerImages"][0]["imageDigest"] == image["imageDigest"]


# StopServiceDeployment --------------------------------------------------------------------------------
def test_stop_with_rollback_returns_to_the_source_revision(world: World) -> None:
    ecs = cluster_with_instance(world)
    first, second = rolled(world, ecs)
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(1)
    arn = describe(ecs, "web")["currentServiceDeployment"]
    assert checked(ecs, "stop_service_deployment", serviceDeploymentArn=arn,
                   stopType="ROLLBACK")["serviceDeploymentArn"] == arn
    assert latest(ecs, "web")["status"] == "ROLLBACK_REQUESTED"
    world.advance(1)
    assert latest(ecs, "web")["status"] == "ROLLBACK_IN_PROGRESS"
    world.advance(12)
    stopped = latest(ecs, "web")
    assert stopped["status"] == "ROLLBACK_SUCCESSFUL" and stopped["rollback"]["serviceRevisionArn"].endswith("/1")
    assert describe(ecs, "web")["taskDefinition"] == first
    tasks = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    assert {t["taskDefinitionArn"] for t in ecs.describe_tasks(cluster="c", tasks=tasks)["tasks"]} == {first}
    with pytest.raises(ClientError) as err:
        ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
    assert code_of(err) == "ConflictException"


def test_stop_with_abort_ends_stopped(world: World) -> None:
    ecs = cluster_with_instance(world)
    _first, second = rolled(world, ecs)
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(1)
    arn = describe(ecs, "web")["currentServiceDeployment"]
    ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ABORT")
    assert latest(ecs, "web")["status"] == "STOP_REQUESTED"
    world.advance(1)
    aborted = latest(ecs, "web")
    assert aborted["status"] == "STOPPED" and "stoppedAt" in aborted and "rollback" not in aborted
    with pytest.raises(ClientError) as err:
        ecs.stop_service_deployment(serviceDeploymentArn=arn.rsplit("/", 1)[0] + "/unknown")
    assert code_of(err) == "ServiceDeploymentNotFoundException"


# deployment controllers that ECS does not drive ----------------------------------------------------
@pytest.mark.parametrize("controller", ["CODE_DEPLOY", "EXTERNAL"])
def test_update_service_refuses_a_new_task_definition_for_other_controllers(world: World, controller: str) -> None:
    ecs = cluster_with_instance(world)
    first = register(ecs, "web", "nginx:1")
    second = register(ecs, "web", "nginx:2")
    created = service(ecs, "web", first, deploymentController={"type": controller})
    assert "currentServiceDeployment" not in created
    with pytest.raises(ClientError) as err:
        ecs.update_service(cluster="c", service="web", taskDefinition=second)
    assert code_of(err) == "InvalidParameterException"
    assert err.value.response["Error"]["Message"].startswith(
        f"Unable to update task definition on services with a {controller} deployment controller.")
    ecs.update_service(cluster="c", service="web", desiredCount=3)  # scaling is still allowed
    world.advance(10)
    after = describe(ecs, "web")
    assert after["taskDefinition"] == first and after["desiredCount"] == 3
    assert ecs.list_tasks(cluster="c", serviceName="web")["taskArns"] == []  # the scheduler leaves it alone
    assert ecs.list_service_deployments(cluster="c", service="web")["serviceDeployments"] == []

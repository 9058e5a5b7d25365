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
FINISHED = ("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")


# helpers -----------------------------------------------------------------------------------------
def conforms(value: Any, shape: Any, path: str = "") -> None:
    """Fail unless VALUE (a parsed answer) has only members, types and enum values SHAPE allows."""
    kind = shape.type_name
    if kind == "structure" and shape.metadata.get("document"):
        assert isinstance(value, dict), path  # a document: any JSON object
    elif kind == "structure":
        assert isinstance(value, dict), path
        missing = [name for name in shape.required_members if name not in value]
        assert not missing, f"{path} lacks required {missing}"
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


def deploying(world: World) -> tuple[Any, str, str, str]:
    """Start web's deployment of a second revision in cluster c; return the client, both revisions, its ARN."""
    ecs = cluster_with_instance(world)
    first, second = rolled(world, ecs)
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(1)
    return ecs, first, second, describe(ecs, "web")["currentServiceDeployment"]


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
    older = ecs.list_service_deployments(cluster="c", service="web", createdAt={"before": middle},
                                         maxResults=100)["serviceDeployments"]
    assert len(older) == 15
    arn = describe(ecs, "web")["serviceArn"]
    by_arn = ecs.list_service_deployments(cluster="arn:aws:ecs:us-east-1:123456789012:cluster/c", service=arn)
    assert by_arn["serviceDeployments"] == first["serviceDeployments"]
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
    ecs, first, _second, arn = deploying(world)
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
    ecs, _first, _second, arn = deploying(world)
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


# BLUE_GREEN, LINEAR and CANARY ----------------------------------------------------------------------
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test"
ROLE = "arn:aws:iam::123456789012:role/ecs-hooks"


def staged(world: World, ecs: Any, strategy: str, name: str = "web", hooks: list[dict[str, Any]] | None = None,
           **config: Any) -> tuple[str, str]:
    """Create NAME with STRATEGY on a first revision, settled, and register a second; return both."""
    first = register(ecs, name, "nginx:1")
    second = register(ecs, name, "nginx:2")
    configuration = {"strategy": strategy, "maximumPercent": 200, "minimumHealthyPercent": 100,
                     "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                     "lifecycleHooks": hooks or [], **config}
    elb = "arn:aws:elasticloadbalancing:us-east-1:123456789012"
    balancer = {"targetGroupArn": f"{elb}:targetgroup/blue/1", "containerName": name, "containerPort": 80,
                "advancedConfiguration": {"alternateTargetGroupArn": f"{elb}:targetgroup/green/2",
                                          "productionListenerRule": f"{elb}:listener-rule/app/a/1/2/3",
                                          "testListenerRule": f"{elb}:listener-rule/app/a/1/2/4", "roleArn": ROLE}}
    service(ecs, name, first, deploymentConfiguration=configuration, loadBalancers=[balancer])
    world.advance(5)
    return first, second


def watch(world: World, ecs: Any, name: str, seconds: int) -> list[tuple[Any, ...]]:
    """Advance second by second; return each change of (status, stage, test and production weight of green)."""
    seen: list[tuple[Any, ...]] = []
    for _ in range(seconds):
        world.advance(1)
        current = latest(ecs, name)
        target = current["targetServiceRevision"]
        key = (current["status"], current.get("lifecycleStage"), target.get("requestedTestTrafficWeight"),
               target.get("requestedProductionTrafficWeight"))
        if not seen or seen[-1] != key:
            seen.append(key)
        if current["status"] in FINISHED:
            break
    return seen


def stages(seen: list[tuple[Any, ...]]) -> list[str]:
    return list(dict.fromkeys(key[1] for key in seen if key[1]))


def running_arns(ecs: Any, name: str) -> set[str]:
    return set(ecs.list_tasks(cluster="c", serviceName=name)["taskArns"])


def test_create_and_update_service_keep_strategy_settings_and_advanced_configuration(world: World) -> None:
    ecs = cluster_with_instance(world)
    staged(world, ecs, "CANARY", canaryConfiguration={"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3},
           bakeTimeInMinutes=2, hooks=[{"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"],
                                        "timeoutConfiguration": {"timeoutInMinutes": 30, "action": "CONTINUE"}}])
    described = describe(ecs, "web")
    config = described["deploymentConfiguration"]
    assert config["strategy"] == "CANARY" and config["bakeTimeInMinutes"] == 2
    assert config["canaryConfiguration"] == {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3}
    assert config["lifecycleHooks"][0]["targetType"] == "PAUSE"
    assert described["loadBalancers"][0]["advancedConfiguration"]["roleArn"] == ROLE
    ecs.update_service(cluster="c", service="web", deploymentConfiguration={
        "strategy": "LINEAR", "linearConfiguration": {"stepPercent": 20.0, "stepBakeTimeInMinutes": 1},
        "bakeTimeInMinutes": 1})
    config = describe(ecs, "web")["deploymentConfiguration"]
    assert config["strategy"] == "LINEAR" and config["linearConfiguration"]["stepPercent"] == 20.0
    assert latest(ecs, "web")["deploymentConfiguration"]["strategy"] == "LINEAR"
    revision = checked(ecs, "describe_service_revisions", serviceRevisionArns=[
        described["currentServiceRevisions"][0]["arn"]])["serviceRevisions"][0]
    assert revision["loadBalancers"][0]["advancedConfiguration"]["alternateTargetGroupArn"].endswith("green/2")
    assert revision["resolvedConfiguration"]["loadBalancers"][0]["productionListenerRule"].endswith("/3")


def test_blue_green_walks_the_stages_in_order_keeps_blue_until_clean_up_and_bakes(world: World) -> None:
    ecs = cluster_with_instance(world)
    _first, second = staged(world, ecs, "BLUE_GREEN", bakeTimeInMinutes=2)
    blue = running_arns(ecs, "web")
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    started = world.scheduler.now()
    seen = []
    both_running = False
    for _ in range(200):
        seen += watch(world, ecs, "web", 1)
        current = latest(ecs, "web")
        if current.get("lifecycleStage") == "BAKE_TIME":
            both_running = both_running or blue <= running_arns(ecs, "web")
        if current["status"] != "IN_PROGRESS":
            break
    assert stages(seen) == ["PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
                            "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT",
                            "BAKE_TIME", "CLEAN_UP"]
    assert both_running  # blue's tasks ran beside green's until CLEAN_UP
    done = latest(ecs, "web")
    assert done["status"] == "SUCCESSFUL"
    assert done["finishedAt"] - started >= timedelta(minutes=2)
    assert done["targetServiceRevision"]["requestedProductionTrafficWeight"] == 100.0
    assert done["sourceServiceRevisions"][0]["requestedProductionTrafficWeight"] == 0.0
    test_shift = next(k for k in seen if k[1] == "TEST_TRAFFIC_SHIFT")
    assert test_shift[2:] == (100.0, 0.0)  # test traffic moves first, production stays on blue
    assert not (blue & running_arns(ecs, "web"))


def test_linear_shifts_production_traffic_in_steps_with_bake_time_between(world: World) -> None:
    ecs = cluster_with_instance(world)
    _first, second = staged(world, ecs, "LINEAR", linearConfiguration={"stepPercent": 25.0,
                                                                        "stepBakeTimeInMinutes": 1})
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    seen = watch(world, ecs, "web", 400)
    production = [k[3] for k in seen if k[1] == "PRODUCTION_TRAFFIC_SHIFT"]
    assert list(dict.fromkeys(production)) == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert seen[-1][0] == "SUCCESSFUL"


def test_canary_shifts_the_canary_share_then_the_rest_after_its_bake_time(world: World) -> None:
    ecs = cluster_with_instance(world)
    _first, second = staged(world, ecs, "CANARY", canaryConfiguration={"canaryPercent": 10.0,
                                                                        "canaryBakeTimeInMinutes": 2})
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(12)
    canary = latest(ecs, "web")
    assert canary["lifecycleStage"] == "PRODUCTION_TRAFFIC_SHIFT"
    assert canary["targetServiceRevision"]["requestedProductionTrafficWeight"] == 10.0
    assert canary["sourceServiceRevisions"][0]["requestedProductionTrafficWeight"] == 90.0
    world.advance(60)
    assert latest(ecs, "web")["targetServiceRevision"]["requestedProductionTrafficWeight"] == 10.0
    seen = watch(world, ecs, "web", 120)
    assert seen[-1][0] == "SUCCESSFUL" and seen[-1][3] == 100.0


def test_circuit_breaker_failure_during_a_canary_rolls_back_to_blue_s_own_tasks(world: World) -> None:
    ecs = cluster_with_instance(world)
    first, second = staged(world, ecs, "CANARY")
    blue = running_arns(ecs, "web")
    world.scheduler.break_revision(second)
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(60)
    failed = latest(ecs, "web")
    assert failed["status"] == "ROLLBACK_SUCCESSFUL" and failed["lifecycleStage"] == "SCALE_UP"
    assert failed["rollback"]["serviceRevisionArn"] == failed["sourceServiceRevisions"][0]["arn"]
    assert failed["targetServiceRevision"]["requestedProductionTrafficWeight"] == 0.0
    assert failed["statusReason"].startswith(CIRCUIT_BREAKER_REASON)
    assert describe(ecs, "web")["taskDefinition"] == first
    assert running_arns(ecs, "web") == blue  # blue was never replaced


# lifecycle hooks ------------------------------------------------------------------------------------------
def paused(world: World, ecs: Any, **timeout: Any) -> tuple[dict[str, Any], set[str]]:
    """Deploy a blue/green service with a PAUSE hook at POST_SCALE_UP; return the paused deployment and blue."""
    hook: dict[str, Any] = {"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"]}
    if timeout:
        hook["timeoutConfiguration"] = timeout
    _first, second = staged(world, ecs, "BLUE_GREEN", hooks=[hook], bakeTimeInMinutes=1)
    blue = running_arns(ecs, "web")
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    world.advance(10)
    return latest(ecs, "web"), blue


def test_a_pause_hook_holds_the_deployment_until_continue(world: World) -> None:
    ecs = cluster_with_instance(world)
    held, _blue = paused(world, ecs)
    assert held["status"] == "IN_PROGRESS" and held["lifecycleStage"] == "POST_SCALE_UP"
    [hook] = held["lifecycleHookDetails"]
    assert hook["targetType"] == "PAUSE" and hook["status"] == "AWAITING_ACTION" and "targetArn" not in hook
    assert hook["timeoutAction"] == "ROLLBACK"
    assert hook["expiresAt"] - held["createdAt"] >= timedelta(minutes=1440) - timedelta(seconds=10)
    world.advance(120)
    assert latest(ecs, "web")["lifecycleStage"] == "POST_SCALE_UP"
    with pytest.raises(ClientError) as err:
        ecs.continue_service_deployment(serviceDeploymentArn=held["serviceDeploymentArn"], hookId="nope")
    assert code_of(err) == "InvalidParameterException"
    answer = checked(ecs, "continue_service_deployment", serviceDeploymentArn=held["serviceDeploymentArn"],
                     hookId=hook["hookId"], action="CONTINUE")
    assert answer["serviceDeploymentArn"] == held["serviceDeploymentArn"]
    seen = watch(world, ecs, "web", 200)
    assert stages(seen)[0] in ("POST_SCALE_UP", "TEST_TRAFFIC_SHIFT") and seen[-1][0] == "SUCCESSFUL"
    assert latest(ecs, "web")["lifecycleHookDetails"][0]["status"] == "SUCCEEDED"


def test_a_pause_hook_can_roll_back_and_blue_keeps_its_tasks(world: World) -> None:
    ecs = cluster_with_instance(world)
    held, blue = paused(world, ecs)
    hook = held["lifecycleHookDetails"][0]
    ecs.continue_service_deployment(serviceDeploymentArn=held["serviceDeploymentArn"], hookId=hook["hookId"],
                                    action="ROLLBACK")
    world.advance(10)
    rolled_back = latest(ecs, "web")
    assert rolled_back["status"] == "ROLLBACK_SUCCESSFUL"
    assert rolled_back["rollback"]["serviceRevisionArn"].endswith("/web/1")
    assert running_arns(ecs, "web") == blue  # blue never stopped: no task was started again


@pytest.mark.parametrize(("action", "ending"), [("ROLLBACK", "ROLLBACK_SUCCESSFUL"), ("CONTINUE", "SUCCESSFUL")])
def test_a_hook_that_times_out_takes_its_timeout_action(world: World, action: str, ending: str) -> None:
    ecs = cluster_with_instance(world)
    held, _blue = paused(world, ecs, timeoutInMinutes=2, action=action)
    assert held["lifecycleHookDetails"][0]["timeoutAction"] == action
    world.advance(120)
    seen = watch(world, ecs, "web", 200)
    assert seen[-1][0] == ending
    assert latest(ecs, "web")["lifecycleHookDetails"][0]["status"] == "TIMED_OUT"


def test_a_lambda_hook_succeeds_by_default_and_its_failure_rolls_back(world: World) -> None:
    ecs = cluster_with_instance(world)
    hook = {"targetType": "AWS_LAMBDA", "hookTargetArn": LAMBDA, "roleArn": ROLE,
            "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"], "hookDetails": {"suite": "smoke"}}
    first, second = staged(world, ecs, "BLUE_GREEN", hooks=[hook], bakeTimeInMinutes=0)
    ecs.update_service(cluster="c", service="web", taskDefinition=second)
    assert watch(world, ecs, "web", 120)[-1][0] == "SUCCESSFUL"
    detail = latest(ecs, "web")["lifecycleHookDetails"][0]
    assert detail == {**detail, "targetType": "AWS_LAMBDA", "targetArn": LAMBDA, "status": "SUCCEEDED"}
    assert world.scheduler.hooks.invocations == [(LAMBDA, "POST_TEST_TRAFFIC_SHIFT")]

    world.scheduler.hooks.fail(LAMBDA)
    ecs.update_service(cluster="c", service="web", taskDefinition=first)
    seen = watch(world, ecs, "web", 120)
    assert seen[-1][0] == "ROLLBACK_SUCCESSFUL"
    failed = latest(ecs, "web")
    assert failed["lifecycleHookDetails"][0]["status"] == "FAILED" and LAMBDA in failed["rollback"]["reason"]
    assert describe(ecs, "web")["taskDefinition"] == second


def test_stop_with_rollback_during_blue_green_keeps_blue(world: World) -> None:
    ecs = cluster_with_instance(world)
    held, blue = paused(world, ecs)
    ecs.stop_service_deployment(serviceDeploymentArn=held["serviceDeploymentArn"], stopType="ROLLBACK")
    world.advance(10)
    assert latest(ecs, "web")["status"] == "ROLLBACK_SUCCESSFUL"
    assert running_arns(ecs, "web") == blue


# the demo world and the world-side helpers ------------------------------------------------------------
def test_the_demo_world_has_a_paused_blue_green_service_and_a_canary(world: World) -> None:
    from ecsshell.emulator.worlds import demo_world

    out = demo_world(world)
    ecs = world.client("ecs")
    paused, canary = checked(ecs, "describe_service_deployments", serviceDeploymentArns=[
        out["paused_deployment"], out["canary_deployment"]])["serviceDeployments"]
    assert paused["status"] == "IN_PROGRESS" and paused["lifecycleStage"] == "POST_TEST_TRAFFIC_SHIFT"
    assert [(h["targetType"], h["status"]) for h in paused["lifecycleHookDetails"]] == [
        ("AWS_LAMBDA", "SUCCEEDED"), ("PAUSE", "AWAITING_ACTION")]
    assert paused["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
    assert canary["lifecycleStage"] == "PRODUCTION_TRAFFIC_SHIFT"
    assert canary["targetServiceRevision"]["requestedProductionTrafficWeight"] == 10.0
    storefront = ecs.describe_services(cluster="releases", services=["storefront"])["services"][0]
    assert storefront["loadBalancers"][0]["advancedConfiguration"]["alternateTargetGroupArn"] == \
        out["target_groups"]["storefront-green"]
    assert len(storefront["currentServiceRevisions"]) == 2  # blue and green both run while paused
    assert len(ecs.list_services(cluster="prod", maxResults=100)["serviceArns"]) == 9  # prod is unchanged

    hook = paused["lifecycleHookDetails"][1]["hookId"]
    ecs.continue_service_deployment(serviceDeploymentArn=out["paused_deployment"], hookId=hook)
    world.advance(700)
    assert latest_of(ecs, "releases", "storefront")["status"] == "SUCCESSFUL"


def latest_of(ecs: Any, cluster: str, name: str) -> dict[str, Any]:
    arn = ecs.describe_services(cluster=cluster, services=[name])["services"][0]["currentServiceDeployment"]
    return dict(ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0])


def test_staged_service_builds_a_staged_deployment_in_one_call(world: World) -> None:
    from ecsshell.emulator.worlds import staged_service

    out = staged_service(world, "apps", "shop", "LINEAR", linearConfiguration={"stepPercent": 50.0,
                                                                              "stepBakeTimeInMinutes": 1})
    ecs = world.client("ecs")
    assert len(out["task_definitions"]) == 2
    assert latest_of(ecs, "apps", "shop")["serviceDeploymentArn"] == out["service_deployment"]
    world.advance(90)
    done = latest_of(ecs, "apps", "shop")
    assert done["status"] == "SUCCESSFUL" and done["lifecycleStage"] == "CLEAN_UP"
    assert ecs.describe_services(cluster="apps", services=["shop"])["services"][0]["taskDefinition"] == \
        out["task_definitions"][-1]

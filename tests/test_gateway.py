"""The AWS gateway against the emulated world: round trips, concurrency, errors and conversions."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore import exceptions as bx

from ecsshell.aws import AwsError, ConfigError, Gateway, NotFound, Settings, Throttled, translate
from ecsshell.emulator import World
from ecsshell.model import Revision

READ_ONLY = {"taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
             "registeredAt", "registeredBy", "deregisteredAt"}


def connect(world: World, **settings: Any) -> Gateway:
    return Gateway.connect(Settings(endpoint_url=world.endpoint_url, region=world.region, **settings),
                           env=world.environ())


@pytest.fixture
def gw(world: World) -> Iterator[Gateway]:
    gateway = connect(world)
    yield gateway
    gateway.close()


def register(world: World, family: str = "web", image: str = "nginx:1", **extra: Any) -> str:
    answer = world.client("ecs").register_task_definition(
        family=family, containerDefinitions=[{"name": family, "image": image, "memory": 128}], **extra)
    return str(answer["taskDefinition"]["taskDefinitionArn"])


def bulk_services(world: World, cluster: str, count: int, revisions: list[str]) -> None:
    """Create COUNT services quickly through moto's backend (the API would take seconds)."""
    backend = world.backend("ecs")
    with world.lock:
        for i in range(count):
            backend.create_service(cluster, f"svc-{i:04d}", 1, task_definition_str=revisions[i % len(revisions)])


# services: the hot path ------------------------------------------------------------------------
def test_list_services_uses_full_pages_and_batches_of_ten(world: World, gw: Gateway) -> None:
    world.client("ecs").create_cluster(clusterName="prod")
    revisions = [register(world, image=f"nginx:{i}") for i in range(3)]
    bulk_services(world, "prod", 250, revisions)
    world.recorder.reset()

    progress: list[tuple[int, int]] = []
    services = gw.list_services("prod", on_progress=lambda done, listed: progress.append((done, listed)))

    assert [s.name for s in services] == [f"svc-{i:04d}" for i in range(250)]
    assert world.recorder.calls["ListServices"] == 3
    assert world.recorder.calls["DescribeServices"] == 25
    assert gw.calls == {"ListServices": 3, "DescribeServices": 25}
    assert progress[-1] == (250, 250)
    assert {s.task_definition_arn for s in services} == set(revisions)
    assert services[7].cluster == "prod" and services[7].desired == 1


def test_list_services_overlaps_calls_within_the_pool_bound(world: World) -> None:
    world.client("ecs").create_cluster(clusterName="prod")
    bulk_services(world, "prod", 150, [register(world)])
    gateway = connect(world, max_workers=4)
    try:
        world.recorder.reset()
        world.faults.latency(0.03)
        services = gateway.list_services("prod")
    finally:
        gateway.close()
    assert len(services) == 150
    assert 1 < world.recorder.peak_in_flight <= 4 + 1
    assert world.recorder.calls == {"ListServices": 2, "DescribeServices": 15}


def test_list_services_of_an_empty_or_missing_cluster(world: World, gw: Gateway) -> None:
    world.client("ecs").create_cluster(clusterName="empty")
    assert gw.list_services("empty") == []
    assert gw.calls == {"ListServices": 1}
    with pytest.raises(NotFound, match='cluster "nope" not found'):
        gw.list_services("nope")


def test_describe_services_keeps_order_and_names_the_missing_one(world: World, gw: Gateway) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="prod")
    arn = register(world)
    for name in ("b", "a", "c"):
        ecs.create_service(cluster="prod", serviceName=name, taskDefinition=arn, desiredCount=0)
    assert [s.name for s in gw.describe_services("prod", ["c", "a", "b"])] == ["c", "a", "b"]
    assert gw.describe_service("prod", "a").task_definition_arn == arn
    with pytest.raises(NotFound) as missing:
        gw.describe_services("prod", ["a", "ghost"])
    assert str(missing.value) == 'service "ghost" not found in cluster "prod"'
    ecs.delete_service(cluster="prod", service="b", force=True)
    with pytest.raises(NotFound, match='service "b" not found in cluster "prod"'):
        gw.describe_service("prod", "b")


def test_clusters_listed_by_name_and_missing_or_inactive_is_not_found(world: World, gw: Gateway) -> None:
    ecs = world.client("ecs")
    for name in ("zeta", "alpha", "gone"):
        ecs.create_cluster(clusterName=name)
    ecs.create_service(cluster="alpha", serviceName="api", taskDefinition=register(world), desiredCount=2)
    world.advance(5)
    clusters = gw.list_clusters()
    assert [c.name for c in clusters][:2] == ["alpha", "gone"]
    alpha = gw.describe_cluster("alpha")
    assert (alpha.active_services, alpha.running_tasks) == (1, 2)
    with pytest.raises(NotFound, match='cluster "nope" not found'):
        gw.describe_cluster("nope")
    ecs.delete_cluster(cluster="gone")
    with pytest.raises(NotFound, match='cluster "gone" not found'):
        gw.describe_cluster("gone")


def test_update_service_rolls_to_a_new_revision(world: World, gw: Gateway) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="prod")
    first = register(world)
    second = register(world, image="nginx:2")
    ecs.create_service(cluster="prod", serviceName="api", taskDefinition=first, desiredCount=1)
    updated = gw.update_service("prod", "api", task_definition="web:2", desired_count=3)
    assert updated.task_definition_arn == second
    assert updated.desired == 3
    assert updated.primary is not None and updated.primary.revision == "web:2"
    with pytest.raises(NotFound, match='service "ghost" not found in cluster "prod"'):
        gw.update_service("prod", "ghost", force_new_deployment=True)
    with pytest.raises(NotFound, match='task definition "web:77" not found'):
        gw.update_service("prod", "api", task_definition="web:77")


# retries and errors ----------------------------------------------------------------------------
def test_throttling_is_retried_then_succeeds(world: World, gw: Gateway) -> None:
    world.client("ecs").create_cluster(clusterName="prod")
    world.faults.throttle("ListServices", 2)
    assert gw.list_services("prod") == []
    assert world.recorder.calls["ListServices"] == 3  # two throttled attempts, then the answer
    assert gw.calls["ListServices"] == 1


def test_throttling_past_the_retries_is_one_line(world: World) -> None:
    world.client("ecs").create_cluster(clusterName="prod")
    gateway = connect(world, max_attempts=1)
    world.faults.throttle("ListServices", 5)
    try:
        with pytest.raises(Throttled) as caught:
            gateway.list_services("prod")
    finally:
        gateway.close()
    assert str(caught.value) == "AWS throttled ListServices (Rate exceeded) and retries ran out"
    assert world.recorder.calls["ListServices"] == 2


def test_server_errors_past_the_retries_are_aws_errors(world: World) -> None:
    gateway = connect(world, max_attempts=0)
    world.faults.fail("ListClusters", status=500, times=3)
    try:
        with pytest.raises(AwsError) as caught:
            gateway.list_clusters()
    finally:
        gateway.close()
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("AWS failed ListClusters with HTTP 500")


def test_unreachable_endpoint_is_an_aws_error(world: World) -> None:
    gateway = Gateway.connect(Settings(endpoint_url="http://127.0.0.1:9", region="us-east-1", max_attempts=0),
                              env=world.environ())
    try:
        with pytest.raises(AwsError, match=r"^cannot reach AWS at http://127\.0\.0\.1:9"):
            gateway.list_clusters()
    finally:
        gateway.close()


@pytest.mark.parametrize(("exc", "kind", "text"), [
    (bx.NoCredentialsError(), ConfigError,
     "no AWS credentials found: pass -cred PROFILE, -cred env, or set AWS_PROFILE"),
    (bx.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"), ConfigError,
     "incomplete AWS credentials from env: AWS_SECRET_ACCESS_KEY is missing"),
    (bx.ProfileNotFound(profile="x"), ConfigError,
     'AWS profile "x" not found in the AWS config or credentials files'),
    (bx.EndpointConnectionError(endpoint_url="http://h:1/", error="refused"), AwsError,
     "cannot reach AWS at http://h:1/: refused"),
    (bx.NoRegionError(), ConfigError, "no AWS region set: pass -region REGION or set AWS_REGION"),
    (bx.ReadTimeoutError(endpoint_url="http://h:1/"), AwsError,
     "AWS did not answer ListServices in time at http://h:1/"),
    (bx.ParamValidationError(report="Invalid type for parameter a\nMissing b"), AwsError,
     "invalid request for ListServices: Invalid type for parameter a; Missing b"),
])
def test_translate_botocore_errors(exc: Exception, kind: type, text: str) -> None:
    error = translate(exc, "ListServices", 'cluster "prod"')
    assert type(error) is kind
    assert str(error) == text


def client_error(code: str, message: str, status: int = 400) -> bx.ClientError:
    return bx.ClientError({"Error": {"Code": code, "Message": message},
                           "ResponseMetadata": {"HTTPStatusCode": status}}, "X")


@pytest.mark.parametrize(("exc", "op", "context", "kind", "text"), [
    (client_error("ClusterNotFoundException", "Cluster not found."), "ListServices", 'cluster "prod"',
     NotFound, 'cluster "prod" not found'),
    (client_error("ServiceNotFoundException", "Service not found."), "UpdateService",
     'service "api" in cluster "prod"', NotFound, 'service "api" not found in cluster "prod"'),
    (client_error("ClientException", "Unable to describe task definition."), "DescribeTaskDefinition",
     'task definition "web:99"', NotFound, 'task definition "web:99" not found'),
    (client_error("TooManyRequestsException", "Slow down", 429), "ListServices", "", Throttled,
     "AWS throttled ListServices (Slow down) and retries ran out"),
    (client_error("AccessDeniedException", "User: x is not\nauthorized"), "ListClusters", "", AwsError,
     "not allowed: ListClusters (User: x is not authorized)"),
    (client_error("AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/Dev/alice is not "
                  "authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:us-east-1:123456789012:service/"
                  "prod/api because no identity-based policy allows the ecs:UpdateService action"), "UpdateService",
     'service "api" in cluster "prod"', AwsError, "not allowed: ecs:UpdateService for "
     'arn:aws:sts::123456789012:assumed-role/Dev/alice on service "api" in cluster "prod" (no identity-based policy '
     "allows the ecs:UpdateService action)"),
    (client_error("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                  "iam:PassRole on resource: arn:aws:iam::123456789012:role/app with an explicit deny in a service "
                  "control policy"), "UpdateService", "", AwsError, "not allowed: iam:PassRole for "
     "arn:aws:iam::123456789012:user/ci (needed by UpdateService) on arn:aws:iam::123456789012:role/app (with an "
     "explicit deny in a service control policy)"),
    (client_error("InvalidParameterException", "Container.image should not be null or empty."),
     "RegisterTaskDefinition", 'task definition "web"', AwsError,
     "ECS refused RegisterTaskDefinition: Container.image should not be null or empty."),
    (client_error("UnrecognizedClientException", "The security token is invalid."), "ListClusters", "",
     ConfigError, "AWS rejected the credentials on ListClusters (UnrecognizedClientException: "
                  "The security token is invalid.)"),
])
def test_translate_client_errors(exc: Exception, op: str, context: str, kind: type, text: str) -> None:
    error = translate(exc, op, context)
    assert isinstance(error, kind)
    assert str(error) == text


# task definitions ------------------------------------------------------------------------------
RICH: dict[str, Any] = {
    "family": "rich",
    "taskRoleArn": "arn:aws:iam::123456789012:role/task",
    "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["EC2", "FARGATE"],
    "cpu": "512",
    "memory": "1024",
    "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
    "ephemeralStorage": {"sizeInGiB": 30},
    "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}],
    "volumes": [{"name": "data", "host": {"sourcePath": "/srv/data"}}],
    "containerDefinitions": [
        {
            "name": "app",
            "image": "registry.example.com:5000/team/app:1.4",
            "cpu": 256,
            "memory": 512,
            "memoryReservation": 256,
            "essential": True,
            "command": ["serve", "--port", "8080"],
            "entryPoint": ["/bin/tini", "--"],
            "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
            "environment": [{"name": "MODE", "value": "prod"}, {"name": "WORKERS", "value": "4"}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}],
            "ulimits": [{"name": "nofile", "softLimit": 65536, "hardLimit": 65536}],
            "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"],
                            "interval": 10, "timeout": 3, "retries": 3, "startPeriod": 5},
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/rich", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}},
            "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": False}],
            "dependsOn": [{"containerName": "sidecar", "condition": "START"}],
        },
        {
            "name": "sidecar",
            "image": "busybox@sha256:" + "a" * 64,
            "memory": 64,
            "essential": False,
            "command": ["sh", "-c", "sleep infinity"],
            "environment": [],
            "portMappings": [],
        },
    ],
    "tags": [{"key": "team", "value": "core"}, {"key": "cost", "value": "42"}],
}


def described(world: World, ref: str) -> dict[str, Any]:
    answer = world.client("ecs").describe_task_definition(taskDefinition=ref, include=["TAGS"])
    answer.pop("ResponseMetadata")
    return dict(answer)


def comparable(answer: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in answer["taskDefinition"].items() if k not in READ_ONLY}
    return {"taskDefinition": body, "tags": answer.get("tags", [])}


def test_register_round_trips_every_field_of_a_rich_task_definition(world: World, gw: Gateway) -> None:
    world.client("ecs").register_task_definition(**copy.deepcopy(RICH))
    before = described(world, "rich:1")

    created = gw.register_task_definition(copy.deepcopy(before))  # describe output, wrapped, with tags
    assert created.label == "rich:2"
    after = described(world, "rich:2")
    assert comparable(after) == comparable(before)
    assert {"ulimits", "healthCheck", "logConfiguration", "secrets", "dependsOn"} <= set(
        after["taskDefinition"]["containerDefinitions"][0])

    cli_input = dict(copy.deepcopy(RICH))  # register-task-definition --cli-input-json shape
    third = gw.register_task_definition(cli_input)
    assert comparable(described(world, third.arn)) == comparable(before)

    assert created.cpu == "512" and created.memory == "1024"
    assert created.execution_role_arn == RICH["executionRoleArn"]
    assert created.tags == (("team", "core"), ("cost", "42"))
    app = created.container("app")
    assert app is not None and app.secrets == (("DB_PASSWORD", RICH["containerDefinitions"][0]["secrets"][0]
                                                ["valueFrom"]),)
    assert app.environment == (("MODE", "prod"), ("WORKERS", "4"))
    assert app.health_check is not None and app.log_configuration is not None
    assert created.raw["taskDefinition"]["family"] == "rich" and "tags" in created.raw


def test_register_errors_come_back_in_ecs_words(world: World, gw: Gateway) -> None:
    with pytest.raises(AwsError) as caught:
        gw.register_task_definition({"family": "bad", "containerDefinitions": [{"name": "x", "image": "y"}]})
    text = str(caught.value)
    assert text.startswith("ECS refused RegisterTaskDefinition: ")
    assert "memory" in text and "\n" not in text
    with pytest.raises(AwsError, match='input: unknown field "colour"'):
        gw.register_task_definition({"family": "bad", "colour": "red", "containerDefinitions": []})


def test_task_definition_refs_and_missing_revisions(world: World, gw: Gateway) -> None:
    register(world, image="nginx:1")
    register(world, image="nginx:2")
    third = register(world, image="nginx:3")
    gw.deregister_task_definition(third)
    assert gw.task_definition("web").label == "web:2"  # latest ACTIVE
    assert gw.task_definition("web:3").status == "INACTIVE"
    assert gw.task_definition(third).containers[0].image == "nginx:3"
    with pytest.raises(NotFound) as missing:
        gw.task_definition("web:99")
    assert str(missing.value) == 'task definition "web:99" not found'
    with pytest.raises(NotFound, match='task definition "nosuch" not found'):
        gw.task_definition("nosuch")
    assert gw.revisions("web") == [Revision("web", 1, third.replace(":3", ":1"), "ACTIVE"),
                                   Revision("web", 2, third.replace(":3", ":2"), "ACTIVE"),
                                   Revision("web", 3, third, "INACTIVE")]
    with pytest.raises(NotFound, match='family "nosuch"'):
        gw.revisions("nosuch")


def test_task_definitions_describes_each_distinct_arn_once(world: World, gw: Gateway) -> None:
    arns = [register(world, image=f"nginx:{i}") for i in range(4)]
    world.recorder.reset()
    found = gw.task_definitions(arns * 5 + [arns[0]])
    assert list(found) == arns
    assert world.recorder.calls == {"DescribeTaskDefinition": 4}
    assert found[arns[2]].label == "web:3"
    assert found[arns[2]].raw["taskDefinition"]["containerDefinitions"][0]["image"] == "nginx:2"
    with pytest.raises(NotFound):
        gw.task_definitions([arns[0], "web:42"])
    assert list(gw.task_definitions([arns[0], "web:42"], missing_ok=True)) == [arns[0]]


def test_families_over_more_than_a_page(world: World, gw: Gateway) -> None:
    backend = world.backend("ecs")
    container = [{"name": "c", "image": "busybox", "memory": 32}]
    with world.lock:
        for i in range(105):
            for _ in range(1 + i % 3):
                backend.register_task_definition(f"fam-{i:03d}", copy.deepcopy(container))
        backend.deregister_task_definition("fam-002:3")  # latest ACTIVE becomes 2
        backend.deregister_task_definition("fam-000:1")  # no ACTIVE revision left
    world.recorder.reset()
    families = gw.families()
    names = [f.name for f in families]
    assert names == sorted(names) and len(names) == 104 and "fam-000" not in names
    by_name = {f.name: f for f in families}
    assert by_name["fam-001"].latest_revision == 2
    assert by_name["fam-002"].latest_revision == 2
    assert by_name["fam-104"].latest_arn is not None and by_name["fam-104"].latest_arn.endswith("fam-104:3")
    active = sum(1 + i % 3 for i in range(105)) - 2
    assert world.recorder.calls == {"ListTaskDefinitionFamilies": math.ceil(104 / 100),  # not one a family
                                    "ListTaskDefinitions": math.ceil(active / 100)}


def test_families_with_many_revisions_are_asked_one_by_one(world: World, gw: Gateway) -> None:
    backend = world.backend("ecs")
    container = [{"name": "c", "image": "busybox", "memory": 32}]
    with world.lock:
        for family in ("api", "web", "worker"):
            for _ in range(60):
                backend.register_task_definition(family, copy.deepcopy(container))
        backend.deregister_task_definition("worker:60")
        backend.register_task_definition("old", copy.deepcopy(container))
        backend.deregister_task_definition("old:1")
    world.recorder.reset()
    families = gw.families()
    assert [(f.name, f.latest_revision) for f in families] == [("api", 60), ("web", 60), ("worker", 59)]
    # The first page of revisions finished only api: web and worker are asked one call each.
    assert world.recorder.calls == {"ListTaskDefinitionFamilies": 1, "ListTaskDefinitions": 1 + 2}
    everything = gw.families(status="ALL")
    assert [(f.name, f.latest_revision) for f in everything] == [("api", 60), ("old", None), ("web", 60),
                                                                ("worker", 59)]


def test_families_walk_finds_the_latest_active_revision_of_each(world: World, gw: Gateway) -> None:
    backend = world.backend("ecs")
    container = [{"name": "c", "image": "busybox", "memory": 32}]
    with world.lock:
        for i in range(40):
            for _ in range(3):
                backend.register_task_definition(f"fam-{i:02d}", copy.deepcopy(container))
        backend.deregister_task_definition("fam-07:3")
        backend.deregister_task_definition("fam-08:2")
        for revision in (1, 2, 3):
            backend.deregister_task_definition(f"fam-09:{revision}")
    world.recorder.reset()
    walked = {f.name: f.latest_revision for f in gw.families(status="ALL")}
    asked = {f"fam-{i:02d}": gw._latest_active(f"fam-{i:02d}").latest_revision for i in range(40)}
    assert walked == asked and walked["fam-07"] == 2 and walked["fam-08"] == 3 and walked["fam-09"] is None
    assert world.recorder.calls["ListTaskDefinitions"] == math.ceil((40 * 3 - 5) / 100) + 40  # the walk, then asked


# tasks ------------------------------------------------------------------------------------------
def test_service_and_cluster_tasks_and_stopping(world: World, gw: Gateway) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="prod")
    ecs.create_service(cluster="prod", serviceName="api", taskDefinition=register(world), desiredCount=2)
    ecs.create_service(cluster="prod", serviceName="worker", taskDefinition=register(world, "jobs"),
                       desiredCount=1)
    world.advance(5)
    tasks = gw.service_tasks("prod", "api")
    assert len(tasks) == 2 and {t.last_status for t in tasks} == {"RUNNING"}
    assert tasks[0].group == "service:api" and tasks[0].containers[0].name == "web"
    assert len(gw.cluster_tasks("prod")) == 3
    assert [t.revision for t in gw.cluster_tasks("prod", family="jobs")] == ["jobs:1"]
    stopped = gw.stop_task("prod", tasks[0].id, "testing")
    assert stopped.desired_status == "STOPPED" and stopped.stopped_reason == "testing"
    assert [t.id for t in gw.service_tasks("prod", "api")] == [tasks[1].id]
    assert [t.id for t in gw.service_tasks("prod", "api", desired_status="STOPPED")] == [tasks[0].id]
    assert [t.arn for t in gw.describe_tasks("prod", [tasks[1].arn, tasks[1].arn])] == [tasks[1].arn]
    with pytest.raises(NotFound, match='task "nope" not found in cluster "prod"'):
        gw.stop_task("prod", "nope", "x")
    with pytest.raises(NotFound, match='service "ghost"'):
        gw.service_tasks("prod", "ghost")


def test_run_task_reports_tasks_and_failures(world: World, gw: Gateway) -> None:
    world.client("ecs").create_cluster(clusterName="prod")
    register(world)
    tasks, failures = gw.run_task("prod", "web", count=2, launch_type="FARGATE")
    assert len(tasks) == 2 and failures == []
    assert tasks[0].launch_type == "FARGATE" and tasks[0].revision == "web:1"
    tasks, failures = gw.run_task("prod", "web")  # EC2 with no container instances
    assert tasks == [] and "No Container Instances" in failures[0].reason
    with pytest.raises(NotFound, match='task definition "web:5" not found'):
        gw.run_task("prod", "web:5")


# load balancers and logs ------------------------------------------------------------------------
def test_load_balancers_of_target_groups_and_classic_elbs(world: World, gw: Gateway) -> None:
    ec2, elbv2, elb, ecs = (world.client(n) for n in ("ec2", "elbv2", "elb", "ecs"))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")
               ["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    alb = elbv2.create_load_balancer(Name="front", Subnets=subnets)["LoadBalancers"][0]
    tg = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc,
                                   TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": "10.0.1.5", "Port": 8080}])
    elb.create_load_balancer(LoadBalancerName="old", AvailabilityZones=["us-east-1a"],
                             Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}])
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    elb.register_instances_with_load_balancer(LoadBalancerName="old", Instances=[{"InstanceId": instance}])
    ecs.create_cluster(clusterName="prod")
    arn = register(world)
    for name, ref in (("a", {"targetGroupArn": tg}), ("b", {"loadBalancerName": "old"}),
                      ("c", {"targetGroupArn": tg})):
        ecs.create_service(cluster="prod", serviceName=name, taskDefinition=arn, desiredCount=0,
                           loadBalancers=[{**ref, "containerName": "web", "containerPort": 8080}])
    services = gw.list_services("prod")
    assert services[0].load_balancers[0].label == "tg/web"
    world.recorder.reset()

    front, old = gw.load_balancers(services)
    assert (front.name, front.kind, old.name, old.kind) == ("front", "application", "old", "classic")
    assert front.listeners == ("HTTP:80 -> tg/web",)
    assert front.dns_name and front.arn == alb["LoadBalancerArn"]
    (group,) = front.target_groups
    assert (group.name, group.port, group.healthy_count) == ("web", 80, 1)
    assert group.targets[0].target_id == "10.0.1.5" and group.targets[0].port == 8080
    assert old.listeners == ("HTTP:80 -> HTTP:8080",)
    assert [(i.target_id, i.healthy) for i in old.instances] == [(instance, True)]
    assert world.recorder.calls["DescribeTargetHealth"] == 1  # one per distinct target group
    assert world.recorder.calls["DescribeTargetGroups"] == 1
    assert gw.load_balancers([]) == []


def test_log_events_from_awslogs_streams(world: World, gw: Gateway) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "nginx", "memory": 128, "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/web", "awslogs-region": world.region, "awslogs-stream-prefix": "ecs"}}}])
    ecs.create_service(cluster="prod", serviceName="api", taskDefinition="web", desiredCount=2)
    start_ms = int(time.time() * 1000) - 60_000
    world.advance(5)
    task_ids = {t.id for t in gw.service_tasks("prod", "api")}

    events = gw.log_events("/ecs/web", "ecs/web/", start_ms)
    assert {e.task_id for e in events} == task_ids
    assert {e.container for e in events} == {"web"}
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)
    assert "starting web (nginx)" in [e.message for e in events]

    one = sorted(task_ids)[0]
    named = gw.log_events("/ecs/web", [f"ecs/web/{one}"], start_ms)
    assert {e.task_id for e in named} == {one} and len(named) == len(events) // 2
    assert gw.log_events("/ecs/web", "ecs/web/", start_ms, end_time_ms=start_ms + 1) == []
    with pytest.raises(NotFound, match='log group "/ecs/none" not found'):
        gw.log_events("/ecs/none", "", start_ms)


def test_close_stops_the_pool(world: World) -> None:
    gateway = connect(world)
    gateway.close()
    with pytest.raises(RuntimeError):
        gateway.submit(print)


def test_load_balancers_skip_target_groups_and_elbs_that_are_gone(world: World, gw: Gateway) -> None:
    from ecsshell.model import LoadBalancerRef, Service

    ec2, elbv2, elb = world.client("ec2"), world.client("elbv2"), world.client("elb")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    kept, gone = (elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc,
                                            TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
                  for name in ("kept", "gone"))
    elbv2.delete_target_group(TargetGroupArn=gone)
    elb.create_load_balancer(LoadBalancerName="classic-kept", AvailabilityZones=["us-east-1a"],
                             Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}])
    refs = (LoadBalancerRef("web", 80, target_group_arn=gone), LoadBalancerRef("web", 80, target_group_arn=kept),
            LoadBalancerRef("web", 8080, load_balancer_name="classic-gone"),
            LoadBalancerRef("web", 8080, load_balancer_name="classic-kept"))
    service = Service(name="web", arn="arn:svc", cluster_arn="arn:cluster/prod", status="ACTIVE", desired=1,
                      running=1, pending=0, task_definition_arn="arn:td/web:1", launch_type="FARGATE",
                      load_balancers=refs)
    found = gw.load_balancers([service])
    names = {group.name for lb in found for group in lb.target_groups} | {lb.name for lb in found}
    assert "kept" in names and "classic-kept" in names
    assert "gone" not in names and "classic-gone" not in names

"""The ready-made worlds build what they promise, seen through real boto3 clients."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ecsshell.emulator import World
from ecsshell.emulator.worlds import DEMO_BAKE_MINUTES, SMALL_SPECS, WORKER_DIGEST, demo_world, scale_world, small_world


def all_services(ecs: Any, cluster: str) -> list[dict[str, Any]]:
    """List and describe every service of CLUSTER the way a careful client must: pages of 10."""
    arns: list[str] = []
    for page in ecs.get_paginator("list_services").paginate(cluster=cluster):
        arns += page["serviceArns"]
    services: list[dict[str, Any]] = []
    for i in range(0, len(arns), 10):
        services += ecs.describe_services(cluster=cluster, services=arns[i:i + 10])["services"]
    return services


def task_definition(ecs: Any, arn: str) -> dict[str, Any]:
    return dict(ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"])


class Built:
    """A world built once for a group of read-only tests."""

    def __init__(self, world: World, out: dict[str, Any], seconds: float) -> None:
        self.world = world
        self.out = out
        self.seconds = seconds
        self.ecs = world.client("ecs")
        self.elbv2 = world.client("elbv2")
        self.services = {c: {s["serviceName"]: s for s in all_services(self.ecs, c)}
                         for c in ("prod", "staging", "batch", "sandbox")}


def build(world: World, builder: Any) -> Built:
    world.reset()
    start = time.perf_counter()
    out = builder(world)
    return Built(world, out, time.perf_counter() - start)


@pytest.fixture(scope="class")
def small(_session_world: World) -> Iterator[Built]:
    """Build the small world once for the tests of one class."""
    built = build(_session_world, small_world)
    yield built
    _session_world.reset()


@pytest.fixture(scope="class")
def demo(_session_world: World) -> Iterator[Built]:
    """Build the demo world once for the tests of one class."""
    built = build(_session_world, demo_world)
    yield built
    _session_world.reset()


class TestSmallWorld:
    def test_is_fast(self, small: Built) -> None:
        assert small.seconds < 3.0, f"small_world took {small.seconds:.2f}s"

    def test_clusters_and_services(self, small: Built) -> None:
        clusters = small.ecs.describe_clusters(clusters=["prod", "staging", "batch", "sandbox"])["clusters"]
        assert [c["status"] for c in clusters] == ["ACTIVE"] * 4
        assert set(small.services["prod"]) == {"web", "api", "worker", "payments", "legacy", "search"}
        assert set(small.services["staging"]) == {"web", "api", "worker"}
        assert small.services["batch"] == {} and small.services["sandbox"] == {}
        prod = next(c for c in clusters if c["clusterName"] == "prod")
        assert prod["activeServicesCount"] == 6 and prod["registeredContainerInstancesCount"] == 2

    def test_steady_services_with_recent_events(self, small: Built) -> None:
        now = datetime.now(UTC)
        for name in ("web", "api", "worker", "search"):
            service = small.services["prod"][name]
            assert service["runningCount"] == service["desiredCount"] > 0, name
            assert [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"], name
            assert service["events"][0]["message"] == f"(service {name}) has reached a steady state."
        newest = max(e["createdAt"] for s in small.services["prod"].values() for e in s["events"])
        assert now - timedelta(minutes=10) < newest <= now + timedelta(seconds=1)

    def test_web_is_multi_container_behind_the_alb_with_several_revisions(self, small: Built) -> None:
        web = small.services["prod"]["web"]
        assert web["taskDefinition"].endswith("task-definition/web:3")
        assert web["loadBalancers"][0]["targetGroupArn"] == small.out["target_groups"]["prod-web"]
        definition = task_definition(small.ecs, web["taskDefinition"])
        assert [c["name"] for c in definition["containerDefinitions"]] == ["web", "envoy"]
        images = {task_definition(small.ecs, f"web:{n}")["containerDefinitions"][0]["image"] for n in (1, 2, 3)}
        assert len(images) == 3
        balancer = small.elbv2.describe_load_balancers(Names=["prod-alb"])["LoadBalancers"][0]
        listener = small.elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"][0]
        assert (listener["Protocol"], listener["Port"]) == ("HTTP", 80)
        assert listener["DefaultActions"][0]["TargetGroupArn"] == small.out["target_groups"]["prod-web"]
        health = small.elbv2.describe_target_health(TargetGroupArn=small.out["target_groups"]["prod-web"])
        assert [d["TargetHealth"]["State"] for d in health["TargetHealthDescriptions"]] == ["healthy"] * 3
        vpc = small.world.client("ec2").describe_vpc_attribute(VpcId=small.out["vpc"], Attribute="enableDnsHostnames")
        assert vpc["EnableDnsHostnames"]["Value"] is True

    def test_task_definitions_are_realistic(self, small: Built) -> None:
        definition = task_definition(small.ecs, "api")
        assert definition["cpu"] and definition["memory"]
        assert definition["executionRoleArn"].endswith(":role/ecsTaskExecutionRole")
        assert definition["taskRoleArn"].endswith(":role/api-task")
        main = definition["containerDefinitions"][0]
        assert main["image"] == "registry.example.com:5000/team/api:2.4.1"
        options = main["logConfiguration"]["options"]
        assert main["logConfiguration"]["logDriver"] == "awslogs" and options["awslogs-group"] == "/ecs/api"
        assert options["awslogs-stream-prefix"]
        names = {e["name"] for e in main["environment"]}
        assert {"DB_PASSWORD", "API_KEY", "LOG_LEVEL"} <= names
        assert {s["valueFrom"].split(":")[2] for s in main["secrets"]} == {"ssm", "secretsmanager"}
        assert main["healthCheck"]["command"][0] == "CMD-SHELL"
        assert main["portMappings"][0]["containerPort"] == 5000 and main["ulimits"]

    def test_digest_pinned_worker(self, small: Built) -> None:
        definition = task_definition(small.ecs, small.services["prod"]["worker"]["taskDefinition"])
        image = definition["containerDefinitions"][0]["image"]
        assert image == f"123456789012.dkr.ecr.us-east-1.amazonaws.com/worker@{WORKER_DIGEST}"
        assert len(WORKER_DIGEST) == len("sha256:") + 64

    def test_payments_last_deployment_failed_and_old_revision_still_runs(self, small: Built) -> None:
        payments = small.services["prod"]["payments"]
        primary, active = payments["deployments"]
        assert primary["rolloutState"] == "FAILED" and primary["taskDefinition"].endswith("payments:2")
        assert primary["failedTasks"] >= 3
        assert active["taskDefinition"].endswith("payments:1") and active["runningCount"] == 2
        arns = small.ecs.list_tasks(cluster="prod", serviceName="payments")["taskArns"]
        running = small.ecs.describe_tasks(cluster="prod", tasks=arns)["tasks"]
        assert {t["taskDefinitionArn"].rsplit("/", 1)[-1] for t in running} == {"payments:1"}

    def test_legacy_is_stuck_with_tasks_on_an_old_revision(self, small: Built) -> None:
        legacy = small.services["prod"]["legacy"]
        assert legacy["taskDefinition"].endswith("legacy:2") and legacy["launchType"] == "EC2"
        assert legacy["deployments"][0]["rolloutState"] == "IN_PROGRESS"
        assert legacy["deployments"][0]["runningCount"] == 0
        arns = small.ecs.list_tasks(cluster="prod", serviceName="legacy")["taskArns"]
        tasks = small.ecs.describe_tasks(cluster="prod", tasks=arns)["tasks"]
        running = [t for t in tasks if t["lastStatus"] == "RUNNING"]
        assert len(running) == 2 and {t["taskDefinitionArn"] for t in running} == {small.out["old_task_definition"]}
        assert all(t.get("containerInstanceArn") for t in running)
        states = small.world.client("elb").describe_instance_health(LoadBalancerName="prod-legacy")["InstanceStates"]
        assert len(states) == 2 and {s["State"] for s in states} == {"InService"}

    def test_search_targets_are_unhealthy(self, small: Built) -> None:
        health = small.elbv2.describe_target_health(TargetGroupArn=small.out["target_groups"]["prod-search"])
        states = [d["TargetHealth"] for d in health["TargetHealthDescriptions"]]
        assert len(states) == 2 and {s["State"] for s in states} == {"unhealthy"}
        assert {s["Reason"] for s in states} == {"Target.ResponseCodeMismatch"}

    def test_batch_has_run_families_and_task_history(self, small: Built) -> None:
        families = small.ecs.list_task_definition_families(status="ACTIVE")["families"]
        assert {"migrate", "report"} <= set(families)
        stopped = small.ecs.list_tasks(cluster="batch", desiredStatus="STOPPED")["taskArns"]
        finished = small.ecs.describe_tasks(cluster="batch", tasks=stopped)["tasks"]
        assert [t["containers"][0]["exitCode"] for t in finished] == [0]
        running = small.ecs.list_tasks(cluster="batch")["taskArns"]
        assert len(running) == 1
        logs = small.world.client("logs").filter_log_events(logGroupName="/ecs/migrate")["events"]
        assert "running 3 pending migrations" in [e["message"] for e in logs]


class TestDemoWorld:
    def test_a_dozen_services_with_several_revisions(self, demo: Built) -> None:
        services = [s for cluster in demo.services.values() for s in cluster.values()]
        assert len(services) >= 12
        several = [s for s in services if int(s["taskDefinition"].rsplit(":", 1)[-1]) >= 2]
        assert len(several) >= 12
        assert set(demo.services) >= {"prod", "staging", "batch"}

    def test_alb_with_target_groups_and_the_trouble_to_show(self, demo: Built) -> None:
        groups = demo.elbv2.describe_target_groups(LoadBalancerArn=demo.out["alb_arn"])["TargetGroups"]
        assert {g["TargetGroupName"] for g in groups} >= {"prod-web", "prod-api", "prod-search", "prod-auth"}
        prod = demo.services["prod"]
        assert prod["payments"]["deployments"][0]["rolloutState"] == "FAILED"
        assert prod["legacy"]["deployments"][0]["rolloutState"] == "IN_PROGRESS"
        assert len(task_definition(demo.ecs, prod["web"]["taskDefinition"])["containerDefinitions"]) == 2
        assert all(s["events"] for s in prod.values())


def test_scale_world_directly_on_the_backend(world: World) -> None:
    start = time.perf_counter()
    out = scale_world(world, 2000)
    built = time.perf_counter() - start
    assert out["direct"] and built < 10
    ecs = world.client("ecs")
    arns: list[str] = []
    pages = 0
    for page in ecs.get_paginator("list_services").paginate(cluster="scale", PaginationConfig={"PageSize": 100}):
        arns += page["serviceArns"]
        pages += 1
    assert len(arns) == 2000 and pages == 20
    service = ecs.describe_services(cluster="scale", services=[arns[-1]])["services"][0]
    assert service["taskDefinition"].endswith(":5") and service["desiredCount"] == 1
    assert len(ecs.list_task_definitions(familyPrefix=out["services"][7])["taskDefinitionArns"]) == 5
    assert ecs.describe_clusters(clusters=["scale"])["clusters"][0]["activeServicesCount"] == 2000


def test_scale_world_through_the_api_runs_its_services(world: World) -> None:
    out = scale_world(world, 12, cluster="mid", revisions=2)
    assert not out["direct"]
    assert world.recorder.calls["CreateService"] == 12 and world.recorder.calls["RegisterTaskDefinition"] == 24
    world.advance(4)
    services = all_services(world.client("ecs"), "mid")
    assert len(services) == 12 and {s["runningCount"] for s in services} == {1}


def test_worlds_are_built_in_process_through_the_emulators_app(world: World) -> None:
    small_world(world)
    assert world.recorder.calls["CreateService"] == len(SMALL_SPECS)  # every call went through the app
    assert world.recorder.connections == 0  # and none over a socket
    assert "CreateVpc" not in world.recorder.calls  # the network is made on moto's EC2 backend
    assert world.api("ecs") is world.api("ecs")  # one client per world and service


def test_the_demo_bake_is_one_minute_so_the_tour_waits_one_minute_not_ten(world: World) -> None:
    demo_world(world)
    service = world.client("ecs").describe_services(cluster="releases", services=["storefront"])["services"][0]
    assert service["deploymentConfiguration"]["bakeTimeInMinutes"] == DEMO_BAKE_MINUTES == 1


class TestLeanMoto:
    """moto imported the lean way answers as moto imported as it comes."""

    def test_offerings_are_read_on_first_use_with_moto_s_content(self, world: World) -> None:
        from moto.ec2.models.instance_types import INSTANCE_TYPE_OFFERINGS
        from moto.utilities.utils import load_resource

        from ecsshell.emulator.lean import Offerings

        zones = INSTANCE_TYPE_OFFERINGS["availability-zone"]["eu-west-1"]
        assert isinstance(zones, Offerings)
        expected = load_resource("ec2/resources/instance_type_offerings/availability-zone/eu-west-1.json")
        for offering in expected:
            offering["LocationType"] = "availability-zone"
        assert len(zones) == len(expected) > 100 and list(zones) == expected and zones[0] == expected[0]

    def test_instance_types_are_moto_s_whole_catalogue(self, world: World) -> None:
        from moto.utilities.utils import load_resource

        catalogue = load_resource("ec2/resources/instance_types.json")
        types = world.client("ec2").describe_instance_types(InstanceTypes=["m5.large"])["InstanceTypes"]
        assert types[0]["VCpuInfo"]["DefaultVCpus"] == catalogue["m5.large"]["VCpuInfo"]["DefaultVCpus"] == 2
        backend = world.backend("ec2")
        assert len(backend.describe_instance_types()) == len(catalogue) > 500

    def test_the_endpoint_prefixes_it_knows_are_botocore_s(self) -> None:
        import botocore.loaders

        from ecsshell.emulator.lean import ENDPOINT_PREFIXES

        for service, prefix in ENDPOINT_PREFIXES.items():
            model = botocore.loaders.Loader().load_service_model(service, "service-2")
            assert model["metadata"]["endpointPrefix"] == prefix

    def test_moto_lists_the_regions_botocore_lists(self) -> None:
        import boto3
        from moto.core.base_backend import AccountSpecificBackend

        for service in ("ec2", "ecs", "elbv2", "logs"):
            assert AccountSpecificBackend.get_session().get_available_regions(service) == \
                boto3.Session().get_available_regions(service)

"""The emulated ECS world answers like ECS: paging, limits, the scheduler, load balancers, faults.

Every check drives real boto3 clients against the world's HTTP endpoint. Where a test needs more
than 100 of something only to exercise paging, it creates them directly on moto's backend under
the world lock (the paging under test is the HTTP layer's, not the creation).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ecsshell.emulator import World, start_world
from ecsshell.emulator.scheduler import CIRCUIT_BREAKER_REASON


# helpers -----------------------------------------------------------------------------------------
def code_of(err: pytest.ExceptionInfo[ClientError]) -> str:
    return str(err.value.response["Error"]["Code"])


def register(ecs: Any, family: str, image: str = "nginx:1.25", port: int = 80, **extra: Any) -> str:
    """Register a small bridge-mode task definition and return its ARN."""
    container = {"name": family, "image": image, "memory": 128, "essential": True,
                 "portMappings": [{"containerPort": port, "hostPort": 0, "protocol": "tcp"}]}
    container.update(extra)
    answer = ecs.register_task_definition(family=family, networkMode="bridge", containerDefinitions=[container])
    return str(answer["taskDefinition"]["taskDefinitionArn"])


def make_service(ecs: Any, cluster: str, name: str, task_definition: str, desired: int = 2, **extra: Any) -> None:
    ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=task_definition, desiredCount=desired,
                       launchType="EC2", **extra)


def describe(ecs: Any, cluster: str, name: str) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster=cluster, services=[name])["services"][0])


def service_tasks(ecs: Any, cluster: str, name: str, status: str = "RUNNING") -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus=status)["taskArns"]
    return list(ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]) if arns else []


def network(world: World) -> dict[str, Any]:
    """Create a VPC (DNS hostnames on), two subnets and a security group; return awsvpc settings."""
    ec2 = world.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
    group = ec2.create_security_group(GroupName="svc", Description="svc", VpcId=vpc)["GroupId"]
    return {"vpc": vpc, "subnets": subnets, "group": group,
            "config": {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group]}}}


def fargate_definition(ecs: Any, family: str, image: str = "nginx:1.25", port: int = 8080) -> str:
    answer = ecs.register_task_definition(
        family=family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": image, "essential": True,
                               "portMappings": [{"containerPort": port, "hostPort": port}]}])
    return str(answer["taskDefinition"]["taskDefinitionArn"])


def container_instance(world: World, cluster: str) -> str:
    """Start an EC2 instance, register it in CLUSTER and return its instance id."""
    instance = world.client("ec2").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]
    world.client("ecs").register_container_instance(
        cluster=cluster, instanceIdentityDocument=json.dumps({"instanceId": instance["InstanceId"]}))
    return str(instance["InstanceId"])


# paging and batch limits ----------------------------------------------------------------------------
def test_list_services_pages_ten_by_default_and_walks_with_next_token(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    td = register(ecs, "app")
    for i in range(23):
        make_service(ecs, "c", f"svc-{i:02d}", td, desired=0)

    first = ecs.list_services(cluster="c")
    assert len(first["serviceArns"]) == 10 and "nextToken" in first
    seen, token, pages = list(first["serviceArns"]), first["nextToken"], 1
    while token:
        page = ecs.list_services(cluster="c", nextToken=token)
        seen += page["serviceArns"]
        token = page.get("nextToken")
        pages += 1
    assert pages == 3
    assert sorted(a.rsplit("/", 1)[-1] for a in seen) == [f"svc-{i:02d}" for i in range(23)]

    everything = ecs.list_services(cluster="c", maxResults=100)
    assert len(everything["serviceArns"]) == 23 and "nextToken" not in everything
    with pytest.raises(ClientError) as err:
        ecs.list_services(cluster="c", maxResults=101)
    assert code_of(err) == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        ecs.list_services(cluster="c", nextToken="not-a-token")
    assert code_of(err) == "InvalidParameterException"


def _hundred_and_one(world: World, what: str) -> dict[str, Any]:
    """Create 101 of WHAT (directly on the backend) and return the list call's parameters."""
    backend = world.backend("ecs")
    container = [{"name": "app", "image": "nginx", "memory": 64}]
    with world.lock:
        if what == "clusters":
            for i in range(101):
                backend.create_cluster(f"cluster-{i:03d}")
            return {}
        if what == "task_definitions":
            for _ in range(101):
                backend.register_task_definition("fam", container)
            return {"familyPrefix": "fam"}
        if what == "families":
            for i in range(101):
                backend.register_task_definition(f"fam-{i:03d}", container)
            return {}
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    make_service(ecs, "c", "many", register(ecs, "many"), desired=101)
    world.advance(1)
    return {"cluster": "c"}


@pytest.mark.parametrize(("operation", "what", "key"), [
    ("list_clusters", "clusters", "clusterArns"),
    ("list_tasks", "tasks", "taskArns"),
    ("list_task_definitions", "task_definitions", "taskDefinitionArns"),
    ("list_task_definition_families", "families", "families"),
])
def test_other_lists_page_at_one_hundred(world: World, operation: str, what: str, key: str) -> None:
    params = _hundred_and_one(world, what)
    ecs = world.client("ecs")
    call = getattr(ecs, operation)
    first = call(**params)
    assert len(first[key]) == 100 and first.get("nextToken")
    second = call(nextToken=first["nextToken"], **params)
    assert len(second[key]) == 1 and "nextToken" not in second
    assert not set(first[key]) & set(second[key])
    with pytest.raises(ClientError) as err:
        call(maxResults=101, **params)
    assert code_of(err) == "InvalidParameterException"


def test_batch_describes_refuse_more_than_ecs_allows(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    assert ecs.describe_services(cluster="c", services=[f"s{i}" for i in range(10)])["services"] == []
    for call, key, most in ((ecs.describe_services, "services", 10), (ecs.describe_tasks, "tasks", 100),
                            (ecs.describe_clusters, "clusters", 100)):
        params: dict[str, Any] = {key: [f"x{i}" for i in range(most + 1)]}
        if key != "clusters":
            params["cluster"] = "c"
        with pytest.raises(ClientError) as err:
            call(**params)
        assert code_of(err) == "InvalidParameterException", key


# moto answers corrected -----------------------------------------------------------------------------
def test_list_tasks_honours_service_name_and_defaults_to_running(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    make_service(ecs, "c", "a", register(ecs, "a"), desired=2)
    make_service(ecs, "c", "b", register(ecs, "b"), desired=1)
    world.advance(4)
    a_tasks = ecs.list_tasks(cluster="c", serviceName="a")["taskArns"]
    assert len(a_tasks) == 2
    assert len(ecs.list_tasks(cluster="c")["taskArns"]) == 3
    ecs.stop_task(cluster="c", task=a_tasks[0], reason="testing")
    assert ecs.list_tasks(cluster="c", serviceName="a", desiredStatus="STOPPED")["taskArns"] == [a_tasks[0]]
    assert a_tasks[0] not in ecs.list_tasks(cluster="c", serviceName="a")["taskArns"]
    stopped = ecs.describe_tasks(cluster="c", tasks=[a_tasks[0]])["tasks"][0]
    assert stopped["lastStatus"] == "STOPPED" and stopped["stoppedReason"] == "testing"
    assert stopped["stopCode"] == "UserInitiated" and stopped["stoppedAt"]
    with pytest.raises(ClientError) as err:
        ecs.list_tasks(cluster="c", serviceName="nope")
    assert code_of(err) == "ServiceNotFoundException"


def test_task_status_does_not_drift_across_describes(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    make_service(ecs, "c", "a", register(ecs, "a"), desired=1)
    world.advance(4)
    arn = ecs.list_tasks(cluster="c")["taskArns"][0]
    statuses = {ecs.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]["lastStatus"] for _ in range(6)}
    assert statuses == {"RUNNING"}


def test_describe_tasks_reports_missing_tasks_and_stays_in_its_cluster(world: World) -> None:
    ecs = world.client("ecs")
    for name in ("c", "d"):
        ecs.create_cluster(clusterName=name)
    make_service(ecs, "c", "a", register(ecs, "a"), desired=1)
    world.advance(1)
    arn = ecs.list_tasks(cluster="c")["taskArns"][0]
    assert ecs.describe_tasks(cluster="d", tasks=[arn])["tasks"] == []
    answer = ecs.describe_tasks(cluster="c", tasks=[arn, "0000-missing"])
    assert [t["taskArn"] for t in answer["tasks"]] == [arn]
    assert answer["failures"] == [{"arn": "0000-missing", "reason": "MISSING"}]


def test_list_task_definitions_honours_sort_desc(world: World) -> None:
    ecs = world.client("ecs")
    for _ in range(3):
        register(ecs, "fam")
    asc = ecs.list_task_definitions(familyPrefix="fam")["taskDefinitionArns"]
    desc = ecs.list_task_definitions(familyPrefix="fam", sort="DESC")["taskDefinitionArns"]
    assert [a.rsplit(":", 1)[-1] for a in asc] == ["1", "2", "3"]
    assert desc == list(reversed(asc))


def test_families_status_active_excludes_fully_deregistered(world: World) -> None:
    ecs = world.client("ecs")
    register(ecs, "alive")
    gone = register(ecs, "gone")
    ecs.deregister_task_definition(taskDefinition=gone)
    assert ecs.list_task_definition_families(status="ACTIVE")["families"] == ["alive"]
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["gone"]
    assert sorted(ecs.list_task_definition_families()["families"]) == ["alive", "gone"]


def test_describe_family_returns_latest_active_revision(world: World) -> None:
    ecs = world.client("ecs")
    for _ in range(3):
        latest = register(ecs, "fam")
    ecs.deregister_task_definition(taskDefinition=latest)
    assert ecs.describe_task_definition(taskDefinition="fam")["taskDefinition"]["revision"] == 2
    assert ecs.describe_task_definition(taskDefinition="fam:3")["taskDefinition"]["status"] == "INACTIVE"


def test_creating_a_duplicate_service_is_refused(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    td = register(ecs, "a")
    make_service(ecs, "c", "a", td, desired=3)
    with pytest.raises(ClientError) as err:
        make_service(ecs, "c", "a", td, desired=1)
    assert code_of(err) == "InvalidParameterException"
    assert describe(ecs, "c", "a")["desiredCount"] == 3


# the scheduler ------------------------------------------------------------------------------------------
def test_new_service_reaches_desired_count_and_steady_state(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    make_service(ecs, "c", "web", register(ecs, "web"), desired=3)
    assert describe(ecs, "c", "web")["runningCount"] == 0
    world.advance(1)
    service = describe(ecs, "c", "web")
    assert service["pendingCount"] == 3 and service["runningCount"] == 0
    world.advance(4)
    service = describe(ecs, "c", "web")
    assert (service["runningCount"], service["pendingCount"]) == (3, 0)
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    messages = [e["message"] for e in service["events"]]
    assert messages[0] == "(service web) has reached a steady state."
    assert messages[-1].startswith("(service web) has started 3 tasks: (task ")
    tasks = service_tasks(ecs, "c", "web")
    assert len(tasks) == 3
    assert {t["group"] for t in tasks} == {"service:web"} and {t["lastStatus"] for t in tasks} == {"RUNNING"}
    cluster = ecs.describe_clusters(clusters=["c"])["clusters"][0]
    assert (cluster["runningTasksCount"], cluster["activeServicesCount"]) == (3, 1)


def test_update_service_rolls_out_a_new_deployment_in_emulated_time(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    old = register(ecs, "web", image="web:1")
    new = register(ecs, "web", image="web:2")
    make_service(ecs, "c", "web", old, desired=2)
    world.advance(5)
    old_tasks = {t["taskArn"] for t in service_tasks(ecs, "c", "web")}

    ecs.update_service(cluster="c", service="web", taskDefinition="web:2")
    service = describe(ecs, "c", "web")
    assert service["taskDefinition"] == new
    assert [(d["status"], d["taskDefinition"]) for d in service["deployments"]] == [("PRIMARY", new),
                                                                                    ("ACTIVE", old)]
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    world.advance(1)
    running = service_tasks(ecs, "c", "web")
    assert {t["taskArn"] for t in running} > old_tasks  # new tasks pending beside the old ones
    world.advance(8)
    service = describe(ecs, "c", "web")
    assert [(d["status"], d["rolloutState"]) for d in service["deployments"]] == [("PRIMARY", "COMPLETED")]
    running = service_tasks(ecs, "c", "web")
    assert {t["taskDefinitionArn"] for t in running} == {new} and len(running) == 2
    stopped = {t["taskArn"]: t for t in service_tasks(ecs, "c", "web", "STOPPED")}
    assert set(stopped) == old_tasks and {t["lastStatus"] for t in stopped.values()} == {"STOPPED"}


def test_scaling_desired_count_up_and_down(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    make_service(ecs, "c", "web", register(ecs, "web"), desired=2)
    world.advance(5)
    ecs.update_service(cluster="c", service="web", desiredCount=5)
    assert describe(ecs, "c", "web")["runningCount"] == 2  # ECS does not jump to the new count
    world.advance(5)
    assert describe(ecs, "c", "web")["runningCount"] == 5
    ecs.update_service(cluster="c", service="web", desiredCount=1)
    world.advance(5)
    service = describe(ecs, "c", "web")
    assert (service["desiredCount"], service["runningCount"]) == (1, 1)
    assert len(service_tasks(ecs, "c", "web")) == 1
    assert len(service_tasks(ecs, "c", "web", "STOPPED")) == 4
    assert "has stopped 4 running tasks" in service["events"][1]["message"]


def test_broken_revision_trips_the_circuit_breaker(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    good = register(ecs, "pay", image="pay:1")
    bad = register(ecs, "pay", image="pay:2")
    make_service(ecs, "c", "pay", good, desired=2)
    world.advance(5)
    world.scheduler.break_revision("pay:2")
    ecs.update_service(cluster="c", service="pay", taskDefinition=bad)
    world.advance(12)
    service = describe(ecs, "c", "pay")
    primary, active = service["deployments"]
    assert (primary["taskDefinition"], primary["rolloutState"]) == (bad, "FAILED")
    assert primary["rolloutStateReason"] == CIRCUIT_BREAKER_REASON
    assert primary["failedTasks"] >= 3
    assert (active["taskDefinition"], active["runningCount"]) == (good, 2)  # the old revision still runs
    assert service["runningCount"] == 2
    failed = [t for t in service_tasks(ecs, "c", "pay", "STOPPED") if t["taskDefinitionArn"] == bad]
    assert failed and failed[0]["stoppedReason"] == "Essential container in task exited"
    assert failed[0]["containers"][0]["exitCode"] == 1
    assert any("deployment failed: tasks failed to start" in e["message"] for e in service["events"])


def test_without_circuit_breaker_a_broken_rollout_stays_in_progress(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    good = register(ecs, "old", image="old:1")
    bad = register(ecs, "old", image="old:2")
    make_service(ecs, "c", "old", good, desired=2,
                 deploymentConfiguration={"deploymentCircuitBreaker": {"enable": False, "rollback": False}})
    world.advance(5)
    world.scheduler.break_revision(bad)
    ecs.update_service(cluster="c", service="old", taskDefinition=bad)
    world.advance(60)
    service = describe(ecs, "c", "old")
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert service["deployments"][0]["failedTasks"] >= 4
    assert {t["taskDefinitionArn"] for t in service_tasks(ecs, "c", "old") if t["lastStatus"] == "RUNNING"} == {good}
    assert any("unable to consistently start tasks" in e["message"] for e in service["events"])
    failed = len(service_tasks(ecs, "c", "old", "STOPPED"))
    assert failed < 12  # retries back off instead of starting tasks every few seconds


def test_circuit_breaker_rollback_returns_to_the_previous_revision(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    good = register(ecs, "rb", image="rb:1")
    bad = register(ecs, "rb", image="rb:2")
    make_service(ecs, "c", "rb", good, desired=2,
                 deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    world.advance(5)
    world.scheduler.break_revision(bad)
    ecs.update_service(cluster="c", service="rb", taskDefinition=bad)
    world.advance(20)
    service = describe(ecs, "c", "rb")
    assert service["taskDefinition"] == good
    assert service["deployments"][0]["taskDefinition"] == good
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert service["runningCount"] == 2


def test_deleting_a_service_stops_its_tasks(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    make_service(ecs, "c", "gone", register(ecs, "gone"), desired=2)
    world.advance(5)
    ecs.delete_service(cluster="c", service="gone", force=True)
    world.advance(4)
    assert ecs.list_tasks(cluster="c")["taskArns"] == []
    assert len(ecs.list_tasks(cluster="c", desiredStatus="STOPPED")["taskArns"]) == 2


def test_run_task_on_fargate_runs_and_exits_with_its_code(world: World) -> None:
    net = network(world)
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="batch")
    fargate_definition(ecs, "migrate")
    world.scheduler.exit_after("migrate", 10, exit_code=3)
    task = ecs.run_task(cluster="batch", taskDefinition="migrate", launchType="FARGATE",
                        networkConfiguration=net["config"])["tasks"][0]
    arn = task["taskArn"]
    assert task["lastStatus"] == "PENDING"

    def status() -> dict[str, Any]:
        return dict(ecs.describe_tasks(cluster="batch", tasks=[arn])["tasks"][0])

    world.advance(4)
    assert status()["lastStatus"] == "RUNNING"
    world.advance(10)
    done = status()
    assert done["lastStatus"] == "STOPPED" and done["containers"][0]["exitCode"] == 3
    assert done["stopCode"] == "EssentialContainerExited"


def test_run_task_on_ec2_cluster_without_instances_is_a_failure_not_a_500(world: World) -> None:
    ecs = world.client("ecs", retries={"total_max_attempts": 1})
    ecs.create_cluster(clusterName="empty")
    register(ecs, "job")
    answer = ecs.run_task(cluster="empty", taskDefinition="job")
    assert answer["tasks"] == []
    assert answer["failures"][0]["reason"] == "No Container Instances were found in your cluster."
    assert world.recorder.calls["RunTask"] == 1


def test_started_tasks_write_awslogs_lines(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    td = register(ecs, "web", logConfiguration={"logDriver": "awslogs", "options": {
        "awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"}})
    world.scheduler.log_lines["web"] = ["hello from web", "listening on :80"]
    make_service(ecs, "c", "web", td, desired=2)
    world.advance(4)
    task_ids = {a.rsplit("/", 1)[-1] for a in ecs.list_tasks(cluster="c")["taskArns"]}
    events = world.client("logs").filter_log_events(logGroupName="/ecs/web", logStreamNamePrefix="web/web/")["events"]
    assert {e["logStreamName"] for e in events} == {f"web/web/{i}" for i in task_ids}
    assert sorted(e["message"] for e in events) == sorted(["hello from web", "listening on :80"] * 2)


# load balancers ----------------------------------------------------------------------------------------
def test_fargate_tasks_become_ip_targets_and_marked_revisions_report_unhealthy(world: World) -> None:
    net = network(world)
    ecs, elbv2 = world.client("ecs"), world.client("elbv2")
    tg = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=8080, VpcId=net["vpc"],
                                   TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    ecs.create_cluster(clusterName="c")
    one = fargate_definition(ecs, "web", image="web:1")
    two = fargate_definition(ecs, "web", image="web:2")
    ecs.create_service(cluster="c", serviceName="web", taskDefinition=one, desiredCount=2, launchType="FARGATE",
                       networkConfiguration=net["config"],
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "app", "containerPort": 8080}])

    def health() -> dict[tuple[str, int], dict[str, Any]]:
        found = elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        return {(d["Target"]["Id"], d["Target"]["Port"]): d["TargetHealth"] for d in found}

    assert health() == {}
    world.advance(4)
    ips = set()
    for task in service_tasks(ecs, "c", "web"):
        details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
        ips.add(details["privateIPv4Address"])
    assert len(ips) == 2 and set(health()) == {(ip, 8080) for ip in ips}
    assert {h["State"] for h in health().values()} == {"healthy"}

    world.scheduler.mark_unhealthy(one)
    states = health()
    assert {h["State"] for h in states.values()} == {"unhealthy"}
    assert {h["Reason"] for h in states.values()} == {"Target.ResponseCodeMismatch"}
    assert {h["Description"] for h in states.values()} == {"Health checks failed with these codes: [502]"}

    ecs.update_service(cluster="c", service="web", taskDefinition=two)
    world.advance(4)
    assert "draining" in {h["State"] for h in health().values()}
    world.advance(5)
    states = health()
    assert len(states) == 2 and not {ip for ip, _ in states} & ips  # old targets deregistered
    assert {h["State"] for h in states.values()} == {"healthy"}


def test_bridge_tasks_on_one_instance_are_distinct_targets(world: World) -> None:
    net = network(world)
    ecs, elbv2 = world.client("ecs"), world.client("elbv2")
    tg = elbv2.create_target_group(Name="api", Protocol="HTTP", Port=80, VpcId=net["vpc"],
                                   TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    ecs.create_cluster(clusterName="ec2")
    instance_id = container_instance(world, "ec2")
    make_service(ecs, "ec2", "api", register(ecs, "api"), desired=2,
                 loadBalancers=[{"targetGroupArn": tg, "containerName": "api", "containerPort": 80}])
    world.advance(4)
    targets = elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    assert {t["Target"]["Id"] for t in targets} == {instance_id}
    ports = {t["Target"]["Port"] for t in targets}
    assert len(ports) == 2 and all(p >= 32768 for p in ports)
    bound = {t["containers"][0]["networkBindings"][0]["hostPort"] for t in service_tasks(ecs, "ec2", "api")}
    assert bound == ports
    one = elbv2.describe_target_health(TargetGroupArn=tg, Targets=[{"Id": instance_id, "Port": min(ports)}])
    assert len(one["TargetHealthDescriptions"]) == 1


def test_classic_elb_instances_follow_service_tasks(world: World) -> None:
    net = network(world)
    ecs, elb = world.client("ecs"), world.client("elb")
    elb.create_load_balancer(LoadBalancerName="legacy", Subnets=net["subnets"],
                             Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP",
                                         "InstancePort": 8080}])
    ecs.create_cluster(clusterName="ec2")
    instance_id = container_instance(world, "ec2")
    td = register(ecs, "legacy", port=8080, portMappings=[{"containerPort": 8080, "hostPort": 8080}])
    make_service(ecs, "ec2", "legacy", td, desired=1,
                 loadBalancers=[{"loadBalancerName": "legacy", "containerName": "legacy", "containerPort": 8080}])
    world.advance(4)
    states = elb.describe_instance_health(LoadBalancerName="legacy")["InstanceStates"]
    assert [(s["InstanceId"], s["State"]) for s in states] == [(instance_id, "InService")]
    world.scheduler.mark_unhealthy(td)
    state = elb.describe_instance_health(LoadBalancerName="legacy")["InstanceStates"][0]
    assert (state["State"], state["ReasonCode"]) == ("OutOfService", "Instance")
    ecs.update_service(cluster="ec2", service="legacy", desiredCount=0)
    world.advance(4)
    assert elb.describe_instance_health(LoadBalancerName="legacy")["InstanceStates"] == []


# faults, recorder, reset, life cycle ----------------------------------------------------------------------
def test_injected_latency_is_felt(world: World) -> None:
    ecs = world.client("ecs")
    world.faults.latency(0.05, "ListClusters")
    start = time.perf_counter()
    ecs.list_clusters()
    assert time.perf_counter() - start >= 0.05
    world.faults.latency(0.3, "ListClusters")
    start = time.perf_counter()
    ecs.describe_clusters(clusters=["x"])
    assert time.perf_counter() - start < 0.3


def test_throttled_calls_are_retried_by_botocore_then_succeed(world: World) -> None:
    ecs = world.client("ecs", retries={"mode": "standard", "total_max_attempts": 4})
    world.faults.throttle("ListClusters", 2)
    assert ecs.list_clusters()["clusterArns"] == []
    assert world.recorder.calls["ListClusters"] == 3
    world.faults.throttle("ListClusters", 1)
    plain = world.client("ecs", retries={"total_max_attempts": 1})
    with pytest.raises(ClientError) as err:
        plain.list_clusters()
    assert code_of(err) == "ThrottlingException"


def test_server_errors_on_a_named_operation(world: World) -> None:
    ecs = world.client("ecs", retries={"total_max_attempts": 1})
    world.faults.fail("DescribeClusters", status=503)
    ecs.list_clusters()  # other operations are untouched
    with pytest.raises(ClientError) as err:
        ecs.describe_clusters(clusters=["x"])
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    ecs.describe_clusters(clusters=["x"])  # only the next call failed


def test_recorder_sees_concurrent_calls(world: World) -> None:
    world.faults.latency(0.1, "ListClusters")
    clients = [world.client("ecs") for _ in range(4)]
    barrier = threading.Barrier(len(clients))

    def call(client: Any) -> None:
        barrier.wait()
        client.list_clusters()

    threads = [threading.Thread(target=call, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert world.recorder.calls["ListClusters"] == 4
    assert world.recorder.peak_in_flight > 1


def test_reset_forgets_everything_quickly(world: World) -> None:
    net = network(world)
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    td = register(ecs, "web")
    make_service(ecs, "c", "web", td, desired=2)
    world.advance(5)
    world.scheduler.mark_unhealthy(td)
    world.faults.latency(0.5)
    world.faults.throttle("ListClusters", 5)
    assert world.recorder.total > 0

    start = time.perf_counter()
    world.reset()
    assert time.perf_counter() - start < 0.1

    assert world.recorder.total == 0 and world.recorder.peak_in_flight <= 1
    assert world.scheduler.unhealthy == set() and world.scheduler.elb.by_task == {}
    start = time.perf_counter()
    assert ecs.list_clusters()["clusterArns"] == []  # not throttled, not delayed
    assert time.perf_counter() - start < 0.5
    assert ecs.list_task_definition_families()["families"] == []
    assert not [v for v in world.client("ec2").describe_vpcs()["Vpcs"] if v["VpcId"] == net["vpc"]]


def test_a_stopped_world_leaves_no_thread_and_closes_its_port() -> None:
    before = set(threading.enumerate())
    other = start_world(region="eu-west-1")
    port = int(other.endpoint_url.rsplit(":", 1)[-1])
    assert other.client("ecs").list_clusters()["clusterArns"] == []
    other.scheduler.run(speed=10, interval=0.05)
    other.stop()
    deadline = time.monotonic() + 2
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert set(threading.enumerate()) - before == set()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_clients_see_retries_config(world: World) -> None:
    """World.client passes botocore config through (the fault tests rely on it)."""
    ecs = world.client("ecs", retries={"total_max_attempts": 1})
    assert isinstance(ecs.meta.config, Config)
    assert ecs.meta.config.retries["total_max_attempts"] == 1


def test_update_service_refuses_an_inactive_task_definition(world: World) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    for tag in ("1", "2"):
        ecs.register_task_definition(family="f", containerDefinitions=[{"name": "a", "image": f"a:{tag}",
                                                                        "memory": 64}])
    ecs.create_service(cluster="c", serviceName="s", taskDefinition="f:2", desiredCount=1)
    ecs.deregister_task_definition(taskDefinition="f:1")
    with pytest.raises(ClientError, match="TaskDefinition is inactive"):
        ecs.update_service(cluster="c", service="s", taskDefinition="f:1")
    service = ecs.describe_services(cluster="c", services=["s"])["services"][0]
    assert service["taskDefinition"].endswith("f:2")

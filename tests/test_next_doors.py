"""Bad input through the newer doors: files with nulls, refusals a person can read, template images, and an
emulated world whose scheduler survives a request ECS would take."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecsshell.emulator import World

TEMPLATED = "<IMAGE_NAME>"


def _described(world: World, ref: str) -> dict[str, Any]:
    found: dict[str, Any] = world.client("ecs").describe_task_definition(taskDefinition=ref)["taskDefinition"]
    return found


def _register_files(world: World, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """Write an old console export of the small world's api: nulls where a field was not set."""
    current = _described(world, "api")
    document = {k: v for k, v in current.items() if k not in ("taskDefinitionArn", "revision", "status",
                                                            "requiresAttributes", "compatibilities",
                                                            "registeredAt", "registeredBy")}
    document["tags"] = world.client("ecs").describe_task_definition(taskDefinition="api", include=["TAGS"])["tags"]
    unset = {"pidMode": None, "ipcMode": None, "placementConstraints": [None]}
    assert "pidMode" not in current and "ipcMode" not in current and not current.get("placementConstraints")
    document.update(unset)
    container = document["containerDefinitions"][0]
    assert "hostname" not in container and "user" not in container
    container.update({"hostname": None, "user": None})
    file = tmp_path / "export.json"
    file.write_text(json.dumps(document))
    return file, document


def test_register_and_diff_read_a_file_with_nulls_the_same_way(world: World, ecsshell, small,
                                                               tmp_path: Path) -> None:
    file, _ = _register_files(world, tmp_path)
    same = ecsshell("diff", "prod/api", str(file))
    registered = ecsshell("register", str(file))
    for result in (same, registered):
        assert ": left out 5 null values (containerDefinitions[0].hostname, " in result.err
        assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert same.code == 0 and "are the same" in same.out, same.out + same.err
    assert registered.code == 0, registered.err
    stored = _described(world, "api")
    assert "registered api:" in registered.out and f"api:{stored['revision']}" in registered.out
    assert "pidMode" not in stored and "hostname" not in stored["containerDefinitions"][0]


def test_a_refused_file_is_said_in_a_few_readable_lines(world: World, ecsshell, tmp_path: Path) -> None:
    containers = [{"name": f"c{i}", "image": "a:1", "memroy": 64, "cpu": "lots", "portMappings": [{}],
                   "secrets": [{"name": "TOKEN"}], "essential": "yes"} for i in range(7)]
    file = tmp_path / "refused.json"
    file.write_text(json.dumps({"family": "x", "containerDefinitions": containers}))
    result = ecsshell("register", str(file))
    assert result.code == 1 and "Traceback" not in result.err
    lines = result.err.splitlines()
    assert lines[0] == "error: invalid request for RegisterTaskDefinition: 28 problems; nothing was registered"
    assert 3 <= len(lines) <= 8 and all(len(line) < 120 for line in lines), lines
    assert '  containerDefinitions[0]: unknown field "memroy" (did you mean memory?)' in lines
    assert "  containerDefinitions[0].cpu: lots (a string) where ECS wants an integer" in lines
    assert lines[-1] == "  ... and 22 more"
    assert world.client("ecs").list_task_definitions()["taskDefinitionArns"] == []


@pytest.fixture
def templated(world: World, small) -> str:  # type: ignore[no-untyped-def]
    """Give prod a service whose task definition still holds a deploy template's placeholder for its image."""
    ecs = world.client("ecs")
    arn = ecs.register_task_definition(family="templated", containerDefinitions=[
        {"name": "app", "image": TEMPLATED, "memory": 128}])["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="prod", serviceName="templated", taskDefinition=arn, desiredCount=1)
    world.recorder.reset()
    return arn


@pytest.mark.parametrize("how", [["registry.example.com/team/app:1.0"],
                                 ["--image", "app=registry.example.com/team/app:1.0"]])
def test_a_whole_image_repairs_a_service_whose_image_is_template_text(world: World, ecsshell, templated: str,
                                                                      how: list[str]) -> None:
    result = ecsshell("update", "prod", "templated", *how)
    assert result.code == 0, result.err
    service = world.client("ecs").describe_services(cluster="prod", services=["templated"])["services"][0]
    assert service["taskDefinition"].endswith("templated:2")
    assert _described(world, "templated:2")["containerDefinitions"][0]["image"] == "registry.example.com/team/app:1.0"


def test_a_tag_on_template_text_names_the_current_image_and_changes_nothing(world: World, ecsshell,
                                                                             templated: str) -> None:
    result = ecsshell("update", "prod", "templated", ":1.2")
    assert result.code != 0 and result.err.count("\n") == 1, result.err
    assert 'invalid current image "<IMAGE_NAME>"' in result.err and "give a whole image" in result.err
    assert world.recorder.calls.get("RegisterTaskDefinition", 0) == 0
    assert world.client("ecs").list_task_definitions(familyPrefix="templated")["taskDefinitionArns"] == [templated]


def _awsvpc(world: World, *, dns_host_names: bool) -> tuple[str, str]:
    """Return (subnet, task definition ARN) in a new VPC, with or without DNS host names."""
    ec2, ecs = world.client("ec2"), world.client("ecs")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": dns_host_names})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    ecs.create_cluster(clusterName="vpc")
    arn = ecs.register_task_definition(
        family="private", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": "registry.example.com/team/app:1"}],
    )["taskDefinition"]["taskDefinitionArn"]
    return subnet, arn


def test_an_awsvpc_service_without_security_groups_in_a_vpc_without_dns_names_runs(world: World,
                                                                                    ecsshell) -> None:
    subnet, arn = _awsvpc(world, dns_host_names=False)
    ecs = world.client("ecs")
    ecs.create_service(cluster="vpc", serviceName="private", taskDefinition=arn, desiredCount=2,
                       launchType="FARGATE", networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}})
    world.advance(10)
    service = ecs.describe_services(cluster="vpc", services=["private"])["services"][0]
    assert service["runningCount"] == 2 and service["deployments"][0]["rolloutState"] == "COMPLETED"
    groups = service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]
    default = world.client("ec2").describe_security_groups(GroupIds=groups)["SecurityGroups"]
    assert [g["GroupName"] for g in default] == ["default"]  # ECS uses the VPC's default group
    assert world.scheduler.errors == []
    task = ecs.list_tasks(cluster="vpc", serviceName="private")["taskArns"][0]
    shown = ecsshell("ls", "vpc", task.rsplit("/", 1)[-1])
    assert shown.code == 0, shown.err
    details = {d["name"]: d["value"] for d in ecs.describe_tasks(cluster="vpc", tasks=[task])["tasks"][0][
        "attachments"][0]["details"]}
    address = details["privateIPv4Address"]
    assert details["privateDnsName"] == f"ip-{address.replace('.', '-')}.ec2.internal" and address in shown.out


def test_the_scheduler_survives_a_service_it_cannot_run_and_says_so(world: World, ecsshell, small,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capfd: pytest.CaptureFixture[str]) -> None:
    from ecsshell.emulator.scheduler import Scheduler

    launch = Scheduler._launch

    def fails_for_worker(self: Scheduler, backend: Any, service: Any, *args: Any) -> Any:
        if service.name == "worker":
            raise RuntimeError("a fault in the emulator")
        return launch(self, backend, service, *args)

    monkeypatch.setattr(Scheduler, "_launch", fails_for_worker)
    ecs = world.client("ecs")
    ecs.update_service(cluster="prod", service="worker", forceNewDeployment=True, desiredCount=3)
    result = ecsshell("update", "prod", "api", ":2.5.0", "--wait")
    assert result.code == 0, result.err  # the other services still roll out
    assert "rollout of api:" in result.out
    line = "ecsshell emulator: could not act on service worker: RuntimeError: a fault in the emulator"
    assert world.scheduler.errors == [line]
    assert (result.err + capfd.readouterr().err).count(line) == 1  # said once (where stderr was), not once a tick
    events = ecs.describe_services(cluster="prod", services=["worker"])["services"][0]["events"]
    assert "the emulator failed (RuntimeError)" in events[0]["message"]
    world.scheduler.run(speed=30, interval=0.02)  # the background thread lives on through the same fault
    try:
        before = world.scheduler.elapsed
        import time

        time.sleep(0.3)
        assert world.scheduler.elapsed > before and world.scheduler._thread is not None
        assert world.scheduler._thread.is_alive()
    finally:
        world.scheduler.stop()

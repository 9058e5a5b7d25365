"""The ECS operations (ls, check, taskdefs, register, run) driven through the real ecsshell."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ecsshell.emulator import World
from ecsshell.emulator.worlds import scale_world

ROOT = Path(__file__).resolve().parent.parent


def revisions(world: World, family: str) -> list[str]:
    ecs = world.client("ecs")
    arns: list[str] = []
    for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status="ACTIVE"):
        arns += page["taskDefinitionArns"]
    return arns


# ls ----------------------------------------------------------------------------------------------
def test_ls_lists_every_cluster_with_counts(ecsshell, small) -> None:
    result = ecsshell("ls")
    assert result.code == 0, result.err
    lines = {line.split()[0]: line.split() for line in result.out.splitlines() if line.strip()}
    assert {"prod", "staging", "batch", "sandbox"} <= set(lines)
    assert lines["prod"][1:3] == ["ACTIVE", "6"]


def test_ls_cluster_json_has_every_service_and_its_images(ecsshell, small) -> None:
    result = ecsshell("--output", "json", "ls", "prod")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["total"] == 6
    names = [s["serviceName"] for s in document["services"]]
    assert names == sorted(["web", "api", "worker", "payments", "search", "legacy"])
    assert small["digest_image"] in result.out
    assert small["port_registry_image"] in result.out


def test_ls_cluster_of_300_services_lists_all_of_them(world, ecsshell) -> None:
    scale_world(world, 300, cluster="big")
    world.recorder.reset()
    result = ecsshell("ls", "big")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "300 services in cluster big"
    listed = [line.split()[0] for line in result.out.splitlines()[3:] if line.strip()]
    assert listed == [f"svc-{i:04d}" for i in range(300)]
    calls = world.recorder.calls
    assert calls["ListServices"] == 3
    assert calls["DescribeServices"] == 30
    assert calls["DescribeServiceRevisions"] == 15  # the images: 20 service revisions a call
    assert calls["DescribeTaskDefinition"] == 0


def test_ls_to_a_pipe_never_cuts_long_values(world, ecsshell) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="wide")
    image = "registry.example.com:5000/" + "/".join(["very-long-path-component"] * 8) + ":" + "t" * 120
    ecs.register_task_definition(family="wide", containerDefinitions=[{"name": "app", "image": image,
                                                                        "memory": 128}])
    ecs.create_service(cluster="wide", serviceName="a-service-with-a-rather-long-name", taskDefinition="wide",
                       desiredCount=1)
    world.advance(5)
    result = ecsshell("ls", "wide")
    assert image.removeprefix("registry.example.com:5000/") in result.out.split()  # short: the host dropped
    assert "…" not in result.out
    assert image in ecsshell("ls", "wide", "--wide").out.split()
    detail = ecsshell("-events", "5", "ls", "wide", "a-service-with-a-rather-long-name")
    assert image in detail.out
    assert "(service a-service-with-a-rather-long-name) has started 1 tasks:" in detail.out


def test_ls_service_shows_tasks_containers_and_exactly_n_events(ecsshell, small) -> None:
    result = ecsshell("-events", "2", "ls", "prod", "web")
    assert result.code == 0, result.err
    out = result.out
    assert "web:3" in out and "envoy" in out and "8080->8080/tcp" in out
    assert out.count("(service web)") == 2
    assert "Events (2 most recent" in out
    none = ecsshell("ls", "prod", "web")
    assert "(service web)" not in none.out


def test_ls_verbose_masks_secret_looking_values_unless_asked(world, ecsshell, small) -> None:
    ecs = world.client("ecs")
    td = ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]
    env = {e["name"]: e["value"] for e in td["containerDefinitions"][0]["environment"]}
    secret_value = env["DB_PASSWORD"]
    masked = ecsshell("-v", "ls", "prod", "web")
    assert masked.code == 0, masked.err
    assert "DB_PASSWORD" in masked.out and secret_value not in masked.out
    assert env["LOG_LEVEL"] in masked.out
    assert "arn:aws:ssm:" in masked.out  # secrets: where they come from, never a value
    shown = ecsshell("-v", "ls", "prod", "web", "--show-secrets")
    assert secret_value in shown.out


def test_ls_elb_shows_target_health(ecsshell, small) -> None:
    result = ecsshell("-elb", "ls", "prod", "search")
    assert result.code == 0, result.err
    assert "prod-search" in result.out
    assert "unhealthy" in result.out.lower()


def test_ls_names_what_is_missing(ecsshell, small, world) -> None:
    for argv, needle in [(("ls", "nope"), 'cluster "nope" not found'),
                         (("ls", "prod", "nope"), 'service "nope" not found in cluster "prod"')]:
        result = ecsshell(*argv)
        assert result.code == 1
        assert needle in result.err
        assert "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_ls_empty_cluster_and_empty_region(ecsshell, world) -> None:
    empty_region = ecsshell("ls")
    assert empty_region.code == 0
    assert "No clusters" in empty_region.out
    world.client("ecs").create_cluster(clusterName="empty")
    result = ecsshell("ls", "empty")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "0 services in cluster empty"


# check -------------------------------------------------------------------------------------------
def test_check_ok_prints_one_line(ecsshell, small) -> None:
    result = ecsshell("check", "prod", "web")
    assert result.code == 0
    assert result.out.strip().splitlines() == ["OK: service web in prod: 3/3 running web:3, rollout COMPLETED"]


@pytest.mark.parametrize(("service", "needle"), [
    ("payments", "(payments:2) STOPPED: ECS deployment circuit breaker"),  # as `deployments` says
    ("payments", "uses payments:1 but service definition is payments:2"),
    ("search", "unhealthy"),
    ("legacy", "uses legacy:1 but service definition is legacy:2"),
    ("legacy", "(legacy:2) stuck IN_PROGRESS for"),
])
def test_check_warns_and_fails(ecsshell, small, service: str, needle: str) -> None:
    result = ecsshell("check", "prod", service)
    assert result.code == 1
    assert needle in result.out


def test_check_no_running_tasks(world, ecsshell) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="f", containerDefinitions=[{"name": "a", "image": "a:1", "memory": 64}])
    ecs.create_service(cluster="c", serviceName="s", taskDefinition="f", desiredCount=2)
    result = ecsshell("check", "c", "s")
    assert result.code == 1
    assert "has no RUNNING tasks (desired 2)" in result.out


# taskdefs ----------------------------------------------------------------------------------------
def test_taskdefs_lists_every_family_across_pages(world, ecsshell) -> None:
    ecs = world.client("ecs")
    for i in range(130):
        ecs.register_task_definition(family=f"fam{i:03d}", containerDefinitions=[{"name": "a", "image": "a:1",
                                                                                 "memory": 64}])
    ecs.register_task_definition(family="fam000", containerDefinitions=[{"name": "a", "image": "a:2",
                                                                          "memory": 64}])
    result = ecsshell("--output", "json", "taskdefs")
    families = json.loads(result.out)["families"]
    assert len(families) == 130
    assert families[0]["name"] == "fam000" and families[0]["latestRevision"] == 2


def test_taskdefs_family_is_exact_not_a_prefix(world, ecsshell) -> None:
    ecs = world.client("ecs")
    for family in ("web", "webapp"):
        ecs.register_task_definition(family=family, containerDefinitions=[{"name": "a", "image": "a:1",
                                                                            "memory": 64}])
    result = ecsshell("taskdefs", "web")
    assert re.search(r"^web:1\s+ACTIVE$", result.out, re.M), result.out
    assert "webapp" not in result.out
    wide = ecsshell("taskdefs", "web", "--wide")
    assert "task-definition/web:1" in wide.out and "webapp" not in wide.out


def test_taskdefs_latest_is_the_newest_active_revision(world, ecsshell) -> None:
    ecs = world.client("ecs")
    for tag in ("1", "2", "3"):
        ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": f"app:{tag}",
                                                                           "memory": 64}])
    ecs.deregister_task_definition(taskDefinition="app:3")
    result = ecsshell("--output", "json", "taskdefs", "app", "latest")
    document = json.loads(result.out)
    assert document["taskDefinition"]["revision"] == 2  # as describe-task-definition prints it
    assert document["taskDefinition"]["containerDefinitions"][0]["image"] == "app:2"
    missing = ecsshell("taskdefs", "app", "9")
    assert missing.code == 1 and "app:9" in missing.err


# register ----------------------------------------------------------------------------------------
def test_register_sample_task_keeps_every_field(world, ecsshell) -> None:
    result = ecsshell("register", str(ROOT / "sample_task.json"))
    assert result.code == 0, result.err
    assert "registered testfamily:1 (ACTIVE)" in result.out
    sent = json.loads((ROOT / "sample_task.json").read_text())
    got = world.client("ecs").describe_task_definition(taskDefinition="testfamily:1", include=["TAGS"])
    stored = got["taskDefinition"]
    for key in ("taskRoleArn", "executionRoleArn", "networkMode", "cpu", "memory", "requiresCompatibilities"):
        assert stored[key] == sent[key]
    for sent_c, got_c in zip(sent["containerDefinitions"], stored["containerDefinitions"], strict=True):
        for key, value in sent_c.items():
            assert got_c[key] == value, key
    assert got["tags"] == sent["tags"]


def test_register_malformed_json_names_line_and_column(world, ecsshell, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "family": "x",\n  "containerDefinitions": [\n    {"name": "a",}\n  ]\n}\n')
    result = ecsshell("register", str(bad))
    assert result.code == 1
    assert f"{bad}:4:" in result.err and "invalid JSON" in result.err
    assert world.client("ecs").list_task_definitions()["taskDefinitionArns"] == []


def test_register_reports_what_ecs_refused(world, ecsshell, tmp_path) -> None:
    bad = tmp_path / "refused.json"
    bad.write_text(json.dumps({"family": "x", "containerDefinitions": [{"name": "a", "image": "a:1",
                                                                        "memory": "lots"}]}))
    result = ecsshell("register", str(bad))
    assert result.code == 1
    assert "RegisterTaskDefinition" in result.err  # the call that was refused
    assert "containerDefinitions[0].memory" in result.err  # and the field it refused
    assert "Traceback" not in result.err
    assert world.client("ecs").list_task_definitions()["taskDefinitionArns"] == []


# run ---------------------------------------------------------------------------------------------
def test_run_takes_network_defaults_from_a_service_of_the_family(world, ecsshell, small) -> None:
    result = ecsshell("run", "prod", "web")
    assert result.code == 0, result.err
    assert "web:3" in result.out
    tasks = world.client("ecs").list_tasks(cluster="prod", startedBy="ecsshell")["taskArns"]
    assert len(tasks) == 1


def test_run_reports_failures_and_exits_non_zero(world, ecsshell) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="ec2only")
    ecs.register_task_definition(family="job", containerDefinitions=[{"name": "a", "image": "a:1", "memory": 64}])
    result = ecsshell("run", "ec2only", "job", "--launch-type", "EC2")
    assert result.code == 1
    assert "No Container Instances" in result.out + result.err


def test_run_wait_returns_the_container_exit_code(world, ecsshell) -> None:
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="jobs")
    ecs.register_task_definition(family="fails", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512",
                                 containerDefinitions=[{"name": "a", "image": "a:1", "essential": True}])
    world.scheduler.exit_after("fails", 5, exit_code=3)
    vpc = world.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    world.client("ec2").modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = world.client("ec2").create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = world.client("ec2").create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    result = ecsshell("run", "jobs", "fails", "--launch-type", "FARGATE", "--subnets", subnet,
                      "--security-groups", group, "--wait")
    assert result.code == 3, result.err
    assert "exited with code 3" in result.out


# global flags, credentials, throttling -----------------------------------------------------------
def test_version_and_usage(ecsshell) -> None:
    assert ecsshell("-version").out.startswith("ecsshell ")
    bad = ecsshell("frobnicate", "prod")
    assert bad.code == 2 and "unknown operation 'frobnicate'" in bad.err
    wrong = ecsshell("check")
    assert wrong.code == 2 and "missing CLUSTER and SERVICE" in wrong.err


def test_cred_env_without_variables_is_one_clear_line(ecsshell) -> None:
    result = ecsshell("-cred", "env", "ls", extra={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert result.code == 1
    assert "AWS_ACCESS_KEY_ID" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_unknown_profile_is_one_clear_line(ecsshell) -> None:
    result = ecsshell("-cred", "nosuch", "ls")
    assert result.code == 1
    assert 'profile "nosuch"' in result.err
    assert "Traceback" not in result.err


def test_ecsman_flags_before_the_operation(ecsshell, small) -> None:
    result = ecsshell("-cred", "env", "-region", "us-east-1", "-events", "1", "ls", "prod", "api")
    assert result.code == 0, result.err
    assert result.out.count("(service api)") == 1


def test_throttling_past_the_retries_is_one_line_and_changes_nothing(world, ecsshell, small) -> None:
    world.faults.throttle("DescribeServices", 50)
    before = revisions(world, "api")
    result = ecsshell("update", "prod", "api", ":9.9.9", extra={"AWS_MAX_ATTEMPTS": "2"})
    assert result.code == 1
    assert "throttled" in result.err.lower()
    assert len(result.err.strip().splitlines()) == 1
    world.faults.clear()
    assert revisions(world, "api") == before


def test_no_credentials_at_all_is_one_clear_line(ecsshell) -> None:
    result = ecsshell("ls", extra={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                                   "AWS_EC2_METADATA_DISABLED": "true"})
    assert result.code == 1
    assert "no AWS credentials found" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_profile_name_with_escape_sequences_is_quoted_visibly(world, ecsshell, tmp_path) -> None:
    files = world.profiles(tmp_path / "aws", {"staging": "111111111111"})
    result = ecsshell("-cred", "\x1b[31mstaging\x07", "ls", extra=files)
    assert result.code == 1 and "Traceback" not in result.err
    assert '"\\x1b[31mstaging\\x07"' in result.err and "\x1b" not in result.err  # not `"staging" (known: staging)`
    assert result.err.count("\n") == 1

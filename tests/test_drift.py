"""Drift and promotion: diff two services or a service and a file, promote what one runs, in the emulated world."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from harness import at_terminal, run_ecsshell

from ecsshell.emulator import World
from ecsshell.emulator.worlds import ECR, EXECUTION_ROLE
from ecsshell.operations import normalise

ROOT = Path(__file__).resolve().parent.parent


def all_revisions(world: World) -> list[str]:
    ecs = world.client("ecs")
    arns: list[str] = []
    for status in ("ACTIVE", "INACTIVE"):
        for page in ecs.get_paginator("list_task_definitions").paginate(status=status):
            arns += page["taskDefinitionArns"]
    return sorted(arns)


def service(world: World, cluster: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = world.client("ecs").describe_services(cluster=cluster, services=[name])["services"][0]
    return found


def described(world: World, ref: str) -> dict[str, Any]:
    found: dict[str, Any] = world.client("ecs").describe_task_definition(taskDefinition=ref)["taskDefinition"]
    return found


# two task definitions that differ only in what ECS assumes when a field is left out ---------------
def explicit_definition(family: str) -> dict[str, Any]:
    """Return a task definition that spells out every default."""
    return {
        "family": family, "executionRoleArn": EXECUTION_ROLE, "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
        "placementConstraints": [], "volumes": [],
        "containerDefinitions": [{
            "name": "app", "image": f"{ECR}/app:1.0.0", "essential": True, "cpu": 0,
            "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
            "environment": [{"name": "B_SETTING", "value": "2"}, {"name": "A_SETTING", "value": "1"}],
            "mountPoints": [], "volumesFrom": [], "readonlyRootFilesystem": False,
            "healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 30, "timeout": 5, "retries": 3},
        }],
    }


def terse_definition(family: str) -> dict[str, Any]:
    """Return the same task definition with every default left out and lists in another order."""
    return {
        "family": family, "executionRoleArn": EXECUTION_ROLE, "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"], "cpu": "0.25 vCPU", "memory": "512",
        "containerDefinitions": [{
            "name": "app", "image": f"{ECR}/app:1.0.0",
            "portMappings": [{"containerPort": 8080}],
            "environment": [{"name": "A_SETTING", "value": "1"}, {"name": "B_SETTING", "value": "2"}],
            "healthCheck": {"command": ["CMD-SHELL", "true"]},
        }],
    }


def twin_services(world: World, small: dict[str, Any]) -> None:
    """Create staging/twin and prod/twin from the explicit and the terse definition."""
    ecs = world.client("ecs")
    for cluster, definition, deployment in (
            ("staging", explicit_definition("staging-twin"),
             {"maximumPercent": 200, "minimumHealthyPercent": 100,
              "deploymentCircuitBreaker": {"enable": True, "rollback": False}}),
            ("prod", terse_definition("twin"), None)):
        arn = ecs.register_task_definition(**definition)["taskDefinition"]["taskDefinitionArn"]
        network = copy.deepcopy(small["network_configuration"])
        if cluster == "prod":  # the same subnets in another order, assignPublicIp left out
            vpc = network["awsvpcConfiguration"]
            vpc["subnets"] = list(reversed(vpc["subnets"]))
            vpc.pop("assignPublicIp")
        params: dict[str, Any] = {"cluster": cluster, "serviceName": "twin", "taskDefinition": arn,
                                  "desiredCount": 1, "launchType": "FARGATE", "networkConfiguration": network}
        if deployment:
            params["deploymentConfiguration"] = deployment
        ecs.create_service(**params)
    world.advance(10)


# unit: the normaliser ------------------------------------------------------------------------------
def test_an_omitted_default_normalises_to_the_default() -> None:
    assert normalise.task_definition(explicit_definition("x")) == normalise.task_definition(terse_definition("x"))
    bridge = {"family": "x", "containerDefinitions": [
        {"name": "a", "image": "a", "portMappings": [{"containerPort": 80, "hostPort": 0}]}]}
    canonical = normalise.task_definition(bridge)
    assert canonical["networkMode"] == "bridge"
    assert canonical["containerDefinitions"][0]["portMappings"] == [{"containerPort": 80, "protocol": "tcp"}]
    assert normalise.task_definition({"family": "x", "memory": "2 GB", "cpu": 1024})["memory"] == "2048"
    assert normalise.task_definition({"family": "x", "cpu": 1024})["cpu"] == "1024"


def test_a_real_difference_survives_normalising() -> None:
    changed = terse_definition("x")
    changed["containerDefinitions"][0]["essential"] = False
    assert normalise.task_definition(explicit_definition("x")) != normalise.task_definition(changed)
    other_port = terse_definition("x")
    other_port["containerDefinitions"][0]["portMappings"] = [{"containerPort": 8080, "hostPort": 9090}]
    assert normalise.task_definition(explicit_definition("x")) != normalise.task_definition(other_port)


# diff -------------------------------------------------------------------------------------------
def test_diff_of_services_differing_only_by_omitted_defaults_is_empty_and_exits_0(world: World, ecsshell,
                                                                                    small) -> None:
    twin_services(world, small)
    result = ecsshell("diff", "staging/twin", "prod/twin")
    assert result.code == 0, result.err
    assert "staging/twin (staging-twin:1) and prod/twin (twin:1) are the same" in result.out
    assert "---" not in result.out and "Traceback" not in result.err


def test_diff_of_different_services_shows_each_difference_and_exits_1(world: World, ecsshell, small) -> None:
    before = all_revisions(world)
    result = ecsshell("diff", "staging/web", "prod/web")
    assert result.code == 1, result.err
    out = result.out
    assert "--- staging/web (taskDefinition)" in out and "+++ prod/web (taskDefinition)" in out
    assert f'-      "image": "{ECR}/web:1.6.0-rc1",' in out
    assert f'+      "image": "{ECR}/web:1.5.0",' in out
    assert '-  "desiredCount": 1,' in out and '+  "desiredCount": 3,' in out  # the service section
    assert "targetgroup/prod-web" in out  # prod/web is behind a load balancer, staging/web is not
    assert '"family"' not in out  # families differ by design: they are named in the labels instead
    assert "staging/web and prod/web differ in taskDefinition, runningImages, service" in result.err
    assert "\x1b[" not in out  # plain on a pipe
    assert all_revisions(world) == before  # diff changes nothing


def test_diff_is_coloured_on_a_terminal(world: World, small, home: Path) -> None:
    result = run_ecsshell(world, home, "diff", "staging/web", "prod/web", stdout_tty=True)
    assert result.code == 1
    assert "\x1b[" in result.out


def test_diff_masks_secrets_and_marks_a_changed_secret(world: World, ecsshell, small) -> None:
    ecs = world.client("ecs")
    current = described(world, "staging-api")
    spec = {k: v for k, v in current.items() if k in ("family", "taskRoleArn", "executionRoleArn", "networkMode",
                                                      "requiresCompatibilities", "cpu", "memory",
                                                      "containerDefinitions")}
    spec["containerDefinitions"][0]["environment"] = [
        {"name": "DB_PASSWORD", "value": "another-secret-value"} if pair["name"] == "DB_PASSWORD" else pair
        for pair in spec["containerDefinitions"][0]["environment"]]
    arn = ecs.register_task_definition(**spec)["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster="staging", service="api", taskDefinition=arn)
    world.advance(10)
    result = ecsshell("diff", "staging/api", "prod/api")
    assert result.code == 1
    for secret in ("hunter2-do-not-print", "another-secret-value", "ak_live_51Hf3kQ2eZvKYlo2C0"):
        assert secret not in result.out + result.err
    assert '"value": "**** (changed)"' in result.out
    shown = ecsshell("diff", "staging/api", "prod/api", "--show-secrets")
    assert "another-secret-value" in shown.out


def test_diff_json_says_what_differs_by_path(world: World, ecsshell, small) -> None:
    result = ecsshell("--output", "json", "diff", "staging/worker", "prod/worker")
    assert result.code == 1
    doc = json.loads(result.out)
    assert doc["same"] is False
    assert doc["a"] == {"name": "staging/worker", "label": "staging-worker:1"}
    sections = {s["section"]: s for s in doc["sections"]}
    assert "containerDefinitions[worker].image" in sections["taskDefinition"]["differences"]
    assert "containerDefinitions[worker].environment[QUEUE_URL]" in sections["taskDefinition"]["differences"]
    assert "hunter2" not in result.out
    same = json.loads(ecsshell("--output", "json", "diff", "prod/worker", "prod/worker").out)
    assert same["same"] is True


def test_diff_inside_a_cluster_takes_service_names(world: World, ecsshell, small) -> None:
    result = ecsshell("-c", "use prod; diff web /staging/web")
    assert result.code == 1
    assert "--- prod/web (taskDefinition)" in result.out and "+++ staging/web (taskDefinition)" in result.out
    inside = ecsshell("-c", "use staging/web; diff prod/web")
    assert inside.code == 1 and "--- staging/web (taskDefinition)" in inside.out


def test_diff_refusals_are_one_line(world: World, ecsshell, small) -> None:
    missing = ecsshell("diff", "prod/web", "prod/nosuch")
    assert missing.code == 1 and 'service "nosuch" not found' in missing.err
    assert len(missing.err.strip().splitlines()) == 1
    lonely = ecsshell("diff", "web", "prod/web")
    assert lonely.code == 2 and "CLUSTER/SERVICE" in lonely.err
    three = ecsshell("diff", "prod/web", "prod/api", "prod/worker")
    assert three.code == 2


# diff against a file ----------------------------------------------------------------------------
def test_diff_against_a_file_in_register_format(world: World, ecsshell, small, tmp_path: Path) -> None:
    current = described(world, "api")
    document = {k: v for k, v in current.items() if k not in ("taskDefinitionArn", "revision", "status",
                                                            "requiresAttributes", "compatibilities",
                                                            "registeredAt", "registeredBy")}
    document["tags"] = world.client("ecs").describe_task_definition(taskDefinition="api", include=["TAGS"])["tags"]
    for c in document["containerDefinitions"]:  # leave the defaults out, as a hand-written file does
        c.pop("essential", None)
        for port in c.get("portMappings", []):
            port.pop("protocol", None)
            port.pop("hostPort", None)
    file = tmp_path / "api.json"
    file.write_text(json.dumps(document))
    same = ecsshell("diff", "prod/api", str(file))
    assert same.code == 0, same.err + same.out
    assert "are the same (taskDefinition)" in same.out
    document["containerDefinitions"][0]["image"] = "registry.example.com:5000/team/api:2.5.0"
    file.write_text(json.dumps(document))
    changed = ecsshell("diff", "prod/api", str(file))
    assert changed.code == 1
    assert f"+++ {file} (taskDefinition)" in changed.out
    assert '+      "image": "registry.example.com:5000/team/api:2.5.0",' in changed.out
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  \"family\": \n")
    refused = ecsshell("diff", "prod/api", str(broken))
    assert refused.code == 1 and f"{broken}:3:1: invalid JSON" in refused.err


def test_diff_against_the_sample_file_runs(world: World, ecsshell, small, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    result = ecsshell("diff", "prod/api", "sample_task.json")
    assert result.code == 1
    assert "+++ sample_task.json (taskDefinition)" in result.out


# promote: planning, pure ------------------------------------------------------------------------
def _snapshot(world: World, cluster: str, name: str, digests: dict[str, tuple[str, ...]],
              images: dict[str, str] | None = None) -> Any:
    """Return a Snapshot of CLUSTER/NAME as ECS has it, with the running DIGESTS given."""
    from ecsshell.aws import Gateway, Settings
    from ecsshell.operations.diff import Running, Snapshot

    with Gateway.connect(Settings(endpoint_url=world.endpoint_url, region=world.region), env=world.environ()) as gw:
        svc = gw.describe_service(cluster, name)
        td = gw.task_definition(svc.task_definition_arn)
    shown = images or {c.name: c.image for c in td.containers}
    return Snapshot(f"{cluster}/{name}", svc, td, Running(digests, shown, "tasks" if digests else "", "none", 2))


DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def test_plan_promotion_pins_each_container_by_digest_and_keeps_every_other_field(world: World, small) -> None:
    from ecsshell.operations.promote import plan_promotion

    source = _snapshot(world, "staging", "web", {"web": (DIGEST_A,), "envoy": (DIGEST_B,)})
    target = _snapshot(world, "prod", "web", {})
    planned = plan_promotion(source, target.service, target.task_definition, by_tag=False)
    images = {c["name"]: c["image"] for c in planned.plan.spec["containerDefinitions"]}
    assert images == {"web": f"{ECR}/web@{DIGEST_A}",
                      "envoy": f"public.ecr.aws/appmesh/aws-appmesh-envoy@{DIGEST_B}"}
    before = normalise.task_definition(target.task_definition.raw)
    after = normalise.task_definition(planned.plan.spec)
    for c in before["containerDefinitions"] + after["containerDefinitions"]:
        c.pop("image")
    assert before == after  # prod's environment, roles, ports, tags: all kept
    by_tag = plan_promotion(source, target.service, target.task_definition, by_tag=True)
    assert {c["name"]: c["image"] for c in by_tag.plan.spec["containerDefinitions"]}["web"] == f"{ECR}/web:1.6.0-rc1"


def test_plan_promotion_refusals(world: World, small) -> None:
    import pytest

    from ecsshell.operations.promote import PromoteRefused, plan_promotion

    target = _snapshot(world, "prod", "web", {})
    cases = {
        "different digests of container web": _snapshot(world, "staging", "web",
                                                        {"web": (DIGEST_A, DIGEST_B), "envoy": (DIGEST_B,)}),
        "cannot tell which images staging/web runs": _snapshot(world, "staging", "web", {}),
        "web:3 has no container sidecar": _snapshot(world, "staging", "web",
                                                    {"web": (DIGEST_A,), "sidecar": (DIGEST_B,)}),
    }
    for expected, source in cases.items():
        with pytest.raises(PromoteRefused, match=expected):
            plan_promotion(source, target.service, target.task_definition, by_tag=False)
    pinned_worker = _snapshot(world, "prod", "worker", {"worker": (DIGEST_A,)})
    staging_worker = _snapshot(world, "staging", "worker", {})
    with pytest.raises(PromoteRefused, match="has no tag to promote by"):
        plan_promotion(pinned_worker, staging_worker.service, staging_worker.task_definition, by_tag=True)
    failed = _snapshot(world, "prod", "payments", {"payments": (DIGEST_A,)})
    with pytest.raises(PromoteRefused, match=r"has no completed deployment to promote: .* is FAILED"):
        plan_promotion(failed, target.service, target.task_definition, by_tag=False)


# promote: refusals through the real command ---------------------------------------------------------
def test_promote_refuses_a_source_whose_deployment_is_in_progress_and_registers_nothing(world: World, ecsshell,
                                                                                        small) -> None:
    ecs = world.client("ecs")
    ecs.update_service(cluster="staging", service="web", forceNewDeployment=True)  # no time passes: in progress
    before = all_revisions(world)
    result = ecsshell("promote", "staging/web", "prod/web", "--yes")
    assert result.code == 1
    assert result.err.startswith("error: staging/web has no completed deployment to promote: its deployment ")
    assert "nothing registered" in result.err and len(result.err.strip().splitlines()) == 1
    assert all_revisions(world) == before
    assert service(world, "prod", "web")["taskDefinition"].endswith("/web:3")


def test_promote_refuses_a_failed_source(world: World, ecsshell, small) -> None:
    before = all_revisions(world)
    result = ecsshell("promote", "prod/payments", "staging/web", "--yes")
    assert result.code == 1 and "is FAILED" in result.err
    assert all_revisions(world) == before


def test_promote_is_refused_in_read_only_mode_and_needs_two_services(world: World, ecsshell, small) -> None:
    before = all_revisions(world)
    read_only = ecsshell("--read-only", "promote", "staging/web", "prod/web")
    assert read_only.code == 1 and "read-only" in read_only.err
    twice = ecsshell("promote", "prod/web", "prod/web")
    assert twice.code == 2 and "not prod/web twice" in twice.err
    assert all_revisions(world) == before
    assert world.recorder.snapshot().get("RegisterTaskDefinition", 0) == 0


# promote: what runs in SOURCE is what TARGET gets ---------------------------------------------------
def running_digests(world: World, cluster: str, name: str) -> dict[str, set[str]]:
    """Return container -> the digests SERVICE's running tasks report, through boto3."""
    ecs = world.client("ecs")
    arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="RUNNING")["taskArns"]
    found: dict[str, set[str]] = {}
    for task in ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]:
        for c in task["containers"]:
            found.setdefault(c["name"], set()).add(c["imageDigest"])
    return found


def without_images(document: dict[str, Any]) -> dict[str, Any]:
    canonical = normalise.task_definition(document)
    for c in canonical["containerDefinitions"]:
        c.pop("image")
    return canonical


def test_promote_deploys_the_digests_source_runs_pinned_and_keeps_every_other_field(world: World, ecsshell,
                                                                                    small) -> None:
    source = running_digests(world, "staging", "web")
    assert all(len(d) == 1 for d in source.values())
    world.registry.push(f"{ECR}/web:1.6.0-rc1")  # the tag moves on: staging still runs what it tested
    old = world.client("ecs").describe_task_definition(taskDefinition="web:3", include=["TAGS"])
    result = ecsshell("promote", "staging/web", "prod/web", "--yes", "--wait")
    assert result.code == 0, result.err
    web, envoy = (next(iter(source[name])) for name in ("web", "envoy"))
    assert f"web: {ECR}/web:1.5.0 -> {ECR}/web@{web}" in result.out
    assert "registered web:4; web in prod now runs it (was web:3)" in result.out
    assert "rollout of web:4 done" in result.out
    new = world.client("ecs").describe_task_definition(taskDefinition="web:4", include=["TAGS"])
    images = {c["name"]: c["image"] for c in new["taskDefinition"]["containerDefinitions"]}
    assert images == {"web": f"{ECR}/web@{web}", "envoy": f"public.ecr.aws/appmesh/aws-appmesh-envoy@{envoy}"}
    assert without_images(new) == without_images(old)  # prod's environment, roles, ports and tags are kept
    assert service(world, "prod", "web")["taskDefinition"].endswith("/web:4")
    assert running_digests(world, "prod", "web") == source  # prod now runs exactly what staging runs


def test_promote_by_tag_deploys_the_tag_that_resolved_to_the_digest(world: World, ecsshell, small) -> None:
    result = ecsshell("promote", "staging/api", "prod/api", "--tag", "--yes")
    assert result.code == 0, result.err
    image = described(world, "api:4")["containerDefinitions"][0]["image"]
    assert image == "registry.example.com:5000/team/api:2.5.0-beta"
    assert service(world, "prod", "api")["taskDefinition"].endswith("/api:4")


def test_promote_one_container_leaves_the_others_alone(world: World, ecsshell, small) -> None:
    envoy = next(iter(running_digests(world, "staging", "web")["envoy"]))
    result = ecsshell("promote", "staging/web", "prod/web", "--container", "envoy", "--yes")
    assert result.code == 0, result.err
    images = {c["name"]: c["image"] for c in described(world, "web:4")["containerDefinitions"]}
    assert images == {"web": f"{ECR}/web:1.5.0", "envoy": f"public.ecr.aws/appmesh/aws-appmesh-envoy@{envoy}"}


def test_promote_dry_run_shows_the_diff_and_registers_nothing(world: World, ecsshell, small) -> None:
    before = all_revisions(world)
    result = ecsshell("promote", "staging/web", "prod/web", "--dry-run")
    assert result.code == 0, result.err
    assert "dry run: web in prod would move from web:3 to a new revision; nothing changed" in result.out
    assert f'+      "image": "{ECR}/web@sha256:' in result.out
    assert "hunter2" not in result.out
    assert all_revisions(world) == before
    assert world.recorder.snapshot().get("RegisterTaskDefinition", 0) == 0


def test_promote_refuses_a_container_the_target_lacks(world: World, ecsshell, small) -> None:
    before = all_revisions(world)
    result = ecsshell("promote", "staging/web", "prod/api", "--yes")
    assert result.code == 1
    assert "api:3 has no container envoy to take staging/web's image" in result.err
    assert "nothing registered" in result.err
    unknown = ecsshell("promote", "staging/web", "prod/web", "--container", "nosuch", "--yes")
    assert unknown.code == 1 and "staging/web has no container nosuch" in unknown.err
    assert all_revisions(world) == before


def test_promote_refuses_tasks_that_run_different_digests(world: World, ecsshell, small) -> None:
    ecs = world.client("ecs")
    definition = terse_definition("staging-drifty")
    definition["containerDefinitions"][0]["versionConsistency"] = "disabled"  # each task resolves the tag itself
    arn = ecs.register_task_definition(**definition)["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="staging", serviceName="drifty", taskDefinition=arn, desiredCount=2,
                       launchType="FARGATE", networkConfiguration=small["network_configuration"])
    world.advance(10)
    assert len(running_digests(world, "staging", "drifty")["app"]) == 1
    world.registry.push(f"{ECR}/app:1.0.0")
    first = ecs.list_tasks(cluster="staging", serviceName="drifty")["taskArns"][0]
    ecs.stop_task(cluster="staging", task=first, reason="replaced after the push")
    world.advance(30)
    assert len(running_digests(world, "staging", "drifty")["app"]) == 2
    before = all_revisions(world)
    result = ecsshell("promote", "staging/drifty", "prod/web", "--yes")
    assert result.code == 1
    assert "staging/drifty's tasks run 2 different digests of container app" in result.err
    assert all_revisions(world) == before


def test_diff_compares_running_digests(world: World, ecsshell, small) -> None:
    same = ecsshell("--output", "json", "diff", "prod/web", "prod/web")
    assert "runningImages" in [s["section"] for s in json.loads(same.out)["sections"]]
    result = ecsshell("diff", "staging/web", "prod/web")
    assert "--- staging/web (runningImages)" in result.out
    staging = next(iter(running_digests(world, "staging", "web")["web"]))
    assert f'-  "web": "{staging}"' in result.out


# across accounts and Regions (profile staging: account 111111111111; prod: a role in 222222222222) ----------
def test_diff_and_promote_across_accounts_and_regions(world: World, ecsshell, tmp_path: Path) -> None:
    from ecsshell.emulator.worlds import fleet_world

    fleet = fleet_world(world, tmp_path / "aws")
    env = fleet["env"]
    staging = world.client("ecs", account="111111111111", region="us-east-1")
    prod = world.client("ecs", account="222222222222", region="eu-west-1")
    image = "111111111111.dkr.ecr.us-east-1.amazonaws.com/api:2.0.0"
    arn = staging.register_task_definition(
        family="api", containerDefinitions=[{"name": "api", "image": image, "memory": 256, "essential": True}],
        requiresCompatibilities=["FARGATE"], cpu="256", memory="512")["taskDefinition"]["taskDefinitionArn"]
    staging.update_service(cluster="web", service="api", taskDefinition=arn)
    world.advance(30)
    source, target = "staging@us-east-1:/web/api", "prod@eu-west-1:/web/api"

    differ = ecsshell("diff", source, target, extra=env)
    assert differ.code == 1, differ.err
    assert f"--- {source} (taskDefinition)" in differ.out and f"+++ {target} (taskDefinition)" in differ.out
    assert f'-      "image": "{image}",' in differ.out
    assert '+      "image": "222222222222.dkr.ecr.eu-west-1.amazonaws.com/api:1.0.0",' in differ.out

    prod_before = [a for page in prod.get_paginator("list_task_definitions").paginate()
                   for a in page["taskDefinitionArns"]]
    result = ecsshell("promote", source, target, "--yes", "--wait", extra=env)
    assert result.code == 0, result.err
    tasks = staging.list_tasks(cluster="web", serviceName="api")["taskArns"]
    digest = staging.describe_tasks(cluster="web", tasks=tasks)["tasks"][0]["containers"][0]["imageDigest"]
    deployed = prod.describe_services(cluster="web", services=["api"])["services"][0]["taskDefinition"]
    assert deployed not in prod_before
    container = prod.describe_task_definition(taskDefinition=deployed)["taskDefinition"]["containerDefinitions"][0]
    assert container["image"] == f"111111111111.dkr.ecr.us-east-1.amazonaws.com/api@{digest}"
    assert staging.describe_services(cluster="web", services=["api"])["services"][0]["taskDefinition"] == arn
    other = world.client("ecs", account="222222222222", region="us-east-1")  # prod in the other Region: untouched
    assert other.describe_services(cluster="web", services=["api"])["services"][0]["taskDefinition"].endswith(
        "api:1")

    after = json.loads(ecsshell("--output", "json", "diff", source, target, extra=env).out)
    sections = {s["section"]: s for s in after["sections"]}
    assert sections["runningImages"]["same"] is True  # prod in eu-west-1 now runs what staging runs


def test_promote_by_tag_says_so_when_the_tag_moved_since_source_deployed_it(world: World, ecsshell, small) -> None:
    tested = next(iter(running_digests(world, "staging", "api")["api"]))
    world.registry.push("registry.example.com:5000/team/api:2.5.0-beta")  # CI pushed the tag again
    result = ecsshell("promote", "staging/api", "prod/api", "--tag", "--yes")
    assert result.code == 1
    assert "registered api:4; api in prod now runs it" in result.out  # ECS was changed, and the run says so
    assert "the tag moved since staging/api deployed it" in result.err
    assert "promote without --tag pins the digest" in result.err
    # the deployment of the moved tag is still going: replacing it is asked for with --force
    pinned = ecsshell("promote", "staging/api", "prod/api", "--yes", "--wait", "--force")
    assert pinned.code == 0, pinned.err
    assert running_digests(world, "prod", "api") == {"api": {tested}}


def test_diff_and_promote_complete_service_words_that_run(world: World, tmp_path: Path, small) -> None:
    from harness import make_environment
    from test_completion import complete

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    app = EcsShell(make_environment(world, tmp_path), Options(), interactive=False)
    try:
        assert "staging/" in complete(app, "diff st")[0]
        assert complete(app, "diff staging/w")[0] == ["staging/web", "staging/worker"]
        assert "/prod/web" in complete(app, "promote staging/web /prod/w")[0]
        app.onecmd_plus_hooks("use prod")
        names = complete(app, "diff we")[0]
        assert names[0] == "web"
        app.onecmd_plus_hooks("diff staging/web web")
        assert app.last_status == 1  # what completed runs (and differs)
    finally:
        app.close()


def test_promote_in_the_shell_shows_the_diff_and_asks(world: World, home: Path, small) -> None:
    import re


    before = all_revisions(world)
    shown, _ = at_terminal(world, home, "promote staging/web prod/web", stdin="n\n")
    diff = shown.split("cancelled")[0].splitlines()
    assert all(row[:1] in "-+ @" for row in diff)  # folded to the terminal, every row keeps its marker
    added = "".join(row[1:].strip() for row in diff if row.startswith("+") and not row.startswith("+++"))
    assert f'"image":"{ECR}/web@sha256:' in re.sub(r"\s+", "", added)
    assert "cancelled; nothing changed" in shown
    assert all_revisions(world) == before


# unit: where the digests come from, with a fake gateway -------------------------------------------
class _Revisions:
    """A gateway whose tasks report no digest, with service revisions that do (or fail)."""

    def __init__(self, tasks: list[Any], revisions: list[Any] | Exception) -> None:
        self.tasks = tasks
        self.revisions = revisions

    def service_tasks(self, cluster: str, service: str, desired_status: str = "RUNNING") -> list[Any]:
        return self.tasks

    def describe_service_revisions(self, arns: Any) -> dict[str, Any]:
        if isinstance(self.revisions, Exception):
            raise self.revisions
        return {r.arn: r for r in self.revisions}


def _fake_service(revisions: tuple[str, ...]) -> Any:
    from ecsshell.model import RevisionSummary, Service

    return Service("api", "arn:svc/api", "arn:cluster/prod", "ACTIVE", 1, 1, 0, "arn:td/api:3", "FARGATE",
                   current_revisions=tuple(RevisionSummary(arn) for arn in revisions))


def test_digests_fall_back_to_the_service_revision_then_say_why_they_are_unknown() -> None:
    from ecsshell.errors import AwsError
    from ecsshell.model import ContainerImage, ServiceRevision, Task, TaskContainer
    from ecsshell.operations.diff import running_images

    tasks = [Task("arn:task/1", "arn:td/api:3", "RUNNING", "RUNNING", None, "service:api",
                  containers=(TaskContainer("api", "RUNNING", image="repo/api:1"),))]
    revision = ServiceRevision("arn:rev/api/1", "arn:svc/api", "arn:cluster/prod", "arn:td/api:3",
                               (ContainerImage("api", "repo/api:1", DIGEST_A),))
    found = running_images(_Revisions(tasks, [revision]), "prod", _fake_service(("arn:rev/api/1",)))  # type: ignore[arg-type]
    assert (found.source, found.digests, found.images) == ("service revision", {"api": (DIGEST_A,)},
                                                            {"api": "repo/api:1"})
    refused = running_images(_Revisions(tasks, AwsError("AccessDenied")), "prod",  # type: ignore[arg-type]
                             _fake_service(("arn:rev/api/1",)))
    assert not refused.known and "DescribeServiceRevisions failed (AccessDenied)" in refused.note
    none = running_images(_Revisions(tasks, []), "prod", _fake_service(()))  # type: ignore[arg-type]
    assert not none.known and "no service revision" in none.note
    idle = running_images(_Revisions([], []), "prod", _fake_service(()))  # type: ignore[arg-type]
    assert not idle.known and "no running tasks" in idle.note


def test_promote_json_names_source_target_and_how_it_pinned(world: World, ecsshell, small) -> None:
    result = ecsshell("--output", "json", "promote", "staging/web", "prod/web", "--yes")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert (doc["sourceService"], doc["targetService"], doc["pinnedBy"], doc["to"]) == (
        "staging/web", "prod/web", "digest", "web:4")
    assert {c["container"] for c in doc["images"]} == {"web", "envoy"}
    assert all("@sha256:" in c["new"] for c in doc["images"])

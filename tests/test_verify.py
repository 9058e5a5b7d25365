"""Checks before a deploy: `verify`, and `update` refusing an ECR tag that is not there, against the emulated world."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from harness import run_ecsshell

from ecsshell.emulator import World
from ecsshell.emulator.worlds import ACCOUNT, ECR, EXECUTION_ROLE, demo_world
from ecsshell.operations.verify import _secret_source

VERIFY_CALLS = ("DescribeImages", "DescribeSecret", "GetParameters", "GetRole", "DescribeLogGroups")


def calls(world: World, *names: str) -> dict[str, int]:
    return {name: world.recorder.calls[name] for name in names}


def revisions(world: World, family: str) -> list[str]:
    return world.client("ecs").list_task_definitions(familyPrefix=family)["taskDefinitionArns"]


def test_verify_checks_each_thing_once_and_the_docs_examples_run(world: World, ecsshell,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from test_readme import ROOT, run_examples

    demo_world(world)
    monkeypatch.chdir(ROOT)
    world.recorder.reset()
    ran = {command: result for command, _, result in run_examples(ecsshell, "<!-- verify:", 5, errors_say_why=True)}
    ok = ran["ecsshell verify prod web :1.6.0"]
    lines = ok.out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ok", "image"], ["skip", "image"], ["ok", "secret"], ["ok", "parameter"], ["ok", "task"],
        ["ok", "execution"], ["ok", "log"]]
    digest = world.registry.digest(f"{ECR}/web:1.6.0")  # what tasks of a revision on that tag run
    assert f"{ECR}/web:1.6.0  web: {digest[:19]}, pushed " in lines[0]
    assert "not checked (not ECR)" in lines[1]
    assert "emulated-secret-not-a-value" not in "".join(r.out + r.err for r in ran.values())
    assert "(did you mean :1.6.0?)" in ran["ecsshell verify prod web :1.6.1"].out
    missing = ran["ecsshell verify prod notifications"]  # the demo's failure worth seeing
    assert "FAIL secret" in missing.out and "prod/notifications-Xy12Ab  not found in Secrets Manager" in missing.out
    assert missing.err == "error: 1 of 6 checks failed for notifications in prod\n"
    assert "nothing was registered" in ran["ecsshell update prod web :1.6.1 --yes"].err
    query = "ecsshell --output json verify prod checkout --query 'ecsshell.checks[?ok==`false`]'"
    assert ran[query].out.strip() == "[]"
    # nothing read a secret's value, nothing was registered
    assert not world.recorder.calls["GetSecretValue"] and not world.recorder.calls["RegisterTaskDefinition"]

    world.recorder.reset()
    document = json.loads(ecsshell("--output", "json", "verify", "prod", "web").out)
    found = document["ecsshell"]
    # one call per thing (the two roles one GetRole each)
    assert calls(world, *VERIFY_CALLS) == {"DescribeImages": 1, "DescribeSecret": 1, "GetParameters": 1,
                                           "GetRole": 2, "DescribeLogGroups": 1}
    assert found["ok"] is True and document["taskDefinitionArn"].endswith(":task-definition/web:3")
    image = found["checks"][0]
    assert image["name"] == "image" and image["target"] == f"{ECR}/web:1.5.0" and image["ok"] is True
    assert image["imageDetail"]["imageDigest"] == world.registry.digest(f"{ECR}/web:1.5.0")
    assert image["imageDetail"]["imageTags"] == ["1.5.0"] and image["imageDetail"]["imageSizeInBytes"] > 0
    assert found["checks"][1] == {"name": "image", "target": "public.ecr.aws/appmesh/aws-appmesh-envoy:"
                                     "v1.27.2.0-prod", "ok": None, "detail": "envoy: not checked (not ECR)"}
    pinned = ecsshell("verify", "prod", "worker")  # pinned by digest: found by digest
    assert pinned.code == 0 and pinned.out.startswith("ok   image ")


def test_verify_batches_parameters_strips_json_keys_and_reads_roles_and_groups(world: World, ecsshell) -> None:
    sm, ssm, iam = world.client("secretsmanager"), world.client("ssm"), world.client("iam")
    secret = sm.create_secret(Name="ci/app", SecretString='{"password": "hunter2"}')["ARN"]
    for index in range(22):
        ssm.put_parameter(Name=f"/ci/app/P{index:02d}", Value="v", Type="SecureString")
    iam.create_role(RoleName="app-task", AssumeRolePolicyDocument="{}")
    world.client("logs").create_log_group(logGroupName="/ecs/app")
    region = world.region
    secrets = [{"name": f"P{i:02d}", "valueFrom": f"/ci/app/P{i:02d}" if i % 2 else
                f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/ci/app/P{i:02d}"} for i in range(23)]  # P22: missing
    secrets.append({"name": "PASSWORD", "valueFrom": f"{secret}:password::"})
    logs = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app", "awslogs-region": region,
                                                "awslogs-stream-prefix": "app"}}
    sidecar_logs = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app-sidecar", "awslogs-region": region,
                                                        "awslogs-create-group": "true"}}
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="ci")
    ecs.register_task_definition(
        family="app", taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/app-task", executionRoleArn=EXECUTION_ROLE,
        containerDefinitions=[{"name": "app", "image": "repo/app:1", "memory": 128, "secrets": secrets,
                               "logConfiguration": logs},
                              {"name": "sidecar", "image": "repo/side:1", "memory": 64,
                               "logConfiguration": sidecar_logs}])
    ecs.create_service(cluster="ci", serviceName="app", taskDefinition="app:1", desiredCount=0)
    world.recorder.reset()
    result = ecsshell("verify", "ci", "app")
    assert result.code == 1
    assert calls(world, *VERIFY_CALLS) == {"DescribeImages": 0, "DescribeSecret": 1, "GetParameters": 3,
                                           "GetRole": 2, "DescribeLogGroups": 2}
    failed = [line for line in result.out.splitlines() if line.startswith("FAIL")]
    assert failed == [
        f"FAIL parameter       arn:aws:ssm:{region}:{ACCOUNT}:parameter/ci/app/P22  not found in SSM Parameter Store "
        "(for app/P22)",
        f"FAIL execution role  {EXECUTION_ROLE}  IAM role ecsTaskExecutionRole not found"]
    assert f"ok   secret          {secret}:password::  for app/PASSWORD" in result.out
    assert "awslogs-create-group makes it (for sidecar)" in result.out
    assert "hunter2" not in result.out + result.err


def test_secret_sources_keep_the_secret_arn_without_its_json_key_stage_and_version() -> None:
    arn = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db-AbCdEf"
    assert _secret_source(f"{arn}:password:AWSCURRENT:") == ("secret", "eu-west-1", arn)
    assert _secret_source("/plain/name") == ("parameter", None, "/plain/name")
    parameter = f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/x"
    assert _secret_source(parameter) == ("parameter", "eu-west-1", parameter)


def test_update_refuses_a_tag_not_in_ecr_before_registering_anything(world: World, small: dict[str, Any],
                                                                     home: Path) -> None:
    before = revisions(world, "web")
    typo = run_ecsshell(world, home, "update", "prod", "web", ":1.4.9", "-y")
    assert typo.code == 1 and typo.out == ""
    assert typo.err == ("error: container web: tag 1.4.9 not found in ECR repository web (did you mean :1.4.1?); "
                        "nothing was registered (give --no-verify to deploy without this check)\n")
    assert world.recorder.calls["DescribeImages"] == 2  # the tag, then the repository's recent tags
    assert calls(world, "RegisterTaskDefinition", "UpdateService") == {"RegisterTaskDefinition": 0,
                                                                        "UpdateService": 0}
    assert revisions(world, "web") == before
    web = world.client("ecs").describe_services(cluster="prod", services=["web"])["services"][0]
    assert web["taskDefinition"].endswith("web:3")

    nowhere = run_ecsshell(world, home, "update", "prod", "web", f"{ECR}/nosuch:1", "-y")
    assert nowhere.code == 1 and "ECR repository nosuch not found in registry" in nowhere.err
    assert revisions(world, "web") == before

    world.faults.fail("DescribeImages", status=400, times=1, content_type="application/x-amz-json-1.1",
                      body=json.dumps({"__type": "AccessDeniedException", "message": "not authorized"}))
    denied = run_ecsshell(world, home, "update", "prod", "web", ":1.4.0", "-y")
    assert denied.code == 1 and "container web: could not check: " in denied.err
    assert denied.err.endswith("nothing was registered (give --no-verify to deploy without this check)\n")
    assert revisions(world, "web") == before

    world.recorder.reset()
    good = run_ecsshell(world, home, "update", "prod", "web", ":1.4.0", "-y", "--no-wait")
    assert good.code == 0, good.err
    assert world.recorder.calls["DescribeImages"] == 1  # one call for the one repository

    world.recorder.reset()
    unchecked = run_ecsshell(world, home, "update", "prod", "web", ":1.4.9", "-y", "--no-wait", "--no-verify")
    assert unchecked.code == 0, unchecked.err
    assert world.recorder.calls["DescribeImages"] == 0 and world.recorder.calls["RegisterTaskDefinition"] == 1

    world.recorder.reset()
    elsewhere = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "-y", "--no-wait")
    assert elsewhere.code == 0 and world.recorder.calls["DescribeImages"] == 0  # not ECR: not checked


def test_marks_are_coloured_on_a_terminal_and_words_on_a_pipe_and_a_push_moves_the_digest(
        world: World, small: dict[str, Any], home: Path) -> None:
    piped = run_ecsshell(world, home, "verify", "prod", "legacy")
    assert piped.code == 1 and piped.out.startswith("FAIL image ") and "\x1b" not in piped.out
    assert "tag 2020.02 not found in ECR repository legacy (did you mean :2021.01?)" in piped.out
    shown = run_ecsshell(world, home, "verify", "prod", "legacy", stdout_tty=True)
    assert shown.code == 1 and shown.out.startswith("\x1b[1;31m✗\x1b[0m image ")
    assert "\x1b[32m✓\x1b[0m log group" in shown.out
    pushed = world.registry.push(f"{ECR}/legacy:2019.11")  # CI pushed the tag again: ECR follows
    document = json.loads(run_ecsshell(world, home, "--output", "json", "verify", "prod", "legacy", ":2019.11").out)
    assert document["ecsshell"]["checks"][0]["imageDetail"]["imageDigest"] == pushed

"""ls CLUSTER TASK, why and exec against the emulated world: what is running, down to the task, and why not."""

from __future__ import annotations

import json
from typing import Any

from ecsshell.emulator import World, failures


def ecs_tasks(world: World, cluster: str, desired: str = "RUNNING", **params: Any) -> list[dict[str, Any]]:
    """Return CLUSTER's tasks as ECS itself describes them."""
    ecs = world.client("ecs")
    arns = ecs.list_tasks(cluster=cluster, desiredStatus=desired, **params)["taskArns"]
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []


def task_id(task: dict[str, Any]) -> str:
    return str(task["taskArn"]).rsplit("/", 1)[-1]


def eni_detail(task: dict[str, Any], name: str) -> str:
    (attachment,) = task["attachments"]
    return next(d["value"] for d in attachment["details"] if d["name"] == name)


# ls CLUSTER TASK ---------------------------------------------------------------------------------
def test_ls_task_by_prefix_shows_containers_digests_network_and_times(world, ecsshell, small) -> None:
    task = ecs_tasks(world, "prod", serviceName="web")[0]
    tid = task_id(task)
    result = ecsshell("ls", "prod", tid[:8])
    assert result.code == 0, result.err
    out = result.out
    assert f"task {tid} (web:3) in prod, service web" in out
    for container in task["containers"]:
        assert container["name"] in out and container["imageDigest"] in out
    assert eni_detail(task, "networkInterfaceId") in out and eni_detail(task, "privateIPv4Address") in out
    assert "HEALTHY" in out and "ECS Exec" in out
    document = json.loads(ecsshell("ls", "prod", tid[:8], "--output", "json").out)
    mine = document["task"]
    assert mine["taskArn"] == task["taskArn"] and mine["attachments"] == task["attachments"]  # as ECS gave them
    assert mine["ecsshell"]["id"] == tid
    assert mine["ecsshell"]["privateIpv4Address"] == eni_detail(task, "privateIPv4Address")
    assert [c["imageDigest"] for c in mine["containers"]] == [c["imageDigest"] for c in task["containers"]]
    assert mine["pullStartedAt"] and mine["startedAt"] and mine["createdAt"]
    assert world.recorder.calls["StopTask"] == 0


def test_ls_stopped_task_says_why_it_stopped(world, ecsshell, small) -> None:
    stopped = ecs_tasks(world, "prod", "STOPPED", serviceName="legacy")
    failed = next(t for t in stopped if t["stoppedReason"].startswith("CannotPullContainerError"))
    assert failed["stopCode"] == "TaskFailedToStart"
    result = ecsshell("ls", "prod", task_id(failed))
    assert result.code == 0, result.err
    assert "TaskFailedToStart" in result.out and "CannotPullContainerError" in result.out
    document = json.loads(ecsshell("--output", "json", "ls", "prod", task_id(failed)[:12]).out)
    assert document["task"]["stopCode"] == "TaskFailedToStart"
    assert document["task"]["stoppedReason"] == failed["stoppedReason"]
    assert document["task"]["containers"][0]["reason"] == failed["containers"][0]["reason"]


def test_ls_exit_codes_of_a_stopped_task(world, ecsshell, small) -> None:
    failures.exits(world, "staging-web:2", 137, container="web")
    world.client("ecs").update_service(cluster="staging", service="web", forceNewDeployment=True)
    world.advance(8)
    failed = next(t for t in ecs_tasks(world, "staging", "STOPPED", serviceName="web")
                  if t["stopCode"] == "EssentialContainerExited")
    document = json.loads(ecsshell("ls", "staging", task_id(failed), "--output", "json").out)
    codes = {c["name"]: c["exitCode"] for c in document["task"]["containers"]}
    assert codes == {c["name"]: c["exitCode"] for c in failed["containers"]} and codes["web"] == 137


def test_ls_a_service_name_wins_and_an_unknown_name_says_service_not_found(world, ecsshell, small) -> None:
    service = ecsshell("ls", "prod", "web")
    assert service.code == 0 and "task web" not in service.out and "1.5.0" in service.out
    unknown = ecsshell("ls", "prod", "nosuch")
    assert unknown.code != 0 and 'service "nosuch" not found' in unknown.err
    assert len(unknown.err.strip().splitlines()) == 1
    hexish = ecsshell("ls", "prod", "ffffffff")
    assert hexish.code != 0 and 'service "ffffffff" not found' in hexish.err
    assert len(hexish.err.strip().splitlines()) == 1


class TaskGateway:
    """A fake gateway with no services and the tasks it is given (for the service-or-task rule)."""

    def __init__(self, ids: list[str]) -> None:
        from ecsshell.model import Task

        self.tasks = [Task(arn=f"arn:aws:ecs:us-east-1:1:task/c/{i}", task_definition_arn="td:1",
                           last_status="RUNNING", desired_status="RUNNING", health=None, group=None) for i in ids]

    def describe_service(self, cluster: str, name: str) -> Any:
        from ecsshell.errors import AwsError

        raise AwsError(f'service "{name}" not found in cluster "{cluster}"')

    def describe_tasks(self, cluster: str, arns: list[str]) -> list[Any]:
        return [t for t in self.tasks if t.id in arns or t.arn in arns]

    def cluster_tasks(self, cluster: str, desired_status: str = "RUNNING") -> list[Any]:
        return self.tasks if desired_status == "RUNNING" else []

    def submit(self, fn: Any, *args: Any) -> Any:
        from concurrent.futures import Future

        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future


def test_a_task_prefix_two_tasks_share_is_ambiguous_and_a_plain_word_stays_a_service_error() -> None:
    import pytest

    from ecsshell.errors import AwsError
    from ecsshell.operations import OperationError
    from ecsshell.operations.tasks import service_or_task

    gateway: Any = TaskGateway(["abcd1111", "abcd2222", "ef012345"])
    with pytest.raises(OperationError, match="ambiguous"):
        service_or_task(gateway, "c", "abcd")
    assert service_or_task(gateway, "c", "abcd2").id == "abcd2222"
    assert service_or_task(gateway, "c", "ef01").id == "ef012345"
    with pytest.raises(AwsError, match='service "web" not found'):
        service_or_task(gateway, "c", "web")  # not hex: never looked up as a task
    with pytest.raises(AwsError, match='service "abc9" not found'):
        service_or_task(gateway, "c", "abc9")  # hex, but no task has it: the service's error stands


# why ---------------------------------------------------------------------------------------------
def redeploy(world: World, cluster: str, service: str, seconds: float = 10) -> None:
    """Start a new deployment of SERVICE on its revision, as a fresh rollout would, and let it run."""
    world.client("ecs").update_service(cluster=cluster, service=service, forceNewDeployment=True)
    world.advance(seconds)
    world.recorder.reset()


def why(ecsshell, cluster: str, service: str) -> tuple[Any, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Run `why` as text and as JSON; return the text run and the JSON document."""
    text = ecsshell("why", cluster, service)
    document = json.loads(ecsshell("why", cluster, service, "--output", "json").out)
    return text, document


def assert_cause(world: World, text: Any, document: dict[str, Any], kind: str, *words: str) -> dict[str, Any]:
    """Check `why` found a cause of KIND saying WORDS, with a next step, exited 1 and changed nothing."""
    assert text.code == 1, text.err
    assert document["ok"] is False
    (cause,) = [c for c in document["causes"] if c["cause"] == kind]
    for word in words:
        assert word in cause["summary"], cause
        assert word in text.out
    assert cause["next"] and f"  next: {cause['next']}" in text.out
    assert not [op for op in world.recorder.calls if not op.startswith(("Describe", "List"))]
    return cause


def test_why_a_healthy_service_says_so_and_exits_0(world, ecsshell, small) -> None:
    text, document = why(ecsshell, "prod", "web")
    assert text.code == 0 and text.out.startswith("OK: service web in prod runs 3 of 3 tasks")
    assert document["ok"] is True and document["causes"] == []


def test_why_image_pull_failure(world, ecsshell, small) -> None:
    failures.cannot_pull(world, "staging-api:1")
    redeploy(world, "staging", "api")
    stopped = [t for t in ecs_tasks(world, "staging", "STOPPED", serviceName="api")
               if t["stopCode"] == "TaskFailedToStart"]
    assert stopped and stopped[0]["stoppedReason"].startswith("CannotPullContainerError: ")
    text, document = why(ecsshell, "staging", "api")
    cause = assert_cause(world, text, document, "image-pull", "CannotPullContainerError", "api:2.5.0-beta")
    assert set(cause["tasks"]) <= {task_id(t) for t in stopped} and cause["tasks"]
    assert "execution role" in cause["next"]


def test_why_missing_secrets_or_execution_role(world, ecsshell, small) -> None:
    failures.lacks_secrets(world, "staging-worker:1")
    redeploy(world, "staging", "worker")
    text, document = why(ecsshell, "staging", "worker")
    cause = assert_cause(world, text, document, "secrets", "ResourceInitializationError: unable to pull secrets "
                                                           "or registry auth")
    assert "secretsmanager:GetSecretValue" in cause["next"] and "ecsTaskExecutionRole" in cause["next"]


def test_why_essential_container_exit_with_its_code(world, ecsshell, small) -> None:
    failures.exits(world, "staging-web:2", 137, container="web")
    redeploy(world, "staging", "web")
    text, document = why(ecsshell, "staging", "web")
    cause = assert_cause(world, text, document, "exit", "essential container web exited with code 137")
    assert "memory" in cause["next"] and f"logs staging {cause['tasks'][0][:8]} --since " in cause["next"]


def test_why_failing_container_health_checks(world, ecsshell, small) -> None:
    failures.fails_health_checks(world, "staging-api:1")
    redeploy(world, "staging", "api")
    (stopped, *_) = [t for t in ecs_tasks(world, "staging", "STOPPED", serviceName="api")
                     if t["stoppedReason"] == failures.HEALTH_REASON]
    assert stopped["containers"][0]["healthStatus"] == "UNHEALTHY"
    text, document = why(ecsshell, "staging", "api")
    cause = assert_cause(world, text, document, "container-health", "Task failed container health checks")
    assert "healthCheck" in cause["next"]


def test_why_target_group_health(world, ecsshell, small) -> None:
    text, document = why(ecsshell, "prod", "search")
    cause = assert_cause(world, text, document, "target-health", "prod-search: 0 of 2 targets healthy")
    assert "health check" in cause["next"]


def test_why_no_capacity_to_place_tasks(world, ecsshell, small) -> None:
    failures.unplaceable(world, "staging", "worker")
    world.client("ecs").update_service(cluster="staging", service="worker", desiredCount=3)
    world.advance(5)
    world.recorder.reset()
    text, document = why(ecsshell, "staging", "worker")
    assert_cause(world, text, document, "placement", "(service worker) was unable to place a task because no "
                                                     "container instance met all of its requirements")
    assert document["runningCount"] == 1 and document["desiredCount"] == 3


def test_why_names_the_failed_deployment_and_what_still_runs(world, ecsshell, small) -> None:
    text, document = why(ecsshell, "prod", "payments")
    assert_cause(world, text, document, "exit", "exited with code 1")
    assert any("FAILED" in note for note in document["notes"]) and "note: " in text.out


def test_why_of_an_unknown_service_fails_in_one_line(world, ecsshell, small) -> None:
    result = ecsshell("why", "prod", "nosuch")
    assert result.code != 0 and len(result.err.strip().splitlines()) == 1 and "nosuch" in result.err


# exec --------------------------------------------------------------------------------------------
STAND_IN = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "$STAND_IN_VERSION"; exit 0; fi
python3 - "$@" <<'PY'
import json, os, sys
with open(os.environ["STAND_IN_RECORD"], "w") as out:
    json.dump({"argv": sys.argv[1:], "session": os.environ.get("AWS_SSM_START_SESSION_RESPONSE")}, out)
PY
exit "${STAND_IN_EXIT:-0}"
"""


def stand_in(tmp_path: Any, version: str = "1.2.707.0", exit_code: int = 0) -> tuple[dict[str, str], Any]:
    """Put a session-manager-plugin that records its arguments on PATH; return the env and the record file."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    plugin = folder / "session-manager-plugin"
    plugin.write_text(STAND_IN)
    plugin.chmod(0o755)
    record = tmp_path / "record.json"
    return {"PATH": f"{folder}:/usr/bin:/bin", "STAND_IN_RECORD": str(record), "STAND_IN_VERSION": version,
            "STAND_IN_EXIT": str(exit_code)}, record


def runtime_ids(world: World, cluster: str, service: str, container: str) -> dict[str, str]:
    return {task_id(t): c["runtimeId"] for t in ecs_tasks(world, cluster, serviceName=service)
            for c in t["containers"] if c["name"] == container}


def test_exec_runs_the_plugin_with_the_documented_arguments(world, ecsshell, small, tmp_path) -> None:
    env, record = stand_in(tmp_path)
    result = ecsshell("exec", "prod", "web", "--force", extra=env)
    assert result.code == 0, result.err
    assert world.recorder.calls["ExecuteCommand"] == 1
    called = json.loads(record.read_text())
    first, region, action, profile, request, endpoint = called["argv"]
    assert (first, region, action, profile) == ("AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", "")
    session = json.loads(called["session"])
    assert set(session) == {"sessionId", "streamUrl", "tokenValue"} and session["tokenValue"]
    cluster, tid, runtime = json.loads(request)["Target"].removeprefix("ecs:").split("_")
    assert cluster == "prod" and runtime_ids(world, "prod", "web", "web")[tid] == runtime
    assert endpoint.rstrip("/") == world.environ()["AWS_ENDPOINT_URL"].rstrip("/")
    assert session["tokenValue"] not in result.out + result.err
    assert "container web of task" in result.err and "envoy" in result.err  # names the other container


def test_exec_hands_an_old_plugin_the_session_as_its_first_argument(world, ecsshell, small, tmp_path) -> None:
    env, record = stand_in(tmp_path, version="1.2.279.0")
    tid = next(iter(runtime_ids(world, "prod", "web", "envoy")))
    result = ecsshell("exec", "prod", tid[:8], "--container", "envoy", "ls -la", "--force", extra=env)
    assert result.code == 0, result.err
    called = json.loads(record.read_text())
    assert called["session"] is None and set(json.loads(called["argv"][0])) == {"sessionId", "streamUrl",
                                                                                "tokenValue"}
    assert json.loads(called["argv"][4])["Target"].endswith(f"_{tid}_{runtime_ids(world, 'prod', 'web', 'envoy')[tid]}")
    assert f"exec 'ls -la' in container envoy of task {tid}" in result.err


def test_exec_fails_with_the_plugin_status(world, ecsshell, small, tmp_path) -> None:
    env, _ = stand_in(tmp_path, exit_code=5)
    result = ecsshell("exec", "prod", "web", "--force", extra=env)
    assert result.code == 5 and "exited with status 5" in result.err


def test_exec_with_exec_off_says_how_to_turn_it_on_and_calls_nothing(world, ecsshell, small, tmp_path) -> None:
    env, record = stand_in(tmp_path)
    result = ecsshell("exec", "prod", "legacy", "--force", extra=env)
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1
    assert "ECS Exec is off" in result.err and "--enable-execute-command" in result.err
    (standalone,) = ecs_tasks(world, "batch")
    task = ecsshell("exec", "batch", task_id(standalone)[:8], "--force", extra=env)
    assert task.code == 1 and "started without ECS Exec" in task.err and "run-task" in task.err
    assert world.recorder.calls["ExecuteCommand"] == 0 and not record.exists()


def test_ecs_refuses_execute_command_for_a_task_without_it(world, small) -> None:
    import botocore.exceptions
    import pytest

    from ecsshell.emulator.execute_command import NOT_ENABLED

    (task, *_) = ecs_tasks(world, "prod", serviceName="legacy")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        world.client("ecs").execute_command(cluster="prod", task=task["taskArn"], command="/bin/sh",
                                            interactive=True)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert caught.value.response["Error"]["Message"] == NOT_ENABLED


def test_exec_without_the_plugin_says_where_to_get_it(world, ecsshell, small, tmp_path) -> None:
    result = ecsshell("exec", "prod", "web", "--force", extra={"PATH": str(tmp_path)})
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1
    assert "session-manager-plugin is not installed" in result.err and "https://" in result.err
    assert world.recorder.calls["ExecuteCommand"] == 0


def test_exec_wants_a_terminal_or_force_and_read_only_refuses_it(world, ecsshell, small, tmp_path) -> None:
    env, record = stand_in(tmp_path)
    piped = ecsshell("exec", "prod", "web", extra=env)
    assert piped.code == 2 and "--force" in piped.err and len(piped.err.strip().splitlines()) == 1
    refused = ecsshell("--read-only", "exec", "prod", "web", "--force", extra=env)
    assert refused.code == 1 and "read-only mode" in refused.err
    assert world.recorder.calls["ExecuteCommand"] == 0 and not record.exists()


def test_exec_inside_a_scope(world, ecsshell, small, tmp_path) -> None:
    env, record = stand_in(tmp_path)
    result = ecsshell(stdin="use prod\nexec web --force\n", extra=env)
    assert result.code == 0, result.err
    assert json.loads(json.loads(record.read_text())["argv"][4])["Target"].startswith("ecs:prod_")


# rollback shows the diff before it asks ----------------------------------------------------------
def test_rollback_shows_the_diff_before_it_asks(world, small, tmp_path) -> None:
    from harness import at_terminal

    out, _ = at_terminal(world, tmp_path, "rollback prod api", stdin="n\n")
    minus = out.index('-      "image": "registry.example.com:5000/team/api:2.4.1"')
    plus = out.index('+      "image": "registry.example.com:5000/team/api:2.4.0"')
    assert "--- api:3" in out and "+++ api:2" in out and minus < plus
    assert "cancelled; nothing changed" in out
    assert world.recorder.calls["UpdateService"] == 0
    svc = world.client("ecs").describe_services(cluster="prod", services=["api"])["services"][0]
    assert svc["taskDefinition"].endswith("api:3")


def test_the_readme_diagnose_examples_run_against_the_demo_world(world, ecsshell, tmp_path, monkeypatch) -> None:
    from test_readme import ROOT, run_examples

    from ecsshell.emulator.worlds import demo_world

    demo_world(world)
    monkeypatch.chdir(ROOT)
    env, _ = stand_in(tmp_path)
    run_examples(ecsshell, "<!-- diagnose:", 6, extra=env)


# completion and cost -----------------------------------------------------------------------------
def test_stop_and_exec_complete_task_ids_that_then_run(world, small, tmp_path) -> None:
    from harness import make_environment
    from test_completion import complete

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    (standalone,) = ecs_tasks(world, "batch")
    app = EcsShell(make_environment(world, tmp_path), Options(), interactive=False)
    try:
        names, _, metas = complete(app, "stop batch ")
        assert names == [task_id(standalone)] and "report:2" in metas[0]
        prod_ids = {task_id(t) for t in ecs_tasks(world, "prod")}
        offered = set(complete(app, "exec prod ")[0])
        assert {"web", "api"} <= offered and prod_ids <= offered
        app.onecmd_plus_hooks(f"stop batch {names[0]} -y")
        assert app.last_status == 0
    finally:
        app.close()
    world.advance(5)
    assert ecs_tasks(world, "batch") == []


def test_why_costs_a_handful_of_calls(world, ecsshell, small) -> None:
    assert ecsshell("why", "prod", "search").code == 1
    calls = world.recorder.calls
    assert calls["DescribeServices"] == 1 and calls["ListTasks"] == 2 and calls["DescribeTasks"] <= 2
    assert calls["DescribeTaskDefinition"] <= 1
    assert sum(calls.values()) <= 10, dict(calls)


def test_ls_task_by_prefix_costs_a_handful_of_calls(world, ecsshell, small) -> None:
    tid = task_id(ecs_tasks(world, "prod", serviceName="web")[0])
    world.recorder.reset()
    assert ecsshell("ls", "prod", tid[:8]).code == 0
    calls = world.recorder.calls
    assert calls["ListTasks"] == 2 and calls["DescribeTasks"] <= 2 and calls["DescribeServices"] == 1
    assert sum(calls.values()) <= 7, dict(calls)


def test_the_plugin_gets_the_session_in_the_environment_only_past_1_2_497_0() -> None:
    from ecsshell.model import ExecSession, Task
    from ecsshell.operations import exec as exec_ops

    task = Task(arn="arn:aws:ecs:us-east-1:1:task/prod/abc123", task_definition_arn="web:3", last_status="RUNNING",
                desired_status="RUNNING", health=None, group="service:web")
    target = exec_ops.ExecTarget("prod", task, "web", "abc123-42")
    session = ExecSession(cluster_arn="arn:aws:ecs:us-east-1:1:cluster/prod", task_arn=task.arn,
                          container_name="web", session_id="s-1", stream_url="wss://x", token_value="secret")
    for version, in_env in (("1.2.497.0", False), ("1.2.497.1", True), ("1.2.707.0\n", True), ("", False)):
        argv, env = exec_ops.plugin_call(session, target, region="eu-west-1", profile="ops", endpoint_url="https://e",
                                         version=version, env={"HOME": "/h"})
        assert argv[0] == "session-manager-plugin" and argv[2:4] == ["eu-west-1", "StartSession"]
        assert argv[4:] == ["ops", '{"Target": "ecs:prod_abc123_abc123-42"}', "https://e"]
        assert (argv[1] == exec_ops.SESSION_ENV) is in_env and (exec_ops.SESSION_ENV in env) is in_env
        assert json.loads(env.get(exec_ops.SESSION_ENV) or argv[1])["tokenValue"] == "secret"
        assert env["HOME"] == "/h"
    assert "secret" not in repr(session)

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
    assert mine["id"] == tid and mine["networkInterfaceId"] == eni_detail(task, "networkInterfaceId")
    assert mine["privateIpv4Address"] == eni_detail(task, "privateIPv4Address")
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
    assert "memory" in cause["next"] and "logs staging web" in cause["next"]


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

"""The emulator's ECS throttle model and its connections, through real boto3 clients."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from ecsshell.emulator import World
from ecsshell.emulator.throttle import DEFAULT_LIMITS, Bucket, Limit, Throttle, group_of


def test_actions_fall_into_the_groups_of_ecs_throttling() -> None:
    assert group_of("DescribeServices") == group_of("ListServices") == group_of("DescribeTaskDefinition") == "read"
    assert group_of("RegisterTaskDefinition") == "register"
    assert group_of("UpdateService") == group_of("RunTask") == "write"
    assert DEFAULT_LIMITS["read"] == Limit(50, 20) and DEFAULT_LIMITS["register"] == Limit(20, 1)


def test_a_bucket_holds_its_burst_and_refills_at_its_rate() -> None:
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0])
    throttle.enable({"read": (3, 2)})
    assert [throttle.admit("ListClusters") for _ in range(4)] == [True, True, True, False]
    assert throttle.admit("UpdateService")  # another group, another bucket
    now[0] += 0.5  # one token back at 2 a second
    assert [throttle.admit("DescribeServices") for _ in range(2)] == [True, False]
    now[0] += 100  # never more than the burst
    assert sum(throttle.admit("ListServices") for _ in range(10)) == 3
    assert throttle.throttled == 1 + 1 + 7
    throttle.refill()
    assert throttle.limit("read") == Limit(3, 2) and sum(throttle.admit("ListServices") for _ in range(5)) == 3
    throttle.disable()
    assert throttle.limit("read") is None
    assert all(throttle.admit("ListServices") for _ in range(100))


def test_a_bucket_refills_between_calls() -> None:
    bucket = Bucket(Limit(1, 10), now=0.0)
    assert bucket.take(0.0) and not bucket.take(0.05) and bucket.take(0.11)


def test_unknown_groups_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown throttle group"):
        Throttle().enable({"reads": (1, 1)})


def test_an_empty_bucket_answers_throttling_exception_to_boto3(world: World) -> None:
    world.throttle.enable({"read": (2, 0)})  # never refills
    once = world.client("ecs", retries={"total_max_attempts": 1})
    once.list_clusters()
    once.describe_clusters(clusters=["x"])
    with pytest.raises(ClientError) as err:
        once.list_clusters()
    assert err.value.response["Error"]["Code"] == "ThrottlingException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    world.client("elbv2").describe_load_balancers()  # only ECS is throttled
    world.client("ecs").create_cluster(clusterName="writes-have-their-own-bucket")


def test_botocore_retries_a_throttled_call_until_the_bucket_refills(world: World) -> None:
    world.throttle.enable({"read": (1, 10)})  # one token, then one every 0.1 s
    ecs = world.client("ecs", retries={"mode": "standard", "total_max_attempts": 20})
    world.recorder.reset()
    for _ in range(4):
        assert ecs.list_clusters()["clusterArns"] == []
    assert world.throttle.throttled >= 1  # back to back, some had to wait
    assert world.recorder.calls["ListClusters"] == 4 + world.throttle.throttled


def test_a_reset_world_is_not_throttled(world: World) -> None:
    world.throttle.enable({"read": (1, 0)})
    world.reset()
    assert not world.throttle.enabled
    ecs = world.client("ecs", retries={"total_max_attempts": 1})
    for _ in range(5):
        ecs.list_clusters()


def test_a_client_makes_its_calls_over_one_kept_alive_connection(world: World) -> None:
    ecs = world.client("ecs")
    ecs.list_clusters()  # the first call connects
    world.recorder.reset()
    for _ in range(20):
        ecs.list_clusters()
    ecs.describe_clusters(clusters=["x"])
    world.faults.throttle("ListClusters", 1)  # an error reply keeps the connection too
    ecs.list_clusters()
    assert world.recorder.total == 23
    assert world.recorder.connections == 0


def test_the_recorder_sums_the_servers_cpu_time(world: World) -> None:
    ecs = world.client("ecs")
    world.recorder.reset()
    start = time.thread_time()
    for _ in range(10):
        ecs.list_clusters()
    assert world.recorder.cpu_seconds > 0
    assert time.thread_time() - start > 0  # the client's own, measured apart


def test_ls_of_many_services_under_the_throttle_model_never_runs_out_of_retries(world: World, ecsshell) -> None:
    from ecsshell.emulator.worlds import scale_world

    scale_world(world, 300, cluster="big", revisions=1)
    world.throttle.enable({"read": (10, 40)})  # the reference's shape, scaled down to keep the test short
    result = ecsshell("ls", "big")
    assert result.code == 0 and result.err == "", result.err
    assert result.out.splitlines()[0] == "300 services in cluster big"
    assert world.throttle.throttled > 0  # it was throttled, and botocore waited it out

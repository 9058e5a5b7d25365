"""The emulator's speed-ups change no answer: moto's own code says the same, and botocore parses it."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecsshell.emulator import World, speedups
from ecsshell.emulator.worlds import demo_world


def _answers(world: World) -> dict[str, Any]:
    """Ask the demo world's every kind of describe and list, as parsed by botocore."""
    ecs = world.client("ecs")
    out: dict[str, Any] = {}
    clusters = ecs.list_clusters()["clusterArns"]
    out["clusters"] = ecs.describe_clusters(clusters=clusters, include=["TAGS", "SETTINGS", "STATISTICS"])
    for arn in clusters:
        services = ecs.list_services(cluster=arn, maxResults=100)["serviceArns"]
        for first in range(0, len(services), 10):
            batch = services[first:first + 10]
            out[f"services {arn} {first}"] = ecs.describe_services(cluster=arn, services=batch)
            out[f"tagged {arn} {first}"] = ecs.describe_services(cluster=arn, services=batch, include=["TAGS"])
        tasks = ecs.list_tasks(cluster=arn)["taskArns"]
        if tasks:
            out[f"tasks {arn}"] = ecs.describe_tasks(cluster=arn, tasks=tasks[:100], include=["TAGS"])
        instances = ecs.list_container_instances(cluster=arn)["containerInstanceArns"]
        if instances:  # moto transforms their attributes: a response transformer's path
            out[f"instances {arn}"] = ecs.describe_container_instances(cluster=arn, containerInstances=instances)
    for arn in ecs.list_task_definitions(maxResults=100)["taskDefinitionArns"][:30]:
        out[arn] = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    out["missing"] = ecs.describe_services(cluster=clusters[0], services=["nothing-here"])
    for answer in out.values():
        answer.pop("ResponseMetadata", None)
    return out


def test_answers_are_the_same_with_moto_s_own_serializer(world: World) -> None:
    demo_world(world)
    ours = _answers(world)  # emulated time stands still between the two rounds: one state
    with speedups.uninstalled():
        theirs = _answers(world)
    assert ours == theirs
    assert any(key.startswith("instances ") for key in ours)  # the transformer's path was walked
    tagged = [answer for key, answer in ours.items() if key.startswith("tagged ")]
    assert any(service.get("tags") for answer in tagged for service in answer["services"])
    untagged = [answer for key, answer in ours.items() if key.startswith("services ")]
    assert not any("tags" in service for answer in untagged for service in answer["services"])


def test_list_services_answers_what_moto_lists_in_pages(world: World) -> None:
    demo_world(world)
    ecs = world.client("ecs")
    backend = world.backend()
    for cluster in ecs.list_clusters()["clusterArns"]:
        for filters in ({}, {"launchType": "FARGATE"}, {"launchType": "EC2"}, {"schedulingStrategy": "REPLICA"},
                        {"schedulingStrategy": "DAEMON"}):
            pages = ecs.get_paginator("list_services").paginate(cluster=cluster, PaginationConfig={"PageSize": 3},
                                                                **filters)
            listed = [arn for page in pages for arn in page["serviceArns"]]
            moto = backend.list_services(cluster.split("/")[-1], filters.get("schedulingStrategy"),
                                         launch_type=filters.get("launchType"))
            assert listed == moto, (cluster, filters)


def test_list_services_keeps_to_its_own_cluster_and_refuses_as_ecs_does(world: World) -> None:
    ecs = world.client("ecs")
    for name in ("web", "myweb"):
        ecs.create_cluster(clusterName=name)
        ecs.register_task_definition(family=name, containerDefinitions=[{"name": "app", "image": "nginx",
                                                                         "memory": 128}])
        ecs.create_service(cluster=name, serviceName=f"{name}-svc", taskDefinition=name, desiredCount=0)
    assert [arn.rsplit("/", 1)[-1] for arn in ecs.list_services(cluster="web")["serviceArns"]] == ["web-svc"]
    with pytest.raises(ClientError) as missing:
        ecs.list_services(cluster="nowhere")
    assert missing.value.response["Error"] == {"Code": "ClusterNotFoundException", "Message": "Cluster not found."}
    for bad in ({"maxResults": 101}, {"nextToken": "not-a-token"}):
        with pytest.raises(ClientError) as refused:
            ecs.list_services(cluster="web", **bad)
        assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


def test_list_task_definitions_answers_what_moto_lists_in_ecs_order(world: World) -> None:
    demo_world(world)
    ecs = world.client("ecs")
    for name in ("web", "webapp", "Zeta", "a-b", "a_b"):  # prefixes of each other; case and punctuation order
        for image in ("nginx:1", "nginx:2", "nginx:3"):
            ecs.register_task_definition(family=name, containerDefinitions=[{"name": "app", "image": image,
                                                                             "memory": 128}])
    ecs.deregister_task_definition(taskDefinition="webapp:2")
    ecs.deregister_task_definition(taskDefinition="web:3")
    backend = world.backend()
    requests: list[dict[str, Any]] = [{}, {"familyPrefix": "web"}, {"familyPrefix": "webapp"},
                                      {"familyPrefix": "nosuch"}]
    for request in list(requests):
        for extra in ({"status": "INACTIVE"}, {"sort": "DESC"}, {"status": "INACTIVE", "sort": "DESC"}):
            requests.append({**request, **extra})
    for request in requests:
        pages = ecs.get_paginator("list_task_definitions").paginate(PaginationConfig={"PageSize": 4}, **request)
        listed = [arn for page in pages for arn in page["taskDefinitionArns"]]
        moto = backend.list_task_definitions(request.get("familyPrefix"), request.get("status", "ACTIVE"))

        def order(arn: str) -> tuple[str, int]:
            family, revision = arn.rsplit("/", 1)[-1].rsplit(":", 1)
            return family, int(revision)

        assert listed == sorted(moto, key=order, reverse=request.get("sort") == "DESC"), request
        assert all(order(arn)[0] == request["familyPrefix"] for arn in listed) if "familyPrefix" in request else listed

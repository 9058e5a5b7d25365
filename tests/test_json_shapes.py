"""Every command's JSON speaks AWS's own names: each ECS object it prints is walked against botocore's shape.

Where a document holds an ECS object (a Service, a Task, a ServiceDeployment ...), every key of that
object must be a member of botocore's output shape of that name, with a value of the member's kind
(a number for a count, an ISO 8601 string for a time, an ARN for an `...Arn`); what ecsshell adds
goes under the object's `ecsshell` key and nowhere else. Every other key of a document (ecsshell's
own reports and envelopes) must not be a near miss of an ECS member name (`desired` for
`desiredCount`, `health` for `healthStatus`), and a key that is an ECS member name holds a value of
that member's kind (`taskDefinition` is an ARN, not `web:3`).
"""

from __future__ import annotations

import difflib
import json
import os
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jmespath
import pytest

from ecsshell.emulator import World
from ecsshell.emulator.worlds import demo_fleet, demo_world

ROOT = Path(__file__).resolve().parent.parent
ADDED = "ecsshell"  # the one key of an ECS object that holds what ecsshell adds to it
NAMES = {"cluster", "service"}  # as ECS's request parameters take them, these may hold a name
SUFFIXES = {"Count", "TaskCount", "Status", "State", "Arn", "Name", "Id", "Reason", "Tasks"}


@cache
def model(service: str = "ecs") -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


@cache
def member_names() -> frozenset[str]:
    """Return every member name of every ECS shape, input or output."""
    ecs = model()
    return frozenset(m for n in ecs.shape_names for m in getattr(ecs.shape_for(n), "members", {}))


@cache
def member_kinds() -> dict[str, set[str]]:
    """Return every member name of ECS's answers (output shapes), with the kinds of value it holds."""
    found: dict[str, set[str]] = {}
    seen: set[str] = set()

    def walk(shape: Any) -> None:
        if shape is None or shape.name in seen:
            return
        seen.add(shape.name)
        for member, inner in getattr(shape, "members", {}).items():
            found.setdefault(member, set()).add(kind_of(inner, member))
            walk(inner)
        walk(getattr(shape, "member", None))
        walk(getattr(shape, "value", None))

    ecs = model()
    for operation in ecs.operation_names:
        walk(ecs.operation_model(operation).output_shape)
    return found


def kind_of(shape: Any, member: str = "") -> str:
    """Return the kind of JSON value a shape holds: arn, string, integer, number, boolean, time, object, list."""
    kind = shape.type_name
    if kind == "string":
        return "arn" if member.endswith("Arn") or member in ("arn", "taskDefinition") else "string"
    return {"long": "integer", "double": "number", "float": "number", "timestamp": "time",
            "structure": "object", "map": "object", "blob": "string"}.get(kind, kind)


def is_kind(value: Any, kind: str) -> bool:
    """Say whether a JSON value is of a kind (`arn`: a string starting `arn:`; `time`: ISO 8601)."""
    if kind == "arn":
        return isinstance(value, str) and value.startswith("arn:")
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "time":
        try:
            return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
        except ValueError:
            return False
    return isinstance(value, dict if kind == "object" else list)


def near_miss(key: str) -> str | None:
    """Return the ECS member name KEY nearly spells (`desired`: `desiredCount`), or None when it is none."""
    names = member_names()
    tail = key[:1].upper() + key[1:]
    if key in names or key == ADDED or tail in model().shape_names:  # an object's own name: serviceDeployment
        return None
    for name in sorted(names):
        if name.startswith(key) and name[len(key):] in SUFFIXES:
            return name  # desired -> desiredCount, health -> healthStatus
        if name.endswith(tail) and name[: -len(tail)].islower() and not key.islower():
            return name  # circuitBreaker -> deploymentCircuitBreaker (one word, like `from`, is too common)
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.85) if not key.islower() else []
    plural = close and close[0].rstrip("s") == key.rstrip("s")  # ELB's loadBalancerArns, a list of ECS's one
    return close[0] if close and not plural else None


def shape_problems(value: Any, shape: Any, where: str, member: str = "") -> list[str]:
    """Return where VALUE strays from botocore SHAPE: unknown or near-miss keys, wrong kinds, nulls."""
    if value is None:
        return [f"{where}: null (the AWS CLI leaves an absent member out)"]
    kind = kind_of(shape, member)
    if not is_kind(value, kind) and not (kind == "arn" and isinstance(value, str) and member == "arn"):
        return [f"{where}: {value!r:.60} is not {kind} ({shape.name})"]
    found: list[str] = []
    if shape.type_name == "string" and shape.enum and value not in shape.enum:
        found.append(f"{where}: {value!r} is none of {shape.name}'s values")
    if shape.type_name == "structure":
        for key, inner in value.items():
            if key == ADDED:
                if not isinstance(inner, dict):
                    found.append(f"{where}.{ADDED}: not an object")
                continue
            if key not in shape.members:
                close = difflib.get_close_matches(key, list(shape.members), n=1, cutoff=0.5)
                hint = f" (near miss of {close[0]!r}?)" if close else ""
                found.append(f"{where}.{key}: not a member of {shape.name}{hint}")
                continue
            found.extend(shape_problems(inner, shape.members[key], f"{where}.{key}", key))
    elif shape.type_name == "list":
        for index, item in enumerate(value):
            found.extend(shape_problems(item, shape.member, f"{where}[{index}]", member))
    elif shape.type_name == "map":
        for key, item in value.items():
            found.extend(shape_problems(item, shape.value, f"{where}.{key}"))
    return found


def envelope_problems(value: Any, where: str, skip: set[int]) -> list[str]:
    """Return near-miss keys, and ECS member names holding another kind of value, outside the ECS objects."""
    found: list[str] = []
    if id(value) in skip:
        return found
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{where}.{key}"
            if key == ADDED:
                continue
            miss = near_miss(str(key)) if id(inner) not in skip else None  # an AWS object's key names it
            if miss:
                found.append(f"{here}: near miss of ECS's {miss!r}")
            kinds = member_kinds().get(str(key))
            named = key in NAMES and isinstance(inner, str)
            if kinds and inner is not None and id(inner) not in skip and not named and \
                    not any(is_kind(inner, k) for k in kinds):
                found.append(f"{here}: {inner!r:.60} is not {' or '.join(sorted(kinds))}, as ECS's {key!r} is")
            found.extend(envelope_problems(inner, here, skip))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(envelope_problems(item, f"{where}[{index}]", skip))
    return found


def shape_named(name: str) -> Any:
    """Return ECS's shape NAME, or another service's written `SERVICE:NAME` (cloudwatch:MetricDataResult)."""
    service, _, shape = name.rpartition(":")
    if not service:
        return model().shape_for(name)
    import botocore.session

    return botocore.session.get_session().get_service_model(service).shape_for(shape)


def problems(document: Any, shapes: dict[str, str]) -> list[str]:
    """Return every way DOCUMENT strays from AWS's names; SHAPES maps a JMESPath to the ECS shape it selects
    (`SERVICE:SHAPE` for another service's)."""
    found: list[str] = []
    skip: set[int] = set()
    for path, name in shapes.items():
        selected = jmespath.search(path, document)
        items = selected if path.endswith("[]") else [selected]
        if not items or any(i is None for i in items):
            found.append(f"{path}: no {name} in the document")
            continue
        for index, item in enumerate(items):
            skip.add(id(item))
            found.extend(shape_problems(item, shape_named(name), f"{path}#{index}"))
    return found + envelope_problems(document, "", skip)


# (argv, exit status, {JMESPath: ECS shape}); {task}, {stopped}, {deployment} are filled in from the world.
CASES: list[tuple[tuple[str, ...], int, dict[str, str]]] = [
    (("ls",), 0, {"clusters[]": "Cluster"}),
    (("ls", "prod"), 0, {"services[]": "Service", "services[].deployments[]": "Deployment"}),
    (("-v", "-elb", "-events", "2", "ls", "prod"), 0,
     {"services[]": "Service", "taskDefinitions[]": "TaskDefinition"}),
    (("-v", "-events", "2", "ls", "prod", "web"), 0,
     {"service": "Service", "taskDefinition": "TaskDefinition", "tasks[]": "Task"}),
    (("ls", "releases", "storefront"), 0,
     {"service": "Service", "serviceDeployment": "ServiceDeployment", "serviceRevisions[]": "ServiceRevision"}),
    (("ls", "prod", "{task}"), 0, {"task": "Task"}),
    (("check", "prod", "web"), 0, {}),
    (("check", "prod"), 1, {}),
    (("tasks", "prod", "web"), 0, {"tasks[]": "Task"}),
    (("tasks", "batch", "--stopped"), 0, {"tasks[]": "Task"}),
    (("taskdefs",), 0, {}),
    (("taskdefs", "web"), 0, {}),
    (("taskdefs", "web", "latest"), 0, {"@": "DescribeTaskDefinitionResponse"}),
    (("deployments", "releases", "storefront"), 0,
     {"serviceDeployments[]": "ServiceDeployment", "serviceRevisions[]": "ServiceRevision"}),
    (("deployments", "releases", "storefront", "{deployment}"), 0,
     {"serviceDeployment": "ServiceDeployment", "serviceRevisions[]": "ServiceRevision"}),
    (("why", "prod", "search"), 1, {}),
    (("trace", "prod", "payments"), 0, {"task": "Task"}),
    (("logs", "prod", "web", "--since", "1h"), 0, {}),
    (("diff", "staging/worker", "prod/worker"), 1, {}),
    (("promote", "staging/web", "prod/web", "--dry-run"), 0, {}),
    (("update", "prod", "api", ":2.5.0", "--dry-run"), 0, {}),
    (("update", "prod", "api", ":2.5.0"), 0, {}),
    (("scale", "prod", "api", "3"), 0, {}),
    (("rollback", "prod", "web"), 0, {}),
    (("update", "prod", "worker", ":2024.11.1", "--wait"), 0, {}),
    (("scale", "prod", "api", "4", "--wait"), 0, {}),
    (("scale", "prod", "web", "--min", "3", "--max", "12"), 0, {}),
    (("promote", "staging/api", "prod/api", "--yes", "--wait"), 0, {}),
    (("continue", "releases", "storefront", "-y", "--wait", "--timeout", "30m"), 0, {}),
    (("register", "sample_task.json"), 0, {"@": "DescribeTaskDefinitionResponse"}),
    (("run", "prod", "migrate", "--like", "api"), 0, {"tasks[]": "Task"}),
    (("stop", "batch", "{task}"), 0, {"task": "Task"}),
    (("ls", "--profiles", "env,staging"), 0, {"targets[].clusters[]": "Cluster"}),
    (("ls", "prod", "--regions", "us-east-1,eu-west-1"), 0, {"targets[].services[]": "Service"}),
    (("tasks", "prod", "web", "--regions", "us-east-1,eu-west-1"), 0, {"targets[].tasks[]": "Task"}),
    (("check", "prod", "web", "--regions", "us-east-1,eu-west-1"), 0, {}),
    (("taskdefs", "--profiles", "env,staging"), 0, {}),
    (("whoami",), 0, {"@": "sts:GetCallerIdentityResponse"}),
    (("schedules", "/"), 0, {"Schedules[]": "scheduler:GetScheduleOutput", "Rules[].Rule[]": "events:Rule",
                             "Rules[].Target[]": "events:Target"}),
    (("verify", "prod", "notifications"), 1, {}),
    (("metrics", "prod"), 0, {"services[].MetricDataResults[]": "cloudwatch:MetricDataResult"}),
]


def fill(argv: tuple[str, ...], world: World) -> tuple[str, ...]:
    """Fill {task} (a batch or prod task id), {deployment} (storefront's newest) from the world."""
    ecs = world.client("ecs")
    cluster = argv[argv.index("{task}") - 1] if "{task}" in argv else "prod"
    tasks = ecs.list_tasks(cluster=cluster)["taskArns"]
    found = ecs.list_service_deployments(cluster="releases", service="storefront")["serviceDeployments"]
    values = {"{task}": tasks[0].rsplit("/", 1)[-1] if tasks else "none",
              "{deployment}": found[0]["serviceDeploymentArn"].rsplit("/", 1)[-1] if found else "none"}
    return tuple(values.get(a, a) for a in argv)


@pytest.mark.parametrize(("argv", "status", "shapes"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_every_commands_json_uses_ecs_names(world: World, ecsshell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            argv: tuple[str, ...], status: int, shapes: dict[str, str]) -> None:
    demo_world(world)
    aws_files = demo_fleet(world, tmp_path / "aws")
    monkeypatch.chdir(ROOT)
    result = ecsshell("--output", "json", *fill(argv, world), extra=aws_files)
    assert result.code == status, result.err
    document = json.loads(result.out)
    if os.environ.get("ECSSHELL_DUMP_JSON"):  # a look at the documents: ECSSHELL_DUMP_JSON=/tmp/folder
        name = "_".join(argv).replace("/", "-")
        (Path(os.environ["ECSSHELL_DUMP_JSON"]) / f"{name}.json").write_text(result.out)
    assert problems(document, shapes) == []


def test_the_walk_finds_todays_names() -> None:
    service = {"name": "web", "arn": "arn:aws:ecs:us-east-1:1:service/prod/web", "desired": 2,
               "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/web:3", "createdAt": "yesterday"}
    found = problems({"services": [service]}, {"services[]": "Service"})
    assert any(".name: not a member of Service" in p for p in found), found
    assert any(".desired: not a member of Service (near miss of 'desiredCount'?)" in p for p in found), found
    assert any(".createdAt: 'yesterday' is not time" in p for p in found), found
    report = {"cluster": "prod", "running": 2, "health": "HEALTHY", "taskDefinition": "web:3", "ok": True}
    found = problems(report, {})
    assert found == [".running: near miss of ECS's 'runningCount'", ".health: near miss of ECS's 'healthStatus'",
                     ".taskDefinition: 'web:3' is not arn or object, as ECS's 'taskDefinition' is"], found
    assert problems({"task": None}, {"task": "Task"}) == ["task: no Task in the document"]


def differences(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Return where OURS (ecsshell's JSON of an ECS object) says other than THEIRS (boto3's answer, times in ISO).

    Every member ecsshell prints must hold what ECS returned; what it adds (`ecsshell`) and ECS's members
    it does not print are not compared.
    """
    if isinstance(theirs, datetime):
        theirs = theirs.isoformat()
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found = [f"{where}.{k}: ECS has none" for k in ours if k != ADDED and k not in theirs]
        return found + [d for k in ours if k != ADDED and k in theirs
                        for d in differences(ours[k], theirs[k], f"{where}.{k}")]
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return [f"{where}: {len(ours)} items, ECS {len(theirs)}"]
        pairs = enumerate(zip(ours, theirs, strict=True))
        return [d for i, (a, b) in pairs for d in differences(a, b, f"{where}[{i}]")]
    return [] if ours == theirs else [f"{where}: {ours!r:.60} but ECS says {theirs!r:.60}"]


def same_members(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    """Say whether OURS has every member of THEIRS (but an empty text, which ecsshell reads as none) and no other."""
    return {k for k, v in theirs.items() if v != ""} <= set(ours) - {ADDED} <= set(theirs)


def test_each_ecs_object_holds_what_ecs_returned(world: World, ecsshell, tmp_path: Path) -> None:
    demo_world(world)
    ecs = world.client("ecs")

    def shown(*argv: str) -> Any:
        result = ecsshell("--output", "json", *argv)
        assert result.code == 0, result.err
        return json.loads(result.out)

    web = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    document = shown("-events", "100", "ls", "prod", "web")
    assert differences(document["service"], web) == []
    assert same_members(document["service"], web)
    arns = ecs.list_tasks(cluster="prod", serviceName="web")["taskArns"]
    tasks = {t["taskArn"]: t for t in ecs.describe_tasks(cluster="prod", tasks=arns)["tasks"]}
    listed = shown("tasks", "prod", "web")["tasks"]
    assert sorted(tasks) == sorted(t["taskArn"] for t in listed)
    for task in listed:
        assert differences(task, tasks[task["taskArn"]]) == []
        assert same_members(task, {k: v for k, v in tasks[task["taskArn"]].items() if k != "overrides"})  # secrets
    clusters = {c["clusterArn"]: c for c in ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])[
        "clusters"]}
    for cluster in shown("ls")["clusters"]:
        assert differences(cluster, clusters[cluster["clusterArn"]]) == []
        assert same_members(cluster, clusters[cluster["clusterArn"]])
    history = shown("deployments", "releases", "storefront")
    found = ecs.describe_service_deployments(serviceDeploymentArns=[
        d["serviceDeploymentArn"] for d in history["serviceDeployments"]])["serviceDeployments"]
    assert differences(history["serviceDeployments"], found) == []
    revisions = ecs.describe_service_revisions(serviceRevisionArns=[
        r["serviceRevisionArn"] for r in history["serviceRevisions"]])["serviceRevisions"]
    assert differences(history["serviceRevisions"], revisions) == []


def test_the_comparison_finds_a_wrong_value() -> None:
    assert differences({"desiredCount": 2, "ecsshell": {"x": 1}}, {"desiredCount": 3}) == [
        ".desiredCount: 2 but ECS says 3"]
    assert differences({"serviceName": "web", "name": "web"}, {"serviceName": "web"}) == [".name: ECS has none"]

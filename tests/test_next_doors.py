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
    assert "  containerDefinitions[0].cpu: a string where ECS wants an integer" in lines
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

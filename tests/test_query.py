"""--query: JMESPath over every command's JSON output, as the AWS CLI's --query, checked before any call."""

from __future__ import annotations

import json

import pytest

from ecsshell.emulator import World


def test_query_selects_from_the_json_and_implies_json(world: World, ecsshell, small) -> None:
    result = ecsshell("ls", "prod", "--query", "services[].serviceName")
    assert result.code == 0, result.err
    names = json.loads(result.out)
    ecs = world.client("ecs")
    arns = ecs.list_services(cluster="prod")["serviceArns"]
    assert sorted(names) == sorted(a.rsplit("/", 1)[-1] for a in arns)
    one = ecsshell("ls", "prod", "web", "--output", "json", "--query", "service.desiredCount")
    assert one.code == 0, one.err
    web = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    assert json.loads(one.out) == web["desiredCount"]
    filtered = ecsshell("taskdefs", "--query", "families[?starts_with(name, 'w')].name | [0]")
    assert filtered.code == 0, filtered.err
    assert json.loads(filtered.out).startswith("w")


@pytest.mark.parametrize("expression", ["services[", "a..b", "", "services[?x=="])
def test_a_bad_expression_is_one_line_exit_2_before_any_call(world: World, ecsshell, small, expression) -> None:
    result = ecsshell("ls", "prod", "--query", expression)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "--query" in result.err
    assert world.recorder.total == 0  # nothing was asked of AWS


def test_a_query_that_does_not_apply_fails_in_one_line(world: World, ecsshell, small) -> None:
    result = ecsshell("ls", "prod", "--query", "length(total)")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and "does not apply" in result.err, result.err
    assert "Traceback" not in result.err


def test_query_refuses_text_output_and_applies_to_a_dry_run(world: World, ecsshell, small) -> None:
    text = ecsshell("ls", "prod", "--output", "text", "--query", "total")
    assert text.code == 2 and "cannot go with --output text" in text.err
    dry = ecsshell("update", "prod", "api", ":2.5.0", "--dry-run", "--query", "keys(@)")
    assert dry.code == 0, dry.err
    assert isinstance(json.loads(dry.out), list)

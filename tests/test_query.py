"""--query: JMESPath over every command's JSON output, as the AWS CLI's --query, checked before any call."""

from __future__ import annotations

import json

import pytest

from ecsshell.emulator import World


def test_query_selects_from_the_json_and_implies_json(world: World, ecsshell, small) -> None:
    result = ecsshell("ls", "prod", "--query", "services[].name")
    assert result.code == 0, result.err
    names = json.loads(result.out)
    ecs = world.client("ecs")
    arns = ecs.list_services(cluster="prod")["serviceArns"]
    assert sorted(names) == sorted(a.rsplit("/", 1)[-1] for a in arns)
    one = ecsshell("ls", "prod", "web", "--output", "json", "--query", "service.desired")
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


@pytest.mark.parametrize("expression", ["a|" * 3000 + "a", "length(" * 2000 + "@" + ")" * 2000, "&foo",
                                        "to_number('1e400')", "services | &name"])
def test_an_expression_that_could_never_print_json_is_refused_before_any_call(world: World, ecsshell, small,
                                                                           expression: str) -> None:
    result = ecsshell("ls", "prod", "--query", expression)
    assert (result.code, result.out) == (2, ""), result.err
    assert len(result.err.strip().splitlines()) == 1 and len(result.err) < 300, result.err
    assert "--query" in result.err and "Traceback" not in result.err and "Infinity" not in result.err
    assert world.recorder.total == 0  # refused before anything was asked of AWS


def test_a_query_whose_answer_is_not_json_fails_in_one_line(world: World, ecsshell, small) -> None:
    result = ecsshell("ls", "prod", "--query", "to_number(join('', [to_string(length(services)), 'e400']))")
    assert result.code == 2 and result.out == "", result.out
    assert "no infinity" in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert world.recorder.total > 0  # it depends on the document: only its answer shows it

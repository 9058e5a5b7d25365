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


def test_query_applies_to_a_dry_run(world: World, ecsshell, small) -> None:
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


def test_query_with_output_text_prints_tab_separated_values_as_the_aws_cli(world: World, ecsshell, small) -> None:
    ecs = world.client("ecs")
    services = ecs.describe_services(cluster="prod", services=ecs.list_services(cluster="prod")["serviceArns"])
    names = ecsshell("ls", "prod", "--query", "services[].serviceName", "--output", "text")
    assert names.code == 0, names.err
    assert names.out.count("\n") == 1 and sorted(names.out.rstrip("\n").split("\t")) == sorted(
        s["serviceName"] for s in services["services"])
    rows = ecsshell("ls", "prod", "--query", "services[].[serviceName, desiredCount]", "--output", "text")
    assert rows.code == 0, rows.err
    assert sorted(rows.out.splitlines()) == sorted(f"{s['serviceName']}\t{s['desiredCount']}"
                                                    for s in services["services"])
    one = ecsshell("ls", "prod", "web", "--query", "service.desiredCount", "--output", "text")
    web = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    assert one.out == f"{web['desiredCount']}\n"
    dry = ecsshell("update", "prod", "api", ":2.5.0", "--dry-run", "--query", "dryRun", "--output", "text")
    assert dry.code == 0 and dry.out == "True\n" and "nothing changed" not in dry.out
    bad = ecsshell("ls", "prod", "--query", "services[", "--output", "text")
    assert bad.code == 2 and bad.out == "" and len(bad.err.strip().splitlines()) == 1


@pytest.mark.parametrize(("value", "lines"), [
    ("web", ["web"]),
    (3, ["3"]),
    (None, ["None"]),
    ([], []),
    (["web", "api"], ["web\tapi"]),
    ([["web", 3], ["api", 2]], ["web\t3", "api\t2"]),
    ({"b": 2, "a": "x", "tags": ["t1", "t2"]}, ["x\t2", "TAGS\tt1", "TAGS\tt2"]),
    ([{"name": "web", "count": 3}, {"name": "api"}], ["3\tweb", "\tapi"]),
    ({"service": {"serviceName": "web", "deployments": [{"id": "d1", "status": "PRIMARY"}]}},
     ["SERVICE\tweb", "DEPLOYMENTS\td1\tPRIMARY"]),
    ([True, 1.5], ["True\t1.5"]),
])
def test_text_lines_are_the_aws_clis_text_output(value, lines) -> None:
    from ecsshell.jsonquery import text_lines

    assert list(text_lines(value)) == lines

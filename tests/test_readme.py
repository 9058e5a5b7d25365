"""The README and docs/ tell the truth: the two commands, the tour and every example run against the demo world."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from ecsshell.emulator import World
from ecsshell.emulator.worlds import demo_fleet, demo_world

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted((ROOT / "docs").glob("*.md"))
DOCS = "\n".join([README, *(page.read_text(encoding="utf-8") for page in PAGES)])  # every marker is unique
# The example blocks, by the marker before each, and the test file that runs it.
RUN_BY = {
    "operations": "test_readme.py", "rules": "test_readme.py", "drift": "test_readme.py",
    "fleet": "test_readme.py", "looking": "test_looking.py", "diagnose": "test_diagnose.py",
    "deployments": "test_service_deployments.py", "json": "test_json_docs.py", "words": "test_words.py",
    "shell": "test_forgiving.py",
    "waituntil": "test_wait_until.py",
    "portfwd": "test_portfwd.py",
    "sso": "test_sso.py",
    "identity": "test_identity.py",
    "schedules": "test_schedules.py",
    "scaling": "test_scaling.py",
    "verify": "test_verify.py",
    "metrics": "test_metrics.py",
    "fleets": "test_fleets.py",
}
EXPECTED = re.compile(r"\s+#\s*exits?\s+(\d+).*$")


def expected_status(line: str) -> tuple[str, int]:
    """Split a README line into the command and the exit status its comment promises (default 0)."""
    match = EXPECTED.search(line)
    if match:
        return line[: match.start()].rstrip(), int(match.group(1))
    return line.split("  #", 1)[0].rstrip(), 0


def tour_lines() -> list[tuple[str, int]]:
    block = DOCS.split("<!-- tour:", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    lines = []
    for raw in block.strip().splitlines():
        prompt, _, command = raw.partition("> ")
        assert prompt and command, raw
        lines.append(expected_status(command))
    return lines


def example_lines(after: str) -> list[tuple[str, int]]:
    block = DOCS.split(after, 1)[1].split("```console", 1)[1].split("```", 1)[0]
    return [expected_status(line[2:]) for line in block.strip().splitlines() if line.startswith("$ ecsshell ")]


def run_examples(ecsshell, after: str, count: int | None = None, *,  # type: ignore[no-untyped-def]
                 extra: dict[str, str] | None = None, errors_say_why: bool = False) -> list[tuple[str, int, Any]]:
    """Run the README's `$ ecsshell` examples of the block after AFTER, in order; each must end with the status
    its comment promises, with no traceback (and, ERRORS_SAY_WHY, a failure says why on stderr: `check` warns on
    stdout). Return (command, status, result) of each."""
    examples = example_lines(after)
    assert (len(examples) == count) if count is not None else (len(examples) >= 20), len(examples)
    ran = []
    for command, status in examples:
        result = ecsshell(*shlex.split(command)[1:], extra=extra)
        assert result.code == status, (command, result.out, result.err)
        assert "Traceback" not in result.err, command
        if status and errors_say_why:
            assert result.err.strip(), command  # a failure says why, on stderr
        ran.append((command, status, result))
    return ran


def test_the_rules_of_a_run_hold_as_the_readme_says(world: World, ecsshell,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    demo_world(world)
    monkeypatch.chdir(ROOT)
    flag = Path("/tmp/ecsshell-pwned")
    flag.unlink(missing_ok=True)
    run_examples(ecsshell, "<!-- rules:", 6, errors_say_why=True)
    assert not flag.exists()
    web = world.client("ecs").describe_services(cluster="prod", services=["web"])["services"][0]
    assert web["taskDefinition"].endswith("web:3")  # the update after the failed check never ran


def test_the_two_commands_are_what_ci_runs() -> None:
    commands = re.findall(r"```sh\n(python3 -m venv .*?)\n```", README)
    assert len(commands) >= 2
    demo, tests = commands[0], commands[1]
    assert demo.endswith("pip install -e '.[demo]' && ecsshell --demo")
    assert tests.endswith("pip install -e '.[test]' && pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 -m venv .venv" in ci and "pip install -e '.[test]' && pytest" in ci


def test_the_tour_command_lists_the_readme_tour(world: World, ecsshell) -> None:
    out = ecsshell("-c", "tour").out
    for command, _ in tour_lines():
        assert command in out, command


def test_every_tour_step_works_in_the_demo_world(world: World, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    demo_world(world)
    aws_files = demo_fleet(world, tmp_path / "aws")  # the tour's last steps reach a second Region and profile
    monkeypatch.chdir(ROOT)
    environment = make_environment(world, tmp_path, extra=aws_files)
    app = EcsShell(environment, Options(wait=True), interactive=False)
    app.stop_on_error = False
    try:
        for command, status in tour_lines():
            app.onecmd_plus_hooks(command)
            assert app.last_status == status, (command, environment.stderr.getvalue())  # type: ignore[attr-defined]
    finally:
        app.close()
    out = environment.stdout.getvalue()  # type: ignore[attr-defined]
    assert "rollout of web:4 done" in out  # the tour's `update web :1.4.0` waited for its rollout
    assert "busiest first" in out and "no datapoints in CloudWatch" not in out  # the demo's services have metrics
    assert "registered testfamily:1" in out
    ecs = world.client("ecs")
    web = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    assert web["taskDefinition"].endswith("web:4")
    assert ecs.describe_task_definition(taskDefinition="web:4")["taskDefinition"]["containerDefinitions"][0][
        "image"].endswith("/web:1.4.0")


def test_every_readme_example_runs_against_the_demo_world(world: World, ecsshell,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    demo_world(world)
    monkeypatch.chdir(ROOT)
    run_examples(ecsshell, "<!-- operations:")


def test_the_drift_examples_run_as_the_readme_says(world: World, ecsshell, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    demo_world(world)
    aws_files = demo_fleet(world, tmp_path / "aws")
    monkeypatch.chdir(ROOT)
    run_examples(ecsshell, "<!-- drift:", 10, extra=aws_files)
    ecs = world.client("ecs")
    api = ecs.describe_services(cluster="prod", services=["api"])["services"][0]["taskDefinition"]
    image = ecs.describe_task_definition(taskDefinition=api)["taskDefinition"]["containerDefinitions"][0]["image"]
    assert image.startswith("registry.example.com:5000/team/api@sha256:")  # what staging/api runs, pinned
    ireland = world.client("ecs", region="eu-west-1")
    api = ireland.describe_services(cluster="prod", services=["api"])["services"][0]["taskDefinition"]
    image = ireland.describe_task_definition(taskDefinition=api)["taskDefinition"]["containerDefinitions"][0]["image"]
    assert image.startswith("111111111111.dkr.ecr.us-east-1.amazonaws.com/api@sha256:")  # the staging account's


def test_the_fleet_examples_run_against_the_demo_world_and_its_staging_profile(world: World, ecsshell,
                                                                               tmp_path: Path) -> None:
    demo_world(world)
    aws_files = demo_fleet(world, tmp_path / "aws")
    run_examples(ecsshell, "<!-- fleet:", 8, extra=aws_files, errors_say_why=True)
    listed = ecsshell("ls", "--regions", "all", extra=aws_files).out
    assert "us-east-1" in listed and "eu-west-1" in listed  # the demo's two Regions, in one table


def test_every_example_block_is_run_by_a_test_and_every_page_is_linked() -> None:
    for page in [ROOT / "README.md", *PAGES]:
        text = page.read_text(encoding="utf-8")
        for before in text.split("```console")[:-1]:
            marker = re.search(r"<!-- ([a-z-]+):[^\n]*-->\s*$", before)
            assert marker, f"{page.name}: a console block with no `<!-- NAME: ... -->` marker before it"
            runner = RUN_BY.get(marker.group(1))
            assert runner, f"{page.name}: no test runs the block marked {marker.group(1)}"
            assert f'"<!-- {marker.group(1)}:"' in (ROOT / "tests" / runner).read_text(encoding="utf-8")
    for page in PAGES:
        assert f"(docs/{page.name})" in README, f"README does not link docs/{page.name}"

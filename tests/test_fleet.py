"""Across accounts and Regions (issue 14): fan-out, target paths, their completion, prompt and JSON.

The world: profile staging (access keys, account 111111111111) and prod (assumes a role in
222222222222 from staging's keys), each with cluster web in us-east-1 and eu-west-1 holding services
api and one named after its place (`prod-eu-west-1`), so output shows which backend answered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecsshell import targets
from ecsshell.emulator import World
from ecsshell.emulator.worlds import fleet_world
from ecsshell.options import Options
from ecsshell.shell import EcsShell
from ecsshell.targets import Target

BOTH = ["--profiles", "staging,prod", "--regions", "us-east-1,eu-west-1"]
PLACES = ["staging-us-east-1", "staging-eu-west-1", "prod-us-east-1", "prod-eu-west-1"]


@pytest.fixture
def fleet(world: World, tmp_path: Path) -> dict[str, Any]:
    built = fleet_world(world, tmp_path / "aws")
    world.recorder.reset()
    return built


@pytest.fixture
def run(world: World, fleet: dict[str, Any], tmp_path: Path):  # type: ignore[no-untyped-def]
    from harness import run_ecsshell

    def go(*argv: str, stdin: str = ""):  # type: ignore[no-untyped-def]
        return run_ecsshell(world, tmp_path / "home", *argv, stdin=stdin, extra=fleet["env"])

    return go


@pytest.fixture
def app(world: World, fleet: dict[str, Any], tmp_path: Path) -> Iterator[EcsShell]:
    from harness import make_environment

    shell = EcsShell(make_environment(world, tmp_path / "home", extra=fleet["env"]), Options(), interactive=False)
    yield shell
    shell.close()


def ecs(world: World, account: str, region: str) -> Any:
    return world.client("ecs", account=account, region=region)


# the emulated world --------------------------------------------------------------------------
def test_the_world_runs_each_account_and_region_apart_and_the_scheduler_ticks_them_all(
        world: World, fleet: dict[str, Any]) -> None:
    for profile, account in fleet["accounts"].items():
        for region in fleet["regions"]:
            names = [a.rsplit("/", 1)[-1] for a in ecs(world, account, region).list_services(cluster="web")
                     ["serviceArns"]]
            assert sorted(names) == sorted(["api", f"{profile}-{region}"])
    prod_eu = ecs(world, "222222222222", "eu-west-1")
    prod_eu.update_service(cluster="web", service="api", desiredCount=3)
    world.advance(5)
    assert prod_eu.describe_services(cluster="web", services=["api"])["services"][0]["runningCount"] == 3
    staging = ecs(world, "111111111111", "eu-west-1").describe_services(cluster="web", services=["api"])
    assert staging["services"][0]["runningCount"] == 1


def test_profiles_resolve_through_the_credential_chain_to_their_accounts(world: World, fleet: dict[str, Any],
                                                                        tmp_path: Path) -> None:
    from ecsshell.aws.session import Settings, make_session

    env = {**world.environ(), **fleet["env"]}
    for profile, account in (("staging", "111111111111"), ("prod", "222222222222")):
        session, _, how = make_session(Settings(profile=profile), env)
        sts = session.client("sts", endpoint_url=world.endpoint_url)
        assert sts.get_caller_identity()["Account"] == account, how


# fan-out -------------------------------------------------------------------------------------
def test_fan_out_ls_prints_every_target_in_one_table_and_a_failing_one_as_a_row(world: World, run) -> None:
    result = run("ls", "web", "--profiles", "staging,prod,nosuch", "--regions", "us-east-1,eu-west-1")
    assert result.code == 1
    rows = result.out.splitlines()
    for name in PLACES:  # only that backend has it: every target was reached
        assert any(name in row for row in rows), name
    staging = next(row for row in rows if "staging-eu-west-1" in row)
    assert staging.split()[:3] == ["staging", "111111111111", "eu-west-1"]
    prod = next(row for row in rows if "prod-us-east-1" in row)
    assert prod.split()[:3] == ["prod", "222222222222", "us-east-1"]
    failed = [row for row in rows if row.startswith("nosuch")]
    assert len(failed) == 2 and all('AWS profile "nosuch"' in row for row in failed)
    assert result.err.strip().splitlines() == [
        "error: 2 of 6 targets failed (nosuch@us-east-1, nosuch@eu-west-1); the others are shown"]


def test_fan_out_check_reaches_each_backend_and_a_denied_region_fails_alone(world: World, run) -> None:
    world.faults.deny("eu-west-1")
    result = run("check", "web", "--profiles", "staging,prod", "--regions", "us-east-1,eu-west-1")
    assert result.code == 1
    assert "OK: service staging-us-east-1 in web" in result.out
    assert "OK: service prod-us-east-1 in web" in result.out
    denied = [row for row in result.out.splitlines() if " eu-west-1 " in row]
    assert len(denied) == 2 and all("denied" in row.lower() for row in denied)
    assert "2 of 4 targets failed" in result.err
    calls = world.recorder.snapshot()
    assert calls["ListServices"] >= 4 and calls["DescribeServices"] >= 2  # each target asked; us-east-1 answered
    assert "Traceback" not in result.err


def test_fan_out_check_exits_1_on_a_warning_with_no_failed_target(world: World, run) -> None:
    ecs(world, "222222222222", "eu-west-1").update_service(cluster="web", service="api", desiredCount=4)
    result = run("check", "web", "api", *BOTH)
    assert result.code == 1 and result.err == ""
    warned = [row for row in result.out.splitlines() if "WARNING" in row]
    assert len(warned) >= 1 and all(row.startswith("prod") and "eu-west-1" in row for row in warned)


def test_fan_out_calls_run_at_once_under_one_shared_bound(world: World, run) -> None:
    world.faults.latency(0.05)
    result = run("ls", "web", *BOTH)
    assert result.code == 0, result.err
    assert 4 <= world.recorder.peak_in_flight <= 16  # the four targets' calls at once, never past the one bound


def test_fan_out_json_is_one_document_with_the_target_fields(world: World, run) -> None:
    result = run("ls", *BOTH, "--output", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    places = {(t["profile"], t["account"], t["region"]) for t in document["targets"]}
    assert places == {(p, a, r) for p, a in (("staging", "111111111111"), ("prod", "222222222222"))
                      for r in ("us-east-1", "eu-west-1")}
    assert all([c["clusterName"] for c in t["clusters"]] == ["web"] for t in document["targets"])
    failed = json.loads(run("tasks", "web", "--profiles", "staging,nosuch", "--output", "json").out)
    assert [t.get("error", "") != "" for t in failed["targets"]] == [False, True]
    assert failed["targets"][1]["ok"] is False and len(failed["targets"][0]["tasks"]) == 2


def test_regions_all_comes_from_botocore_and_an_unknown_region_is_a_failed_row(world: World, run) -> None:
    from ecsshell.aws.session import known_regions

    result = run("ls", "--regions", "all", "--profiles", "staging")
    assert result.code == 0, result.err
    assert f"2 clusters in {len(known_regions())} targets" in result.out
    assert {"us-east-1", "eu-west-1"} <= set(known_regions())
    unknown = run("taskdefs", "--profiles", "prod", "--regions", "eu-west-1,xx-east-9")
    assert unknown.code == 1
    assert "unknown Region 'xx-east-9'" in unknown.out and "api" in unknown.out


def test_settings_fan_out_and_the_prompt_shows_them(app: EcsShell) -> None:
    assert app.prompt == "ecs> "
    app.onecmd_plus_hooks("set profiles staging,prod")
    app.onecmd_plus_hooks("set regions 'us-east-1, eu-west-1'")
    assert app.prompt == "[staging,prod@us-east-1,eu-west-1] ecs> "
    assert "fan-out: staging,prod@us-east-1,eu-west-1" in app.get_bottom_toolbar()
    app.onecmd_plus_hooks("ls web")
    out = app.environment.stdout.getvalue()  # type: ignore[attr-defined]
    assert all(name in out for name in PLACES) and app.last_status == 0
    app.onecmd_plus_hooks("set regions nowhere")
    assert app.regions == "us-east-1,eu-west-1"  # refused: not a Region name
    app.onecmd_plus_hooks('set regions ""')
    app.onecmd_plus_hooks('set profiles ""')
    assert app.prompt == "ecs> "


# paths with a target -----------------------------------------------------------------------------
def test_the_path_syntax_is_unambiguous_with_paths_and_image_references() -> None:
    assert targets.parse("staging:/web/api") == (Target("staging"), "/web/api")
    assert targets.parse("prod@eu-west-1:/web") == (Target("prod", "eu-west-1"), "/web")
    assert targets.parse("@eu-west-1:/") == (Target(None, "eu-west-1"), "/")
    for word in ("/web/api", "web", ":1.4.0", "web:1.4.0", "registry.example.com:5000/team/api:2.4.1",
                 "web@sha256:" + "0" * 64, ":/web"):
        assert targets.parse(word) == (None, word), word
    assert targets.take(["prod@eu-west-1:/web", ":2.0"]) == (Target("prod", "eu-west-1"), ["/web", ":2.0"])


def test_every_command_that_takes_a_service_takes_a_target_path(world: World, run) -> None:
    listed = run("ls", "prod@eu-west-1:/web")
    assert listed.code == 0 and "prod-eu-west-1" in listed.out and "staging" not in listed.out
    assert run("ls", "staging@eu-west-1:/").out.count("web") >= 1
    assert "OK: service api in web" in run("check", "staging:/web/api").out
    scaled = run("scale", "prod@eu-west-1:/web/api", "3", "--yes")
    assert scaled.code == 0, scaled.err
    assert ecs(world, "222222222222", "eu-west-1").describe_services(
        cluster="web", services=["api"])["services"][0]["desiredCount"] == 3
    for account, region in (("222222222222", "us-east-1"), ("111111111111", "eu-west-1")):
        assert ecs(world, account, region).describe_services(
            cluster="web", services=["api"])["services"][0]["desiredCount"] == 1  # nowhere else
    updated = run("update", "staging@eu-west-1:/web/api", ":1.1.0", "--yes", "--no-verify")  # no ECR there
    assert updated.code == 0, updated.err
    service = ecs(world, "111111111111", "eu-west-1").describe_services(cluster="web", services=["api"])
    assert service["services"][0]["taskDefinition"].endswith("api:2")
    assert run("tasks", "@eu-west-1:/web").code == 1  # the session's own account has no cluster web there
    mixed = run("ls", "staging:/web", "--regions", "eu-west-1")
    assert mixed.code == 2 and "cannot be combined" in mixed.err


def test_a_target_path_ignores_the_scope_and_names_the_target_in_errors(app: EcsShell) -> None:
    app.onecmd_plus_hooks("set profiles staging")  # fan-out settings do not apply to a command given a path
    app.onecmd_plus_hooks('set profiles ""')
    app.onecmd_plus_hooks("ls staging:/web/nosuch")
    assert app.last_status == 1
    err = app.environment.stderr.getvalue()  # type: ignore[attr-defined]
    assert "nosuch" in err


def complete(app: EcsShell, line: str) -> list[str]:
    text = line.split(" ")[-1]
    for _ in range(20):
        result = app.complete(text, line, len(line) - len(text), len(line))
        if "press TAB again" not in result.error:
            break
        time.sleep(0.1)
    return [i.text for i in result.items]


def test_completion_of_targets_and_of_paths_inside_them(app: EcsShell) -> None:
    assert "prod@eu-west-1:/" in complete(app, "ls prod@eu-")
    assert complete(app, "ls staging:") == ["staging:/"]
    assert "staging:/" in complete(app, "ls sta")
    assert complete(app, "ls prod@eu-west-1:/") == ["prod@eu-west-1:/web"]
    assert complete(app, "check prod@eu-west-1:/web/") == ["prod@eu-west-1:/web/api",
                                                           "prod@eu-west-1:/web/prod-eu-west-1"]
    assert complete(app, "scale staging@us-east-1:/web/st") == ["staging@us-east-1:/web/staging-us-east-1"]
    assert complete(app, "ls --profiles staging,p") == ["staging,prod"]
    assert "eu-west-1" in complete(app, "ls --regions eu-w")
    assert "us-east-1,eu-west-1" in complete(app, "check --regions us-east-1,eu-w")
    assert complete(app, "update staging@eu-west-1:/web/api :") == [":1.0.0"]  # tags from that target
    assert complete(app, "update staging@eu-west-1:/web/api --container ") == ["api"]
    # what completes runs
    app.onecmd_plus_hooks("ls prod@eu-west-1:/web/prod-eu-west-1")
    assert app.last_status == 0


def test_the_bound_is_one_for_all_targets_not_one_per_target(world: World, app: EcsShell) -> None:
    import threading

    app._targets.gate = threading.BoundedSemaphore(2)  # before any gateway is made: they all take this one
    world.faults.latency(0.03)
    world.recorder.reset()
    app.onecmd_plus_hooks("ls web --profiles staging,prod --regions us-east-1,eu-west-1")
    assert app.last_status == 0
    assert world.recorder.peak_in_flight <= 2  # four targets at once, each free to call: two calls in all
    assert world.recorder.calls["ListServices"] == 4


def test_use_with_a_target_switches_profile_and_region_then_enters_the_path(app: EcsShell) -> None:
    app.onecmd_plus_hooks("use prod@eu-west-1:/web")
    assert app.last_status == 0
    assert app.prompt == "[prod@eu-west-1] web> "
    app.onecmd_plus_hooks("ls")
    assert "prod-eu-west-1" in app.environment.stdout.getvalue()  # type: ignore[attr-defined]
    app.onecmd_plus_hooks("use nosuch:/web")
    assert app.last_status == 1 and app.prompt == "[prod@eu-west-1] web> "  # a failed switch changes nothing


def test_a_change_to_another_target_asks_naming_it_and_no_changes_nothing(world: World, app: EcsShell) -> None:
    asked: list[str] = []

    def refuse(question: str) -> bool:
        asked.append(question)
        return False

    app.confirmed = refuse  # type: ignore[method-assign]
    app.onecmd_plus_hooks("scale prod@eu-west-1:/web/api 5")
    assert asked and asked[0].startswith("In prod@eu-west-1: ")
    assert "cancelled; nothing changed" in app.environment.stdout.getvalue()  # type: ignore[attr-defined]
    assert ecs(world, "222222222222", "eu-west-1").describe_services(
        cluster="web", services=["api"])["services"][0]["desiredCount"] == 1
    asked.clear()
    app.onecmd_plus_hooks("use prod@eu-west-1:/web")  # the session's own target now: no prefix
    app.onecmd_plus_hooks("scale api 5")
    assert asked and not asked[0].startswith("In ")


def test_shims_keep_the_emulated_clock_in_every_region_and_account(world: World, fleet: dict[str, Any]) -> None:
    from datetime import UTC, datetime, timedelta

    world.scheduler.skip(7200)  # emulated time two hours ahead of the wall clock
    prod_eu = ecs(world, "222222222222", "eu-west-1")
    prod_eu.update_service(cluster="web", service="api", forceNewDeployment=True)
    deployments = prod_eu.describe_services(cluster="web", services=["api"])["services"][0]["deployments"]
    newest = max(d["createdAt"] for d in deployments)
    assert newest > datetime.now(UTC) + timedelta(hours=1)  # the world's clock, not moto's wall clock
    world.advance(10)
    after = prod_eu.describe_services(cluster="web", services=["api"])["services"][0]
    assert after["deployments"][0]["rolloutState"] == "COMPLETED"  # the scheduler rolled it out there


def test_fan_out_ls_of_one_service_describes_only_it(world: World, run) -> None:
    result = run("ls", "web", "api", *BOTH)
    assert result.code == 0, result.err
    assert "8 services" not in result.out and result.out.count(" api ") == 4
    calls = world.recorder.snapshot()
    assert calls.get("ListServices", 0) == 0 and calls["DescribeServices"] == 4

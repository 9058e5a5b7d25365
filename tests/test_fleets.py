"""Every account of the organization, every Region that is on, and a thousand targets' bookkeeping (issue 23).

The world: the session's keys act in the management account (123456789012) of an organization of 30
ACTIVE accounts (and one SUSPENDED); two members refuse AssumeRole; each account has cluster web in
us-east-1 and eu-west-1. Calls are counted with the emulator's recorder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecsshell.emulator import World
from ecsshell.emulator.fleets import disabled, organization_world

REGIONS = "us-east-1,eu-west-1"
MANAGEMENT = "123456789012"
LIST_REGIONS = "POST /listRegions"  # the recorder's name of a REST call: its method and path


@pytest.fixture
def org(world: World) -> dict[str, Any]:
    built = organization_world(world)
    world.recorder.reset()
    return built


@pytest.fixture
def run(world: World, tmp_path: Path):  # type: ignore[no-untyped-def]
    from harness import run_ecsshell

    def go(*argv: str):  # type: ignore[no-untyped-def]
        return run_ecsshell(world, tmp_path / "home", *argv)

    return go


def test_accounts_org_fans_out_to_every_active_account_with_one_assume_role_each(world: World, org, run) -> None:
    result = run("ls", "--accounts", "org", "--regions", "us-east-1")
    assert result.code == 1
    rows = [row.split() for row in result.out.splitlines()[2:]]
    reached = {(row[0], row[1], row[2]) for row in rows if row[3] == "web"}
    expected = {(name, account, region) for account, name in org["accounts"].items()
                if account not in org["refusing"] for region in ["us-east-1"]}
    assert reached == expected and len(reached) == 28  # labelled with the accounts' names; the suspended is left out
    refused = [row for row in result.out.splitlines() if "not authorized to perform: sts:AssumeRole" in row]
    assert len(refused) == 2 and all(row.split()[1] in org["refusing"] for row in refused)
    assert all("OrganizationAccountAccessRole in account 2100000000" in row and ": AccessDenied: User: arn:aws:sts::"
               f"{MANAGEMENT}:user/moto is not authorized" in row for row in refused), refused[0]
    assert result.err.strip().splitlines() == [
        "error: 2 of 30 targets failed (team-28@us-east-1, team-29@us-east-1); the others are shown"]
    calls = world.recorder.snapshot()
    assert calls["AssumeRole"] == 29  # one per member account (the management account is the session's own)
    assert calls["ListAccounts"] == 2  # 31 accounts, 20 a page
    assert calls["ListClusters"] == 28


def test_accounts_by_id_with_a_role_stream_json_lines_and_name_the_account_in_a_path(world: World, org,
                                                                                   run) -> None:
    result = run("ls", "--accounts", "210000000001,210000000028:Auditor", "--regions", REGIONS,
                 "--output", "jsonl")
    assert result.code == 1
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert len(lines) == 4  # one object a target, each on its own line
    good = [line for line in lines if "clusters" in line]
    assert {(line["account"], line["region"]) for line in good} == {("210000000001", "us-east-1"),
                                                                     ("210000000001", "eu-west-1")}
    assert all(line["profile"] is None and line["clusters"][0]["clusterName"] == "web" for line in good)
    bad = [line for line in lines if line.get("ok") is False]
    assert len(bad) == 2 and all("role/Auditor" in line["error"] for line in bad)
    assert world.recorder.snapshot()["AssumeRole"] == 2
    listed = run("ls", "210000000001@eu-west-1:/")
    assert listed.code == 0 and "web" in listed.out
    assert world.recorder.snapshot()["AssumeRole"] == 3  # a new run, a new session: one more
    refused = run("ls", "210000000029@eu-west-1:/web")
    assert refused.code == 1 and "cannot assume role OrganizationAccountAccessRole in account 210000000029" \
        in refused.err and len(refused.err.strip().splitlines()) == 1
    switched = run("use", "210000000001@eu-west-1:/web")
    assert switched.code == 2 and "use cannot switch the session into account 210000000001" in switched.err
    wrong = run("ls", "--accounts", "12345", "--regions", REGIONS)
    assert wrong.code == 2 and "12-digit account ids" in wrong.err


def test_regions_all_is_the_enabled_regions_and_the_others_are_said_once(world: World, run) -> None:
    from ecsshell.aws.session import known_regions

    disabled(MANAGEMENT).update({"me-south-1", "af-south-1"})
    world.api("ecs", region="eu-west-1").create_cluster(clusterName="web")
    result = run("ls", "--regions", "all")
    assert result.code == 0, result.err
    assert result.err.splitlines() == ["skipped 2 Regions not enabled: af-south-1, me-south-1"]
    assert f"in {len(known_regions()) - 2} targets" in result.out
    assert "me-south-1" not in result.out and "web" in result.out
    calls = world.recorder.snapshot()
    assert calls[LIST_REGIONS] == 1 and "DescribeRegions" not in calls
    assert calls["ListClusters"] == len(known_regions()) - 2
    ecs = world.client("ecs", region="me-south-1")  # what each target would have been: a refusal
    with pytest.raises(ecs.exceptions.ClientError, match="UnrecognizedClientException"):
        ecs.list_clusters()


def test_regions_all_falls_back_to_describe_regions_when_the_account_api_is_denied(world: World, run) -> None:
    disabled(MANAGEMENT).add("me-south-1")
    world.faults.fail(LIST_REGIONS, status=403, content_type="application/json",
                      body=json.dumps({"__type": "AccessDeniedException", "message": "not allowed"}))
    result = run("taskdefs", "--regions", "all", "--output", "jsonl")
    assert result.code == 0, result.err
    regions = {json.loads(line)["region"] for line in result.out.splitlines()}
    assert "me-south-1" not in regions and {"us-east-1", "eu-west-1", "af-south-1"} <= regions
    assert result.err.splitlines() == ["skipped 1 Region not enabled: me-south-1"]
    calls = world.recorder.snapshot()
    assert calls[LIST_REGIONS] == 1 and calls["DescribeRegions"] == 1


def test_regions_all_over_accounts_asks_each_account_once(world: World, org, run) -> None:
    disabled("210000000001").add("eu-west-1")
    result = run("ls", "--accounts", "210000000001,210000000002", "--regions", "all", "--output", "jsonl")
    assert result.code == 0, result.err
    places = [(line["account"], line["region"]) for line in map(json.loads, result.out.splitlines())]
    assert ("210000000001", "eu-west-1") not in places and ("210000000002", "eu-west-1") in places
    assert result.err.splitlines() == ["skipped 1 Region not enabled: eu-west-1 (210000000001)"]
    calls = world.recorder.snapshot()
    assert calls[LIST_REGIONS] == 2 and calls["AssumeRole"] == 2


def test_diff_takes_account_paths_on_both_sides(world: World, org, run) -> None:
    from ecsshell.emulator.worlds import place_services

    place_services(world, "210000000001", "us-east-1", "app", ["api"], "1.0.0")
    place_services(world, "210000000002", "us-east-1", "app", ["api"], "2.0.0")
    world.recorder.reset()
    result = run("diff", "210000000001@us-east-1:/app/api", "210000000002@us-east-1:/app/api")
    assert result.code == 1, result.err  # they differ: the image tag (and the account in it)
    assert "1.0.0" in result.out and "2.0.0" in result.out
    assert world.recorder.snapshot()["AssumeRole"] == 2


def test_the_fleets_examples_run(world: World, org, ecsshell) -> None:
    from test_readme import run_examples

    disabled(MANAGEMENT).update({"me-south-1", "af-south-1"})
    ran = run_examples(ecsshell, "<!-- fleets:", 5, errors_say_why=True)
    assert "team-28" in ran[0][2].out and "skipped 2 Regions not enabled" in ran[3][2].err


def test_the_emulated_throttle_keeps_each_account_and_region_apart() -> None:
    from ecsshell.emulator.throttle import Throttle

    throttle = Throttle(clock=lambda: 0.0)
    throttle.enable({"read": (2, 1)})
    here, there = ("111111111111", "us-east-1"), ("111111111111", "eu-west-1")
    assert [throttle.admit("ListClusters", here) for _ in range(3)] == [True, True, False]
    assert [throttle.admit("ListClusters", there) for _ in range(3)] == [True, True, False]  # a bucket of its own
    assert throttle.throttled == 2


def test_a_person_at_a_terminal_sees_a_progress_line_cleared_at_the_end(world: World, org, tmp_path: Path) -> None:
    from harness import Terminal, make_environment

    from ecsshell.options import Options
    from ecsshell.presenter import CLEAR_LINE
    from ecsshell.shell import EcsShell

    environment = make_environment(world, tmp_path / "home", tty=True)
    environment.stdout, environment.stderr = Terminal(), Terminal()
    shell = EcsShell(environment, Options(), interactive=False)
    try:
        shell.onecmd_plus_hooks("ls --accounts 210000000001,210000000002 --regions us-east-1,eu-west-1")
    finally:
        shell.close()
    err = environment.stderr.getvalue()
    assert shell.last_status == 0, err
    assert f"{CLEAR_LINE}4 targets done ..." in err and err.endswith(CLEAR_LINE)  # redrawn in place, then gone
    assert "4 targets" in environment.stdout.getvalue()
    failed = run_jsonl_alone(world, tmp_path)
    assert failed.code == 2 and "--output jsonl prints a fan-out's targets" in failed.err


def run_jsonl_alone(world: World, tmp_path: Path) -> Any:
    from harness import run_ecsshell

    return run_ecsshell(world, tmp_path / "home", "ls", "--output", "jsonl")


def test_a_throttled_call_gives_its_slot_back_while_it_waits_to_retry(world: World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.endpoint

    from ecsshell.aws.fleets import CallBound

    bound = CallBound(1)
    ecs = world.client("ecs", retries={"mode": "standard", "max_attempts": 3})
    bound.attach(ecs)
    free_while_sleeping: list[bool] = []

    def sleep(_seconds: float) -> None:  # botocore's backoff: no real sleep, but is the one slot free meanwhile?
        taken = bound._slots.acquire(blocking=False)
        free_while_sleeping.append(taken)
        if taken:
            bound._slots.release()

    monkeypatch.setattr(botocore.endpoint.time, "sleep", sleep)
    world.faults.throttle("ListClusters", 2)
    with bound:
        ecs.list_clusters()
    assert free_while_sleeping == [True, True]  # two backoffs, the slot given back for each
    assert world.recorder.snapshot()["ListClusters"] == 3
    assert bound._slots.acquire(blocking=False)  # and free after the call

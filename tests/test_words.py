"""What rollout commands say (issues 20 and 21): one id per rollout, the end of a rollback, a deployment
superseded or refused, dry runs, time order, one live row, mistyped arguments, and logs of one task.

Each test drives the real ecsshell against the emulated world (emulated time, failures scripted through
`world.scheduler`) and checks the exit status, what ECS holds through boto3, and what reached each stream.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from harness import Result, run_ecsshell
from test_deploy import breaker_service, breaking
from test_service_deployments import FakeGateway, dep, follow

from ecsshell.emulator import World
from ecsshell.model import LifecycleHook

STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ")
CLEAR_LINE = "\r\x1b[2K"


def _ecs(world: World) -> Any:
    return world.client("ecs")


def _service(world: World, cluster: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = _ecs(world).describe_services(cluster=cluster, services=[name])["services"][0]
    return found


def _current(world: World, cluster: str, name: str) -> dict[str, Any]:
    arn = _service(world, cluster, name)["currentServiceDeployment"]
    found: dict[str, Any] = _ecs(world).describe_service_deployments(
        serviceDeploymentArns=[arn])["serviceDeployments"][0]
    return found


def _revision(world: World, cluster: str, name: str) -> str:
    return str(_service(world, cluster, name)["taskDefinition"]).rsplit("/", 1)[-1]


def _revisions(world: World, family: str) -> list[str]:
    return list(_ecs(world).list_task_definitions(familyPrefix=family)["taskDefinitionArns"])


def _one_error(result: Result) -> str:
    lines = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    return lines[0]


def test_update_names_the_rollout_by_its_service_deployment_only(world, ecsshell, small) -> None:
    result = ecsshell("update", "prod", "api", ":2.5.0", "--wait")
    assert result.code == 0, result.err
    current = _current(world, "prod", "api")
    ident = current["serviceDeploymentArn"].rsplit("/", 1)[-1]
    assert f"registered api:4; api in prod now runs it (was api:3); deployment {ident}" in result.out
    assert "ecs-svc/" not in result.out + result.err
    assert current["status"] == "SUCCESSFUL"


def test_the_ecs_svc_id_names_a_rollout_only_when_ecs_names_no_service_deployment() -> None:
    from ecsshell.operations.deploy import Deployed

    fields: dict[str, Any] = {"current": None, "new": None, "plan": None, "service": None}
    assert Deployed(**fields, deployment_id="ecs-svc/1", service_deployment_arn=None).rollout_id == "ecs-svc/1"
    arn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/dep2abc"
    assert Deployed(**fields, deployment_id="ecs-svc/1", service_deployment_arn=arn).rollout_id == "dep2abc"


def test_check_says_the_status_deployments_says(world, ecsshell, small) -> None:
    listed = _ecs(world).list_service_deployments(cluster="prod", service="payments")["serviceDeployments"]
    newest = max(listed, key=lambda d: d["createdAt"])
    ident, status = newest["serviceDeploymentArn"].rsplit("/", 1)[-1], newest["status"]
    assert status == "STOPPED"
    checked = ecsshell("check", "prod", "payments")
    assert checked.code == 1
    finding = next(line for line in checked.out.splitlines() if f"deployment {ident}" in line)
    assert f"deployment {ident} (payments:2) STOPPED: ECS deployment circuit breaker" in finding, finding
    assert "FAILED" not in finding and "ecs-svc/" not in checked.out
    history = ecsshell("deployments", "prod", "payments")
    assert history.code == 0, history.err
    row = next(line for line in history.out.splitlines() if line.startswith(ident))
    assert row.split()[1] == "STOPPED"


# item 4: a dry run ends saying nothing changed ------------------------------------------------------------
def test_a_dry_run_ends_with_the_line_saying_nothing_changed(world, ecsshell, small) -> None:
    before = _revisions(world, "api")
    result = ecsshell("update", "prod", "api", ":2.5.0", "--dry-run")
    assert result.code == 0, result.err
    lines = [line for line in result.out.splitlines() if line.strip()]
    assert lines[-1] == "dry run: api in prod would move from api:3 to a new revision; nothing changed"
    assert any(line.startswith("+") and "2.5.0" in line for line in lines[:-1])  # the diff comes above
    assert _revisions(world, "api") == before
    calls = world.recorder.snapshot()
    assert calls.get("RegisterTaskDefinition", 0) == 0 and calls.get("UpdateService", 0) == 0


# item 5: piped --wait output is in time order -------------------------------------------------------------
def test_piped_update_wait_lines_are_in_time_order(world, home, small) -> None:
    for broken in (False, True):
        world.reset()
        from ecsshell.emulator.worlds import small_world

        small_world(world)
        result = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "--wait",
                              sleep=breaking(world, "api") if broken else None)
        assert result.code == (1 if broken else 0), result.err
        stamps = [m.group(1) for m in map(STAMP.match, result.out.splitlines()) if m]
        assert len(stamps) >= 4 and any("has started" in line for line in result.out.splitlines())
        times = [datetime.strptime(s, "%Y-%m-%d %H:%M:%S") for s in stamps]
        assert times == sorted(times), result.out


# item 6: the live line stays on one row; bake under a minute counts in seconds ----------------------------
def _live(world: World, home: Any, name: str) -> list[str]:
    """Deploy NAME (BLUE_GREEN, a minute's bake) at an 80-column terminal; return each redraw of the live line."""
    from ecsshell.emulator.worlds import staged_service

    staged_service(world, "c", name, "BLUE_GREEN", deploy=False, bakeTimeInMinutes=1)
    result = run_ecsshell(world, home, "update", "c", name, ":1.28", "--wait", "-y", stdout_tty=True,
                          extra={"COLUMNS": "80"})
    assert result.code == 0, result.err
    assert _current(world, "c", name)["status"] == "SUCCESSFUL"
    return [part for part in result.out.split(CLEAR_LINE)[1:] if part and "\n" not in part]


def test_the_live_progress_line_stays_on_one_row_of_an_80_column_terminal(world, home) -> None:
    redraws = _live(world, home, "web-with-a-rather-long-service-name-that-takes-room")
    assert len(redraws) > 5
    assert all(len(part) < 80 for part in redraws), max(redraws, key=len)
    assert any(part.endswith("…") for part in redraws)  # cut, not wrapped onto a second row


def test_bake_time_under_a_minute_counts_in_seconds(world, home) -> None:
    redraws = _live(world, home, "web")
    baking = [part for part in redraws if "bake" in part]
    assert "bake 1m left" in baking[0]
    assert [p for p in baking if re.search(r"; bake 5\ds left;", p)] and \
        [p for p in baking if re.search(r"; bake \ds left;", p)]
    assert all(len(part) < 80 for part in redraws)


# item 7: promote refuses to replace a deployment going on; update names what it supersedes ----------------
def test_promote_onto_a_deployment_in_progress_is_refused_naming_it_unless_forced(world, ecsshell, small) -> None:
    _ecs(world).update_service(cluster="prod", service="web", forceNewDeployment=True)  # prod/web is deploying
    going = _current(world, "prod", "web")
    ident = going["serviceDeploymentArn"].rsplit("/", 1)[-1]
    assert going["status"] == "IN_PROGRESS"
    before = _revisions(world, "web")
    world.recorder.reset()
    refused = ecsshell("promote", "staging/web", "prod/web", "--yes")
    assert refused.code == 1
    line = _one_error(refused)
    assert f"prod/web is in the middle of deployment {ident} (web:3, IN_PROGRESS)" in line
    assert "--force" in line and "nothing registered" in line and not refused.out
    calls = world.recorder.snapshot()
    assert calls.get("RegisterTaskDefinition", 0) == 0 and calls.get("UpdateService", 0) == 0
    assert _revisions(world, "web") == before and _current(world, "prod", "web")["serviceDeploymentArn"] == \
        going["serviceDeploymentArn"]
    dry = ecsshell("promote", "staging/web", "prod/web", "--dry-run")  # showing what would change is no change
    assert dry.code == 0, dry.err
    assert f"note: it would replace deployment {ident} (web:3, IN_PROGRESS), which has not ended" in dry.out
    assert dry.out.rstrip().splitlines()[-1].endswith("nothing changed") and _revisions(world, "web") == before
    forced = ecsshell("promote", "staging/web", "prod/web", "--yes", "--force", "--no-wait")
    assert forced.code == 0, forced.err
    assert f"replacing deployment {ident} (web:3, IN_PROGRESS), which had not ended" in forced.out
    assert _revision(world, "prod", "web") == "web:4"
    assert _current(world, "prod", "web")["serviceDeploymentArn"] != going["serviceDeploymentArn"]


def test_update_over_a_deployment_in_progress_goes_ahead_naming_it(world, ecsshell, small) -> None:
    assert ecsshell("update", "prod", "api", ":2.5.0", "--no-wait").code == 0
    first = _current(world, "prod", "api")["serviceDeploymentArn"]
    ident = first.rsplit("/", 1)[-1]
    second = ecsshell("update", "prod", "api", ":2.5.1", "--no-wait")
    assert second.code == 0, second.err
    assert f"replacing deployment {ident} (api:4, IN_PROGRESS), which had not ended" in second.out
    assert _revision(world, "prod", "api") == "api:5"
    assert _current(world, "prod", "api")["serviceDeploymentArn"] != first


def test_the_confirmation_of_an_update_names_the_deployment_it_supersedes(world, home, small, monkeypatch) -> None:
    from harness import make_environment

    from ecsshell.cli import main
    from ecsshell.shell import EcsShell

    assert run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "--no-wait").code == 0
    ident = _current(world, "prod", "api")["serviceDeploymentArn"].rsplit("/", 1)[-1]
    asked: list[str] = []
    monkeypatch.setattr(EcsShell, "read_input", lambda _self, prompt, **_kw: asked.append(prompt) or "n")
    env = make_environment(world, home, tty=True)
    code = main(["update", "prod", "api", ":2.5.1"], env)
    assert code == 0 and len(asked) == 1
    assert f"It replaces deployment {ident} (api:4, IN_PROGRESS), which has not ended." in asked[0], asked
    assert "cancelled; nothing changed" in env.stdout.getvalue()  # type: ignore[attr-defined]
    assert _revision(world, "prod", "api") == "api:4" and len(_revisions(world, "api")) == 4


# item 8: --wait follows ECS's rollback to its end ---------------------------------------------------------
def test_update_wait_follows_a_circuit_breaker_rollback_to_its_end_and_exits_1(world, home) -> None:
    breaker_service(world)
    result = run_ecsshell(world, home, "update", "ci", "app", ":2", "--wait", sleep=breaking(world, "app"))
    assert result.code == 1
    line = _one_error(result)
    assert line.startswith("error: rollout of app:2 failed: ECS deployment circuit breaker")
    assert "ECS rolled back (circuit-breaker rollback); app runs app:1 again" in line, line
    current = _current(world, "ci", "app")
    assert current["status"] == "ROLLBACK_SUCCESSFUL"  # the wait ended with the rollback, not at its start
    assert _revision(world, "ci", "app") == "app:1"
    assert "ROLLBACK_IN_PROGRESS" in result.out  # it said the rollback began, then followed it


def test_without_service_deployments_the_wait_follows_ecs_s_rollback_deployment_to_its_end(world, home) -> None:
    breaker_service(world)
    denied = '{"__type": "AccessDeniedException", "message": "User is not authorized to perform this action"}'
    world.faults.fail("DescribeServiceDeployments", status=400, times=1000, body=denied,
                      content_type="application/x-amz-json-1.1")
    result = run_ecsshell(world, home, "update", "ci", "app", ":2", "--wait", sleep=breaking(world, "app"))
    assert result.code == 1
    line = _one_error(result)
    assert "likely a circuit-breaker rollback" in line and line.endswith("; ECS rolled back; app runs app:1 again")
    deployments = _service(world, "ci", "app")["deployments"]
    assert (deployments[0]["status"], deployments[0]["rolloutState"]) == ("PRIMARY", "COMPLETED")
    assert _revision(world, "ci", "app") == "app:1"


def test_a_blue_green_rollback_is_followed_to_its_end(world, home) -> None:
    from ecsshell.emulator.worlds import staged_service

    staged_service(world, "c", "web", "BLUE_GREEN", deploy=False, bakeTimeInMinutes=1)
    result = run_ecsshell(world, home, "update", "c", "web", ":1.28", "--wait", sleep=breaking(world, "web"))
    assert result.code == 1
    line = _one_error(result)
    assert "ECS rolled back (circuit-breaker rollback); web runs web:1 again" in line, line
    assert _current(world, "c", "web")["status"] == "ROLLBACK_SUCCESSFUL"
    assert _revision(world, "c", "web") == "web:1"


# item 9: continue --wait reports neither the released hook nor old stages -----------------------------------
def test_a_released_hook_read_stale_by_the_next_poll_is_not_told_as_waiting() -> None:
    hook = LifecycleHook("hook-1", "PAUSE", "AWAITING_ACTION")
    stale = dep(stage="POST_SCALE_UP", hooks=(hook,))
    moved = dep(stage="TEST_TRAFFIC_SHIFT", hooks=(LifecycleHook("hook-1", "PAUSE", "SUCCEEDED"),))
    said: list[str] = []
    outcome = follow(FakeGateway([stale, moved, dep(status="SUCCESSFUL", stage="CLEAN_UP")]), said,
                     from_stage="POST_SCALE_UP", released="hook-1")
    assert outcome is not None and outcome.ok
    assert not [line for line in said if "waiting for someone to approve" in line or "AWAITING" in line], said
    assert "stage TEST_TRAFFIC_SHIFT" in said and "stage POST_SCALE_UP" not in said
    assert not [line for line in said if "passed between two polls" in line and "SCALE_UP" in line]


def test_continue_wait_marks_only_stages_passed_during_this_wait(world, ecsshell) -> None:
    from ecsshell.emulator.worlds import staged_service

    staged_service(world, "c", "web", "BLUE_GREEN", deploy=False, bakeTimeInMinutes=0,
                   hooks=[{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}])
    assert ecsshell("update", "c", "web", ":1.28", "--no-wait").code == 0
    for _ in range(120):
        world.advance(1)
        if any(h["status"] == "AWAITING_ACTION" for h in _current(world, "c", "web").get("lifecycleHookDetails")
               or []):
            break
    result = ecsshell("continue", "c", "web", "-y", "--wait")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    released = next(i for i, line in enumerate(lines) if "released from hook" in line)
    after = lines[released + 1:]
    assert not [line for line in after if "waiting for someone to approve" in line], result.out
    stages = [line.split()[1] for line in after if line.startswith("stage ")]
    assert stages and stages[0] == "PRODUCTION_TRAFFIC_SHIFT" and stages[-1] == "CLEAN_UP", result.out
    early = ("SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT")
    assert not [line for line in after if line.startswith("stage ") and line.split()[1] in early]
    assert _current(world, "c", "web")["status"] == "SUCCESSFUL"
    assert world.recorder.snapshot()["ContinueServiceDeployment"] == 1


# item 1: mistyped arguments --------------------------------------------------------------------------------
def test_update_with_the_image_forgotten_says_the_image_is_missing(world, ecsshell, small) -> None:
    for argv in (("update", "prod", "web"), ("-c", "use prod; update web")):
        result = ecsshell(*argv)
        assert result.code == 2
        line = _one_error(result)
        assert line.startswith("error: missing IMAGE|:TAG after service web (cluster prod)"), line
        assert "`update prod web :TAG`" in line and "missing SERVICE" not in line and "missing CLUSTER" not in line
    scoped = ecsshell("-c", "use prod web; update :1.5.0 --dry-run")  # inside a service, one word is the image
    assert scoped.code == 0 and "nothing changed" in scoped.out, scoped.err
    assert world.recorder.snapshot().get("RegisterTaskDefinition", 0) == 0


def test_update_with_the_tag_and_service_swapped_says_so_before_any_call(world, ecsshell, small) -> None:
    before = _revisions(world, "web")
    world.recorder.reset()
    for argv in (("update", "prod", ":1.4.1", "web"), ("-c", "use prod; update :1.4.1 web")):
        result = ecsshell(*argv)
        assert result.code == 2
        line = _one_error(result)
        assert line == ("error: ':1.4.1' is a tag, given where the SERVICE goes: the image comes last; did you "
                        "mean `update prod web :1.4.1`?"), line
    calls = world.recorder.snapshot()  # refused before asking ECS about the service (`use` checks the cluster)
    assert set(calls) <= {"DescribeClusters"}, calls
    assert _revisions(world, "web") == before


def test_a_task_prefix_shorter_than_the_minimum_says_how_long_a_prefix_must_be(world, ecsshell, small) -> None:
    ecs = _ecs(world)
    ids = [arn.rsplit("/", 1)[-1] for arn in ecs.list_tasks(cluster="prod")["taskArns"]]
    for argv in (("ls", "prod", ids[0][:3]), ("logs", "prod", ids[0][:3])):  # these read 4 or more as a task
        result = ecsshell(*argv)
        assert result.code == 1, argv
        assert _one_error(result).endswith("; a task id prefix needs at least 4 characters"), argv
    unused = next(p for p in (f"{n:03x}" for n in range(4096)) if not any(i.startswith(p) for i in ids))
    stop = ecsshell("stop", "prod", unused, "-y")  # stop takes any unique prefix, as docker does
    assert stop.code == 1
    assert _one_error(stop).endswith(f'has an id starting with "{unused}" (a task id prefix needs at least 4 '
                                     'characters)')
    assert world.recorder.snapshot().get("StopTask", 0) == 0
    assert sorted(arn.rsplit("/", 1)[-1] for arn in ecs.list_tasks(cluster="prod")["taskArns"]) == sorted(ids)


# item 2: logs of one task; the logs step `why` suggests prints the failing task's lines --------------------
def test_logs_takes_a_task_id_prefix_as_ls_and_stop_do(world, ecsshell, small) -> None:
    arns = _ecs(world).list_tasks(cluster="prod", serviceName="web")["taskArns"]
    one, other = (arn.rsplit("/", 1)[-1] for arn in arns[:2])
    result = ecsshell("logs", "prod", one[:6], "--since", "1h")
    assert result.code == 0, result.err
    assert result.out and all(one[:8] in line for line in result.out.splitlines()), result.out
    assert other[:8] not in result.out
    missing = ecsshell("logs", "prod", "ffff0000")
    assert missing.code == 1 and 'service "ffff0000" not found' in _one_error(missing)


def test_the_logs_step_why_suggests_prints_the_failing_tasks_lines(world, ecsshell, small) -> None:
    why = ecsshell("why", "prod", "payments")
    assert why.code == 1
    step = re.search(r"`(logs prod ([0-9a-f]{8}) --since (\d+)([mh]))`", why.out)
    assert step, why.out
    ecs = _ecs(world)
    stopped = ecs.list_tasks(cluster="prod", serviceName="payments", desiredStatus="STOPPED")["taskArns"]
    failed = [t for t in ecs.describe_tasks(cluster="prod", tasks=stopped)["tasks"]
              if t["taskArn"].rsplit("/", 1)[-1].startswith(step.group(2))]
    assert len(failed) == 1 and failed[0]["stopCode"] == "EssentialContainerExited"
    ran = ecsshell(*step.group(1).split())
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    assert lines and all(step.group(2) in line for line in lines), ran.out  # that task's lines, only
    assert any("exiting with code 1" in line for line in lines)
    running = ecs.list_tasks(cluster="prod", serviceName="payments")["taskArns"]
    assert not any(arn.rsplit("/", 1)[-1][:8] in ran.out for arn in running)  # not the healthy tasks


def test_the_window_why_suggests_reaches_back_to_the_tasks_start() -> None:
    from datetime import UTC, timedelta

    from ecsshell.model import Task
    from ecsshell.operations.why import since_life

    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def task(ago: timedelta) -> Task:
        return Task(arn="arn:aws:ecs:us-east-1:123456789012:task/prod/" + "a" * 32, task_definition_arn="",
                    last_status="STOPPED", desired_status="STOPPED", health=None, group=None,
                    created_at=now - ago)

    assert since_life(task(timedelta(minutes=10)), now) == "11m"
    assert since_life(task(timedelta(hours=3, minutes=5)), now) == "4h"
    assert since_life(task(timedelta(days=30)), now) == "168h"  # `logs --since` takes at most a week
    assert since_life(task(-timedelta(seconds=30)), now) == "1m"  # a clock ahead of ours: still a window


# docs/words.md ------------------------------------------------------------------------------------------------
def test_the_examples_of_docs_words_run_against_the_demo_world(world, ecsshell) -> None:
    import shlex
    from pathlib import Path

    from test_readme import expected_status

    from ecsshell.emulator.worlds import demo_world

    demo_world(world)
    doc = (Path(__file__).resolve().parent.parent / "docs" / "words.md").read_text()
    block = doc.split("<!-- words:", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    examples = [expected_status(line[2:]) for line in block.strip().splitlines() if line.startswith("$ ecsshell ")]
    assert len(examples) == 7
    said = {}
    for command, status in examples:
        result = ecsshell(*shlex.split(command)[1:])
        assert result.code == status, (command, result.out, result.err)
        assert "Traceback" not in result.err and (not status or result.err.strip() or "CAUSE" in result.out)
        said[command] = result
    step = re.search(r"`(logs prod [0-9a-f]{8} --since \d+[mh])`", said["ecsshell why prod payments"].out)
    assert step
    logs = ecsshell(*step.group(1).split())
    assert logs.code == 0 and "exiting with code 1" in logs.out, logs.err
    assert "replacing deployment" in said["ecsshell promote staging/web prod/web -y --force --no-wait"].out
    assert _revision(world, "prod", "web") == "web:5"

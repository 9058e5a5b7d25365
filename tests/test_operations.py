"""The use-case layer driven with a real gateway against the emulated world, with no cmd2 in sight."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from ecsshell.aws import Gateway, Settings
from ecsshell.emulator import World
from ecsshell.model import ServiceEvent
from ecsshell.operations import OperationError, check, deploy, rollback, rollout, run
from ecsshell.operations.rollout import Progress, Watch


@pytest.fixture
def gw(world: World) -> Iterator[Gateway]:
    with Gateway.connect(Settings(endpoint_url=world.endpoint_url, region=world.region),
                         env=world.environ()) as gateway:
        yield gateway


class Clock:
    """Emulated time: sleeping advances the world, and the monotonic clock with it."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.world.advance(seconds)

    def monotonic(self) -> float:
        return self.now


def watch(world: World, notes: list[str], seen: list[Progress] | None = None) -> Watch:
    clock = Clock(world)
    progress = seen if seen is not None else []
    return Watch(300.0, clock.sleep, clock.monotonic, progress.append, lambda _e: None, notes.append)


class Report:
    """An update report that approves, and keeps what it is told."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.notes: list[str] = []
        self.failures: list[str] = []
        self.outcomes: list[rollout.Outcome] = []

    def review(self, planned: deploy.Planned) -> bool:
        return True

    def deployed(self, deployed: deploy.Deployed) -> None:
        self.lines.append(f"deployed {deployed.new.label}")

    def finished(self, outcome: rollout.Outcome, what: str) -> None:
        self.outcomes.append(outcome)

    def deregistered(self, labels: list[str]) -> None:
        self.lines.append(f"deregistered {labels}")

    def rolled_back(self, result: rollback.RolledBack) -> None:
        self.lines.append(f"rolled back to {result.to}")

    def say(self, line: str) -> None:
        self.lines.append(line)

    def note(self, line: str) -> None:
        self.notes.append(line)

    def fail(self, line: str) -> None:
        self.failures.append(line)


def _service(world: World, cluster: str, name: str) -> dict[str, Any]:
    svc: dict[str, Any] = world.client("ecs").describe_services(cluster=cluster, services=[name])["services"][0]
    return svc


def _active(world: World, family: str) -> list[str]:
    arns: list[str] = world.client("ecs").list_task_definitions(familyPrefix=family, status="ACTIVE")[
        "taskDefinitionArns"]
    return [arn.rsplit("/", 1)[-1] for arn in arns]


def test_importing_operations_imports_no_cmd2_render_or_aws() -> None:
    code = ("import sys, ecsshell.operations.deploy, ecsshell.operations.check, ecsshell.operations.logs, "
            "ecsshell.operations.scale; print(sorted(m for m in sys.modules if m.split('.')[0] == 'cmd2' or "
            "m.startswith(('ecsshell.aws', 'ecsshell.commands', 'ecsshell.render', 'ecsshell.shell', 'boto3'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_plan_and_deploy_register_one_revision_and_point_the_service_at_it(world: World, gw: Gateway,
                                                                           small) -> None:
    before = _active(world, "api")
    planned = deploy.plan_next(gw, "prod", "api", {None: ":2.5.0"}, [], [])
    assert planned.plan.changed and planned.plan.images[0].new.endswith("api:2.5.0")
    notes: list[str] = []
    deployed = deploy.deploy(gw, "prod", "api", planned, notes.append)
    after = _active(world, "api")
    assert after == [*before, deployed.new.label]
    assert _service(world, "prod", "api")["taskDefinition"] == deployed.new.arn
    assert deployed.deployment_id is not None and notes == []


def test_a_failing_update_service_leaves_no_active_orphan(world: World, gw: Gateway, small) -> None:
    before = _active(world, "api")
    planned = deploy.plan_next(gw, "prod", "api", {None: ":2.5.0"}, [], [])
    world.faults.fail("UpdateService", status=400, times=1)
    with pytest.raises(OperationError, match=r"UpdateService failed, so api still runs api:\d+: .*; "
                                             r"deregistered the orphan revision api:\d+"):
        deploy.deploy(gw, "prod", "api", planned, lambda _line: None)
    assert _active(world, "api") == before
    assert _service(world, "prod", "api")["taskDefinition"] == planned.current.arn


def test_update_follows_the_rollout_to_completed_in_emulated_time(world: World, gw: Gateway, small) -> None:
    report = Report()
    progress: list[Progress] = []
    request = deploy.UpdateRequest("prod", "api", {None: ":2.5.0"}, wait=True, deregister_old=True, keep=1)
    updated = deploy.update(gw, request, report, lambda: watch(world, report.notes, progress))
    assert updated.outcome is not None and updated.outcome.state == "COMPLETED", updated.outcome
    assert updated.deployed is not None and progress
    new = updated.deployed.new
    assert _service(world, "prod", "api")["taskDefinition"] == new.arn
    assert _active(world, "api") == [new.label]  # keep 1: the older revisions no service uses are gone
    assert updated.deregistered and report.outcomes == [updated.outcome]


def test_a_refused_review_changes_nothing(world: World, gw: Gateway, small) -> None:
    class No(Report):
        def review(self, planned: deploy.Planned) -> bool:
            return False

    before = _active(world, "api")
    updated = deploy.update(gw, deploy.UpdateRequest("prod", "api", {None: ":2.5.0"}), No(),
                            lambda: watch(world, []))
    assert updated == deploy.Updated() and _active(world, "api") == before


def test_rollback_target_is_what_the_failed_service_really_runs(gw: Gateway, small) -> None:
    payments = gw.describe_service("prod", "payments")
    assert payments.revision == "payments:2"
    assert rollback.rollback_target(payments).endswith("payments:1")


def test_choose_target_takes_the_previous_active_revision_and_refuses_the_current(gw: Gateway, small) -> None:
    chosen = rollback.choose_target(gw, "prod", "payments")
    assert chosen.task_definition.label == "payments:1"
    with pytest.raises(OperationError, match="payments already runs payments:2"):
        rollback.choose_target(gw, "prod", "payments", 2)


def test_go_back_points_the_service_back_and_follows_it(world: World, gw: Gateway, small) -> None:
    chosen = rollback.choose_target(gw, "prod", "api")
    updated = rollback.go_back(gw, "prod", "api", chosen)
    assert _service(world, "prod", "api")["taskDefinition"] == chosen.task_definition.arn
    outcome = rollout.watch_rollout(gw, "prod", "api", updated.primary.id if updated.primary else None,
                                    {e.id for e in updated.events}, watch(world, []))
    assert outcome.ok, outcome.reason


def test_check_finds_the_failed_payments_deployment(gw: Gateway, small) -> None:
    report = check.check_service(gw, "prod", "payments")
    assert any("STOPPED: ECS deployment circuit breaker" in f for f in report.findings), report.findings
    assert any("uses payments:1 but service definition is payments:2" in f for f in report.findings)
    assert check.check_service(gw, "prod", "web").findings == []


def test_run_waits_and_ends_with_the_essential_container_code(world: World, gw: Gateway, small) -> None:
    world.scheduler.exit_after("migrate", 20, 7)
    launch = run.plan_launch(gw, "batch", "migrate", subnets=",".join(small["subnets"]),
                             security_groups=small["security_group"])
    started = run.start(gw, "batch", launch, 1)
    assert len(started.tasks) == 1 and not started.failures
    clock = Clock(world)
    changes: list[str] = []
    ending = run.wait(gw, "batch", launch.task_definition, started.tasks, timeout=120, sleep=clock.sleep,
                      monotonic=clock.monotonic, on_change=lambda t: changes.append(t.last_status))
    assert ending.stopped and ending.codes == [7] and ending.status == 7 and not ending.error
    assert ending.lines == (f"task {started.tasks[0].id} exited with code 7 ({ending.tasks[0].stopped_reason})",)
    assert changes[-1] == "STOPPED"


def test_run_refuses_awsvpc_without_a_network(gw: Gateway, small) -> None:
    with pytest.raises(OperationError, match="uses awsvpc networking") as caught:
        run.plan_launch(gw, "batch", "migrate")
    assert caught.value.code == 2


def test_on_event_sees_each_new_service_event_once(world: World, gw: Gateway, small) -> None:
    events: list[ServiceEvent] = []
    clock = Clock(world)
    planned = deploy.plan_next(gw, "prod", "api", {None: ":2.5.0"}, [], [])
    deployed = deploy.deploy(gw, "prod", "api", planned, lambda _line: None)
    outcome = rollout.follow_rollout(gw, "prod", "api", deployed.deployment_id, timeout=300, sleep=clock.sleep,
                                     monotonic=clock.monotonic, on_progress=lambda _p: None,
                                     on_event=events.append, seen_events={e.id for e in deployed.service.events})
    assert outcome.ok and len({e.id for e in events}) == len(events)

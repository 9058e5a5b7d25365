"""What one-shot runs rely on to start fast: no boto3 or moto, no listing of botocore's services, and
`update` asking for the family's revisions while it describes the current one."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import botocore.loaders
import pytest
from botocore.exceptions import UnknownServiceError
from harness import console_env

from ecsshell.aws import Gateway, Settings
from ecsshell.aws.session import ModelLoader
from ecsshell.emulator import World
from ecsshell.model import TaskDefinition
from ecsshell.operations import deploy

ROOT = Path(__file__).resolve().parents[1]

# Run the console script's entry point, then name the modules of these packages (or these modules) it imported.
NOT_FOR_LS = ("boto3", "s3transfer", "moto", "werkzeug", "flask", "ecsshell.operations.deploy",
              "ecsshell.operations.promote", "ecsshell.operations.diff", "ecsshell.operations.check")
MODULES_AT_EXIT = (
    "import atexit, sys\n"
    f"atexit.register(lambda: print('MODULES', sorted(({{m.split('.')[0] for m in sys.modules}} | set(sys.modules)) "
    f"& {set(NOT_FOR_LS)!r}), file=sys.stderr))\n"
    "sys.argv = ['ecsshell', *sys.argv[1:]]\n"
    "from ecsshell.cli import console\n"
    "console()\n"
)


def _console(world: World, home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**console_env(world, home), "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                                   os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", MODULES_AT_EXIT, *argv], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_a_one_shot_ls_imports_neither_boto3_nor_the_emulator_nor_what_deploys(world: World, small: Any,
                                                                                home: Path) -> None:
    done = _console(world, home, "-c", "ls")
    assert done.returncode == 0, done.stderr
    assert "prod" in done.stdout and "staging" in done.stdout  # it did list the clusters
    assert "MODULES []" in done.stderr, done.stderr


def test_the_module_check_sees_what_a_command_imports(world: World, small: Any, home: Path) -> None:
    done = _console(world, home, "-c", "check prod api")  # check imports operations.check
    assert "'ecsshell.operations.check'" in done.stderr, done.stderr


@pytest.mark.parametrize(("service", "kind"), [("ecs", "service-2"), ("ecs", "paginators-1"),
                                               ("ecs", "endpoint-rule-set-1"), ("logs", "service-2"),
                                               ("ec2", "paginators-1")])  # ec2's paginators have sdk extras
def test_the_model_loader_loads_what_botocore_loads_without_listing_every_service(service: str, kind: str) -> None:
    loader = ModelLoader()

    def listing(*_: Any, **__: Any) -> list[str]:
        raise AssertionError("listed every service")

    loader.list_available_services = listing  # type: ignore[method-assign]
    assert loader.load_service_model(service, kind) == botocore.loaders.Loader().load_service_model(service, kind)


def test_the_model_loader_refuses_an_unknown_service_as_botocore_does() -> None:
    with pytest.raises(UnknownServiceError, match="Unknown service: 'no-such-service'"):
        ModelLoader().load_service_model("no-such-service", "service-2")


class WatchedGateway(Gateway):
    """A real gateway that notes whether the family's revisions were asked for while a task definition was."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listing = threading.Event()
        self.overlapped = False

    def active_revisions(self, family: str) -> Any:
        self.listing.set()
        return super().active_revisions(family)

    def task_definition(self, ref: str) -> TaskDefinition:
        self.overlapped = self.listing.wait(5)  # sequential calls would leave it unset until the wait ends
        return super().task_definition(ref)


def test_update_lists_the_family_while_it_describes_the_current_revision(world: World, small: Any) -> None:
    settings = Settings(endpoint_url=world.endpoint_url, region=world.region)
    with WatchedGateway.connect(settings, env=world.environ()) as gateway:
        assert isinstance(gateway, WatchedGateway)
        planned = deploy.plan_next(gateway, "prod", "api", {None: ":2.5.0"}, [], [])
        assert gateway.overlapped
        deployed = deploy.deploy(gateway, "prod", "api", planned, lambda _line: None)
    ecs = world.client("ecs")
    assert ecs.describe_services(cluster="prod", services=["api"])["services"][0]["taskDefinition"] == deployed.new.arn
    calls = world.recorder.snapshot()
    assert calls["ListTaskDefinitions"] == 1 and calls["RegisterTaskDefinition"] == 1, calls


def test_a_dry_run_update_does_not_list_the_family(world: World, small: Any, ecsshell: Any) -> None:
    result = ecsshell("update", "prod", "api", ":2.5.0", "--dry-run")
    assert result.code == 0 and "dry run" in result.out, result.err
    assert "ListTaskDefinitions" not in world.recorder.snapshot()

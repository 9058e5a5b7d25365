"""One emulated ECS world per test session, reset before each test that asks for it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecsshell.emulator import World, start_world
from ecsshell.emulator.worlds import small_world

# No test may reach a real AWS account or read the developer's AWS files.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
)
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "ECSCREDENTIAL", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def _session_world() -> Iterator[World]:
    world = start_world()
    try:
        yield world
    finally:
        world.stop()


@pytest.fixture
def world(_session_world: World) -> Iterator[World]:
    """Return the session's emulated world, empty, with no faults and zeroed counts."""
    _session_world.reset()
    yield _session_world
    _session_world.reset()


@pytest.fixture
def ecsshell(world: World, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Return a function running the real ecsshell in-process against the world."""
    from harness import run_ecsshell

    home = tmp_path_factory.mktemp("home")

    def run(*argv: str, stdin: str = "", extra: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return run_ecsshell(world, home, *argv, stdin=stdin, extra=extra)

    return run


@pytest.fixture
def small(world: World) -> dict[str, Any]:
    """Build the small world (prod, staging, batch, sandbox) and return what it built; count calls from here."""
    built = small_world(world)
    world.recorder.reset()  # the calls a test counts are ecsshell's, not the world's building
    return built


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """Return a home folder for one test's runs of ecsshell."""
    return tmp_path


@pytest.fixture
def terminal(world: World, tmp_path: Path) -> Iterator[Any]:
    """Return the real ecsshell in a pseudo-terminal (test_pty.Terminal) over the small world, at its prompt."""
    from test_pty import Terminal

    small_world(world)
    term = Terminal(world, tmp_path)
    term.wait_for("ecs>")
    yield term
    term.close()

"""Start the emulated ECS world in this process for `ecsshell --demo`."""

from __future__ import annotations

import atexit
import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .environment import Environment
from .options import Options

INSTALL_HINT = "--demo needs the demo extra: pip install 'ecsshell[demo]'"
BANNER = ("ecsshell demo: an emulated ECS world on 127.0.0.1 ({url}); nothing here touches AWS.\n"
          "Type `tour` for a guided walk, `help` for every command, Ctrl-D to leave.")


class DemoUnavailable(Exception):
    """The demo extra (moto with its server parts) is not installed."""


def start_demo(environment: Environment, options: Options, *, speed: float = 1.0
               ) -> tuple[Any, Environment, Options]:
    """Start, seed and run the demo world; return it with copies of ENVIRONMENT and OPTIONS aimed at it."""
    try:
        import moto.server  # noqa: F401
        import werkzeug  # noqa: F401
    except ImportError:
        raise DemoUnavailable(INSTALL_HINT) from None
    from .emulator import start_world
    from .emulator.worlds import demo_fleet, demo_world

    world = start_world()
    profiles = Path(tempfile.mkdtemp(prefix="ecsshell-demo-"))  # the demo's AWS config: profile staging
    atexit.register(shutil.rmtree, profiles, ignore_errors=True)
    try:
        demo_world(world)
        aws_files = demo_fleet(world, profiles)
    except BaseException:
        world.stop()
        raise
    world.scheduler.run(speed=speed)
    env = {k: v for k, v in environment.env.items() if k not in ("AWS_PROFILE", "ECSCREDENTIAL")}
    env.update(world.environ())
    env.update(aws_files)  # AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE: `ls --profiles staging`
    env["ECSSHELL_NO_CACHE"] = "1"  # a new demo world reuses the last one's ARNs for other revisions
    return (world, dataclasses.replace(environment, env=env),
            dataclasses.replace(options, endpoint_url=world.endpoint_url, region=world.region, profile="env"))

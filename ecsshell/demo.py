"""Start the emulated ECS world in this process for `ecsshell --demo`.

The endpoint is bound at once (no moto loaded); moto, the shims and the world then load and build
in a background thread, in-process (no HTTP), while the shell starts. Every request the shell sends
before the world is ready waits for it. A one-shot or piped run waits for the world before its
first line; the interactive shell shows its prompt first. See docs/demo.md for the figures.
"""

from __future__ import annotations

import atexit
import dataclasses
import importlib.util
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from .environment import Environment
from .options import Options

INSTALL_HINT = "--demo needs the demo extra: pip install 'ecsshell[demo]'"
BANNER = ("ecsshell demo: an emulated ECS world on 127.0.0.1 ({url}); nothing here touches AWS.\n"
          "Type `tour` for a guided walk, `help` for every command, Ctrl-D to leave.")
NEEDS = ("moto.server", "werkzeug", "flask")  # the demo extra: moto with its server parts


class DemoUnavailable(Exception):
    """The demo extra (moto with its server parts) is not installed."""


class Demo:
    """The demo's world and the thread that builds it; `stop()` ends both."""

    def __init__(self, world: Any, profiles: Path, speed: float, *, say: bool = True) -> None:
        self.world = world
        self.profiles = profiles
        self.speed = speed
        self.say = say  # say why the build failed on stderr (else the one who waits says it)
        self.error = ""
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._build, name="ecsshell-demo-world", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _build(self) -> None:
        from .emulator.worlds import demo_places, demo_profiles, demo_world

        world = self.world
        try:
            world.load(warm=False, hold=True)
            with world.building():
                demo_profiles(world, self.profiles)  # first: the config files `--profiles staging` reads
                demo_world(world)
                demo_places(world)
            if not self._stopped.is_set():  # left before it was built: no scheduler thread to leave behind
                world.scheduler.run(speed=self.speed)
        except Exception as exc:  # the world answers 503 with the reason (World.fail); say it once here
            self.error = f"the demo world could not be built: {exc}"
            world.fail(self.error)
            if self.say and not self._stopped.is_set():  # not when the shell left before it was built
                sys.stderr.write(f"ecsshell: {self.error}\n")

    def wait(self) -> str:
        """Wait until the world is built; return why it could not be, or ""."""
        self._thread.join()
        return self.error or self.world.wait_ready()

    def stop(self) -> None:
        """Stop the scheduler and the server (a build under way is left to end with the process)."""
        self._stopped.set()
        self.world.stop()


def available() -> bool:
    """Whether the demo extra is installed, found without importing it (moto takes a while to load)."""
    for name in NEEDS:
        if name in sys.modules:
            if sys.modules[name] is None:  # a test's way of saying "not installed"
                return False
            continue
        top, _, rest = name.partition(".")
        spec = importlib.util.find_spec(top)
        if spec is None:
            return False
        if rest and not any((Path(folder) / f"{rest}.py").exists() for folder in spec.submodule_search_locations or ()):
            return False
    return True


def start_demo(environment: Environment, options: Options, *, speed: float = 1.0, wait: bool = True
               ) -> tuple[Demo, Environment, Options]:
    """Bind the demo world's endpoint and build the world in the background; return it with copies of
    ENVIRONMENT and OPTIONS aimed at it. With WAIT, return once it is built (a one-shot or piped run)."""
    if not available():
        raise DemoUnavailable(INSTALL_HINT)
    from .emulator import World

    world = World().listen()
    profiles = Path(tempfile.mkdtemp(prefix="ecsshell-demo-"))  # the demo's AWS config: profile staging
    atexit.register(shutil.rmtree, profiles, ignore_errors=True)
    demo = Demo(world, profiles, speed, say=not wait)
    demo.start()
    if wait:
        error = demo.wait()
        if error:
            world.stop()
            raise DemoUnavailable(error)
    env = {k: v for k, v in environment.env.items() if k not in ("AWS_PROFILE", "ECSCREDENTIAL")}
    env.update(world.environ())
    env.update({"AWS_CONFIG_FILE": str(profiles / "config"),  # `ls --profiles staging`
                "AWS_SHARED_CREDENTIALS_FILE": str(profiles / "credentials")})
    env["ECSSHELL_NO_CACHE"] = "1"  # a new demo world reuses the last one's ARNs for other revisions
    return (demo, dataclasses.replace(environment, env=env),
            dataclasses.replace(options, endpoint_url=world.endpoint_url, region=world.region, profile="env"))

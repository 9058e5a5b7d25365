"""An emulated world in a process of its own, for benchmarks: the client's process then measures only the client.

In one process, client and emulator share one interpreter lock, so a benchmark of the client also
times the emulator's CPU (moto's serializer above all). A real account answers from elsewhere; so does
this. `RemoteWorld` offers what the benchmarks use of `World` (endpoint, environment, clients, reset,
latency, the throttle model, the recorder's counts, and the emulated clock tests/harness.py runs ecsshell
with); `populate` builds the scale world over there and `populate_fleet` the fleet benchmark's.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.managers import BaseManager
from pathlib import Path
from typing import Any

FLEET_REVISIONS = 4


def fleet_accounts() -> dict[str, str]:
    """Return profile -> account of the fleet world's two profiles (staging with keys, prod by a role)."""
    from ecsshell.emulator.worlds import FLEET_KEYS, FLEET_ROLES

    return {**FLEET_KEYS, **{profile: account for profile, (_, account) in FLEET_ROLES.items()}}


def populate_fleet(world: Any, directory: Path, count: int, cluster: str, revisions: int = FLEET_REVISIONS
                   ) -> dict[str, str]:
    """Write the two profiles in DIRECTORY and give each target a CLUSTER of COUNT services; return the env."""
    from ecsshell.emulator.worlds import FLEET_KEYS, FLEET_REGIONS, FLEET_ROLES

    env: dict[str, str] = world.profiles(directory, FLEET_KEYS, roles=FLEET_ROLES)
    for account in fleet_accounts().values():
        for region in FLEET_REGIONS:
            ecs = world.client("ecs", account=account, region=region)
            ecs.create_cluster(clusterName=cluster)
            arns = [ecs.register_task_definition(family="bench-web", containerDefinitions=[
                {"name": "web", "image": f"nginx:1.{i}", "memory": 128}])["taskDefinition"]["taskDefinitionArn"]
                for i in range(revisions)]
            backend = world.backend("ecs", account, region)
            with world.lock:  # straight into moto: 1,200 CreateService calls would take a while
                for i in range(count):
                    backend.create_service(cluster, f"svc-{i:05d}", 1, task_definition_str=arns[i % revisions])
    return env


def populate_profiles(world: Any, directory: Path, profiles: int, regions: list[str], cluster: str
                      ) -> dict[str, str]:
    """Write PROFILES profiles (p001 ...), each assuming a role in its own account from profile base's keys,
    and give each of their accounts a CLUSTER in every one of REGIONS; return the environment."""
    accounts = {f"p{i:03d}": f"3{i:011d}" for i in range(1, profiles + 1)}
    env: dict[str, str] = world.profiles(directory, {"base": "300000000000"},
                                         roles={name: ("base", account) for name, account in accounts.items()})
    with world.lock:  # straight into moto: thousands of CreateCluster calls would take a while
        for account in accounts.values():
            for region in regions:
                world.backend("ecs", account, region).create_cluster(cluster)
    return env


class WorldControl:
    """Runs in the emulator's process: starts the world and answers for it."""

    def __init__(self) -> None:
        from ecsshell.emulator import start_world

        self.world = start_world()

    def place(self) -> tuple[str, str, dict[str, str]]:
        return self.world.endpoint_url, self.world.region, self.world.environ()

    def reset(self) -> None:
        self.world.reset()

    def populate(self, count: int, cluster: str, revisions: int) -> list[str]:
        from ecsshell.emulator.worlds import scale_world

        return list(scale_world(self.world, count, cluster=cluster, revisions=revisions, direct=True)["service_arns"])

    def populate_fleet(self, directory: str, count: int, cluster: str, revisions: int) -> dict[str, str]:
        return populate_fleet(self.world, Path(directory), count, cluster, revisions)

    def advance(self, seconds: float) -> None:
        self.world.advance(seconds)

    def populate_profiles(self, directory: str, profiles: int, regions: list[str], cluster: str) -> dict[str, str]:
        return populate_profiles(self.world, Path(directory), profiles, regions, cluster)

    def elapsed(self) -> float:
        return float(self.world.scheduler.elapsed)

    def now(self) -> str:
        return str(self.world.scheduler.now().isoformat())

    def latency(self, seconds: float) -> None:
        self.world.faults.latency(seconds)

    def clear_faults(self) -> None:
        self.world.faults.clear()

    def throttle(self, action: str) -> None:
        getattr(self.world.throttle, action)()  # enable, disable, refill

    def throttle_state(self) -> tuple[bool, int, tuple[float, float] | None]:
        read = self.world.throttle.limit("read")
        return self.world.throttle.enabled, self.world.throttle.throttled, \
            (read.burst, read.rate) if read is not None else None

    def recorder_reset(self) -> None:
        self.world.recorder.reset()

    def recorder_state(self) -> tuple[dict[str, int], int, float]:
        r = self.world.recorder
        return dict(r.snapshot()), r.peak_in_flight, r.cpu_seconds

    def stop(self) -> None:
        self.world.stop()


class _Manager(BaseManager):
    pass


_Manager.register("WorldControl", WorldControl)


@dataclass(frozen=True)
class Limit:
    burst: float
    rate: float


class _Recorder:
    def __init__(self, control: Any) -> None:
        self._control = control

    def reset(self) -> None:
        self._control.recorder_reset()

    def snapshot(self) -> dict[str, int]:
        return dict(self._control.recorder_state()[0])

    @property
    def peak_in_flight(self) -> int:
        return int(self._control.recorder_state()[1])

    @property
    def cpu_seconds(self) -> float:
        return float(self._control.recorder_state()[2])


class _Throttle:
    def __init__(self, control: Any) -> None:
        self._control = control

    def enable(self) -> None:
        self._control.throttle("enable")

    def disable(self) -> None:
        self._control.throttle("disable")

    def refill(self) -> None:
        self._control.throttle("refill")

    @property
    def enabled(self) -> bool:
        return bool(self._control.throttle_state()[0])

    @property
    def throttled(self) -> int:
        return int(self._control.throttle_state()[1])

    def limit(self, group: str) -> Limit | None:
        assert group == "read"
        found = self._control.throttle_state()[2]
        return Limit(*found) if found is not None else None


class _Faults:
    def __init__(self, control: Any) -> None:
        self._control = control

    def latency(self, seconds: float) -> None:
        self._control.latency(seconds)

    def clear(self) -> None:
        self._control.clear_faults()


class _Clock:
    """The remote scheduler's emulated clock, as `World.scheduler.elapsed` is read."""

    def __init__(self, control: Any) -> None:
        self._control = control

    @property
    def elapsed(self) -> float:
        return float(self._control.elapsed())

    def now(self) -> datetime:
        """Return the remote world's emulated time (what its timestamps are made on)."""
        return datetime.fromisoformat(self._control.now())


class RemoteWorld:
    """A world served by another process, with the parts of `World` the benchmarks use."""

    def __init__(self) -> None:
        self._manager = _Manager(ctx=multiprocessing.get_context("spawn"))
        self._manager.start()
        self._control = self._manager.WorldControl()  # type: ignore[attr-defined]
        self.endpoint_url, self.region, self._environ = self._control.place()
        self.recorder = _Recorder(self._control)
        self.throttle = _Throttle(self._control)
        self.faults = _Faults(self._control)
        self.scheduler = _Clock(self._control)

    def environ(self) -> dict[str, str]:
        return dict(self._environ)

    def reset(self) -> None:
        self._control.reset()

    def populate(self, count: int, cluster: str, revisions: int = 1) -> list[str]:
        return list(self._control.populate(count, cluster, revisions))

    def populate_fleet(self, directory: Path, count: int, cluster: str, revisions: int = FLEET_REVISIONS
                       ) -> dict[str, str]:
        return dict(self._control.populate_fleet(str(directory), count, cluster, revisions))

    def advance(self, seconds: float) -> None:
        self._control.advance(seconds)

    def populate_profiles(self, directory: Path, profiles: int, regions: list[str], cluster: str) -> dict[str, str]:
        return dict(self._control.populate_profiles(str(directory), profiles, regions, cluster))

    def client(self, service: str, **config: Any) -> Any:
        import boto3
        from botocore.config import Config

        from ecsshell.emulator.server import CREDENTIALS

        settings: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 3}}
        settings.update(config)
        return boto3.client(service, region_name=self.region, endpoint_url=self.endpoint_url,  # type: ignore[call-overload]
                            config=Config(**settings), **CREDENTIALS)

    def stop(self) -> None:
        try:
            self._control.stop()
        finally:
            self._manager.shutdown()

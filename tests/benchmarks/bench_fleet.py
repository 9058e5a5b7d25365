"""Benchmark a fan-out `ls CLUSTER` over 4 targets against the slowest of the same targets listed alone.

Run: python tests/benchmarks/bench_fleet.py [--services 300] [--latency 0.04] [--repeat 3]

Two accounts (profile staging with access keys, profile prod assuming a role in another account) in
two Regions each hold a cluster of N services over a few task definition revisions. Every API call
is delayed by --latency seconds. The real ecsshell runs in this process:
  fan-out  `ls bench --profiles staging,prod --regions us-east-1,eu-west-1` (one table, 4 targets)
  single   `ls PROFILE@REGION:/bench` for each target alone; the slowest is the reference
  json     the fan-out with --output json: the calls without drawing the table (rich takes ~2 ms a row)
The emulator serves from this same process, so both variants share one interpreter with it: on few
cores the fan-out is bounded by CPU, not by the latency real AWS would add.
Each is run once to warm up (imports, models), then timed --repeat times; the best time counts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the harness

from harness import Result, run_ecsshell

from ecsshell.emulator import World, start_world
from ecsshell.emulator.worlds import FLEET_KEYS, FLEET_REGIONS, FLEET_ROLES

CLUSTER = "bench"


def accounts() -> dict[str, str]:
    """Return profile -> account of the benchmark's two profiles."""
    return {**FLEET_KEYS, **{profile: account for profile, (_, account) in FLEET_ROLES.items()}}


def populate(world: World, directory: Path, count: int, revisions: int = 4) -> dict[str, str]:
    """Write the two profiles in DIRECTORY and give each target a cluster of COUNT services; return the env."""
    env = world.profiles(directory, FLEET_KEYS, roles=FLEET_ROLES)
    for account in accounts().values():
        for region in FLEET_REGIONS:
            ecs = world.client("ecs", account=account, region=region)
            ecs.create_cluster(clusterName=CLUSTER)
            arns = [ecs.register_task_definition(family="bench-web", containerDefinitions=[
                {"name": "web", "image": f"nginx:1.{i}", "memory": 128}])["taskDefinition"]["taskDefinitionArn"]
                for i in range(revisions)]
            backend = world.backend("ecs", account, region)
            with world.lock:  # straight into moto: 1,200 CreateService calls would take a while
                for i in range(count):
                    backend.create_service(CLUSTER, f"svc-{i:05d}", 1, task_definition_str=arns[i % revisions])
    return env


def timed(world: World, run: Callable[[], Result], repeat: int) -> tuple[float, Result, dict[str, int], int]:
    """Run RUN once to warm up, then REPEAT times; return the best seconds, its result, calls and peak."""
    run()
    best: tuple[float, Result, dict[str, int], int] | None = None
    for _ in range(repeat):
        world.recorder.reset()
        start = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - start
        if best is None or seconds < best[0]:
            best = (seconds, result, world.recorder.snapshot(), world.recorder.peak_in_flight)
    assert best is not None
    return best


def main(argv: Sequence[str] | None = None) -> int:
    """Build the world, time both variants and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, default=300, help="services per target")
    parser.add_argument("--latency", type=float, default=0.04, help="seconds added to every API call")
    parser.add_argument("--revisions", type=int, default=4, help="task definition revisions per target")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each variant (the best counts)")
    args = parser.parse_args(argv)

    world = start_world()
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as folder:
        try:
            env = populate(world, Path(folder) / "aws", args.services, args.revisions)
            env["ECSSHELL_NO_CACHE"] = "1"  # every run asks ECS, as a first run would
            home = Path(folder) / "home"
            world.faults.latency(args.latency)
            targets = [f"{profile}@{region}" for profile in accounts() for region in FLEET_REGIONS]
            rows = []
            for target in targets:
                seconds, result, calls, peak = timed(world, lambda t=target: run_ecsshell(  # type: ignore[misc]
                    world, home, "ls", f"{t}:/{CLUSTER}", extra=env), args.repeat)
                assert result.code == 0, result.err
                rows.append((f"single {target}", seconds, calls, peak))
            slowest = max(seconds for _, seconds, _, _ in rows)
            seconds, result, calls, peak = timed(world, lambda: run_ecsshell(
                world, home, "ls", CLUSTER, "--profiles", ",".join(accounts()), "--regions",
                ",".join(FLEET_REGIONS), extra=env), args.repeat)
            assert result.code == 0, result.err
            assert result.out.count("svc-") == len(targets) * args.services
            rows.append(("fan-out 4 targets", seconds, calls, peak))
            fanned = seconds
            json_seconds, result, json_calls, json_peak = timed(world, lambda: run_ecsshell(
                world, home, "ls", CLUSTER, "--profiles", ",".join(accounts()), "--regions",
                ",".join(FLEET_REGIONS), "--output", "json", extra=env), args.repeat)
            assert result.code == 0, result.err
            rows.append(("fan-out 4 targets, json", json_seconds, json_calls, json_peak))
        finally:
            world.stop()
    print(f"ls {CLUSTER}: {len(targets)} targets of {args.services} services, latency "
          f"{args.latency * 1000:.0f} ms per call, best of {args.repeat}")
    width = max(len(name) for name, *_ in rows)
    print(f"{'variant'.ljust(width)}  {'wall s':>6}  {'calls':>5}  {'peak':>4}  calls by operation")
    for name, wall, by_op, top in rows:
        ops = " ".join(f"{op}={n}" for op, n in sorted(by_op.items()))
        print(f"{name.ljust(width)}  {wall:6.2f}  {sum(by_op.values()):5}  {top:4}  {ops}")
    singles = sum(s for name, s, _, _ in rows if name.startswith("single"))
    print(f"fan-out / slowest single target: {fanned / slowest:.2f}x "
          f"({fanned:.2f} s against {slowest:.2f} s; the four one after another: {singles:.2f} s; "
          f"the json row shows the time without drawing the {len(targets) * args.services}-row table)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

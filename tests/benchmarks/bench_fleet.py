"""Benchmark a fan-out `ls CLUSTER` over 4 targets against the slowest of the same targets listed alone.

Run: python tests/benchmarks/bench_fleet.py [--services 300] [--latency 0.04] [--repeat 3] [--in-process]

Two accounts (profile staging with access keys, profile prod assuming a role in another account) in
two Regions each hold a cluster of N services over a few task definition revisions. Every API call
is delayed by --latency seconds. The real ecsshell runs in this process:
  fan-out  `ls bench --profiles staging,prod --regions us-east-1,eu-west-1` (one table, 4 targets)
  single   `ls PROFILE@REGION:/bench` for each target alone; the slowest is the reference
  json     the fan-out with --output json: the calls without drawing the table (rich takes ~2 ms a row)
The emulator serves from a process of its own (remote_world.py), as a real account answers from
elsewhere; --in-process serves it from this one, where client and emulator share one interpreter lock
and moto's CPU bounds the fan-out. Each variant prints the client's CPU (this process's CPU time, less
the emulator's when it runs here) and the emulator's (its request threads' CPU time).
Each is run once to warm up (imports, models), then timed --repeat times; the best time counts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the harness
sys.path.insert(0, str(Path(__file__).resolve().parent))  # its sibling, however this file is loaded

from harness import Result, run_ecsshell
from remote_world import FLEET_REVISIONS, RemoteWorld, fleet_accounts, populate_fleet

from ecsshell.emulator import World, start_world
from ecsshell.emulator.worlds import FLEET_REGIONS

AnyWorld = World | RemoteWorld  # the world in this process, or in one of its own

CLUSTER = "bench"


def accounts() -> dict[str, str]:
    """Return profile -> account of the benchmark's two profiles."""
    return fleet_accounts()


def populate(world: AnyWorld, directory: Path, count: int, revisions: int = FLEET_REVISIONS) -> dict[str, str]:
    """Write the two profiles in DIRECTORY and give each target a cluster of COUNT services; return the env."""
    if isinstance(world, RemoteWorld):
        return world.populate_fleet(directory, count, CLUSTER, revisions)
    return populate_fleet(world, directory, count, CLUSTER, revisions)


@dataclass
class Row:
    """One variant's best run: wall time, its result, calls by operation, peak concurrency and CPU."""

    variant: str
    seconds: float
    result: Result
    calls: dict[str, int]
    peak: int
    client_cpu: float
    server_cpu: float


def timed(world: AnyWorld, variant: str, run: Callable[[], Result], repeat: int) -> Row:
    """Run RUN once to warm up, then REPEAT times; return the best run."""
    run()
    remote = isinstance(world, RemoteWorld)  # its CPU is not this process's
    best: Row | None = None
    for _ in range(repeat):
        world.recorder.reset()
        cpu, start = time.process_time(), time.perf_counter()
        result = run()
        seconds = time.perf_counter() - start
        client = time.process_time() - cpu
        server = world.recorder.cpu_seconds
        if best is None or seconds < best.seconds:
            best = Row(variant, seconds, result, world.recorder.snapshot(), world.recorder.peak_in_flight,
                       max(0.0, client - (0.0 if remote else server)), server)
    assert best is not None
    assert best.result.code == 0, best.result.err
    return best


def measure(world: AnyWorld, services: int, latency: float, repeat: int) -> list[Row]:
    """Populate WORLD, then time each target alone, the fan-out and the fan-out in JSON; return the rows."""
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as folder:
        env = populate(world, Path(folder) / "aws", services)
        env["ECSSHELL_NO_CACHE"] = "1"  # every run asks ECS, as a first run would
        home = Path(folder) / "home"
        world.faults.latency(latency)
        shell: Any = world  # the harness takes a World; a RemoteWorld has what it uses of one

        def ls(*argv: str) -> Callable[[], Result]:
            return lambda: run_ecsshell(shell, home, "ls", *argv, extra=env)

        fleet = (CLUSTER, "--profiles", ",".join(accounts()), "--regions", ",".join(FLEET_REGIONS))
        rows = [timed(world, f"single {t}", ls(f"{t}:/{CLUSTER}"), repeat) for t in targets()]
        rows.append(timed(world, f"fan-out {len(targets())} targets", ls(*fleet), repeat))
        rows.append(timed(world, f"fan-out {len(targets())} targets, json", ls(*fleet, "--output", "json"), repeat))
        world.faults.clear()
    return rows


def targets() -> list[str]:
    """Return the benchmark's targets as PROFILE@REGION."""
    return [f"{profile}@{region}" for profile in accounts() for region in FLEET_REGIONS]


def format_rows(rows: Sequence[Row]) -> list[str]:
    """Return ROWS as aligned lines, the header first."""
    width = max(len(r.variant) for r in rows)
    lines = [f"{'variant'.ljust(width)}  {'wall s':>6}  {'calls':>5}  {'peak':>4}  {'client cpu s':>12}  "
             f"{'emulator cpu s':>14}  calls by operation"]
    for r in rows:
        ops = " ".join(f"{op}={n}" for op, n in sorted(r.calls.items()))
        lines.append(f"{r.variant.ljust(width)}  {r.seconds:6.2f}  {sum(r.calls.values()):5}  {r.peak:4}  "
                     f"{r.client_cpu:12.2f}  {r.server_cpu:14.2f}  {ops}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Build the world, time every variant and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, default=300, help="services per target")
    parser.add_argument("--latency", type=float, default=0.04, help="seconds added to every API call")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each variant (the best counts)")
    parser.add_argument("--in-process", action="store_true",
                        help="serve the emulator in this process (client and emulator then share one GIL)")
    args = parser.parse_args(argv)

    world: AnyWorld = start_world() if args.in_process else RemoteWorld()
    try:
        rows = measure(world, args.services, args.latency, args.repeat)
    finally:
        world.stop()
    fan_out = next(r for r in rows if r.variant.startswith("fan-out"))
    assert fan_out.result.out.count("svc-") == len(targets()) * args.services
    singles = [r for r in rows if r.variant.startswith("single")]
    slowest = max(r.seconds for r in singles)
    print(f"ls {CLUSTER}: {len(targets())} targets of {args.services} services, latency "
          f"{args.latency * 1000:.0f} ms per call, best of {args.repeat}; emulator "
          + ("in this process" if args.in_process else "in a process of its own"))
    print("\n".join(format_rows(rows)))
    print(f"fan-out / slowest single target: {fan_out.seconds / slowest:.2f}x "
          f"({fan_out.seconds:.2f} s against {slowest:.2f} s; the four one after another: "
          f"{sum(r.seconds for r in singles):.2f} s; the json row shows the time without drawing the "
          f"{len(targets()) * args.services}-row table)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

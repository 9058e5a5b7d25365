"""Benchmark `taskdefs` (every family with its latest ACTIVE revision): the revision walk against family by family.

Run: python tests/benchmarks/bench_taskdefs.py [--families 300 2000] [--revisions 5 30] [--latency 0.04]
     [--no-throttle]

Each size gets a fresh emulated account of F families with R revisions each, listed with every API
call delayed by --latency seconds ("latency"), and again with the ECS throttle model on as well
("throttle": reads 50 burst and 20 a second):
  ecsshell        Gateway.families: ListTaskDefinitionFamilies pages on the pool while the calling
                  thread walks every ACTIVE revision, 100 a page, in order; where families have many
                  revisions the walk stops and the families it has not finished are asked one by one.
  family by family  the call pattern before: the family pages, and one ListTaskDefinitions
                  (familyPrefix, sort DESC, maxResults 1) per family on the pool as each page returns.
The lower bound is the better of the two ways for any client (see lower_bound).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its siblings, however this file is loaded
from bench_ls import AnyWorld, Result, format_table, gateway_for, settings_line
from remote_world import RemoteWorld

from ecsshell.model import Family


def run_ecsshell(world: AnyWorld, workers: int) -> list[Family]:
    gateway = gateway_for(world, None, workers)
    try:
        return gateway.families()
    finally:
        gateway.close()


def run_by_family(world: AnyWorld, workers: int) -> list[Family]:
    gateway = gateway_for(world, None, workers)
    try:
        pages = gateway.pages("ecs", "list_task_definition_families", "families", status="ACTIVE", maxResults=100)
        return sorted(gateway.fan_out(pages, 1, lambda names: [gateway._latest_active(names[0])]),
                      key=lambda f: f.name)
    finally:
        gateway.close()


def measure(world: AnyWorld, variant: str, families: int, revisions: int, run: Callable[[], list[Family]],
            latency: float) -> tuple[Result, list[Family]]:
    """Time RUN with the world's counters zeroed and full throttle buckets."""
    world.recorder.reset()
    world.throttle.refill()
    cpu, start = time.process_time(), time.perf_counter()
    found: list[Family] = []
    error = ""
    try:
        found = run()
    except Exception as exc:  # a variant that gives up under throttling says so in the table
        error = f"{type(exc).__name__}: {exc}"[:80]
    seconds = time.perf_counter() - start
    calls = world.recorder.snapshot()
    result = Result(f"{variant} ({revisions} rev)", len(found), seconds, calls, world.recorder.peak_in_flight,
                    client_cpu=time.process_time() - cpu, server_cpu=world.recorder.cpu_seconds,
                    mode="throttle" if world.throttle.enabled else "latency", error=error)
    result.extra["throttled"] = world.throttle.throttled
    result.bound = lower_bound(world, families, revisions, latency)
    return result, found


def lower_bound(world: AnyWorld, families: int, revisions: int, latency: float) -> float:
    """Return the least time any client can take: the better of walking and asking, in round trips or calls.

    Walking is the family pages beside ceil(F*R/100) revision pages one after another; asking is the
    family pages then one round of concurrent calls. Under the throttle model the fewest calls either
    way needs, past the burst, at the sustained rate.
    """
    family_pages, revision_pages = math.ceil(families / 100), math.ceil(families * revisions / 100)
    bound = min(max(family_pages, revision_pages), family_pages + 1) * latency
    read = world.throttle.limit("read")
    if read is not None:
        fewest = family_pages + min(revision_pages, families)
        bound = max(bound, max(0.0, fewest - read.burst) / read.rate)
    return bound


def populate(world: AnyWorld, families: int, revisions: int) -> None:
    """Give the account FAMILIES families of REVISIONS revisions each (and a service on each, unused here)."""
    world.populate(families, "bench", revisions)  # type: ignore[call-arg]


def main(argv: Sequence[str] | None = None) -> int:
    """Run both variants for each size, revision count and mode, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--families", type=int, nargs="+", default=[300, 2000])
    parser.add_argument("--revisions", type=int, nargs="+", default=[5, 30], help="revisions per family")
    parser.add_argument("--latency", type=float, default=0.04, help="seconds added to every API call")
    parser.add_argument("--workers", type=int, default=16, help="the gateway's max_workers")
    parser.add_argument("--no-throttle", action="store_true", help="latency alone, not the throttle model")
    args = parser.parse_args(argv)
    world = RemoteWorld()
    results: list[Result] = []
    try:
        for families in args.families:
            for revisions in args.revisions:
                world.reset()
                populate(world, families, revisions)
                world.faults.latency(args.latency)
                for throttled in (False, True)[:1 if args.no_throttle else 2]:
                    if throttled:
                        world.throttle.enable()
                    found = {}
                    for variant, run in (("ecsshell", run_ecsshell), ("family by family", run_by_family)):
                        result, found[variant] = measure(world, variant, families, revisions,
                                                         lambda run=run: run(world, args.workers), args.latency)
                        print(f"{result.mode:<8} {result.variant:<24} {families:>6} families: "
                              f"{result.seconds:.2f} s, {result.total_calls} calls", file=sys.stderr, flush=True)
                        results.append(result)
                    if found["ecsshell"] != found["family by family"] and all(found.values()):
                        raise SystemExit("the two variants disagree on the latest revisions")
                    world.throttle.disable()
                world.faults.clear()
    finally:
        world.stop()
    print(f"{settings_line(args.latency, args.workers)}; the 'services' column counts families")
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark `ls CLUSTER`: ecsshell cold and warm against today's call pattern and a naive sequential client.

Run: python tests/benchmarks/bench_ls.py [--services 300 2000 | --quick] [--latency 0.04] [--no-throttle]

Each size gets a fresh emulated cluster of N services, each on its own task definition family (the
usual layout), then lists it with every API call delayed by --latency seconds ("latency"), and again
with the ECS throttle model on as well ("throttle": token buckets of the reference's figures, reads
50 burst and 20 a second):
  cold      ecsshell's Gateway.services_and_images with an empty persistent cache: ListServices pages
            of 100, DescribeServices batches of 10 on a pool, DescribeServiceRevisions 20 a call sent
            as each DescribeServices batch returns.
  warm      the same again with the cache the cold run left: no DescribeServiceRevisions.
  today     the call pattern before issue 12: the same listing, then DescribeTaskDefinition for every
            service's revision on the pool, with no persistent cache.
  naive     what ecsman and e1s did: ListServices with the default page of 10, page after page,
            DescribeServices 10 at a time one after another, DescribeTaskDefinition for every service.
For each: wall time, calls by operation, peak concurrency at the server, the client's CPU (the
process's CPU time less the emulator's) and the emulator's, and the lower bound: the round trips
that depend on each other times the latency, or under the throttle model the calls past the burst
over the sustained rate, whichever is longer.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecsshell.aws import Gateway, Settings
from ecsshell.aws.cache import TaskDefinitionCache
from ecsshell.emulator import World, start_world
from ecsshell.emulator.throttle import DEFAULT_LIMITS
from ecsshell.emulator.worlds import scale_world

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its sibling, however this file is loaded
from remote_world import RemoteWorld

AnyWorld = World | RemoteWorld  # the world in this process, or in one of its own

CLUSTER = "bench"


@dataclass
class Result:
    """One variant's run: wall time, API calls by operation, peak concurrency, CPU and the lower bound."""

    variant: str
    services: int
    seconds: float
    calls: dict[str, int]
    peak: int
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    bound: float = 0.0
    mode: str = "latency"
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def populate(world: AnyWorld, count: int, revisions: int = 1, cluster: str = CLUSTER) -> list[str]:
    """Create CLUSTER with COUNT services, each on the last of REVISIONS revisions of its own family."""
    if isinstance(world, RemoteWorld):
        return world.populate(count, cluster, revisions)
    return list(scale_world(world, count, cluster=cluster, revisions=revisions, direct=True)["service_arns"])


def lower_bound(world: AnyWorld, count: int, latency: float, *, warm: bool, calls: int) -> float:
    """Return the least time `ls` of COUNT services can take: dependent round trips, or the throttle.

    CALLS are the calls that were answered (not the throttled attempts).
    """
    round_trips = math.ceil(count / 100) + (1 if warm else 2)  # the pages, then describe (and images)
    bound = round_trips * latency
    read = world.throttle.limit("read")
    if read is not None:
        bound = max(bound, max(0.0, calls - read.burst) / read.rate)
    return bound


def measure(world: AnyWorld, variant: str, count: int, run: Callable[[], int], latency: float,
            warm: bool) -> Result:
    """Time RUN (which returns the services it listed) with the world's counters zeroed."""
    world.recorder.reset()
    world.throttle.refill()  # full buckets for every variant
    cpu, start = time.process_time(), time.perf_counter()
    error = ""
    listed = 0
    try:
        listed = run()
    except Exception as exc:  # a variant that gives up under throttling says so in the table
        error = f"{type(exc).__name__}: {exc}"[:80]
    seconds = time.perf_counter() - start
    server = world.recorder.cpu_seconds
    remote = isinstance(world, RemoteWorld)  # its CPU is not this process's
    calls = world.recorder.snapshot()
    result = Result(variant, listed, seconds, calls, world.recorder.peak_in_flight,
                    client_cpu=max(0.0, time.process_time() - cpu - (0.0 if remote else server)),
                    server_cpu=server,
                    mode="throttle" if world.throttle.enabled else "latency", error=error)
    answered = result.total_calls - world.throttle.throttled
    result.extra["throttled"] = world.throttle.throttled
    result.bound = lower_bound(world, count, latency, warm=warm, calls=answered)
    return result


RETRY_MODE: dict[str, str] = {}  # AWS_RETRY_MODE for the gateway variants (--retry-mode)


def gateway_for(world: AnyWorld, cache: TaskDefinitionCache | None, max_workers: int) -> Gateway:
    settings = Settings(endpoint_url=world.endpoint_url, region=world.region, max_workers=max_workers)
    gateway = Gateway.connect(settings, env={**world.environ(), **RETRY_MODE}, cache=cache)
    gateway.client("ecs")  # build the client before the clock starts
    return gateway


def run_ecsshell(world: AnyWorld, cache: TaskDefinitionCache | None, max_workers: int = 16) -> int:
    """List CLUSTER the ecsshell way: services, then images from revisions (or the cache)."""
    gateway = gateway_for(world, cache, max_workers)
    try:
        services, definitions = gateway.services_and_images(CLUSTER)
    finally:
        gateway.close()
    assert len(definitions) == len({s.task_definition_arn for s in services})
    return len(services)


def run_today(world: AnyWorld, max_workers: int = 16) -> int:
    """List CLUSTER as ecsshell did before issue 12: DescribeTaskDefinition per distinct revision, no cache."""
    gateway = gateway_for(world, None, max_workers)
    try:
        services = gateway.list_services(CLUSTER)
        gateway.task_definitions(s.task_definition_arn for s in services)
    finally:
        gateway.close()
    return len(services)


def run_naive(world: AnyWorld) -> int:
    """List CLUSTER one call at a time, as ecsman did (but following every page)."""
    ecs = world.client("ecs", retries={"mode": "standard", "max_attempts": 10})
    arns: list[str] = []
    params: dict[str, Any] = {"cluster": CLUSTER}
    while True:
        page = ecs.list_services(**params)
        arns.extend(page["serviceArns"])
        if not page.get("nextToken"):
            break
        params["nextToken"] = page["nextToken"]
    services: list[dict[str, Any]] = []
    for first in range(0, len(arns), 10):
        services.extend(ecs.describe_services(cluster=CLUSTER, services=arns[first:first + 10])["services"])
    for service in services:
        ecs.describe_task_definition(taskDefinition=service["taskDefinition"])
    return len(services)


def run_all(world: AnyWorld, count: int, latency: float, *, naive: bool = True, workers: int = 16,
            log: Callable[[Result], None] | None = None) -> list[Result]:
    """Run every variant against WORLD's populated cluster of COUNT services; return their results."""
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-ls-") as folder:
        cache = TaskDefinitionCache(Path(folder))
        variants: list[tuple[str, Callable[[], int], bool]] = [
            ("cold", lambda: run_ecsshell(world, cache, workers), False),
            ("warm", lambda: run_ecsshell(world, cache, workers), True),
            ("today", lambda: run_today(world, workers), False),
        ]
        if naive:
            variants.append(("naive", lambda: run_naive(world), False))
        for name, run, warm in variants:
            result = measure(world, name, count, run, latency, warm)
            results.append(result)
            if log is not None:
                log(result)
    return results


def format_table(results: Sequence[Result]) -> str:
    """Return RESULTS as an aligned text table."""
    rows = [("mode", "variant", "services", "wall s", "bound s", "x bound", "calls", "peak", "client cpu s",
             "emulator cpu s", "calls by operation")]
    for r in results:
        by_op = " ".join(f"{op}={n}" for op, n in sorted(r.calls.items()))
        if r.error:
            by_op += f"  FAILED {r.error}"
        ratio = f"{r.seconds / r.bound:.1f}" if r.bound else "-"
        if r.extra.get("throttled"):
            by_op += f" (throttled {r.extra['throttled']})"
        rows.append((r.mode, r.variant, str(r.services), f"{r.seconds:.2f}", f"{r.bound:.2f}", ratio,
                     str(r.total_calls), str(r.peak), f"{r.client_cpu:.2f}", f"{r.server_cpu:.2f}", by_op))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) if i < 2 else cell.rjust(width) for i, (cell, width) in
                 enumerate(zip(row[:-1], widths, strict=True))]
        lines.append("  ".join([*cells, row[-1]]))
    return "\n".join(lines)


def settings_line(latency: float, workers: int) -> str:
    """Return the line saying what every run had: the latency, the throttle model's reads, the pool."""
    read = DEFAULT_LIMITS["read"]
    return (f"latency {latency * 1000:.0f} ms per call; throttle model: reads {read.burst:.0f} burst, "
            f"{read.rate:.0f}/s; max_workers {workers}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark for each requested size and mode and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, nargs="+", default=[300, 2000], help="cluster sizes")
    parser.add_argument("--quick", action="store_true", help="one small cluster of 60 services")
    parser.add_argument("--latency", type=float, default=0.04, help="seconds added to every API call")
    parser.add_argument("--workers", type=int, default=16, help="the gateway's max_workers")
    parser.add_argument("--no-throttle", action="store_true", help="latency alone, not the throttle model")
    parser.add_argument("--no-naive", action="store_true", help="leave out the naive sequential client")
    parser.add_argument("--in-process", action="store_true",
                        help="serve the emulator in this process (client and emulator then share one GIL)")
    parser.add_argument("--retry-mode", choices=("legacy", "standard", "adaptive"),
                        help="AWS_RETRY_MODE for ecsshell (default: ecsshell's own)")
    args = parser.parse_args(argv)
    if args.retry_mode:
        RETRY_MODE["AWS_RETRY_MODE"] = args.retry_mode
    sizes = [60] if args.quick else args.services

    def log(r: Result) -> None:
        print(f"{r.mode:<8} {r.variant:<6} {r.services:>6} services: {r.seconds:.2f} s, {r.total_calls} calls"
              + (f" FAILED {r.error}" if r.error else ""), file=sys.stderr, flush=True)

    world: AnyWorld = start_world() if args.in_process else RemoteWorld()
    results: list[Result] = []
    try:
        for count in sizes:
            world.reset()
            populate(world, count)
            world.faults.latency(args.latency)
            results += run_all(world, count, args.latency, naive=not args.no_naive, workers=args.workers, log=log)
            if not args.no_throttle:
                world.throttle.enable()
                results += run_all(world, count, args.latency, naive=not args.no_naive, workers=args.workers,
                                   log=log)
                world.throttle.disable()
            world.faults.clear()
    finally:
        world.stop()
    print(f"{settings_line(args.latency, args.workers)}; one task definition family per service; emulator "
          + ("in this process" if args.in_process else "in a process of its own"))
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

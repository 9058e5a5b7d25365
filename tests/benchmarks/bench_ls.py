"""Benchmark the round trips behind `ls CLUSTER`: the gateway against the sequential way ecsman did it.

Run: python tests/benchmarks/bench_ls.py [--services 300 2000] [--latency 0.04] [--revisions 4]

Each size gets a fresh emulated cluster of N services spread over a few task definition revisions,
then every API call is delayed by --latency seconds and both variants list the cluster:
  fast      Gateway.list_services (ListServices pages of 100, DescribeServices batches of 10 on a pool,
            overlapped with the paging) + Gateway.task_definitions for the distinct revisions.
  baseline  what ecsman and e1s did: ListServices with the default page size, page after page,
            DescribeServices 10 at a time one after another, DescribeTaskDefinition for every service.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ecsshell.aws import Gateway, Settings
from ecsshell.emulator import World, start_world

CLUSTER = "bench"


@dataclass
class Result:
    """One variant's run: wall time, API calls by operation and peak concurrency seen by the server."""

    variant: str
    services: int
    seconds: float
    calls: dict[str, int]
    peak: int

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def populate(world: World, count: int, revisions: int = 4, cluster: str = CLUSTER) -> list[str]:
    """Create CLUSTER with COUNT services over REVISIONS task definition revisions; return their ARNs."""
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName=cluster)
    arns = []
    for i in range(revisions):
        answer = ecs.register_task_definition(
            family="bench-web", containerDefinitions=[{"name": "web", "image": f"nginx:1.{i}", "memory": 128}])
        arns.append(answer["taskDefinition"]["taskDefinitionArn"])
    backend = world.backend("ecs")
    with world.lock:  # straight into moto: thousands of CreateService calls would take a while
        for i in range(count):
            backend.create_service(cluster, f"svc-{i:05d}", 1, task_definition_str=arns[i % revisions])
    return arns


def run_fast(world: World, cluster: str = CLUSTER, max_workers: int = 16) -> Result:
    """List CLUSTER the ecsshell way and describe its distinct task definitions."""
    settings = Settings(endpoint_url=world.endpoint_url, region=world.region, max_workers=max_workers)
    gateway = Gateway.connect(settings, env=world.environ())
    try:
        gateway.client("ecs")  # build the client before the clock starts
        world.recorder.reset()
        start = time.perf_counter()
        services = gateway.list_services(cluster)
        definitions = gateway.task_definitions(s.task_definition_arn for s in services)
        seconds = time.perf_counter() - start
    finally:
        gateway.close()
    assert len(definitions) >= 1 or not services
    return Result("fast", len(services), seconds, world.recorder.snapshot(), world.recorder.peak_in_flight)


def run_baseline(world: World, cluster: str = CLUSTER) -> Result:
    """List CLUSTER one call at a time, as ecsman did (but following every page)."""
    ecs = world.client("ecs")
    world.recorder.reset()
    start = time.perf_counter()
    arns: list[str] = []
    params: dict[str, Any] = {"cluster": cluster}
    while True:
        page = ecs.list_services(**params)
        arns.extend(page["serviceArns"])
        if not page.get("nextToken"):
            break
        params["nextToken"] = page["nextToken"]
    services: list[dict[str, Any]] = []
    for first in range(0, len(arns), 10):
        services.extend(ecs.describe_services(cluster=cluster, services=arns[first:first + 10])["services"])
    for service in services:
        ecs.describe_task_definition(taskDefinition=service["taskDefinition"])
    seconds = time.perf_counter() - start
    return Result("baseline", len(services), seconds, world.recorder.snapshot(), world.recorder.peak_in_flight)


def format_table(results: Sequence[Result]) -> str:
    """Return RESULTS as an aligned text table."""
    rows = [("variant", "services", "wall s", "calls", "peak", "calls by operation")]
    for r in results:
        by_op = " ".join(f"{op}={n}" for op, n in sorted(r.calls.items()))
        rows.append((r.variant, str(r.services), f"{r.seconds:.2f}", str(r.total_calls), str(r.peak), by_op))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) if i == 0 else cell.rjust(width) for i, (cell, width) in
                 enumerate(zip(row[:-1], widths, strict=True))]
        lines.append("  ".join([*cells, row[-1]]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark for each requested size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, nargs="+", default=[300, 2000], help="cluster sizes")
    parser.add_argument("--latency", type=float, default=0.04, help="seconds added to every API call")
    parser.add_argument("--revisions", type=int, default=4, help="task definition revisions in use")
    parser.add_argument("--workers", type=int, default=16, help="the gateway's max_workers")
    parser.add_argument("--skip-baseline", action="store_true", help="run only the fast variant")
    args = parser.parse_args(argv)

    world = start_world()
    results: list[Result] = []
    try:
        for count in args.services:
            world.reset()
            populate(world, count, args.revisions)
            world.faults.latency(args.latency)
            fast = run_fast(world, max_workers=args.workers)
            results.append(fast)
            print(f"fast      {count:>6} services: {fast.seconds:.2f} s", file=sys.stderr, flush=True)
            if not args.skip_baseline:
                slow = run_baseline(world)
                results.append(slow)
                print(f"baseline  {count:>6} services: {slow.seconds:.2f} s ({slow.seconds / fast.seconds:.0f}x)",
                      file=sys.stderr, flush=True)
            world.faults.clear()
    finally:
        world.stop()
    print(f"latency {args.latency * 1000:.0f} ms per call, {args.revisions} revisions, "
          f"max_workers {args.workers}")
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

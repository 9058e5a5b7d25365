"""Benchmark one-shot runs: `ecsshell -c ls` against `aws ecs list-clusters`, `update` against `ecs deploy`.

Run: pip install -e '.[bench]' && python tests/benchmarks/bench_oneshot.py [-k 10] [--latency 0 0.04]
     [--before PATH]

Every run is a fresh process (as a user or CI starts it) against the emulator, which serves from a
process of its own, with fake credentials in the environment and one temporary HOME:
  start-up  `ecsshell -c ls` (lists the clusters), `aws ecs list-clusters` (the AWS CLI) and a bare
            boto3 script calling ListClusters once (what any Python client pays at the least).
  update    `ecsshell -y -c "update CLUSTER SERVICE IMAGE --no-wait"` (registers a copy of the current
            revision with the new image, points the service at it, keeps the old revision; no wait)
            against `ecs deploy CLUSTER SERVICE --image app IMAGE --timeout -1` (ecs-deploy, fabfuel):
            once with --no-deregister (the same work), once as it comes (it also deregisters the
            old revision). Each tool updates a service of its own, a new image every run, and after
            each run the benchmark checks through its own client that the service's task definition
            has that image.
For each: median and least wall time of K runs, the children's user+sys CPU (median), and the calls
by operation the emulator answered (per run). The lower bound of an update is the bare boto3
start-up plus its dependent round trips (DescribeServices, DescribeTaskDefinition,
RegisterTaskDefinition, UpdateService) times the latency. `--before PATH` adds ecsshell from
another checkout (e.g. a git worktree of main) to both parts, so before and after share one run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its sibling, however this file is loaded
from remote_world import RemoteWorld

CLUSTER = "bench"
CLUSTERS = 5  # clusters `ls` lists (bench and a few empty ones)
ROOT = Path(__file__).resolve().parents[2]
UPDATE_ROUND_TRIPS = 4  # DescribeServices -> DescribeTaskDefinition -> RegisterTaskDefinition -> UpdateService

BARE_BOTO3 = "import boto3; boto3.client('ecs').list_clusters()"
ECSSHELL = "import sys; sys.argv[0] = 'ecsshell'; from ecsshell.cli import console; console()"


@dataclass
class Runs:
    """K runs of one command line: wall times, the children's CPU, the calls of each run."""

    part: str
    client: str
    latency: float
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    calls: list[Counter[str]] = field(default_factory=list)
    note: str = ""
    bound: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def per_run_calls(self) -> Counter[str]:
        """Return the calls of one run (the median count of each operation over the runs)."""
        ops = {op for c in self.calls for op in c}
        return Counter({op: round(statistics.median(c.get(op, 0) for c in self.calls)) for op in ops})


def tool(name: str) -> str:
    """Return the console script NAME beside this interpreter (the bench venv's), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        sys.exit(f"bench_oneshot: {name!r} not found: pip install -e '.[bench]' in this interpreter's venv")
    return found


def ecsshell_argv(*args: str) -> list[str]:
    """Run ecsshell's console entry point (`ecsshell ARGS`) with the interpreter of this benchmark."""
    return [sys.executable, "-c", ECSSHELL, *args]


def run_once(world: RemoteWorld, argv: list[str], env: dict[str, str]) -> tuple[float, float, Counter[str]]:
    """Run ARGV to its end; return wall seconds, its user+sys CPU and the calls it made."""
    world.recorder.reset()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    calls = Counter(world.recorder.snapshot())
    if done.returncode != 0:
        sys.exit(f"bench_oneshot: {' '.join(argv[-6:])} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, calls


def environment(world: RemoteWorld, home: Path, pythonpath: Path | None) -> dict[str, str]:
    """Return the children's environment: the world's endpoint, fake credentials, a HOME of their own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECS", "PYTHON", "XDG_"))}
    env.update(world.environ())
    env["AWS_ENDPOINT_URL_ECS"] = world.endpoint_url
    env["HOME"] = str(home)
    env["AWS_CONFIG_FILE"] = str(home / "aws-config")  # none: nothing of the machine's own leaks in
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(home / "aws-credentials")
    env["NO_COLOR"] = "1"
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


def startup(world: RemoteWorld, k: int, home: Path, trees: dict[str, Path]) -> list[Runs]:
    """Run each start-up client K times, interleaved, at no added latency."""
    clients: list[tuple[str, list[str], Path | None]] = [
        *((name, ecsshell_argv("-c", "ls"), tree) for name, tree in trees.items()),
        ("aws ecs list-clusters", [tool("aws"), "ecs", "list-clusters"], None),
        ("bare boto3 ListClusters", [sys.executable, "-c", BARE_BOTO3], None),
    ]
    results = {name: Runs("start-up", name, 0.0) for name, _, _ in clients}
    for _ in range(k):
        for name, argv, tree in clients:
            wall, cpu, calls = run_once(world, argv, environment(world, home, tree))
            runs = results[name]
            runs.walls.append(wall)
            runs.cpus.append(cpu)
            runs.calls.append(calls)
    return list(results.values())


def service_image(world: RemoteWorld, service: str) -> str:
    """Return the image of container app in SERVICE's task definition, as ECS now says."""
    ecs = world.client("ecs")
    arn = ecs.describe_services(cluster=CLUSTER, services=[service])["services"][0]["taskDefinition"]
    containers = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"]
    return str(next(c["image"] for c in containers if c["name"] == "app"))


def updates(world: RemoteWorld, k: int, latency: float, home: Path, trees: dict[str, Path],
            services: list[str], bare: float) -> list[Runs]:
    """Update each client's own service K times at LATENCY, interleaved, checking ECS after each."""
    ecs = tool("ecs")
    clients: list[tuple[str, str, Path | None]] = [(name, "", tree) for name, tree in trees.items()]
    clients += [("ecs deploy --no-deregister", "--no-deregister", None), ("ecs deploy", "", None)]
    results = {name: Runs("update", name, latency, bound=bare + UPDATE_ROUND_TRIPS * latency)
               for name, _, _ in clients}
    world.faults.latency(latency)
    try:
        for i in range(k):
            for (name, flag, tree), service in zip(clients, services, strict=False):
                image = f"example.com/bench/{service}:{int(latency * 1000)}ms-{i}"
                if name in trees:
                    argv = ecsshell_argv("-y", "-c", f"update {CLUSTER} {service} {image} --no-wait")
                else:
                    argv = [ecs, "deploy", CLUSTER, service, "--image", "app", image, "--timeout", "-1",
                            *([flag] if flag else [])]
                wall, cpu, calls = run_once(world, argv, environment(world, home, tree))
                world.faults.latency(0.0)  # the check is not timed
                now = service_image(world, service)
                world.faults.latency(latency)
                if now != image:
                    sys.exit(f"bench_oneshot: after {name}, {service} runs {now}, not {image}")
                runs = results[name]
                runs.walls.append(wall)
                runs.cpus.append(cpu)
                runs.calls.append(calls)
    finally:
        world.faults.clear()
    return list(results.values())


def format_table(results: Sequence[Runs]) -> str:
    """Return RESULTS as an aligned text table."""
    rows = [("part", "latency", "client", "median wall s", "min wall s", "bound s", "x bound", "cpu s",
             "calls", "calls by operation (per run)")]
    for r in results:
        calls = r.per_run_calls
        rows.append((r.part, f"{r.latency * 1000:.0f} ms", r.client, f"{r.median:.3f}", f"{min(r.walls):.3f}",
                     f"{r.bound:.3f}" if r.bound else "-", f"{r.median / r.bound:.2f}" if r.bound else "-",
                     f"{statistics.median(r.cpus):.3f}", str(sum(calls.values())),
                     " ".join(f"{op}={n}" for op, n in sorted(calls.items()))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) if i in (0, 2) else cell.rjust(width)
                 for i, (cell, width) in enumerate(zip(row[:-1], widths, strict=True))]
        lines.append("  ".join([*cells, row[-1]]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run both parts and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-k", "--runs", type=int, default=10, help="runs of each client (default 10)")
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.04],
                        help="seconds added to every API call in the update part (default 0 and 0.04)")
    parser.add_argument("--before", type=Path, metavar="PATH",
                        help="also run ecsshell from this checkout, as `ecsshell (before)`")
    parser.add_argument("--no-update", action="store_true", help="start-up only")
    args = parser.parse_args(argv)
    trees = {"ecsshell": ROOT}
    if args.before is not None:
        trees = {"ecsshell (before)": args.before.resolve(), "ecsshell": ROOT}
    world = RemoteWorld()
    results: list[Runs] = []
    try:
        names = [f"svc-{i:04d}" for i in range(len(trees) + 2)]
        world.populate(len(names), CLUSTER, 1)
        ecs = world.client("ecs")
        for i in range(CLUSTERS - 1):
            ecs.create_cluster(clusterName=f"empty-{i}")
        with tempfile.TemporaryDirectory(prefix="bench-oneshot-") as folder:
            home = Path(folder)
            for tree in trees.values():  # compile and warm the caches once, untimed
                run_once(world, ecsshell_argv("-c", "ls"), environment(world, home, tree))
            results += startup(world, args.runs, home, trees)
            bare = next(r.median for r in results if r.client.startswith("bare boto3"))
            if not args.no_update:
                for latency in args.latency:
                    results += updates(world, args.runs, latency, home, trees, names, bare)
    finally:
        world.stop()
    print(f"{args.runs} runs of each, interleaved; emulator in a process of its own; {CLUSTERS} clusters; "
          f"cpu = the child's user+sys (median); update bound = bare boto3 start-up + "
          f"{UPDATE_ROUND_TRIPS} round trips x latency")
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

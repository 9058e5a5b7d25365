"""Benchmark a fan-out over a thousand targets: `ls --profiles p001,...,p200 --regions FIVE`, before and after.

Run: python tests/benchmarks/bench_fanout.py [--profiles 200] [--regions 5] [--latency 0.1] [--before REV]

The emulator serves from a process of its own (remote_world.py). Profiles p001... each assume a role in
an account of their own from profile base's keys (as companies reach their accounts); each account has
cluster web in every Region. Every API call is delayed by --latency seconds. Each variant runs the
client in a child process, so its peak RSS and CPU are its own (os.wait4):
  before   ecsshell as it was at REV (default: the commit before issue 23; `git archive`d to a temporary
           folder), `--output json`: a session, a gateway and an AssumeRole per target, all kept
  after    this ecsshell, `--output jsonl`: one session (one AssumeRole) per profile shared by its Regions,
           each target's clients dropped when it is done, rows printed as targets finish
  after json  the same, one JSON document at the end (rows kept until then)
  naive    a shell loop's way: one target after another, a new boto3 session each (the first --naive
           targets timed, the rest extrapolated), in this process
For each: wall time, the time to the first row, peak RSS, API calls, sessions made (AssumeRole calls:
one per session of a role profile), the peak of calls in flight at the emulator, the client's CPU and
the emulator's. The goal and the lower bound: the slowest target (its round trips: AssumeRole,
ListClusters, DescribeClusters) times ceil(targets / 16 at once), and the calls over the 16-call bound.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its sibling, however this file is loaded
from remote_world import RemoteWorld

ROOT = Path(__file__).resolve().parents[2]
BEFORE = "ed343ea"  # the last commit before issue 23's fan-out work
REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2", "us-east-2", "eu-west-2",
           "ap-northeast-1", "ca-central-1", "sa-east-1")
CLUSTER = "web"
BOUND = 16  # calls in flight (and targets at once)


@dataclass
class Row:
    """One variant's run."""

    variant: str
    seconds: float
    first_row: float | None
    rss_mib: float | None
    calls: dict[str, int]
    peak: int
    client_cpu: float
    server_cpu: float
    rows: int
    note: str = ""


def run_child(world: RemoteWorld, variant: str, argv: list[str], env: dict[str, str]) -> Row:
    """Run the client ARGV in a child process; return its wall time, first row, peak RSS, CPU and the calls."""
    world.recorder.reset()
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             cwd=env["HOME"])  # not this checkout: `python -m` puts the working folder first
    assert child.stdout is not None
    first: float | None = None
    lines = 0
    for _ in child.stdout:
        lines += 1
        if first is None:
            first = time.perf_counter() - start
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    return Row(variant, seconds, first, usage.ru_maxrss / 1024, world.recorder.snapshot(),
               world.recorder.peak_in_flight, usage.ru_utime + usage.ru_stime, world.recorder.cpu_seconds, lines,
               "" if child.returncode == 0 else f"exit {child.returncode}")


def run_naive(world: RemoteWorld, env: dict[str, str], targets: list[tuple[str, str]], sample: int) -> Row:
    """Reach the first SAMPLE targets one after another, a new session each; extrapolate to every target."""
    import boto3

    world.recorder.reset()
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        cpu, start = time.process_time(), time.perf_counter()
        for profile, region in targets[:sample]:
            ecs = boto3.Session(profile_name=profile, region_name=region).client("ecs")
            arns = ecs.list_clusters()["clusterArns"]
            ecs.describe_clusters(clusters=arns)
        seconds, client = time.perf_counter() - start, time.process_time() - cpu
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    scale = len(targets) / sample
    calls = {op: round(n * scale) for op, n in world.recorder.snapshot().items()}
    return Row("naive (one by one)", seconds * scale, None, None, calls, world.recorder.peak_in_flight,
               client * scale, world.recorder.cpu_seconds * scale, len(targets),
               f"{sample} targets timed, x{scale:.0f}")


def before_tree(rev: str, folder: Path) -> Path:
    """Extract ecsshell as it was at REV into FOLDER; return the folder to put on PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "ecsshell"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def format_rows(rows: Sequence[Row]) -> list[str]:
    """Return ROWS as aligned lines, the header first."""
    width = max(len(r.variant) for r in rows)
    lines = [f"{'variant'.ljust(width)}  {'wall s':>7}  {'1st row s':>9}  {'peak RSS MiB':>12}  {'calls':>6}  "
             f"{'AssumeRole':>10}  {'peak':>4}  {'client cpu s':>12}  {'emulator cpu s':>14}  rows  note"]
    for r in rows:
        first = f"{r.first_row:9.2f}" if r.first_row is not None else f"{'-':>9}"
        rss = f"{r.rss_mib:12.0f}" if r.rss_mib is not None else f"{'-':>12}"
        lines.append(f"{r.variant.ljust(width)}  {r.seconds:7.2f}  {first}  {rss}  {sum(r.calls.values()):6}  "
                     f"{r.calls.get('AssumeRole', 0):10}  {r.peak:4}  {r.client_cpu:12.2f}  {r.server_cpu:14.2f}  "
                     f"{r.rows:4}  {r.note}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Build the fleet, run every variant and print them side by side with the goal and the lower bound."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--profiles", type=int, default=200, help="profiles, each its own account")
    parser.add_argument("--regions", type=int, default=5, help=f"Regions per profile (at most {len(REGIONS)})")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every API call")
    parser.add_argument("--before", default=BEFORE, help="the revision whose ecsshell is `before` ('' to skip)")
    parser.add_argument("--naive", type=int, default=40, help="targets the naive client reaches (0 to skip)")
    parser.add_argument("--variants", default="before,after,json,naive", help="which variants to run")
    args = parser.parse_args(argv)

    regions = list(REGIONS[:args.regions])
    profiles = [f"p{i:03d}" for i in range(1, args.profiles + 1)]
    targets = [(p, r) for p in profiles for r in regions]
    world = RemoteWorld()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-fanout-") as folder:
            aws = world.populate_profiles(Path(folder) / "aws", args.profiles, regions, CLUSTER)
            env = {"PATH": os.environ.get("PATH", ""), "HOME": str(Path(folder) / "home"), "ECSSHELL_NO_CACHE": "1",
                   **world.environ(), **aws}
            Path(env["HOME"]).mkdir()
            world.faults.latency(args.latency)
            fan = ["ls", "--profiles", ",".join(profiles), "--regions", ",".join(regions)]
            rows = []
            variants = set(args.variants.split(","))
            if args.before and "before" in variants:
                old = before_tree(args.before, Path(folder) / "before")
                rows.append(run_child(world, f"before ({args.before})",
                                      [sys.executable, "-m", "ecsshell", *fan, "--output", "json"],
                                      {**env, "PYTHONPATH": str(old)}))
            here = {**env, "PYTHONPATH": str(ROOT)}
            rows.append(run_child(world, "after, jsonl", [sys.executable, "-m", "ecsshell", *fan, "--output", "jsonl"],
                                  here))
            if "json" in variants:
                rows.append(run_child(world, "after, json",
                                      [sys.executable, "-m", "ecsshell", *fan, "--output", "json"], here))
            if args.naive and "naive" in variants:
                rows.append(run_naive(world, aws | {"AWS_ENDPOINT_URL": world.endpoint_url}, targets, args.naive))
            world.faults.clear()
    finally:
        world.stop()
    slowest = 3 * args.latency  # AssumeRole, ListClusters, DescribeClusters, one after another
    goal = slowest * math.ceil(len(targets) / BOUND)
    after = next(r for r in rows if r.variant == "after, jsonl")
    bound = max(slowest, sum(after.calls.values()) * args.latency / BOUND)
    print(f"ls: {len(targets)} targets ({args.profiles} profiles, each a role in its own account, x {len(regions)} "
          f"Regions), latency {args.latency * 1000:.0f} ms per call, {BOUND} calls in flight at most; emulator in "
          "a process of its own")
    print("\n".join(format_rows(rows)))
    print(f"goal: 1.5 x slowest target ({slowest:.2f} s) x ceil({len(targets)}/{BOUND}) = {1.5 * goal:.2f} s; "
          f"lower bound (calls / {BOUND} x latency): {bound:.2f} s; after: {after.seconds:.2f} s "
          f"({after.seconds / goal if goal else 0:.2f}x of slowest x rounds), "
          f"peak RSS {after.rss_mib or 0:.0f} MiB (goal < 300)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

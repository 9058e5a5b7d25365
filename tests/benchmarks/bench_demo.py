"""Benchmark the demo's start: `ecsshell --demo -c ls` and the interactive demo's time to its prompt.

Run: python tests/benchmarks/bench_demo.py [-k 5] [--before-ref main | --before PATH]

Every run is a fresh process, as a newcomer starts it, with a HOME of its own and no AWS settings:
  import boto3   `python -c "import boto3"`: what any Python AWS tool pays at the least.
  version        `ecsshell --version`: the interpreter and ecsshell's entry point alone.
  demo -c ls     `ecsshell --demo -c ls`: start the emulator, build the demo world, list its clusters.
  demo prompt    `ecsshell --demo` on a terminal (pexpect): until the prompt shows, then `quit`.
For each: the median and least wall time of K runs, the median user+sys CPU and the largest peak
RSS (each child is waited for with wait4, so CPU and RSS are its own). `--before-ref REF` exports
ecsshell's package at git REF (e.g. main) to a temporary folder and runs it beside this tree, in
the same run and interleaved, so that a busy machine slows both alike; `--before PATH` takes a
folder holding an `ecsshell` package instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "ecs>"
# Run ARGV as a child, wait for it with wait4 and print its own wall time, CPU and peak RSS as JSON.
MEASURE = (
    "import json, os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "wall = time.perf_counter() - start\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    json.dump({'wall': wall, 'cpu': usage.ru_utime + usage.ru_stime, 'rss': usage.ru_maxrss,\n"
    "               'status': os.waitstatus_to_exitcode(status)}, out)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)
ECSSHELL = "import sys; sys.argv[0] = 'ecsshell'; from ecsshell.cli import console; console()"


@dataclass
class Runs:
    """K runs of one case in one tree: wall times, CPU and peak RSS (KiB) of each."""

    case: str
    tree: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)

    def add(self, figures: dict[str, float]) -> None:
        self.walls.append(float(figures["wall"]))
        self.cpus.append(float(figures["cpu"]))
        self.rss.append(int(figures["rss"]))


def environment(home: Path, pythonpath: Path | None) -> dict[str, str]:
    """Return a child's environment: a HOME of its own, no AWS settings, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECS", "PYTHON", "XDG_"))}
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(home / "aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"), "NO_COLOR": "1"})
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


def measured(argv: list[str], figures: Path) -> list[str]:
    """Return ARGV wrapped so that its figures are written to FIGURES."""
    return [sys.executable, "-c", MEASURE, str(figures), *argv]


def run_once(argv: list[str], env: dict[str, str], home: Path, expect: str = "") -> dict[str, float]:
    """Run ARGV to its end (in HOME, so the current folder shadows no ecsshell); return its figures."""
    figures = home / "figures.json"
    done = subprocess.run(measured(argv, figures), env=env, cwd=home, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 or expect not in done.stdout:
        sys.exit(f"bench_demo: {' '.join(argv[-3:])} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return dict(json.loads(figures.read_text()))


def prompt_once(env: dict[str, str], home: Path, timeout: float = 120.0) -> dict[str, float]:
    """Start the interactive demo on a terminal; return the wall time until its prompt, and its figures."""
    import pexpect

    figures = home / "figures.json"
    argv = measured([sys.executable, "-c", ECSSHELL, "--demo"], figures)
    start = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=str(home), encoding="utf-8", timeout=timeout,
                          dimensions=(40, 120))
    try:
        child.expect(PROMPT)
        wall = time.perf_counter() - start
        child.sendline("quit")  # at once: the CPU and RSS are what it took to show the prompt (and quit)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    result = dict(json.loads(figures.read_text()))
    result["wall"] = wall
    return result


def export_tree(ref: str, into: Path) -> Path:
    """Export ecsshell's package at git REF into INTO; return INTO (for PYTHONPATH)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "ecsshell"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def measure(k: int, trees: dict[str, Path | None], home: Path, *, prompt: bool = True) -> list[Runs]:
    """Run every case K times, the trees interleaved; return the runs in table order."""
    results: dict[tuple[str, str], Runs] = {}

    def runs(case: str, tree: str) -> Runs:
        return results.setdefault((case, tree), Runs(case, tree))

    base = environment(home, None)
    for _ in range(k):
        runs("import boto3", "-").add(run_once([sys.executable, "-c", "import boto3"], base, home))
        for tree, path in trees.items():
            env = environment(home, path)
            runs("version", tree).add(run_once([sys.executable, "-c", ECSSHELL, "--version"], env, home, "ecsshell"))
            runs("demo -c ls", tree).add(run_once([sys.executable, "-c", ECSSHELL, "--demo", "-c", "ls"], env, home,
                                                  "sandbox"))
            if prompt:
                runs("demo prompt", tree).add(prompt_once(env, home))
    order = ["import boto3", "version", "demo -c ls", "demo prompt"]
    return sorted(results.values(), key=lambda r: (order.index(r.case), r.tree != "-", r.tree == "now"))


def format_table(results: Sequence[Runs]) -> str:
    """Return the figures as a table: one row per case and tree."""
    lines = [f"{'case':<12} {'tree':<8} {'runs':>4} {'wall':>7} {'least':>7} {'cpu':>7} {'peak RSS':>9}"]
    for r in results:
        lines.append(f"{r.case:<12} {r.tree:<8} {len(r.walls):>4} {statistics.median(r.walls):>6.2f}s "
                     f"{min(r.walls):>6.2f}s {statistics.median(r.cpus):>6.2f}s {max(r.rss) / 1024:>6.0f} MiB")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=5, help="runs of each case (default 5)")
    before = parser.add_mutually_exclusive_group()
    before.add_argument("--before-ref", help="also run ecsshell as it is at this git ref (e.g. main)")
    before.add_argument("--before", type=Path, help="also run the ecsshell package found in this folder")
    parser.add_argument("--no-prompt", action="store_true", help="skip the interactive prompt (needs pexpect)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as scratch:
        home = Path(scratch) / "home"
        home.mkdir()
        trees: dict[str, Path | None] = {}
        if args.before_ref:
            trees["before"] = export_tree(args.before_ref, Path(scratch) / "before")
        elif args.before:
            trees["before"] = args.before.resolve()
        trees["now"] = ROOT  # this tree, first on the path (the editable install may point elsewhere)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"bench_demo: k={args.k}, {os.cpu_count()} CPUs, load average {load:.1f} at the start")
        results = measure(args.k, trees, home, prompt=not args.no_prompt)
        print(format_table(results))
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

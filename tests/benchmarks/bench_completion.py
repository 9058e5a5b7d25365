"""Time the first TAB after `ls big ` on a 2,000-service cluster, at 200 ms a call, cold and from saved names.

Run: PYTHONPATH=. python tests/benchmarks/bench_completion.py [--services 2000] [--latency 0.2]

Each case opens a fresh shell (empty memory) and presses TAB every 50 ms, as a person would
press it again, until names are offered:
  empty cache   no names saved: ListClusters is not needed (the cluster is typed); the first
                ListServices page's names are offered as it arrives.
  saved names   a previous run saved the cluster's names: offered at once, refreshed behind.
Prints the seconds until the first names and the calls made by then.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS))

from harness import make_environment  # noqa: E402

from ecsshell.emulator import World, start_world  # noqa: E402
from ecsshell.emulator.worlds import scale_world  # noqa: E402
from ecsshell.options import Options  # noqa: E402
from ecsshell.shell import EcsShell  # noqa: E402

LINE = "ls big "


def first_tab(world: World, home: Path) -> tuple[float, int, dict[str, int]]:
    """Return (seconds to the first names, how many, calls by then) for a fresh shell in HOME."""
    shell = EcsShell(make_environment(world, home), Options(), interactive=False)
    world.recorder.reset()
    try:
        started = time.monotonic()
        while time.monotonic() - started < 30:
            result = shell.complete("", LINE, len(LINE), len(LINE))
            if result.items:
                return time.monotonic() - started, len(result.items), world.recorder.snapshot()
            time.sleep(0.05)
        raise SystemExit("no names within 30 s")
    finally:
        shell.close()


def wait_saved(world: World, home: Path, services: int) -> None:
    """Let a shell fetch and save every name of the cluster."""
    shell = EcsShell(make_environment(world, home), Options(), interactive=False)
    try:
        for _ in range(600):
            store = shell._saved_names()
            saved = store.load(("services", "big"))
            if saved is not None and len(saved[0]) == services:
                return
            shell.completion.prefetch_services("big")
            time.sleep(0.1)
        raise SystemExit("names never saved")
    finally:
        shell.close()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args(argv)
    world = start_world()
    try:
        scale_world(world, args.services, cluster="big")
        with tempfile.TemporaryDirectory() as folder:
            home = Path(folder)
            world.faults.latency(args.latency)
            print(f"first TAB after {LINE!r}: {args.services} services, {args.latency * 1000:.0f} ms a call")
            seconds, count, calls = first_tab(world, home)
            print(f"  empty cache  {seconds:6.2f} s  {count:5d} names  calls by then: {calls}")
            wait_saved(world, home, args.services)
            seconds, count, calls = first_tab(world, home)
            print(f"  saved names  {seconds:6.2f} s  {count:5d} names  calls by then: {calls}")
    finally:
        world.stop()


if __name__ == "__main__":
    main(sys.argv[1:])

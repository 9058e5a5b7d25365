"""The demo benchmark at its smallest: one run of each case in this tree; figures are checked for shape only."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from harness import load_benchmark


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("bench_demo")


def test_one_run_of_each_case_measures_each_child_on_its_own(bench: ModuleType, tmp_path: Path) -> None:
    results = bench.measure(1, {"now": bench.ROOT}, tmp_path)
    assert [(r.case, r.tree) for r in results] == [("import boto3", "-"), ("version", "now"),
                                                  ("demo -c ls", "now"), ("demo prompt", "now")]
    figures = {r.case: r for r in results}
    for r in results:
        assert len(r.walls) == len(r.cpus) == len(r.rss) == 1 and r.walls[0] > 0 and r.rss[0] > 0
    # wait4 gives each child's own peak: the demo loads moto, `--version` loads next to nothing
    assert figures["demo -c ls"].rss[0] > 3 * figures["version"].rss[0]
    assert figures["demo -c ls"].cpus[0] > figures["version"].cpus[0]
    table = bench.format_table(results).splitlines()
    assert table[0].split() == ["case", "tree", "runs", "wall", "least", "cpu", "peak", "RSS"]
    assert table[3].startswith("demo -c ls   now") and table[3].endswith("MiB")


def test_the_before_tree_is_exported_from_git(bench: ModuleType, tmp_path: Path) -> None:
    tree = bench.export_tree("HEAD", tmp_path / "before")
    assert (tree / "ecsshell" / "demo.py").is_file() and (tree / "ecsshell" / "cli.py").is_file()

"""The taskdefs benchmark at a tiny size: both variants agree, and the walk's calls are what its rule says."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent / "benchmarks" / "bench_taskdefs.py"


def test_bench_taskdefs_walks_few_revisions_and_asks_families_with_many(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_taskdefs", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_taskdefs"] = bench
    spec.loader.exec_module(bench)
    assert bench.main(["--families", "20", "--revisions", "2", "15", "--latency", "0", "--no-throttle"]) == 0
    rows = {f"{found[1]} {found[2]}": line for line in capsys.readouterr().out.splitlines()
            if (found := re.match(r"latency +(.+?) \((\d+ rev)\)", line))}

    def listed(row: str) -> int:
        found = re.search(r"ListTaskDefinitions=(\d+)", rows[row])
        assert found is not None, rows[row]
        return int(found[1])

    assert listed("ecsshell 2 rev") == 1  # 40 revisions: one page walks them all
    assert listed("family by family 2 rev") == 20
    # 300 revisions: the first page finishes 6 families (fewer than 8), so the other 14 are asked.
    assert listed("ecsshell 15 rev") == 1 + 14
    assert listed("family by family 15 rev") == 20

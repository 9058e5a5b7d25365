"""The taskdefs benchmark at a tiny size: both variants agree, and the walk's calls are what its rule says."""

from __future__ import annotations

import re

import pytest
from harness import load_benchmark


def test_bench_taskdefs_walks_few_revisions_and_asks_families_with_many(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_benchmark("bench_taskdefs")
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

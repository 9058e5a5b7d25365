"""The thousand-target benchmark at a tiny size: the after variant streams a row a target, one session a profile."""

from __future__ import annotations

import pytest
from harness import load_benchmark


def test_bench_fanout_prints_the_figures_and_one_session_per_profile(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_benchmark("bench_fanout")
    assert bench.main(["--profiles", "3", "--regions", "2", "--latency", "0", "--variants", "after"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ls: 6 targets (3 profiles")
    assert out[1].split()[:4] == ["variant", "wall", "s", "1st"] and "peak RSS MiB" in out[1]
    after = out[2].split()
    assert after[:2] == ["after,", "jsonl"]
    calls, assumed, rows = int(after[5]), int(after[6]), int(after[10])
    assert (calls, assumed, rows) == (15, 3, 6)  # 3 AssumeRole, 6 ListClusters, 6 DescribeClusters; a line a target
    assert out[3].startswith("goal: 1.5 x slowest target")

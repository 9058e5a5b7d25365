"""The ls benchmark's variants at a small size: call counts only, never timings."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ecsshell.emulator import World

BENCH = Path(__file__).parent / "benchmarks" / "bench_ls.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_ls", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_ls"] = module
    spec.loader.exec_module(module)
    return module


def test_fast_variant_makes_the_fewest_round_trips(world: World, bench: ModuleType) -> None:
    count, revisions = 30, 3
    bench.populate(world, count, revisions)

    fast = bench.run_fast(world, max_workers=4)
    assert fast.services == count
    assert fast.calls == {"ListServices": math.ceil(count / 100),
                          "DescribeServices": math.ceil(count / 10),
                          "DescribeTaskDefinition": revisions}

    baseline = bench.run_baseline(world)
    assert baseline.services == count
    assert baseline.calls["ListServices"] == math.ceil(count / 10)  # ECS's default page of 10
    assert baseline.calls["DescribeTaskDefinition"] == count
    assert baseline.total_calls > fast.total_calls

    table = bench.format_table([fast, baseline]).splitlines()
    assert table[0].split()[:3] == ["variant", "services", "wall"]
    assert table[1].startswith("fast") and table[2].startswith("baseline")
    assert f"DescribeTaskDefinition={count}" in table[2]

"""The ls benchmark's variants at a small size: call counts only, never timings."""

from __future__ import annotations

import math
from types import ModuleType

import pytest
from harness import load_benchmark

from ecsshell.emulator import World


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("bench_ls")


def test_ecsshell_makes_the_fewest_round_trips_cold_and_warm(world: World, bench: ModuleType) -> None:
    count = 30
    bench.populate(world, count)
    results = {r.variant: r for r in bench.run_all(world, count, 0.0, workers=4)}
    listing = {"ListServices": math.ceil(count / 100), "DescribeServices": math.ceil(count / 10)}
    assert all(r.services == count and not r.error for r in results.values())
    assert results["cold"].calls == {**listing, "DescribeServiceRevisions": math.ceil(count / 20)}
    assert results["warm"].calls == listing
    assert results["today"].calls == {**listing, "DescribeTaskDefinition": count}
    naive = results["naive"]
    assert naive.calls["ListServices"] == math.ceil(count / 10)  # ECS's default page of 10
    assert naive.calls["DescribeTaskDefinition"] == count and naive.peak == 1
    assert naive.total_calls > results["today"].total_calls > results["cold"].total_calls

    table = bench.format_table(list(results.values())).splitlines()
    assert table[0].split()[:4] == ["mode", "variant", "services", "wall"]
    assert [line.split()[1] for line in table[1:]] == ["cold", "warm", "today", "naive"]
    assert f"DescribeTaskDefinition={count}" in table[3]


def test_the_benchmark_sees_the_throttle_model(world: World, bench: ModuleType) -> None:
    count = 12
    bench.populate(world, count)
    world.throttle.enable({"read": (5, 50)})
    results = bench.run_all(world, count, 0.0, naive=False, workers=4)
    assert all(r.mode == "throttle" and r.services == count and not r.error for r in results)
    today = results[-1]
    assert today.variant == "today" and today.bound > 0

"""The fleet benchmark at a tiny size, its emulator in a process of its own: rows printed, every target listed."""

from __future__ import annotations

import pytest
from harness import load_benchmark


def test_bench_fleet_prints_every_variant_and_the_fan_out_lists_every_target(
        capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_benchmark("bench_fleet")
    world = bench.RemoteWorld()
    try:
        rows = bench.measure(world, 3, 0.0, 1)
    finally:
        world.stop()
    fan_out = next(r for r in rows if r.variant == "fan-out 4 targets")
    for target in bench.targets():
        profile, region = target.split("@")
        lines = [line for line in fan_out.result.out.splitlines() if profile in line and region in line]
        assert sorted(name for line in lines for name in line.split() if name.startswith("svc-")) == [
            "svc-00000", "svc-00001", "svc-00002"], target
    assert fan_out.calls["ListServices"] == 4 and fan_out.calls["AssumeRole"] == 1  # one session for prod's Regions

    table = bench.format_rows(rows)
    assert table[0].split()[:3] == ["variant", "wall", "s"] and "emulator cpu s" in table[0]
    assert [line.split()[0] for line in table[1:]] == ["single"] * 4 + ["fan-out"] * 2

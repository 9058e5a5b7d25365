"""CPU and memory at a glance (issue 22): metrics, top, the line of `ls CLUSTER SERVICE`, batched GetMetricData."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest
from test_readme import run_examples

from ecsshell.aws.gateway import Gateway
from ecsshell.aws.session import Settings
from ecsshell.emulator import World, metrics
from ecsshell.emulator.worlds import small_world
from ecsshell.render.views.metrics import ASCII_SPARKS, SPARKS

PROD = ("web", "api", "worker", "payments", "search", "legacy")


@pytest.fixture
def seeded(small: dict[str, Any], world: World) -> dict[str, Any]:
    """The small world with 3 hours of CPU and memory for prod's services; calls counted from here."""
    metrics.seed(world, [("prod", name) for name in PROD])
    world.recorder.reset()
    return small


def trend(out: str, service: str) -> str:
    """Return SERVICE's row of a metrics table."""
    return next(line for line in out.splitlines() if line.startswith(service + " "))


def test_a_cluster_is_every_service_busiest_first_in_one_call(seeded: dict[str, Any], world: World,
                                                            ecsshell, tmp_path: Path) -> None:
    result = ecsshell("-c", "metrics prod")
    assert result.code == 0, result.err
    rows = [line.split()[0] for line in result.out.splitlines()[3:] if line.strip()]
    assert rows[0] == "web" and set(rows[-2:]) == {"worker", "legacy"}, result.out  # busy first, idle last
    assert set(rows) == set(PROD)
    assert world.recorder.snapshot().get("GetMetricData") == 1  # 12 queries: one call
    web = trend(result.out, "web")
    assert "3/3" in web and "COMPLETED" in web
    assert not set(result.out) & set(SPARKS)  # a pipe: plain ASCII sparklines
    assert set("".join(web.split()[-5:-4])) <= set(ASCII_SPARKS + " ")
    from harness import run_ecsshell  # a terminal with NO_COLOR: ASCII too (the pty test sees the blocks)

    no_color = run_ecsshell(world, tmp_path, "-c", "metrics prod", stdout_tty=True, extra={"NO_COLOR": "1"}).out
    assert not set(no_color) & set(SPARKS)
    assert "_" * 12 in trend(no_color, "worker") and set(trend(no_color, "web")) & set("-=#")  # idle; busy


def test_json_gives_each_series_with_timestamps_as_put_every_page_merged(
        seeded: dict[str, Any], world: World, ecsshell, monkeypatch: pytest.MonkeyPatch) -> None:
    result = ecsshell("-c", "metrics prod web --since 1h --output json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["period"] == 60 and doc["cluster"] == "prod"
    (web,) = doc["services"]
    cpu, memory = web["MetricDataResults"]
    assert (cpu["Id"], cpu["Label"], cpu["StatusCode"]) == ("cpu0", "web CPUUtilization", "Complete")
    assert memory["Label"] == "web MemoryUtilization"
    assert len(cpu["Timestamps"]) == len(cpu["Values"]) >= 59
    put = [d for d in metrics.datapoints("prod", "web", world.scheduler.now()) if d["MetricName"] == "CPUUtilization"]
    assert cpu["Values"][-1] == put[-1]["Value"]  # the latest minute, as put
    assert cpu["Timestamps"][-1].startswith(put[-1]["Timestamp"].isoformat()[:16])
    assert web["ecsshell"]["CPUUtilization"]["now"] == put[-1]["Value"]
    assert web["ecsshell"]["CPUUtilization"]["peak"] == max(cpu["Values"])
    assert world.recorder.snapshot() == {"DescribeServices": 1, "GetMetricData": 1}
    world.recorder.reset()
    monkeypatch.setattr(metrics, "MAX_DATAPOINTS", 50)  # the emulated CloudWatch pages every 50 datapoints
    paged = json.loads(ecsshell("-c", "metrics prod web --since 1h --output json").out)["services"][0]
    assert paged["MetricDataResults"] == web["MetricDataResults"]  # the pages merged: the same series
    assert world.recorder.snapshot()["GetMetricData"] == 3  # one call's three pages
    monkeypatch.undo()
    world.advance(60)  # a minute later the emulated CloudWatch has the minute's datapoint: top sees it live
    later = json.loads(ecsshell("-c", "metrics prod web --since 1h --output json").out)["services"][0]
    assert later["MetricDataResults"][0]["Timestamps"][-1] > cpu["Timestamps"][-1]


@pytest.fixture
def gateway(world: World) -> Iterator[Gateway]:
    found = Gateway.connect(Settings(endpoint_url=world.endpoint_url, region=world.region), env=world.environ())
    yield found
    found.close()


def test_metrics_are_batched_500_queries_a_call(world: World, gateway: Gateway) -> None:
    end = world.scheduler.now()
    start = end - timedelta(hours=1)
    world.recorder.reset()
    assert len(gateway.service_metrics("prod", ["a", "b"], start, end, 60)) == 2
    assert world.recorder.snapshot() == {"GetMetricData": 1}
    world.recorder.reset()
    names = [f"svc-{i}" for i in range(251)]  # 502 queries: ceil(502 / 500) = 2 calls
    found = gateway.service_metrics("big", names, start, end, 60)
    assert [m.service for m in found] == names and not any(m.has_data for m in found)
    assert world.recorder.snapshot() == {"GetMetricData": 2}


def test_the_emulated_cloudwatch_refuses_what_cloudwatch_refuses(world: World) -> None:
    cloudwatch = world.client("cloudwatch")
    end = world.scheduler.now()
    query = {"MetricStat": {"Metric": {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization"}, "Period": 60,
                            "Stat": "Average"}}
    with pytest.raises(botocore.exceptions.ClientError, match="greater than 500"):
        cloudwatch.get_metric_data(MetricDataQueries=[{**query, "Id": f"q{i}"} for i in range(501)],
                                   StartTime=end - timedelta(hours=1), EndTime=end)
    with pytest.raises(botocore.exceptions.ClientError, match="non-unique"):
        cloudwatch.get_metric_data(MetricDataQueries=[{**query, "Id": "q"}, {**query, "Id": "q"}],
                                   StartTime=end - timedelta(hours=1), EndTime=end)
    metrics.seed(world, [("prod", "web")])
    answer = cloudwatch.get_metric_data(MetricDataQueries=[{**query, "Id": "q", "MetricStat": {
        **query["MetricStat"], "Metric": {**query["MetricStat"]["Metric"], "Dimensions": [  # type: ignore[dict-item]
            {"Name": "ClusterName", "Value": "prod"}, {"Name": "ServiceName", "Value": "web"}]}}}],
        StartTime=end - timedelta(hours=1), EndTime=end + timedelta(minutes=1), MaxDatapoints=40)
    (result,) = answer["MetricDataResults"]
    assert result["StatusCode"] == "PartialData" and len(result["Values"]) == 40 and answer["NextToken"]
    assert result["Timestamps"] == sorted(result["Timestamps"], reverse=True)  # TimestampDescending by default
    assert all(t.second == 0 for t in result["Timestamps"])


def test_ls_service_shows_a_metrics_line_or_says_why_not(seeded: dict[str, Any], world: World, ecsshell) -> None:
    result = ecsshell("-c", "ls prod web")
    assert result.code == 0, result.err
    line = next(row for row in result.out.splitlines() if row.startswith("cpu, memory"))
    assert "cpu " in line and "memory " in line and "avg " in line and "peak " in line, line
    assert world.recorder.snapshot()["GetMetricData"] == 1
    assert "no CloudWatch datapoints in the last 3h" in ecsshell("-c", "ls staging web").out
    world.faults.fail("GetMetricData", 400, times=50)
    result = ecsshell("-c", "ls prod web")
    assert result.code == 0 and "unavailable:" in result.out, (result.out, result.err)


def test_top_refreshes_until_its_count_and_the_documented_examples_run(seeded: dict[str, Any], world: World,
                                                                       ecsshell) -> None:
    before = world.scheduler.elapsed
    result = ecsshell("-c", "top prod --count 2 -n 30")
    assert result.code == 0, result.err
    assert result.out.count(" top prod\n") == 2 and result.out.count("\nweb ") == 2
    assert world.scheduler.elapsed - before >= 30  # slept once, on the emulated clock
    assert ecsshell("-c", "watch top prod").code == 2
    assert ecsshell("-c", "metrics prod --since 30s").code == 2
    refused = ecsshell("-c", "metrics prod --since 500d")
    assert refused.code == 2 and "455d" in refused.err and "Traceback" not in refused.err
    run_examples(ecsshell, "<!-- metrics:", 3)


@pytest.mark.pty
def test_top_redraws_in_place_with_sparklines(world: World, tmp_path: Path) -> None:
    from test_looking_pty import Screen, at_prompt, until

    small_world(world)
    metrics.seed(world, [("prod", name) for name in PROD])
    screen = Screen(world, tmp_path)
    try:
        screen.wait_for("ecs>")
        screen.child.send("top prod -n 0.5\r")
        first = screen.wait_for("top prod: every 0.5s")
        stamp = next(line for line in first.splitlines() if line.startswith("top prod"))
        assert until(screen, lambda: stamp not in screen.text() and "worker" in screen.text()), screen.text()
        assert screen.rows_with("top prod: every 0.5s") == [0], screen.text()  # redrawn, not scrolled
        assert len(screen.rows_with("worker ")) == 1, screen.text()
        assert set(screen.text()) & set(SPARKS), screen.text()
        screen.child.sendcontrol("c")
        assert until(screen, lambda: at_prompt(screen)), screen.text()
        assert "Traceback" not in screen.text()
    finally:
        screen.close()


def test_the_window_picks_cloudwatchs_period_and_ends_after_now() -> None:
    from datetime import UTC, datetime

    from ecsshell.operations import OperationError
    from ecsshell.operations.metrics import period_for, window

    assert [period_for(s) for s in (60, 3600, 3601, 15 * 86400, 15 * 86400 + 1)] == [60, 60, 300, 300, 3600]
    now = datetime(2026, 12, 6, 14, 32, 10, tzinfo=UTC)
    start, end, period = window(now, 3 * 3600)
    assert (start, end, period) == (datetime(2026, 12, 6, 11, 35, tzinfo=UTC), datetime(2026, 12, 6, 14, 35,
                                                                                          tzinfo=UTC), 300)
    assert window(now.replace(second=0), 3600)[1] == datetime(2026, 12, 6, 14, 33, tzinfo=UTC)  # the minute begun
    with pytest.raises(OperationError, match="455d"):
        window(now, 456 * 86400)


def test_a_sparkline_groups_long_windows_by_their_peak_and_leaves_gaps() -> None:
    from datetime import UTC, datetime

    from ecsshell.model import MetricSeries
    from ecsshell.render.views.metrics import sparkline

    start = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    stamps = tuple(start + timedelta(minutes=m) for m in range(0, 60) if m not in range(10, 20))
    values = tuple(100.0 if m == 59 else 0.0 for m in range(0, 60) if m not in range(10, 20))
    series = MetricSeries("cpu0", "web CPUUtilization", stamps, values)
    end = start + timedelta(hours=1)
    line = sparkline(series, start, end, 60, plain=False, width=30)  # 60 minutes, two a character
    assert line == "▁" * 5 + " " * 5 + "▁" * 19 + "█"
    assert sparkline(series, start, end, 60, plain=True, width=30) == "_" * 5 + " " * 5 + "_" * 19 + "#"
    hot = MetricSeries("cpu0", "x", (start,), (180.0,))  # above 100%: the scale grows with it
    assert sparkline(hot, start, start + timedelta(minutes=2), 60, plain=True) == "# "

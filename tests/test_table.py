"""The table views' pieces: the short image form, ages, optional columns, records and the `records` setting."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_images import image_refs

from ecsshell.emulator import World
from ecsshell.images import ImageRef, parse
from ecsshell.model import ContainerDef
from ecsshell.render.text import to_text
from ecsshell.render.views.services import main_container, short_images
from ecsshell.render.widgets import Col, age, cell, new_table

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
SHA = "sha256:" + "4f3c2b1a09e8d7c6" * 4
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("containers", "family", "expected"), [
    ([ContainerDef("web", f"{ECR}/web:1.5.0")], "web", "web:1.5.0"),
    ([ContainerDef("app", f"{ECR}/worker@{SHA}")], "worker", "worker@sha256:4f3c2b1a09e8"),
    ([ContainerDef("web", f"{ECR}/web:1.5.0"), ContainerDef("envoy", "public.ecr.aws/appmesh/envoy:v1")], "web",
     "web:1.5.0 +envoy"),
    ([ContainerDef("envoy", "envoy:v1", essential=False), ContainerDef("app", f"{ECR}/app:2"),
      ContainerDef("xray", "xray:3", essential=False)], "app", "app:2 +envoy +xray"),
    # all essential (as service revisions report them): the one named like the family stands for the task
    ([ContainerDef("envoy", "envoy:v1"), ContainerDef("dispatcher", f"{ECR}/notify:3")], "notify",
     "notify:3 +envoy"),
    ([ContainerDef("envoy", "envoy:v1"), ContainerDef("api", f"{ECR}/team/other:3")], "api", "team/other:3 +envoy"),
    ([ContainerDef("a", "a:1"), ContainerDef("b", "b:1")], "neither", "a:1 +b"),
    ([], "web", "-"),
])
def test_short_images(containers: list[ContainerDef], family: str, expected: str) -> None:
    assert short_images(containers, family) == expected


@given(image_refs(), st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), max_size=3, unique=True))
def test_the_short_form_drops_the_host_keeps_the_path_and_tag_and_12_hex_of_a_digest(ref: ImageRef,
                                                                                       sidecars: list[str]) -> None:
    containers = [ContainerDef("main", str(ref)), *(ContainerDef(f"s-{n}", f"{n}:1", essential=False)
                                                    for n in sidecars)]
    label = short_images(containers)
    first, *others = label.split(" ")
    assert others == [f"+s-{n}" for n in sidecars]
    expected = ref.path + (f":{ref.tag}" if ref.tag else "")
    if ref.digest:
        algorithm, _, hexes = ref.digest.partition(":")
        expected += f"@{algorithm}:{hexes[:12]}"
    assert first == expected
    if ref.domain:
        assert not label.startswith(ref.domain + "/")  # the registry host dropped
    if not ref.digest and ref.tag:  # still a reference to that repository and tag
        assert parse(f"registry.example.com/{first}") == ImageRef("registry.example.com", ref.path, ref.tag)


def test_the_main_container_is_an_essential_one() -> None:
    envoy, app = ContainerDef("envoy", "envoy:1", essential=False), ContainerDef("app", "app:1")
    assert main_container([envoy, app]) is app
    assert main_container([envoy]) is envoy  # none essential: the first


@pytest.mark.parametrize(("ago", "expected"), [
    (timedelta(0), "0s"), (timedelta(seconds=40), "40s"), (timedelta(seconds=119), "119s"),
    (timedelta(minutes=2), "2m"), (timedelta(minutes=5, seconds=59), "5m"), (timedelta(minutes=119), "119m"),
    (timedelta(hours=3), "3h"), (timedelta(hours=47), "47h"), (timedelta(days=2), "2d"),
    (timedelta(days=729), "729d"), (timedelta(days=800), "2y"), (timedelta(seconds=-30), "0s"),  # a clock ahead
])
def test_ages_are_relative_and_short(ago: timedelta, expected: str) -> None:
    assert age(NOW - ago, NOW) == expected
    assert age((NOW - ago).replace(tzinfo=None), NOW) == expected  # naive: UTC


def test_a_missing_moment_has_no_age() -> None:
    assert age(None, NOW) == "-"


@given(st.integers(min_value=0, max_value=10**9))
def test_an_age_is_a_number_and_one_unit_never_wider_than_four(seconds: int) -> None:
    text = age(NOW - timedelta(seconds=seconds), NOW)
    assert re.fullmatch(r"\d{1,3}[smhdy]|\d+y", text)
    assert len(text) <= 4 or text.endswith("y")


def _table(records: bool | None = None):  # type: ignore[no-untyped-def]
    table = new_table("name", Col("long", drop=2), Col("small", drop=1), one_line=True, records=records)
    table.add_row(cell("alpha"), cell("x" * 40), cell("tiny"))
    table.add_row(cell("beta"), cell("y" * 40), cell("wee"))
    return table


def test_a_one_line_table_shows_what_fits_the_most_wanted_first_and_says_what_it_left_out() -> None:
    assert to_text(_table(), width=60, color=False).splitlines()[0].split() == ["name", "long", "small"]
    narrow = to_text(_table(), width=30, color=False).splitlines()
    assert narrow[0].split() == ["name", "small"]  # `long` does not fit; `small`, less wanted, still does
    assert [line.split() for line in narrow[2:4]] == [["alpha", "tiny"], ["beta", "wee"]]
    assert " ".join(line.strip() for line in narrow[4:]) == "(long hidden at 30 columns; --records shows every column)"


def test_records_on_draws_blocks_and_off_never_does() -> None:
    blocks = to_text(_table(records=True), width=200, color=False).splitlines()
    assert blocks[:3] == ["name alpha", "  long   " + "x" * 40, "  small  tiny"]
    assert "-----" not in "\n".join(blocks)
    table = new_table("id", "value", records=False)
    table.add_row(cell("a" * 30), cell("b" * 30))
    assert "----" in to_text(table, width=40, color=False)  # too narrow for whole tokens: a table all the same
    auto = new_table("id", "value")
    auto.add_row(cell("a" * 30), cell("b" * 30))
    assert to_text(auto, width=40, color=False).splitlines()[0] == "id " + "a" * 30  # auto: records


def test_the_records_setting_and_flag_reach_the_listing(ecsshell, small) -> None:  # type: ignore[no-untyped-def]
    table = ecsshell("ls", "prod")
    assert re.search(r"^web\s+ACTIVE\s+3/3/0\s+web:3\s+web:1\.5\.0 \+envoy\s+COMPLETED\s+\S+$", table.out, re.M)
    flagged = ecsshell("ls", "prod", "--records")
    assert "service web\n" in flagged.out and "  deployments     PRIMARY web:3 3/3 COMPLETED" in flagged.out
    setting = ecsshell(stdin="set records on\nls prod\nset records off\nls prod\n")
    assert setting.code == 0, setting.err
    assert "service web\n" in setting.out  # on: blocks
    assert re.search(r"^web\s+ACTIVE\s+3/3/0", setting.out, re.M)  # off: the table again
    refused = ecsshell(stdin="set records sometimes\n")
    assert "records must be auto, on or off" in refused.err


def test_wide_shows_whole_images_and_every_deployment(ecsshell, small, world: World) -> None:  # type: ignore[no-untyped-def]
    out = ecsshell("ls", "prod", "--wide").out
    assert f"web={ECR}/web:1.5.0" in out
    assert re.search(r"PRIMARY payments:\d+ \d+/\d+ FAILED; ACTIVE payments:\d+ \d+/\d+ COMPLETED", out)


def test_fleet_rows_are_one_line_with_short_images_and_whole_values_when_wide() -> None:
    from ecsshell.model import Deployment, Service, TaskDefinition
    from ecsshell.render.views.fleet import Place, fleet_services

    arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/gateway:7"
    image = f"{ECR}/gateway@{SHA}"
    deployments = (Deployment("ecs-svc/1", "PRIMARY", arn, 2, 0, 2, 0, "IN_PROGRESS", None, NOW, NOW),
                   Deployment("ecs-svc/0", "ACTIVE", arn[:-1] + "6", 2, 2, 0, 0, "COMPLETED", None, NOW, NOW))
    service = Service("gateway", "arn:s", "arn:c", "ACTIVE", 2, 2, 0, arn, "FARGATE", deployments=deployments,
                      created_at=NOW - timedelta(hours=3))
    td = TaskDefinition(arn, "gateway", 7, "ACTIVE", (ContainerDef("gateway", image),
                                                      ContainerDef("envoy", "envoy:1", essential=False)))
    places = [Place("prod", "123456789012", region, items=[(service, td)]) for region in ("us-east-1", "eu-west-1")]
    text = to_text(fleet_services("prod", places, now=NOW), width=140, color=False)
    rows = [line for line in text.splitlines() if line.startswith("prod ")]
    assert len(rows) == 2
    assert all(re.search(r"gateway\s+ACTIVE\s+2/2/0\s+gateway:7\s+gateway@sha256:4f3c2b1a09e8 \+envoy\s+"
                         r"IN_PROGRESS\s+3h$", row) for row in rows), text
    narrow = to_text(fleet_services("prod", places, now=NOW), width=120, color=False).splitlines()
    assert len([line for line in narrow if line.startswith("prod ")]) == 2  # still one line each
    assert "gateway:7" not in "\n".join(narrow) and narrow[-1].startswith("(revision hidden at 120 columns")
    wide = to_text(fleet_services("prod", places, wide=True, now=NOW), width=None, color=False)
    assert f"gateway={image}" in wide and "PRIMARY gateway:7 0/2 IN_PROGRESS; ACTIVE gateway:6 2/2 COMPLETED" in wide

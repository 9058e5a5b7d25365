"""Table layout: widths shared by slack, tokens folded only at whitespace or after / : @, fast at scale."""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokens import ANSI, broken, not_whole

from ecsshell.model import ContainerDef, Deployment, Service, Task, TaskDefinition
from ecsshell.render.fold import fold, longest_piece
from ecsshell.render.text import to_text
from ecsshell.render.views import services_table, tasks_table
from ecsshell.render.widgets import cell, new_table

sys.path.insert(0, str(Path(__file__).parent / "benchmarks"))
from bench_render import ECR, world

ACCOUNT = "123456789012"


def pieces(line: str, room: int) -> list[str]:
    return [line[a:b] for a, b in fold(line, room)]


def test_a_token_folds_after_its_separators_only() -> None:
    image = f"{ECR}/auth:1.2.0"
    assert pieces(image, 60) == [image]
    assert pieces(image, 50) == [f"{ECR}/auth:", "1.2.0"]
    assert pieces(image, 46) == [f"{ECR}/", "auth:1.2.0"]
    arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/0123456789abcdef0123456789abcdef"
    assert pieces(arn, 40) == [f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/", "prod/0123456789abcdef0123456789abcdef"]
    assert pieces("PRIMARY web:8 2/2 COMPLETED", 14) == ["PRIMARY web:8", "2/2 COMPLETED"]
    assert pieces("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]  # only a piece wider than the room is cut
    assert longest_piece(image) == len(ECR) + 1


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("ab/:@ -é日"), max_size=60), st.integers(min_value=1, max_value=30))
def test_folding_loses_nothing_and_breaks_only_where_allowed(line: str, room: int) -> None:
    from ecsshell.render.fold import width

    spans = fold(line, room)
    assert "".join(line[a:b] for a, b in spans).replace(" ", "") == line.replace(" ", "")
    for (_, end), (start, _) in itertools.pairwise(spans):
        between = line[end:start]
        assert between.strip() == ""
        if not between:  # a break inside a token: after a separator, unless the piece was wider than the room
            piece = re.findall(r"[^/:@ ]*$", line[:end])[0] + re.findall(r"^[^/:@ ]*[/:@]?", line[end:])[0]
            assert line[end - 1] in "/:@" or width(piece) > room, (line, room, spans)
    assert all(width(line[a:b]) <= room for a, b in spans if b - a > 1)  # one wide character may overflow


def test_width_comes_from_the_column_with_the_most_slack() -> None:
    table = new_table("image", "message")
    image = f"{ECR}/auth:1.2.0"
    table.add_row(cell(image), cell(" ".join(["word"] * 20)))
    text = to_text(table, width=100, color=False)
    assert image in text  # the message folds at its spaces, the image stays whole
    assert all(len(line) <= 100 for line in text.splitlines())


def test_ids_stay_whole_at_80_columns() -> None:
    tasks = [Task(f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/{i:032x}", f"arn:td/web:{i}", "RUNNING", "RUNNING",
                  "HEALTHY", "service:web", "FARGATE") for i in range(3)]
    text = to_text(tasks_table(tasks), width=80, color=False)
    assert not broken([t.id for t in tasks], text)


@pytest.mark.parametrize("width", [80, 120, 200, None])
def test_two_thousand_services_one_line_each_every_token_whole(width: int | None) -> None:
    services, defs = world(2000)
    text = to_text(services_table("scale", services, defs, total=2000), width=width, color=width is not None)
    lines = [ANSI.sub("", line) for line in text.splitlines()]
    assert len([line for line in lines if line.startswith("svc-")]) == 2000  # one line per service
    tokens = [s.name for s in services] + [f"{s.name}:1.5.0" for s in services]  # short images: no registry host
    if width is None or width >= 120:
        tokens += [s.revision for s in services]
    assert not not_whole(tokens, text)
    assert ECR not in text  # the registry host is dropped
    if width is None:  # a pipe: every column
        assert len(lines) == 2000 + 3
    else:
        assert max(len(line) for line in lines) <= width
    wide = to_text(services_table("scale", services, defs, total=2000, wide=True), width=None, color=False)
    assert not not_whole([c.image for td in defs.values() for c in td.containers], wide)  # --wide: whole images


def test_a_table_takes_from_slack_before_folding_an_image() -> None:
    # the case from issue 13: at 200 columns the image broke while another column had room to give
    image = f"{ECR}/auth:1.2.0"
    arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/auth:12"
    deployments = tuple(Deployment(f"ecs-svc/{i}", "ACTIVE", arn, 2, 2, 0, 0, "COMPLETED", None, None, None)
                        for i in range(4))
    service = Service("auth", "arn:s", "arn:c/prod", "ACTIVE", 2, 2, 0, arn, "FARGATE", deployments=deployments)
    td = TaskDefinition(arn, "auth", 12, "ACTIVE", (ContainerDef("app", image),))
    for width in (120, 160, 200):
        text = to_text(services_table("prod", [service], {arn: td}, total=1, wide=True), width=width, color=False)
        assert image in text, text
        assert not not_whole(["auth:12", "ACTIVE", "COMPLETED"], text)


def test_a_table_folds_words_with_a_hanging_indent_and_never_a_token() -> None:
    table = new_table("task", "reason")
    arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/0123456789abcdef"
    table.add_row(cell(arn), cell("Essential container in task exited with code 137 after the health check failed"))
    text = to_text(table, width=80, color=False)
    lines = text.splitlines()
    assert arn in lines[2]
    reason_at = lines[0].index("reason")
    assert all(line[reason_at:reason_at + 2] == "  " and line[reason_at + 2] != " " for line in lines[3:])
    assert not not_whole(["137", "Essential", "health"], text)


def test_the_render_benchmark_measures_every_way_of_showing() -> None:
    from bench_render import shown

    figures = shown(12)
    assert set(figures) == {"through rich", "direct"}
    for way in figures.values():
        assert set(way) == {"80 cols", "200 cols", "pipe", "json"}
        assert all(ms > 0 for ms in way.values())

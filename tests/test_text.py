"""Folding text that is not a table: at spaces, with a hanging indent, never inside a token (render/wrap.py)."""

from __future__ import annotations

import random
import re

from harness import run_ecsshell
from rich.console import Group
from rich.text import Text

from ecsshell.commands.demo import TOUR
from ecsshell.commands.examples import EXAMPLES, examples_text
from ecsshell.emulator import World
from ecsshell.render.diff import diff_renderable
from ecsshell.render.text import to_text
from ecsshell.render.wrap import Folded, Numbered, Pairs, Verbatim, fold_rows

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
DIGEST = "sha256:" + "3bc951a1a4792e68" * 4
IMAGE = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/web@{DIGEST}"
ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/prod-web/bf48fed1a1466e21"
TASK = "0123456789abcdef0123456789abcdef"


def _rows(line: str, room: int, indent: int) -> list[str]:
    return [" " * lead + line[start:end] for lead, start, end in fold_rows(line, room, indent)]


def test_words_fold_at_spaces_with_a_hanging_indent_and_tokens_stay_whole() -> None:
    line = f"2026-12-06 10:00:00 (service web) has started 1 tasks: (task {TASK}) running {IMAGE}"
    for room in (40, 60, 80, 120, 200):
        rows = _rows(line, room, 20)
        assert all(len(row) <= room for row in rows if len(row.split()) > 1), rows
        words = [word for row in rows for word in row.split()]
        assert f"{TASK})" in words  # whole: it fits a row
        if room >= len(DIGEST):
            assert any(DIGEST in row for row in rows), rows  # split at `@`, the digest kept whole
        assert "".join(words).replace(" ", "") == line.replace(" ", "")  # nothing lost, nothing added


def test_a_token_that_fits_no_indent_moves_left_and_one_wider_than_the_row_splits_at_separators() -> None:
    rows = _rows(f"target group {ARN}", 95, 30)
    assert rows == ["target group", f"    {ARN}"]  # at the small indent, since at 30 it would not fit
    rows = _rows(f"target group {ARN}", 60, 30)
    assert [row.strip() for row in rows] == [
        "target group", "arn:aws:elasticloadbalancing:us-east-1:123456789012:", "targetgroup/prod-web/",
        "bf48fed1a1466e21"] or all(len(row) <= 60 for row in rows), rows
    assert all(row.strip().endswith((":", "/")) for row in rows[1:-1])


def test_random_text_never_breaks_a_token_that_fits() -> None:
    pick = random.Random(20)
    vocabulary = ["a", "web", "web:3", TASK, ARN, IMAGE, "FAILED", "12", DIGEST, "(task", "x" * 30]
    for _ in range(300):
        line = " ".join(pick.choice(vocabulary) for _ in range(pick.randint(1, 12)))
        room, indent = pick.randint(20, 130), pick.randint(0, 40)
        rows = _rows(line, room, indent)
        words = {word for row in rows for word in row.split()}
        for token in line.split():
            if len(token) <= room:
                assert token in words, (line, room, indent, rows)
        assert all(len(row) <= room for row in rows if all(len(w) <= room for w in row.split())), rows


def test_pairs_put_a_value_under_its_key_when_a_token_would_not_fit_beside_it() -> None:
    pairs = Pairs()
    pairs.add_row("image", Text(IMAGE))
    pairs.add_row("tasks", Text("desired 3, running 3, pending 0"))
    narrow = to_text(pairs, width=80, color=False).splitlines()
    assert narrow[0] == "image" and narrow[1].startswith("  123456789012") and narrow[2].strip() == DIGEST
    assert narrow[3] == "tasks  desired 3, running 3, pending 0"
    wide = to_text(pairs, width=140, color=False).splitlines()
    assert wide[0] == f"image  {IMAGE}"
    assert to_text(pairs, width=None, color=False).splitlines()[0] == f"image  {IMAGE}"  # a pipe: one line


def test_a_folded_diff_line_keeps_its_marker_on_every_row_and_a_pipe_gets_a_valid_diff() -> None:
    text = "\n".join(["--- web:3", "+++ web:(next)", "@@ -1,3 +1,3 @@", "   {",
                      f'-    "image": "{IMAGE.replace(DIGEST, "sha256:" + "0" * 64)}",',
                      f'+    "image": "{IMAGE}",', "   }"])
    for color in (False, True):
        for columns in (60, 80, 120):
            shown = ANSI.sub("", to_text(diff_renderable(text, color), width=columns, color=color)).splitlines()
            assert all(len(row) <= columns for row in shown), shown
            assert all(row[:1] in "-+ @" for row in shown), shown
            added = "".join(row[1:].strip() for row in shown if row.startswith("+") and not row.startswith("+++"))
            assert DIGEST in added
            if columns > len(DIGEST) + 1:
                assert any(DIGEST in row for row in shown), shown  # split at `@`: the digest whole on its row
        assert ANSI.sub("", to_text(diff_renderable(text, color), width=None, color=color)) == text


def test_json_is_never_folded_whatever_the_width() -> None:
    document = '{\n  "image": "' + IMAGE + '"\n}'
    for columns in (40, 80):
        assert to_text(Verbatim(document), width=columns, color=False) == document


def test_tour_and_examples_fold_between_words() -> None:
    for columns in (40, 60, 80, 120):
        shown = to_text(Group(Folded("A walk:"), Numbered(TOUR)), width=columns, color=False)
        rows = shown.splitlines()
        assert all(len(row) <= columns for row in rows), shown
        words = {word for row in rows for word in row.split()}
        assert all(word in words for command, why in TOUR for word in f"{command} {why}".split())
        for command in EXAMPLES:
            folded = examples_text(command, columns).splitlines()
            assert all(len(row) <= columns for row in folded), folded
            assert " ".join(" ".join(folded).split()) == " ".join(examples_text(command).split())


def _after_redraws(out: str) -> list[str]:
    """Return the lines a terminal keeps: each line's text after its last live-line redraw."""
    return [ANSI.sub("", line.rsplit("\r\x1b[2K", 1)[-1]) for line in out.split("\n")]


def test_update_wait_folds_its_event_lines_on_a_terminal_never_inside_a_task_id(world: World, home,
                                                                               small) -> None:
    result = run_ecsshell(world, home, "update", "prod", "api", ":2.5.0", "--wait", stdout_tty=True,
                          extra={"COLUMNS": "60"})
    assert result.code == 0, result.err
    lines = _after_redraws(result.out)
    events = [i for i, line in enumerate(lines) if "has started" in line]
    assert events, lines
    for index in events:
        assert len(lines[index]) <= 60 and lines[index + 1].startswith(" " * 4), lines  # a hanging indent
    ids = re.findall(r"\(task\s+([0-9a-f-]+)\)", " ".join(lines))
    assert ids and all(any(task in line for line in lines) for task in ids)
    piped = run_ecsshell(world, home, "update", "prod", "api", ":2.4.1", "--wait", extra={"COLUMNS": "60"})
    assert piped.code == 0, piped.err
    started = [line for line in piped.out.splitlines() if "has started" in line]
    assert started and all(line.rstrip().endswith(").") for line in started)  # a pipe: one event a line

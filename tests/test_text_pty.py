"""Text that is not a table, in a real terminal at 60, 80 and 120 columns: folded at spaces, never inside a token.

Each test reads the screen (pyte) and checks that every token it names is whole on one screen row,
or, when the token is wider than the screen, split only after its separators (`@`, `/`, `:`).
Output taller than the screen goes through a pager wrapper that records what it was given (as
pgcli's tests do), so a test knows that it went through the pager and reads it there.
"""

from __future__ import annotations

import json
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pyte
import pytest
from test_looking_pty import at_prompt, until
from test_pty import Terminal
from tokens import whole_or_folded

from ecsshell.emulator import World
from ecsshell.emulator.worlds import small_world

pytestmark = pytest.mark.pty
WIDTHS = (60, 80, 120)
TALL = 100  # rows: what is taller goes through the pager wrapper, read from what it was given
TASK_ID = re.compile(r"\(task ([0-9a-f-]{32,36})\)")


class Screen(Terminal):
    """The shell in a pty of COLUMNS x ROWS, its pager a wrapper that copies what it shows into PAGED."""

    def __init__(self, world: World, home: Path, columns: int, rows: int = TALL,
                 extra: dict[str, str] | None = None) -> None:
        super().__init__(world, home, "--version")  # a child that ends at once; replaced below
        self.child.close(force=True)
        self.columns = columns
        self.paged = home / "paged.txt"
        pager = home / "pager.sh"
        pager.write_text(f'#!/bin/sh\ncat > "{self.paged}"\ncat "{self.paged}"\n')
        pager.chmod(pager.stat().st_mode | stat.S_IEXEC)
        env = dict(self.child.env or {})
        lines = rows // 2 if rows > 50 else rows  # a tall screen pages early: what it shows never scrolls away
        env.update({"PAGER": str(pager), "COLUMNS": str(columns), "LINES": str(lines)}, **(extra or {}))
        self.child = pexpect.spawn(sys.executable, ["-m", "ecsshell"], env=env, encoding="utf-8",
                                   dimensions=(rows, columns), timeout=20)
        self.screen = pyte.HistoryScreen(columns, rows, history=5000)  # rows scrolled off the top are kept
        self.stream = pyte.Stream(self.screen)
        self.wait_for("ecs>")

    def rows(self) -> list[str]:
        """Return every row: those scrolled off the top (the history), then the screen's."""
        history = self.screen.history.top  # type: ignore[attr-defined]
        scrolled = ["".join(line[x].data for x in range(self.columns)).rstrip() for line in history]
        return scrolled + [row.rstrip() for row in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.rows())

    def run(self, line: str, until_text: str | None = None, machine: bool = False) -> list[str]:
        """Type LINE, wait for the prompt to come back, and return the screen's rows from LINE's row down."""
        typed = "ecs> " + line[:self.columns - 5]
        before = self.text().count(typed)
        if self.paged.exists():
            self.paged.unlink()
        self.child.send(line + "\r")

        def done() -> bool:  # the command echoed (or paged) and a bare prompt below it (above the toolbar)
            rows = [row for row in self.text().splitlines() if row.strip()]
            return ((self.paged.exists() or self.text().count(typed) > before)
                    and any(row.strip() == "ecs>" for row in rows[-2:]))

        assert until(self, done, 30), (before, self.text().count(typed), self.paged.exists(),
                                       [row for row in self.text().splitlines() if row.strip()][-2:])
        rows = self.rows()
        end = max(i for i, row in enumerate(rows) if row.strip() == "ecs>")
        if self.paged.exists():  # taller than the screen: what the pager was given, as folded for the screen,
            shown = _paged_lines(self)  # and what was printed after it
            last = max((i for i, row in enumerate(rows[:end]) if row == shown[-1]), default=end - 1)
            shown += rows[last + 1:end]
        else:
            start = max(i for i, row in enumerate(rows) if row.startswith(typed))
            shown = rows[start + 1:end]
        assert machine or all(len(row) <= self.columns for row in shown), shown  # JSON is left unfolded
        assert until_text is None or until_text in "\n".join(shown), "\n".join(shown)
        return shown


def broken_tokens(tokens: set[str], rows: list[str], columns: int) -> list[str]:
    """Return the TOKENS that ROWS show broken: not whole on a row, or (wider than a row) cut but at a separator."""
    words = {word for row in _unwrapped(rows, columns) for word in row.split()}  # a piece wider than a row
    bad = []
    for token in sorted(tokens):
        if len(token) <= columns:
            if not any(token in row for row in rows):
                bad.append(token)
        elif not whole_or_folded(token.strip('",'), {w.strip('",') for w in words}):
            bad.append(token)
    return bad


@pytest.fixture
def small(world: World) -> dict[str, object]:
    return small_world(world)


@pytest.fixture(params=WIDTHS)
def screen(request: pytest.FixtureRequest, world: World, small: dict[str, object], tmp_path: Path) -> Iterator[Screen]:
    term = Screen(world, tmp_path, request.param)
    yield term
    term.close()


def _images(world: World, cluster: str, service: str) -> set[str]:
    ecs = world.client("ecs")
    arn = ecs.describe_services(cluster=cluster, services=[service])["services"][0]["taskDefinition"]
    definition = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    return {c["image"] for c in definition["containerDefinitions"]}


def _digests(world: World, cluster: str, service: str) -> set[str]:
    """Return the digests the service's running tasks run (what promote pins)."""
    ecs = world.client("ecs")
    arns = ecs.list_tasks(cluster=cluster, serviceName=service)["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    return {c["imageDigest"] for t in tasks for c in t["containers"] if c.get("imageDigest")}


def test_promote_and_diff_keep_digests_whole_and_every_row_marked(screen: Screen, world: World) -> None:
    images = _images(world, "prod", "web")  # the lines promote removes
    digests = _digests(world, "staging", "web")
    assert digests  # staging's web runs images by digest: what promote pins
    for line in ("promote staging/web prod/web --dry-run", "diff staging/web prod/web"):
        rows = screen.run(line, "+++ ")
        diff = rows[next(i for i, row in enumerate(rows) if row.startswith("--- ")):]
        diff = diff[:next((i for i, row in enumerate(diff) if not row or row[0] not in "-+ @"), len(diff))]
        assert len(diff) > 8 and diff[-1].startswith(" "), "\n".join(rows)  # to the end, every row marked
        body = re.sub(r"\s", "", "".join(row[1:] for row in diff))  # a piece wider than a row: cut, rows marked
        assert all(digest in body for digest in digests), body
        fits = {token for token in digests | images if len(token) <= screen.columns - len('-      "image": ')}
        assert not broken_tokens({token for token in fits if token in body}, diff, screen.columns), "\n".join(rows)
        if screen.columns > 71:
            assert not broken_tokens(digests, diff, screen.columns), "\n".join(rows)


def test_elb_target_group_arns_are_never_broken(screen: Screen, world: World, small: dict[str, object]) -> None:
    groups = small["target_groups"]
    assert isinstance(groups, dict)
    rows = screen.run("ls prod web -elb", "target group")
    elbv2 = world.client("elbv2")
    balancer = elbv2.describe_load_balancers(Names=["prod-alb"])["LoadBalancers"][0]
    tokens = {groups["prod-web"], balancer["LoadBalancerArn"], balancer["DNSName"]}
    assert not broken_tokens(tokens, rows, screen.columns), rows


def test_task_ids_in_event_lines_are_never_broken(screen: Screen, world: World) -> None:
    events = world.client("ecs").describe_services(cluster="prod", services=["web"])["services"][0]["events"]
    ids = {found for event in events[:10] for found in TASK_ID.findall(event["message"])}
    assert ids  # the events name the tasks they started
    rows = screen.run("ls prod web -events 10", "Events (")
    assert not broken_tokens(ids, rows, screen.columns), rows
    assert not broken_tokens({"(service", "web)", "started"}, rows, screen.columns)


LONG_LOG = ("GET /api/v1/orders?customer=0123456789abcdef&page=2 status=500 upstream=10.0.12.7:8080 / 0 "
            "bytes=1234 request_id=1f0a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8 "
            "image=123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:" + "9" * 64)


def _write_long_log_line(world: World) -> None:
    """Add LONG_LOG to the web container's stream of one of prod's running web tasks."""
    ecs = world.client("ecs")
    running = {arn.rsplit("/", 1)[-1] for arn in ecs.list_tasks(cluster="prod", serviceName="web")["taskArns"]}
    logs = world.client("logs")
    for group in logs.describe_log_groups()["logGroups"]:
        streams = logs.describe_log_streams(logGroupName=group["logGroupName"])["logStreams"]
        for stream in streams:
            if "/web/" in stream["logStreamName"] and stream["logStreamName"].rsplit("/", 1)[-1] in running:
                events = logs.get_log_events(logGroupName=group["logGroupName"],
                                             logStreamName=stream["logStreamName"])["events"]
                logs.put_log_events(logGroupName=group["logGroupName"], logStreamName=stream["logStreamName"],
                                    logEvents=[{"timestamp": events[-1]["timestamp"] + 1, "message": LONG_LOG}])
                return
    raise AssertionError("no log stream of web")


def test_long_log_lines_fold_at_spaces_under_the_message(world: World, tmp_path: Path, small: object) -> None:
    _write_long_log_line(world)
    for columns in WIDTHS:
        term = Screen(world, tmp_path, columns)
        try:
            rows = term.run("logs prod web --container web --since 3h", "request_id")  # (logs never page)
            assert not broken_tokens(set(LONG_LOG.split()), rows, columns), rows
            first = next(i for i, row in enumerate(rows) if row.endswith("| GET") or "| GET /api" in row)
            message_column = rows[first].index("| GET") + 2
            for row in rows[first + 1:]:
                if row.startswith(" "):  # the long line's next rows: at the message's column, or left of it
                    assert 0 < len(row) - len(row.lstrip()) <= message_column, rows
                else:
                    break
        finally:
            term.close()


def test_json_on_a_terminal_is_printed_as_it_is(world: World, tmp_path: Path, small: object) -> None:
    for columns in WIDTHS:
        term = Screen(world, tmp_path, columns)
        try:
            for line, key in (("ls prod web --output json", "service"), ("taskdefs web latest", "family")):
                rows = term.run(line, key, machine=True)
                assert term.paged.exists()  # taller than the screen: the pager shows it, as it is
                lines = _unwrapped(rows, columns)  # (and anything shorter: with the terminal's soft wrap undone)
                images = set(_values(json.loads("\n".join(lines)), "image"))
                assert images, lines
                for image in images:  # on one line with its key, as json.dumps wrote it
                    assert any(f'"image": "{image}"' in row for row in lines), image
        finally:
            term.close()


def _values(document: object, key: str) -> Iterator[str]:
    """Yield every string value of KEY anywhere in DOCUMENT."""
    if isinstance(document, dict):
        for name, value in document.items():
            if name == key and isinstance(value, str):
                yield value
            else:
                yield from _values(value, key)
    elif isinstance(document, list):
        for item in document:
            yield from _values(item, key)


def _unwrapped(rows: list[str], columns: int) -> list[str]:
    """Return ROWS with each full row joined to the next one (what the terminal soft-wrapped)."""
    out: list[str] = []
    joining = False
    for row in rows:
        if joining:
            out[-1] += row
        else:
            out.append(row)
        joining = len(row) == columns
    return out


def _paged_lines(term: Screen) -> list[str]:
    text = term.paged.read_text()
    return [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in text.splitlines()]


@pytest.mark.parametrize("columns", WIDTHS)
def test_help_and_tour_go_through_the_pager_and_wrap_between_words(world: World, tmp_path: Path, small: object,
                                                                    columns: int) -> None:
    term = Screen(world, tmp_path, columns, rows=24)
    try:
        for line, needle, words in (
                ("help update", "--deregister-old", {"--deregister-old", "--image", "CONTAINER=IMAGE", "--unset-env",
                                                     "[CLUSTER]", "[SERVICE]", "[IMAGE|:TAG]", "--timeout",
                                                     "DURATION", "{text,json}", "implies"}),
                ("tour", "promote /staging/web", {"/releases/storefront", "sample_task.json", "env,staging",
                                                  "--regions", "--dry-run", "digests", "Ctrl-C"})):
            if term.paged.exists():
                term.paged.unlink()
            term.child.send(line + "\r")
            term.wait_for(needle)
            assert until(term, lambda: at_prompt(term) and term.paged.exists()), term.text()
            paged = _paged_lines(term)  # it went through the pager, folded to the terminal before
            assert all(len(row) <= columns for row in paged), paged
            assert not broken_tokens(words, paged, columns), paged
            for word in words:  # between words: a row never ends inside one
                assert any(word in row.split() or f"[{word}" in row or word in row for row in paged), word
    finally:
        term.close()


def test_a_pipe_folds_and_cuts_nothing(world: World, tmp_path: Path, small: object) -> None:
    _write_long_log_line(world)
    term = Screen(world, tmp_path, 60)
    term.close()
    env = dict(term.child.env or {})
    for command, wanted in (
            ("logs prod web --since 3h", [LONG_LOG]),
            ("diff staging/web prod/web", sorted(_digests(world, "staging", "web"))),
            ("ls prod web -elb", []),
            ("tour", ["ship to prod exactly the digests staging runs (a dry run)"])):
        child = pexpect.spawn("/bin/sh", ["-c", f"{sys.executable} -m ecsshell {command} | cat"], env=env,
                              encoding="utf-8", dimensions=(24, 60), timeout=30)
        child.expect(pexpect.EOF, timeout=30)
        child.close()
        out = (child.before or "").replace("\r\n", "\n")
        assert "\x1b" not in out
        for text in wanted:  # on one line, whole
            assert any(text in row for row in out.splitlines()), (command, out)
        if command == "tour":
            assert re.search(r"\d+\. promote /staging/web web --dry-run  ", out.splitlines()[-1]), out  # any count
        if command.startswith("diff"):
            diff = [row for row in out.splitlines() if " differ in " not in row]  # (that one is on stderr)
            assert all(row[:1] in "-+ @" for row in diff), out  # one diff line a row: a valid diff
        if command.startswith("ls"):
            groups = world.client("elbv2").describe_target_groups(Names=["prod-web"])["TargetGroups"]
            assert f"  {groups[0]['TargetGroupArn']}" in out.splitlines()

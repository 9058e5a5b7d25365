"""A run that cannot lie: every failure stops a script, nothing reaches a shell, nothing is dropped."""

from __future__ import annotations

import lzma
from pathlib import Path
from typing import Any

import pytest
from harness import console
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ecsshell.emulator import World

MUTATING = ("RegisterTaskDefinition", "DeregisterTaskDefinition", "UpdateService", "RunTask", "StopTask")



def revision_of(world: World, cluster: str, service: str) -> str:
    svc = world.client("ecs").describe_services(cluster=cluster, services=[service])["services"][0]
    return str(svc["taskDefinition"].rsplit("/", 1)[-1])


def active_revisions(world: World, family: str) -> list[str]:
    arns = world.client("ecs").list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    return [a.rsplit("/", 1)[-1] for a in arns]


def mutating_calls(world: World) -> int:
    return sum(world.recorder.calls[op] for op in MUTATING)


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def assert_clean_failure(result: Any, code: int | None = None) -> None:
    assert result.code != 0 if code is None else result.code == code, (result.code, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert error_lines(result.err)[0].startswith("error: "), result.err


# every failure counts, whoever detects it ------------------------------------------------------
REJECTED_BY_CMD2 = [
    "ls 'unclosed",
    "set bogus 1",
    "set events -1",
    "set events ²",
    "set output yaml",
    "set editor vi",
    "set traceback_show_locals true",
    "help nosuch",
    "run_script /no/such/script.ecs",
    "@/no/such/script.ecs",
    "history 5",
    "edit",
    "run_pyscript x.py",
    "shortcuts",
    "history -e",
]


@pytest.mark.parametrize("bad", REJECTED_BY_CMD2)
def test_a_line_cmd2_rejects_stops_a_piped_script(world, ecsshell, small, bad: str) -> None:
    result = ecsshell(stdin=f"use prod\n{bad}\nupdate api :9.9.9\n")
    assert_clean_failure(result)
    assert f"stopped at line 2 ({bad}): exit {result.code}" in result.err
    assert revision_of(world, "prod", "api") == "api:3"
    assert mutating_calls(world) == 0


@pytest.mark.parametrize("bad", ["set bogus 1", "help nosuch", "ls 'unclosed"])
def test_a_line_cmd2_rejects_fails_a_dash_c_run_and_a_one_shot(world, ecsshell, small, bad: str) -> None:
    result = ecsshell("-c", f"{bad}\nupdate prod api :9.9.9")
    assert_clean_failure(result)
    assert "stopped at line 1" in result.err
    assert revision_of(world, "prod", "api") == "api:3"
    one_shot = ecsshell("help", "nosuch")
    assert_clean_failure(one_shot)


def test_a_recursive_script_is_refused(world, ecsshell, small, tmp_path: Path) -> None:
    script = tmp_path / "loop.ecs"
    script.write_text(f"ls prod\nrun_script {script}\nupdate prod api :9.9.9\n")
    result = ecsshell("-f", str(script))
    assert result.code == 2
    assert "already running" in result.err and "stopped at line 2" in result.err
    assert revision_of(world, "prod", "api") == "api:3"


def test_a_nested_script_that_fails_stops_its_caller(world, ecsshell, small, tmp_path: Path) -> None:
    inner = tmp_path / "inner.ecs"
    inner.write_text("check prod payments\n")
    outer = tmp_path / "outer.ecs"
    outer.write_text(f"@{inner}\nupdate prod api :9.9.9\n")
    result = ecsshell("-f", str(outer))
    assert result.code == 1
    assert f"stopped at line 1 of {inner}" in result.err
    assert f"stopped at line 1 (@{inner}): exit 1" in result.err
    assert revision_of(world, "prod", "api") == "api:3"


@pytest.mark.parametrize(("name", "words"), [
    ("missing", "not found"), ("directory", "is a directory"), ("binary", "binary file"),
    ("zero", "larger than"), ("latin1", "not UTF-8"),
])
def test_a_script_file_that_is_no_script_is_one_line(world, ecsshell, small, tmp_path: Path, name: str,
                                                     words: str) -> None:
    paths = {"missing": tmp_path / "nope.ecs", "directory": tmp_path, "binary": tmp_path / "bin",
             "zero": Path("/dev/zero"), "latin1": tmp_path / "latin1.ecs"}
    (tmp_path / "bin").write_bytes(b"ls\x00\x01\x02")
    (tmp_path / "latin1.ecs").write_bytes("ls caf\xe9\n".encode("latin-1"))
    result = ecsshell("-f", str(paths[name]))
    assert_clean_failure(result, 1)
    assert len(error_lines(result.err)) == 1 and words in result.err
    assert world.recorder.total == 0


# `;` runs every command, in order, under the same rules -----------------------------------------
def test_semicolons_run_each_command_in_order(world, ecsshell, small) -> None:
    result = ecsshell("-c", "check prod web; update prod web :1.4.0")
    assert result.code == 0, result.err
    assert "OK: service web in prod" in result.out
    assert revision_of(world, "prod", "web") == "web:4"


@pytest.mark.parametrize("mode", ["-c", "stdin", "file"])
def test_a_failing_command_before_a_semicolon_stops_the_rest(world, ecsshell, small, tmp_path: Path,
                                                             mode: str) -> None:
    line = "check prod payments; update prod web :1.4.0"
    script = tmp_path / "s.ecs"
    script.write_text(line + "\n")
    result = {"-c": lambda: ecsshell("-c", line), "stdin": lambda: ecsshell(stdin=line + "\n"),
              "file": lambda: ecsshell("-f", str(script))}[mode]()
    assert result.code == 1
    assert revision_of(world, "prod", "web") == "web:3"
    assert world.recorder.calls["RegisterTaskDefinition"] == 0
    assert "stopped at line 1 (check prod payments; update prod web :1.4.0): exit 1" in result.err


def test_a_semicolon_inside_an_argv_word_is_part_of_that_word(world, ecsshell, small) -> None:
    result = ecsshell("update", "prod", "web", ":1.4.0;scale prod web 9")
    assert_clean_failure(result)
    assert "invalid tag" in result.err
    assert mutating_calls(world) == 0


def test_a_semicolon_in_quotes_or_a_comment_does_not_split(ecsshell, small) -> None:
    from ecsshell.lines import split_commands

    assert split_commands("ls prod; check prod web") == ["ls prod", "check prod web"]
    assert split_commands("update prod web --env web 'A=1;2'") == ["update prod web --env web 'A=1;2'"]
    assert split_commands('ls "a;b"; ls') == ['ls "a;b"', "ls"]
    assert split_commands("ls; # a comment; update prod web :x") == ["ls"]
    assert split_commands("ls 'open;") == ["ls 'open;"]
    assert split_commands(" ; ;") == []
    result = ecsshell("-c", "update prod web --env web 'A=1;2' --dry-run")
    assert result.code == 0, result.err


def test_the_interactive_shell_stops_the_rest_of_a_line_and_says_so(world, small, tmp_path: Path) -> None:
    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    environment = make_environment(world, tmp_path)
    app = EcsShell(environment, Options(), interactive=True)
    try:
        assert app.onecmd_plus_hooks("check prod payments; update prod web :1.4.0 -y") is False
        assert app.last_status == 1
    finally:
        app.close()
    assert "not run after that failure: update prod web :1.4.0 -y" in environment.stderr.getvalue()
    assert revision_of(world, "prod", "web") == "web:3"


# nothing reaches a shell or Python by accident ---------------------------------------------------
SHELL_REACHING = [
    "update prod api :feat|touch {flag}",
    "ls prod > {flag}",
    "ls prod >> {flag}",
    "!touch {flag}",
    "shell touch {flag}",
    "alias create t !touch {flag}\nt",
    "alias create u update prod api\nu :x|touch {flag}",
    "macro create m shell touch {flag}\nm",
]


@pytest.mark.parametrize("line", SHELL_REACHING)
@pytest.mark.parametrize("mode", ["-c", "stdin"])
def test_shell_features_are_off_outside_the_interactive_shell(world, ecsshell, small, tmp_path: Path,
                                                             line: str, mode: str) -> None:
    flag = tmp_path / "pwned"
    text = line.format(flag=flag)
    result = ecsshell("-c", text) if mode == "-c" else ecsshell(stdin=text + "\n")
    assert result.code == 2, result.err
    assert "is off outside the interactive shell" in result.err and "--allow-shell" in result.err
    assert not flag.exists()
    assert mutating_calls(world) == 0
    assert revision_of(world, "prod", "api") == "api:3"


def test_allow_shell_turns_them_on(world, small, tmp_path: Path) -> None:
    flag = tmp_path / "made"
    out = tmp_path / "out.txt"
    result = console(world, tmp_path, "--allow-shell", "-c", f"!touch {flag}\nls prod > {out}")
    assert result.returncode == 0, result.stderr
    assert flag.exists()
    assert "web" in out.read_text()


def test_the_config_file_can_allow_the_shell(world, small, tmp_path: Path) -> None:
    (tmp_path / ".config/ecsshell").mkdir(parents=True)
    (tmp_path / ".config/ecsshell/config").write_text("[main]\nallow_shell = true\n")
    flag = tmp_path / "made"
    result = console(world, tmp_path, stdin=f"!touch {flag}\n")
    assert result.returncode == 0, result.stderr
    assert flag.exists()


def test_the_interactive_shell_keeps_its_shell_commands(world, small, tmp_path: Path) -> None:
    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    flag = tmp_path / "made"
    environment = make_environment(world, tmp_path)
    environment.stdout = (tmp_path / "stdout").open("w")  # a shell command needs a real file descriptor
    app = EcsShell(environment, Options(), interactive=True)
    try:
        app.onecmd_plus_hooks(f"!touch {flag}")
        assert app.last_status == 0
    finally:
        app.close()
    assert flag.exists()


def test_cmd2s_misfit_commands_and_settings_are_gone(world, small, tmp_path: Path) -> None:
    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    app = EcsShell(make_environment(world, tmp_path), Options(), interactive=True)
    try:
        commands = app.get_all_commands()
        for gone in ("edit", "run_pyscript", "shortcuts", "py", "ipy"):
            assert gone not in commands
        for gone in ("editor", "traceback_show_locals", "timing"):
            assert gone not in app.settables
        assert "read_only" in app.settables
    finally:
        app.close()


# terminal control sequences never reach the terminal ----------------------------------------------
def test_terminal_safe_keeps_colour_and_every_printable_character() -> None:
    from ecsshell.lines import terminal_safe

    assert terminal_safe("plain\ttext\n") == "plain\ttext\n"
    assert terminal_safe("\x1b[31mred\x1b[0m") == "\x1b[31mred\x1b[0m"
    assert terminal_safe("\x1b[31mred\x1b[0m", keep_colour=False) == "red"
    # data is made plain before it is styled (ecsshell.plain); what is left loses its controls, never its text
    assert terminal_safe("a\x1b]0;new title b\n" * 3) == "a]0;new title b\n" * 3
    assert terminal_safe("a\x1b[2J\x1b[Hb") == "a[2J[Hb"
    assert terminal_safe("a\x9b2Jb\x9d0;t\x07c") == "a2Jb0;tc"
    assert terminal_safe("x\ry\bz\x07") == "xyz"


_PRINTED = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)
_SGR_PARTS = st.lists(st.one_of(_PRINTED, st.sampled_from(["\x1b[31m", "\x1b[0m", "\x1b[1;32m", "\t"])), max_size=8)


def _through_rich(objects: tuple[str, ...], style: str, width: int, sep: str, end: str) -> str:
    """Return what cmd2's own console writes for OBJECTS, with ALLOW_STYLE set to STYLE."""
    import io

    import cmd2
    from cmd2 import rich_utils

    saved = rich_utils.ALLOW_STYLE
    rich_utils.ALLOW_STYLE = rich_utils.AllowStyle(style)
    try:
        out = io.StringIO()
        console = cmd2.Cmd()._get_core_print_console(file=out, emoji=False, markup=False, highlight=False)
        console.width = width
        console.print(*objects, sep=sep, end=end, soft_wrap=True)
        return out.getvalue()
    finally:
        rich_utils.ALLOW_STYLE = saved


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(_PRINTED, min_size=1, max_size=3), style=st.sampled_from(["Always", "Never"]),
       width=st.integers(5, 200),
       sep=st.sampled_from([" ", "", ", "]), end=st.sampled_from(["\n", ""]))
def test_text_written_past_rich_is_what_rich_would_write(parts: list[str], style: str, width: int, sep: str,
                                                         end: str) -> None:
    from ecsshell.lines import terminal_safe, verbatim

    clean = tuple(terminal_safe(p) for p in parts)
    text = verbatim(clean, {"sep": sep, "end": end})
    if not any("\t" in p or "\x1b" in p for p in clean):  # terminal_safe left no other control character
        assert text is not None
    if text is not None:  # the shortcut writes exactly what cmd2's rich console would
        assert text == _through_rich(clean, style, width, sep, end)


@settings(max_examples=200, deadline=None)
@given(parts=_SGR_PARTS)
def test_text_rich_would_change_still_goes_through_rich(parts: list[str]) -> None:
    from ecsshell.lines import verbatim

    text = "".join(parts)
    if "\x1b" in text or "\t" in text:
        assert verbatim((text,), {}) is None
    assert verbatim((text,), {"style": "red"}) is None
    assert verbatim((text,), {"markup": True}) is None


_STYLED = st.lists(st.tuples(_PRINTED, st.sampled_from(["", "red", "green", "yellow", "bold", "dim", "bold red"])),
                   min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(segments=_STYLED, width=st.integers(20, 160))
@example(segments=[("\t", "red")], width=20)  # a tab folded away: rich drops the empty styled span
def test_coloured_text_written_past_rich_is_what_rich_would_write(segments: list[tuple[str, str]],
                                                                  width: int) -> None:
    from rich.text import Text

    from ecsshell.lines import verbatim
    from ecsshell.plain import plain
    from ecsshell.render.text import to_text

    styled = Text()
    for text, style in segments:
        styled.append(plain(text), style=style or None)
    shown = to_text(styled, width=width, color=True)  # what a table or a detail view hands the shell
    written = verbatim((shown,), {}, colour=True)
    if "\t" not in shown:
        assert written is not None
    if written is not None:
        expected = _through_rich((shown,), "Always", width, " ", "\n")
        columns = max(len(line) for text in (written, expected) for line in text.split("\n")) + 1
        rows = max(text.count("\n") for text in (written, expected)) + 2
        assert _screen(written, columns, rows) == _screen(expected, columns, rows)


def _screen(output: str, columns: int, rows: int) -> list[list[tuple[str, str, bool]]]:
    """Return what a COLUMNS x ROWS terminal shows for OUTPUT: each cell's character, colour and boldness (pyte)."""
    import pyte

    screen = pyte.Screen(columns, rows)
    pyte.Stream(screen).feed(output.replace("\n", "\r\n") + "after")  # what follows shows if a colour is left open
    return [[(cell.data, cell.fg, cell.bold) for cell in (screen.buffer[row][col] for col in range(screen.columns))]
            for row in range(screen.lines)]


def test_colour_left_open_by_the_data_is_closed() -> None:
    from ecsshell.lines import verbatim

    assert verbatim(("\x1b[31mERROR disk full",), {}, colour=True) == "\x1b[31mERROR disk full\x1b[0m\n"
    assert verbatim(("\x1b[31mERROR\x1b[0m",), {}, colour=True) == "\x1b[31mERROR\x1b[0m\n"
    assert verbatim(("\x1b[31mERROR\x1b[0m",), {}, colour=False) is None  # rich strips it where colour is off


def test_plain_text_takes_the_shortcut() -> None:
    from ecsshell.lines import verbatim

    assert verbatim(('{\n  "services": []\n}',), {"end": "\n"}) == '{\n  "services": []\n}\n'
    assert verbatim(("a", "b"), {"sep": "-"}) == "a-b\n"


def test_escape_sequences_from_ecs_or_the_user_are_removed(world, ecsshell, small) -> None:
    ecs = world.client("ecs")
    ecs.register_task_definition(family="evil", containerDefinitions=[{
        "name": "app", "image": "nginx:1", "memory": 128,
        "environment": [{"name": "GREETING", "value": "hi\x1b]0;pwned\x07\x1b[2Jthere"}],
        "command": ["echo", "\x1b]52;c;ZWNobw==\x07"]}])
    shown = ecsshell("taskdefs", "evil", "latest")
    assert shown.code == 0, shown.err
    listed = ecsshell("-v", "-c", "ls prod \x1b]0;t\x07nosuch")
    for text in (shown.out, shown.err, listed.out, listed.err):
        assert "\x1b" not in text and "\x07" not in text
    assert "nosuch" in listed.err


# bad input: one line, no traceback, no change -----------------------------------------------------
def test_a_config_file_that_is_not_utf8_is_one_line(world, tmp_path: Path) -> None:
    from harness import run_ecsshell

    (tmp_path / ".config/ecsshell").mkdir(parents=True)
    (tmp_path / ".config/ecsshell/config").write_bytes(b"[main]\nregion = caf\xe9\n")
    result = run_ecsshell(world, tmp_path, "ls")
    assert result.code == 2
    assert len(error_lines(result.err)) == 1 and "not UTF-8" in result.err


@pytest.mark.parametrize("damage", ["truncated", "garbage", "directory", "json"])
def test_a_damaged_history_file_is_left_alone_and_the_shell_starts(world, small, tmp_path: Path,
                                                                  damage: str) -> None:
    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    state = tmp_path / ".local/state/ecsshell"
    state.mkdir(parents=True)
    history = state / "history"
    good = lzma.compress(b'{"history_version": "4.0.0", "history_items": []}')
    if damage == "directory":
        history.mkdir()
    else:
        history.write_bytes({"truncated": good[: len(good) // 2], "garbage": b"not lzma at all",
                             "json": lzma.compress(b"{not json")}[damage])
    before = None if damage == "directory" else history.read_bytes()
    environment = make_environment(world, tmp_path)
    app = EcsShell(environment, Options(), interactive=True)
    try:
        app.onecmd_plus_hooks("ls prod")
        assert app.last_status == 0
    finally:
        app.close()
        app._persist_history()
    warning = error_lines(environment.stderr.getvalue())
    assert len(warning) == 1 and warning[0].startswith("warning: history not used this session")
    if before is not None:
        assert history.read_bytes() == before  # never truncated, never rewritten


def test_history_of_a_fresh_script_is_one_line(ecsshell, small) -> None:
    result = ecsshell("-c", "history 5")
    assert_clean_failure(result, 1)
    assert "no such history item" in result.err


# read-only mode ------------------------------------------------------------------------------------
READ_ONLY_REFUSED = [
    "update prod api :2.5.0 -y",
    "update prod web --env web A=1 -y",
    "rollback prod api -y",
    "scale prod api 5 -y",
    "register sample_task.json",
    "run batch migrate -y",
    "stop prod 0 -y",
]


@pytest.mark.parametrize("line", READ_ONLY_REFUSED)
def test_read_only_refuses_every_change_before_any_call(world, ecsshell, small, line: str) -> None:
    result = ecsshell("--read-only", "-c", line)
    assert_clean_failure(result, 1)
    assert "read-only mode" in result.err and len(error_lines(result.err)) == 1
    assert world.recorder.total == 0  # refused before any call at all


def test_read_only_from_the_config_file_and_as_a_setting_that_stays_on(world, small, tmp_path: Path) -> None:
    from harness import run_ecsshell

    (tmp_path / ".config/ecsshell").mkdir(parents=True)
    (tmp_path / ".config/ecsshell/config").write_text("[main]\nread_only = true\n")
    result = run_ecsshell(world, tmp_path, "scale", "prod", "api", "5")
    assert result.code == 1 and "read-only mode" in result.err
    (tmp_path / ".config/ecsshell/config").write_text("[main]\n")
    turned_on = run_ecsshell(world, tmp_path, stdin="ls prod\nset read_only true\nscale prod api 5\n")
    assert turned_on.code == 1 and "read-only mode" in turned_on.err
    no_way_back = run_ecsshell(world, tmp_path, stdin="set read_only true\nset read_only false\nscale prod api 5\n")
    assert no_way_back.code == 1 and "cannot be turned off" in no_way_back.err
    assert mutating_calls(world) == 0
    assert world.client("ecs").describe_services(cluster="prod", services=["api"])["services"][0][
        "desiredCount"] != 5


def test_read_only_also_holds_at_the_gateway(world, small, tmp_path: Path) -> None:
    from harness import make_environment

    from ecsshell.aws.journal import ReadOnlyRefused
    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    app = EcsShell(make_environment(world, tmp_path), Options(read_only=True), interactive=True)
    try:
        assert app.prompt == "[read-only] ecs> "
        assert "READ-ONLY" in app.get_bottom_toolbar()
        with pytest.raises(ReadOnlyRefused):
            app.gateway.update_service("prod", "api", desired_count=5)
        assert app.gateway.list_clusters()
    finally:
        app.close()
    assert mutating_calls(world) == 0


def test_stop_on_error_off_holds_in_a_script_file_too(world, ecsshell, small, tmp_path: Path) -> None:
    script = tmp_path / "s.ecs"
    script.write_text("set stop_on_error false\ncheck prod nosuch\nscale prod api 4\n")
    result = ecsshell("-f", str(script))
    assert result.code == 1  # the failure still shows in the exit status
    assert world.client("ecs").describe_services(cluster="prod", services=["api"])["services"][0][
        "desiredCount"] == 4


@pytest.mark.parametrize("line", ["history web --bogus", "alias create", "set a b c d", "macro create"])
def test_cmd2s_own_argument_errors_are_one_line_with_status_2(ecsshell, line: str) -> None:
    result = ecsshell("-c", line)
    assert result.code == 2, result.err
    lines = error_lines(result.err)
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err

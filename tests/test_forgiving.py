"""A shell that forgives a hurried hand: flags complete, exit/quit/clear work, typos get a did-you-mean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pexpect
import pytest
from harness import run_ecsshell
from test_pty import Terminal

from ecsshell.emulator import World
from ecsshell.emulator.worlds import small_world


def one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def task_definition(world: World, service: str = "web") -> str:
    ecs = world.client("ecs")
    return str(ecs.describe_services(cluster="prod", services=[service])["services"][0]["taskDefinition"])


@pytest.mark.pty
@pytest.mark.parametrize("command", ["ls", "tasks", "check"])
def test_a_flag_completes_after_a_name_inside_a_scope(terminal: Terminal, command: str) -> None:
    terminal.child.send("use prod\r")
    terminal.wait_for("prod>")
    terminal.child.send(f"{command} web -\t")
    screen = terminal.wait_for("--output")
    assert "cannot list" not in screen and "not found" not in screen, screen
    assert "--help" in screen


@pytest.mark.pty
@pytest.mark.parametrize("word", ["exit", "quit"])
def test_exit_and_quit_leave_the_shell(terminal: Terminal, word: str) -> None:
    terminal.child.send(f"{word}\r")
    terminal.child.expect(pexpect.EOF, timeout=10)
    terminal.child.close()
    assert terminal.child.exitstatus == 0


@pytest.mark.pty
@pytest.mark.parametrize("keys", ["clear\r", "\x0c"])
def test_clear_and_ctrl_l_clear_the_screen(terminal: Terminal, keys: str) -> None:
    terminal.child.send("ls\r")
    terminal.wait_for("sandbox")
    terminal.child.send(keys)
    terminal.pump(1.5)
    rows = [line for line in terminal.text().splitlines() if line.strip()]
    assert rows[0] == "ecs>", terminal.text()  # the prompt at the top, the listing gone
    assert "sandbox" not in terminal.text()


def test_exit_ends_a_script_with_success_and_runs_nothing_after_it(world: World, tmp_path: Path) -> None:
    small_world(world)
    result = run_ecsshell(world, tmp_path, "-c", "exit\nls")
    assert result.code == 0 and result.out == "" and result.err == ""


def test_clear_in_a_script_writes_nothing(world: World, tmp_path: Path) -> None:
    result = run_ecsshell(world, tmp_path, "-c", "clear")
    assert result.code == 0 and result.out == "" and result.err == ""


@pytest.mark.parametrize(("line", "hint"), [
    ("cd prod", "(did you mean `use prod`?)"),
    ("cd ..", "(did you mean `use ..`?)"),
    ("pwd", "(did you mean `use`?)"),
])
def test_cd_suggests_use(world: World, tmp_path: Path, line: str, hint: str) -> None:
    result = run_ecsshell(world, tmp_path, "-c", line)
    assert result.code == 2
    assert one_error(result.err) == f"error: unknown command {line.split()[0]!r} {hint}"
    script = run_ecsshell(world, tmp_path, "-c", f"{line}\nls")
    assert script.code == 2 and script.out == ""  # a script stops there


def test_a_mistyped_one_shot_operation_says_which_it_meant_and_changes_nothing(world: World,
                                                                             tmp_path: Path) -> None:
    small_world(world)
    before = task_definition(world)
    result = run_ecsshell(world, tmp_path, "udpate", "prod", "web", ":1.4.0")
    assert result.code == 2
    assert one_error(result.err) == ("ecsshell: error: unknown operation 'udpate' (did you mean update?) "
                                     "(see ecsshell --help)")
    assert task_definition(world) == before


@pytest.mark.parametrize(("line", "expected"), [
    ("ls prod --evnts 3", "error: ls: unrecognized arguments: --evnts 3 (did you mean --events?) (see `help ls`)"),
    ("check prod web --outptu json", "(did you mean --output?)"),
    ("history --claer", "(did you mean --clear?)"),  # cmd2's own commands too
])
def test_a_mistyped_flag_names_the_flag_meant(world: World, tmp_path: Path, line: str, expected: str) -> None:
    small_world(world)
    result = run_ecsshell(world, tmp_path, "-c", line)
    assert result.code == 2
    assert expected in one_error(result.err)


def test_a_mistyped_wait_flag_changes_nothing(world: World, tmp_path: Path) -> None:
    small_world(world)
    before = task_definition(world)
    result = run_ecsshell(world, tmp_path, "-y", "update", "prod", "web", ":1.4.0", "--wiat")
    assert result.code == 2
    assert "unrecognized arguments: --wiat (did you mean --wait?)" in one_error(result.err)
    assert task_definition(world) == before


@pytest.mark.parametrize(("line", "hint"), [
    ("chekc prod web", " (did you mean check?)"),
    ("exti", " (did you mean exit?)"),
    ("frobnicate", "; type `help` to list commands"),
])
def test_an_unknown_command_in_the_shell_names_the_one_meant(world: World, tmp_path: Path, line: str,
                                                             hint: str) -> None:
    result = run_ecsshell(world, tmp_path, "-c", line)
    assert result.code == 2
    assert one_error(result.err) == f"error: unknown command {line.split()[0]!r}{hint}"


def test_use_of_a_mistyped_cluster_inside_a_scope_names_the_cluster(world: World, tmp_path: Path) -> None:
    small_world(world)
    result = run_ecsshell(world, tmp_path, "-c", "use staging\nuse prdo")
    assert result.code == 1
    assert one_error(result.err) == ('error: service "prdo" not found in cluster "staging"; '
                                     "did you mean the cluster prod (`use /prod`)?")
    service = run_ecsshell(world, tmp_path, "-c", "use staging\nuse wbe")
    assert one_error(service.err) == 'error: service "wbe" not found in cluster "staging" (did you mean: web?)'


def test_the_examples_of_docs_shell_md_run_as_written(world: World, ecsshell: Any) -> None:
    import shlex

    from test_readme import ROOT, expected_status

    small_world(world)
    before = task_definition(world)
    page = (ROOT / "docs" / "shell.md").read_text(encoding="utf-8")
    block = page.split("<!-- shell:", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    lines = block.strip().splitlines()
    examples = [(index, *expected_status(line[2:])) for index, line in enumerate(lines) if line.startswith("$ ")]
    assert len(examples) == 5
    for index, command, status in examples:
        result = ecsshell(*shlex.split(command)[1:])
        assert result.code == status, (command, result.err)
        assert one_error(result.err) == lines[index + 1], command  # the line shown is the line printed
    assert task_definition(world) == before


@pytest.mark.parametrize(("argv", "hint"), [
    (("--demoo",), "unrecognized arguments: --demoo (did you mean --demo?)"),
    (("--reed-only", "ls"), "unrecognized arguments: --reed-only (did you mean --read-only?)"),
])
def test_a_mistyped_global_flag_names_the_flag_meant(world: World, tmp_path: Path, argv: tuple[str, ...],
                                                     hint: str) -> None:
    result = run_ecsshell(world, tmp_path, *argv)
    assert result.code == 2
    assert result.err.splitlines()[0] == f"ecsshell: error: {hint}"

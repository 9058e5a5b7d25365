"""Random command lines through -c and piped stdin: never a traceback, and a failing line changes nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ecsshell.emulator import World

MUTATING = ("RegisterTaskDefinition", "DeregisterTaskDefinition", "UpdateService", "RunTask", "StopTask")

# Commands that finish on their own in a script (no --wait, no --follow, no run of a real family).
COMMANDS = ["ls", "check", "update", "scale", "rollback", "taskdefs", "register", "use", "set", "help",
            "history", "alias create a", "macro create m", "run_script", "@", "!", "shell", "profile", "region",
            "refresh", "run prod nosuchfamily", "stop", "tasks", "logs prod web --since", "scope", "quit",
            "lss", ""]
WORDS = ["prod", "staging", "batch", "nosuch", "web", "api", "payments", "worker", "/", "/prod/web", "..",
         ":1.4.0", "1.4.0", ":", "@sha256:00", "web=:2", ":feat|touch", ">", ">>", "|", "2", "0", "²", "١٢",
         "\uff13", "-1", "2147483648", "100000000000000000000", "1e400", "nan", "inf", "'unclosed", '"', "a:b:c",
         "--dry-run", "--no-such", "-y", "--timeout", "--keep", "--container", "envoy", "--env", "=v",
         "DB_PASSWORD=hunter2", "--unset-env", "--image", "--output", "json", "yaml", "events", "output",
         "bogus", "true", "false", "read_only", "sample_task.json", "/dev/zero", "/nonexistent", "1h",
         "\x1b]0;t\x07", "\x1b[2J", "ü", "-v", "-events", "5", "--launch-type", "FARGATE", "--count", "11",
         "#", "\\", "*", "$HOME", "`id`", "$(id)"]
HOSTILE = st.one_of(st.sampled_from(WORDS),
                    st.text(min_size=1, max_size=12).filter(lambda t: not {";", "\n", "\r"} & set(t)))
# A command, then usually real names (so the line gets past name checks to the values), then hostile words.
LINES = st.builds(
    lambda command, cluster, service, words: " ".join([command, *cluster, *service, *words]).strip(),
    st.sampled_from(COMMANDS),
    st.lists(st.sampled_from(["prod", "staging", "nosuch"]), max_size=1),
    st.lists(st.sampled_from(["web", "api", "worker", "nosuch"]), max_size=1),
    st.lists(HOSTILE, max_size=4),
)
# The lines the issue reproduced, always tried first.
KNOWN = ["scale prod web \u00b2", "scale prod web 2147483648", "scale prod web 100000000000000000000",
         "update prod web 1.4.0", "update prod web --timeout nan :1", "taskdefs web a:b:c", "taskdefs web \u00b2",
         "rollback prod web \u00b2", "register /dev/zero", "history 5", "set events -1", "set output yaml",
         "update prod api :feat|touch /tmp/ecsshell-fuzz", "ls 'unclosed", "region web", "help nosuch",
         "update prod web --env web =hunter2", "run prod migrate --count \uff13", "scale prod web \u0661\u0662"]


def known_examples(test):  # type: ignore[no-untyped-def]
    """Try each line the issue reproduced before the random ones."""
    for line in KNOWN:
        test = example(line=line)(test)
    return test


FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def check(world: World, result: Any, line: str) -> None:
    assert "Traceback" not in result.err and "internal error" not in result.err, (line, result.err)
    assert result.code in (0, 1, 2, 3, 130), (line, result.code, result.err)
    assert "\x1b" not in result.out + result.err, line
    assert "hunter2" not in result.out + result.err, line
    if result.code:
        assert sum(world.recorder.calls[op] for op in MUTATING) == 0, (line, world.recorder.snapshot())
        assert result.err.strip(), line  # a failure always says why


@FUZZ
@known_examples
@given(line=LINES)
def test_random_lines_through_dash_c(world, ecsshell, small, line: str) -> None:
    world.recorder.reset()
    result = ecsshell("-c", line)
    check(world, result, line)
    if line in KNOWN:
        assert result.code, line  # each of these must fail, and changed nothing


@FUZZ
@known_examples
@given(line=LINES)
def test_random_lines_through_piped_stdin(world, ecsshell, small, line: str) -> None:
    world.recorder.reset()
    result = ecsshell(stdin=f"{line}\nscale prod worker 7\n")
    check(world, result, line)
    if result.code:
        assert "stopped at line 1" in result.err, (line, result.err)


# The newer surfaces (issue 21): follows, watch, exec, promote, diff, --query and the fan-out flags. A follow
# never ends by itself, so the clock ends it: after a few polls the sleep is interrupted, as Ctrl-C would.
NEWER = ["logs", "logs prod web", "logs prod web --follow", "logs prod web -f --since", "watch", "watch --count 2",
         "watch -n", "watch ls", "watch logs prod web", "exec", "exec --force", "exec prod web --force",
         "promote", "promote /staging/web /prod/web --dry-run", "promote staging:/staging/web", "diff",
         "diff prod web", "diff /staging/web /prod/web", "ls --profiles", "ls --regions", "tasks --regions",
         "check --profiles", "taskdefs --regions", "ls --query", "check prod web --query", "tasks prod --query"]
NEWER_WORDS = ["--query", "'a|a'", "&foo", "\"to_number('1e400')\"", "length(@)", "[0]", "'[*].name'", "@",
               "--profiles", "--regions", "staging,prod", "nosuch", "eu-west-1,us-west-2", "us-east-1", ",",
               "--follow", "-f", "--fol", "--foll", "--count", "-n", "0.01", "0.1", "2", "--force", "--tag",
               "--container", "envoy", "staging:/prod/web", "@eu-west-1:/prod/web", "nosuch@us-east-1:/prod/web",
               "@:/prod/web", "/prod/web", "/staging/web", "--since", "5m", "1h", "--output", "jsonl", "json",
               "--dry-run", "-y", "'a|'", "'length(length(@))'", "\x1b]0;t\x07", "DB_PASSWORD=hunter2"]
NEWER_LINES = st.builds(
    lambda command, words: " ".join([command, *words]).strip(),
    st.sampled_from(NEWER),
    st.lists(st.one_of(st.sampled_from(NEWER_WORDS), st.sampled_from(WORDS)), max_size=4),
)
NEWER_KNOWN = ["watch --count 2 logs prod web --fol", "logs prod web --follow", "watch ls prod",
               "exec prod web --force", "ls --query '&foo'", "ls --regions eu-west-1,us-west-2 --query '[0]'"]
AFTER = "scale prod worker 7"
POLLS = 3


def interrupting_sleep(world: World) -> Any:
    """Return a sleep that advances emulated time, and after POLLS sleeps is interrupted (a Ctrl-C)."""
    slept = [0]

    def sleep(seconds: float) -> None:
        slept[0] += 1
        if slept[0] > POLLS:
            raise KeyboardInterrupt
        world.advance(seconds)

    return sleep


def newer_examples(test):  # type: ignore[no-untyped-def]
    """Try each line the issue reproduced before the random ones."""
    for line in NEWER_KNOWN:
        test = example(line=line)(test)
    return test


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@newer_examples
@given(line=NEWER_LINES)
def test_random_lines_of_the_newer_surfaces(world, small, tmp_path_factory, line: str) -> None:
    from harness import run_ecsshell

    _newer_line(world, tmp_path_factory, run_ecsshell, line)
    if line in NEWER_KNOWN[:2]:
        assert world.recorder.calls["FilterLogEvents"] == (0 if "--fol " in f"{line} " else POLLS + 1), line


def _newer_line(world: World, tmp_path_factory: Any, run_ecsshell: Any, line: str) -> None:
    world.recorder.reset()
    home = tmp_path_factory.mktemp("fuzz")
    result = run_ecsshell(world, home, "-c", f"{line}; {AFTER}", sleep=interrupting_sleep(world),
                          extra={"PATH": str(home)})  # no session-manager-plugin: exec stops before any session
    if result.code == 130:  # a follow, a watch: the run stopped there, and nothing after it ran
        assert result.err.strip().splitlines()[-1].startswith("interrupted: nothing after this command runs"), \
            (line, result.err)
        assert world.recorder.calls["UpdateService"] == 0, line
    check(world, result, line)
    if result.code == 0:
        assert world.recorder.calls["UpdateService"] >= 1, line  # the line after a success ran

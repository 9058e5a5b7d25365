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
    assert result.code in (0, 1, 2, 3), (line, result.code, result.err)
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

"""Numbers and revisions typed by the user: ASCII digits only, bounded by ECS, never sent wrong."""

from __future__ import annotations

import pytest
from harness import run_ecsshell
from hypothesis import given
from hypothesis import strategies as st
from test_deploy import revision_of, revisions, service

from ecsshell.commands import numbers

# superscript two, Arabic-Indic 12, fullwidth 3, Arabic-Indic 3, bold 9, Roman twelve, and ASCII look-alikes
NOT_ASCII = ["²", "\u0661\u0662", "\uff13", "\u0663", "\U0001d7d7", "\u216b",
             "1_000", " 1", "+1", "-1", "0x10", "1e3", ""]




# the parsers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", NOT_ASCII)
def test_only_ascii_digits_make_a_number(text: str) -> None:
    with pytest.raises(numbers.NumberError, match="digits 0-9"):
        numbers.whole(text, "N")


@given(st.integers(min_value=0, max_value=numbers.INT32_MAX))
def test_every_32_bit_count_round_trips(n: int) -> None:
    assert numbers.desired_count(str(n)) == n


@pytest.mark.parametrize("text", [str(2**31), str(10**20)])
def test_counts_beyond_32_bits_are_refused_naming_the_limit(text: str) -> None:
    with pytest.raises(numbers.NumberError, match=r"at most 2147483647 .*32-bit"):
        numbers.desired_count(text)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "-1", "0", "1e400", "1e3", "²",
                                  "\u0661\u0660m", "8d", "200h", "m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(numbers.NumberError):
        numbers.duration(text)


@pytest.mark.parametrize(("text", "seconds"), [("90", 90.0), ("90s", 90.0), ("1.5m", 90.0), ("10M", 600.0),
                                               ("1h", 3600.0)])
def test_good_durations(text: str, seconds: float) -> None:
    assert numbers.duration(text) == seconds


@pytest.mark.parametrize("text", ["web:", "a:b:c", "web:²", "web:0", ":3", f"web:{2**31}"])
def test_bad_task_definition_refs_are_refused(text: str) -> None:
    with pytest.raises(numbers.NumberError):
        numbers.task_definition_ref(text)


@pytest.mark.parametrize("text", ["web", "web:3", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"])
def test_good_task_definition_refs_pass(text: str) -> None:
    assert numbers.task_definition_ref(text) == text


# end to end: a usage error, status 2, nothing sent -------------------------------------------------
CHANGES = ("RegisterTaskDefinition", "UpdateService", "RunTask", "DeregisterTaskDefinition")


@pytest.mark.parametrize(("argv", "needle"), [
    (("scale", "prod", "web", "²"), "digits 0-9"),
    (("scale", "prod", "web", "\uff13"), "digits 0-9"),
    (("scale", "prod", "web", str(2**31)), "at most 2147483647"),
    (("scale", "prod", "web", str(10**20)), "32-bit"),
    (("rollback", "prod", "web", "²"), "digits 0-9"),
    (("rollback", "prod", "web", "\u0661\u0662"), "digits 0-9"),
    (("taskdefs", "web", "²"), "digits 0-9"),
    (("taskdefs", "web:²"), "digits 0-9"),
    (("taskdefs", "web:a:b"), "digits 0-9"),
    (("run", "prod", "web:"), "FAMILY:REVISION"),
    (("run", "prod", "a:b:c"), "FAMILY:REVISION"),
    (("run", "prod", "web:²"), "digits 0-9"),
])
def test_bad_positional_numbers_never_reach_the_api(world, home, small, argv: tuple[str, ...], needle: str) -> None:
    before = service(world, "prod", "web")
    result = run_ecsshell(world, home, *argv, "-y") if argv[0] != "taskdefs" else run_ecsshell(world, home, *argv)
    assert result.code == 2, result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], result.err
    assert not any(world.recorder.calls[op] for op in CHANGES)
    assert world.recorder.calls["DescribeTaskDefinition"] == 0
    after = service(world, "prod", "web")
    assert (after["desiredCount"], after["taskDefinition"]) == (before["desiredCount"], before["taskDefinition"])


@pytest.mark.parametrize("argv", [
    ("update", "prod", "web", ":1.6.0", "--timeout", "nan"),
    ("update", "prod", "web", ":1.6.0", "--timeout", "inf"),
    ("update", "prod", "web", ":1.6.0", "--timeout", "-1"),
    ("update", "prod", "web", ":1.6.0", "--timeout", "1e400"),
    ("update", "prod", "web", ":1.6.0", "--deregister-old", "--keep", "²"),
    ("scale", "prod", "web", "2", "--timeout", "\u0661\u0660"),
    ("run", "prod", "web", "--count", "\uff13"),
    ("run", "prod", "web", "--count", "11"),
    ("run", "prod", "web", "--count", "0"),
    ("ls", "prod", "-events", "\u0661\u0662"),
    ("logs", "prod", "web", "--since", "nan"),
])
def test_bad_option_numbers_are_usage_errors(world, home, small, argv: tuple[str, ...]) -> None:
    extra = ("-y",) if argv[0] not in ("ls", "logs") else ()
    result = run_ecsshell(world, home, *argv, *extra)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and ": argument " in lines[0], result.err
    assert world.recorder.total == 0  # refused before any call
    assert revisions(world, "web") == ["web:1", "web:2", "web:3"]
    assert revision_of(service(world, "prod", "web")["taskDefinition"]) == "web:3"

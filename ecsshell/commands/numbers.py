"""Numbers and revisions typed by the user: ASCII digits only, within what ECS accepts."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

INT32_MAX = 2**31 - 1  # ECS's Integer fields (desiredCount, revision) are 32-bit
RUN_TASK_MAX = 10  # RunTask starts at most 10 tasks a call
DURATION_MAX = 7 * 24 * 3600.0  # a week: longer waits are typing mistakes
_WHOLE = re.compile(r"[0-9]+")
_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)([smhdw]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class NumberError(argparse.ArgumentTypeError):
    """A number or revision the user typed that ECS would not accept."""


def whole(text: str, what: str, low: int = 0, high: int = INT32_MAX, limit: str = "") -> int:
    """Parse TEXT as a whole number of ASCII digits between LOW and HIGH (LIMIT names who says so)."""
    if not _WHOLE.fullmatch(text):
        raise NumberError(f"{what} must be a whole number written with the digits 0-9, not {text!r}")
    value = int(text)
    because = f" ({limit})" if limit else ""
    if value < low:
        raise NumberError(f"{what} must be at least {low}{because}, not {text}")
    if value > high:
        raise NumberError(f"{what} must be at most {high}{because}, not {text}")
    return value


def desired_count(text: str) -> int:
    """Parse a service's desired task count."""
    return whole(text, "COUNT", 0, INT32_MAX, "the largest desiredCount ECS accepts, a 32-bit integer")


def revision(text: str) -> int:
    """Parse a task definition revision number."""
    return whole(text, "REVISION", 1, INT32_MAX, "ECS revisions are 32-bit integers from 1")


def task_definition_ref(text: str) -> str:
    """Check FAMILY, FAMILY:REVISION or a task definition ARN; return it unchanged."""
    if text.startswith("arn:"):
        return text
    family, sep, rev = text.partition(":")
    if not family:
        raise NumberError(f"{text!r} names no family: use FAMILY or FAMILY:REVISION")
    if sep and (":" in rev or not rev):
        raise NumberError(f"{text!r} is not FAMILY:REVISION (one colon, then a revision number)")
    if sep:
        revision(rev)
    return text


def seconds(text: str, examples: str = "90, 90s, 10m, 1h or 2d") -> float:
    """Parse a number with an optional unit (s, m, h, d, w) into seconds; EXAMPLES say what to type instead."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise NumberError(f"not a duration: {text!r} (use {examples})")
    return float(match.group(1)) * _UNITS[match.group(2)]


def duration(text: str) -> float:
    """Parse 90, 90s, 1.5m, 10m, 1h or 2d into seconds: positive, finite, at most a week."""
    value = seconds(text, "90, 90s, 10m or 1h")
    if value <= 0:
        raise NumberError("a duration must be positive")
    if value > DURATION_MAX:
        raise NumberError(f"a duration must be at most {int(DURATION_MAX // 3600)}h, not {text!r}")
    return value


def interval(flag: str, least: float) -> Callable[[str], float]:
    """Return an argparse type for FLAG: a duration of at least LEAST seconds."""
    def parse(text: str) -> float:
        value = duration(text)
        if value < least:
            raise NumberError(f"{flag} must be at least {least:g}s, not {text!r}")
        return value

    parse.__name__ = flag
    return parse


def option(what: str, low: int = 0, high: int = INT32_MAX, limit: str = "") -> Callable[[str], int]:
    """Return an argparse type for an int option WHAT between LOW and HIGH."""
    def parse(text: str) -> int:
        return whole(text, "the value", low, high, limit)

    parse.__name__ = what
    return parse

"""The clock ages are counted on: the wall clock, or the one the environment gives (a test world's emulated time).

A leaf of the standard library only, so the shell sets it at start-up without loading any renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token
from datetime import UTC, datetime

_CLOCK: ContextVar[Callable[[], datetime]] = ContextVar("ecsshell_clock", default=lambda: datetime.now(UTC))


def use_clock(clock: Callable[[], datetime]) -> Token[Callable[[], datetime]]:
    """Count the ages tables show on CLOCK from now on (in this context); return the token that undoes it."""
    return _CLOCK.set(clock)


def restore_clock(token: Token[Callable[[], datetime]]) -> None:
    """Count on the clock used before TOKEN's `use_clock` again."""
    _CLOCK.reset(token)


def now() -> datetime:
    """Return the time by the clock in use."""
    return _CLOCK.get()()

"""The process's surroundings (streams, variables, folders, clock), injectable for tests."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TextIO


def is_tty(stream: IO[str]) -> bool:
    """Say whether STREAM is a terminal (False for anything that cannot tell)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


@dataclass
class Environment:
    """Everything ecsshell reads from the outside world, so tests can substitute it."""

    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # the clock ages are counted on
    stdin_isatty: bool | None = None
    stdout_isatty: bool | None = None

    def __post_init__(self) -> None:
        if self.stdin_isatty is None:
            self.stdin_isatty = is_tty(self.stdin)
        if self.stdout_isatty is None:
            self.stdout_isatty = is_tty(self.stdout)

    @property
    def interactive(self) -> bool:
        """Say whether a person sits at both ends (stdin and stdout are terminals)."""
        return bool(self.stdin_isatty and self.stdout_isatty)

    @property
    def color(self) -> bool:
        """Say whether output may carry colour (a terminal, and NO_COLOR unset)."""
        return bool(self.stdout_isatty) and "NO_COLOR" not in self.env and self.env.get("TERM") != "dumb"

    def terminal_width(self) -> int | None:
        """Return the terminal's width, or None when output goes to a pipe or file."""
        if not self.stdout_isatty:
            return None
        if self.env.get("COLUMNS", "").isdigit():
            return int(self.env["COLUMNS"])
        try:
            return os.get_terminal_size(self.stdout.fileno()).columns
        except (OSError, AttributeError, ValueError):
            return 80

    def _xdg(self, variable: str, fallback: str) -> Path:
        base = self.env.get(variable) or str(Path(self.env.get("HOME", str(Path.home()))) / fallback)
        return Path(base) / "ecsshell"

    @property
    def config_dir(self) -> Path:
        return self._xdg("XDG_CONFIG_HOME", ".config")

    @property
    def state_dir(self) -> Path:
        return self._xdg("XDG_STATE_HOME", ".local/state")

    @property
    def cache_dir(self) -> Path:
        return self._xdg("XDG_CACHE_HOME", ".cache")

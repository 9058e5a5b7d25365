"""Show text taller than the terminal through a pager ($PAGER, default `less -FRX`), or say it could not.

The caller decides when paging is wanted (a person at a terminal, the setting on); this module only
runs the pager and reports whether the text reached the screen through it, so a missing or failing
pager never loses output: the caller prints the text itself then.
"""

from __future__ import annotations

import contextlib
import shlex
import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping
from typing import IO

DEFAULT_PAGER = "less -FRX"


def pager_command(env: Mapping[str, str]) -> list[str]:
    """Return the pager to run: $PAGER split as a shell would, `less -FRX` when unset; [] when PAGER is empty."""
    text = env.get("PAGER", DEFAULT_PAGER)
    try:
        return shlex.split(text)
    except ValueError:
        return []


def crop(text: str, rows: int) -> str:
    """Return TEXT cut to ROWS rows, its last row saying how many were left out (watch on a short terminal)."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) <= rows:
        return text
    kept = max(1, rows - 1)
    return "\n".join([*lines[:kept], f"... {len(lines) - kept} more lines (the terminal is too short to show them)"])


def taller_than(text: str, lines: int | None) -> bool:
    """Say whether TEXT needs more rows than a terminal of LINES rows shows with the prompt below it."""
    return lines is not None and text.count("\n") + 2 > lines


@contextlib.contextmanager
def _sigint_to_the_pager() -> Iterator[None]:
    """Let Ctrl-C go to the pager alone while it runs (not SIG_IGN: the pager would inherit that)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def page(text: str, command: list[str], stdout: IO[str], env: Mapping[str, str]) -> bool:
    """Run COMMAND with TEXT on its input and the terminal STDOUT as its output; True if it showed the text."""
    if not command:
        return False
    try:
        stdout.flush()
        fileno = stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return False
    data = (text.rstrip("\n") + "\n").encode("utf-8", "replace")
    with _sigint_to_the_pager():
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=fileno, env=dict(env))
        except (OSError, ValueError):
            return False  # no such pager, not executable: print instead
        try:
            process.communicate(data)  # a pager quit early (q) closes its input: that is not a failure
        except OSError:
            process.wait()
    return process.returncode == 0

"""Carry out what a user asks of ECS (deploy, roll back, scale, check, run, read logs, diff, promote) with no I/O.

Each module is one use case: it takes a gateway that satisfies `gateway.Gateway` (the protocol lists
every call the operations make), decides what to do, and returns frozen results; progress goes to the
callbacks it is given. Commands parse, call one operation and present what it returns.

They may import ecsshell's model, images, queries, secrets and errors, and each other; never cmd2,
commands, shell, render, presenter, or aws at run time (tests/test_layers.py checks).
"""

from __future__ import annotations


class OperationError(Exception):
    """An operation refused or could not finish what was asked: one line for the user, and an exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code

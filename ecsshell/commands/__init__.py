"""ecsshell's commands, one cmd2 CommandSet per area: browse, deploy, drift, task definitions, tasks, demo.

A command parses its arguments, calls the gateway or an operation, and hands what it got to the
presenter. It stands on the `CommandContext` protocol (`context.py`) and the leaf `plumbing.py`
(its error, its parser, the `@mutating` mark), never on the shell. The package may import the
model, scope, presenter, render, operations, images and secrets, and `aws` for types; never
`ecsshell.shell` or `ecsshell.cli` (tests/test_layers.py checks, and finds no import circle).
"""

from __future__ import annotations

from cmd2 import CommandSet


def all_command_sets() -> list[CommandSet]:
    """Return a fresh instance of every command set."""
    from .browse import BrowseCommands
    from .demo import DemoCommands
    from .deploy import DeployCommands
    from .deployments import DeploymentCommands
    from .diagnose import DiagnoseCommands
    from .drift import DriftCommands
    from .forward import ForwardCommands
    from .identity import IdentityCommands
    from .login import LoginCommands
    from .metrics import MetricsCommands
    from .schedules import ScheduleCommands
    from .task_views import TaskViewCommands
    from .taskdefs import TaskDefinitionCommands
    from .tasks import TaskCommands
    from .trace import TraceCommands
    from .verify import VerifyCommands
    from .watch import WatchCommands

    return [
        BrowseCommands(), DeployCommands(), DeploymentCommands(), DriftCommands(), TaskDefinitionCommands(),
        TaskCommands(), TaskViewCommands(), DiagnoseCommands(), DemoCommands(), WatchCommands(),
        ForwardCommands(),
        TraceCommands(),
        LoginCommands(),
        IdentityCommands(),
        ScheduleCommands(),
        VerifyCommands(),
        MetricsCommands(),
    ]

"""ecsshell's commands, one CommandSet per area."""

from __future__ import annotations

from cmd2 import CommandSet


def all_command_sets() -> list[CommandSet]:
    """Return a fresh instance of every command set."""
    from .browse import BrowseCommands
    from .demo import DemoCommands
    from .deploy import DeployCommands
    from .taskdefs import TaskDefinitionCommands
    from .tasks import TaskCommands

    return [BrowseCommands(), DeployCommands(), TaskDefinitionCommands(), TaskCommands(), DemoCommands()]

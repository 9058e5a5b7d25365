"""Run ecsshell as `python -m ecsshell`."""

from .cli import console

console()

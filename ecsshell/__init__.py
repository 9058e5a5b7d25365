"""ecsshell: an interactive shell and one-shot command runner for Amazon ECS."""

__version__ = "0.1.0"

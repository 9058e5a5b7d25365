"""Global options: the flags given on the command line, merged over the config file."""

from __future__ import annotations

from dataclasses import dataclass

OUTPUT_FORMATS = ("text", "json")  # what --output and the output setting accept


@dataclass
class Options:
    """What the global flags (and the config file beneath them) asked for."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    output: str = "text"
    verbose: bool = False
    elb: bool = False
    events: int = 0
    show_secrets: bool = False
    yes: bool = False
    color: bool = True
    confirm: bool = True
    wait: bool | None = None  # None: wait in the interactive shell, not in scripts (ecsman's way)
    demo: bool = False
    read_only: bool = False  # refuse every command that changes ECS
    allow_shell: bool = False  # shell escapes, pipes and redirection outside the interactive shell

"""The narrow, typed context a command stands on: what it may use of the session, and nothing more.

The shell implements it; commands see only this protocol (never the shell), so every way a command
touches the session is listed here.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Protocol

from cmd2 import Choices

if TYPE_CHECKING:
    from ..aws.gateway import Gateway
    from ..environment import Environment
    from ..presenter import Presenter, View
    from ..scope import Scope
    from ..target_gateways import TargetGateways
    from ..targets import Target


class Names(Protocol):
    """The completion names cache, as commands see it: served, refetched, forgotten."""

    def choices(self, *key: str) -> Choices: ...

    def invalidate(self, *key: str) -> None: ...

    def clear(self) -> None: ...

    def prefetch(self, *key: str) -> None: ...

    def prefetch_services(self, cluster: str) -> None: ...

    def listing(self) -> bool: ...


class CommandContext(Protocol):
    """Everything a command may reach: AWS, the scope, the view, the presenter, confirmation, status."""

    @property
    def gateway(self) -> Gateway: ...

    @property
    def scope(self) -> Scope: ...

    @property
    def environment(self) -> Environment: ...

    @property
    def presenter(self) -> Presenter: ...

    @property
    def names(self) -> Names: ...

    @property
    def wait(self) -> bool: ...

    @property
    def asks_confirmation(self) -> bool: ...

    def view(self, args: argparse.Namespace | None = None) -> View: ...

    def confirmed(self, question: str) -> bool: ...

    def fail(self, message: str, code: int = 1) -> None: ...

    def mark_failed(self, code: int = 1) -> None: ...

    def set_scope(self, scope: Scope) -> None: ...

    def switch(self, *, profile: str | None = None, region: str | None = None, source: str = "") -> None: ...

    def where(self, *, ask: bool = True) -> str:
        """Return the session's profile, account (ASK: from STS if not known yet) and Region, in one line."""
        ...

    def command_category(self, name: str) -> str | None: ...

    def changes_ecs(self, name: str) -> bool: ...

    def run_watched(self, words: list[str]) -> int: ...
    # targets (issue 14): another profile or Region, and the fan-out settings --------------------
    def gateway_for(self, target: Target | None) -> Gateway:
        """Return TARGET's gateway (the session's for None), made on first use and kept."""
        ...

    def aim(self, target: Target | None) -> None:
        """Make `gateway` TARGET's until the command ends (None: the session's)."""
        ...

    @property
    def aimed_at(self) -> Target | None: ...

    def names_for(self, target: Target | None) -> Names:
        """Return the completion names of TARGET (the session's for None)."""
        ...

    def fleet(self, profiles: str | None = None, regions: str | None = None) -> list[Target]:
        """Return the targets PROFILES and REGIONS (flag values, else the settings) fan out to; [] for none."""
        ...

    @property
    def fleet_sessions(self) -> TargetGateways:
        """Return the session's identities and target gateways (a fan-out's sessions, Regions and accounts)."""
        ...

"""The gateways a session keeps for other targets (profiles and Regions), and the fan-out settings.

One gateway per (profile, Region), made on first use and kept until the session switches profile or
Region; every gateway of the session, its own included, holds one shared semaphore around each call,
so a fan-out over many targets is bounded overall, not per target.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .targets import ALL, Target, split_list

if TYPE_CHECKING:
    from .aws.gateway import Gateway
    from .completion import CompletionCache
    from .environment import Environment
    from .options import Options
    from .scope import Scope


class Owner(Protocol):
    """What the target gateways need of the session (the shell)."""

    @property
    def scope(self) -> Scope: ...

    @property
    def options(self) -> Options: ...

    @property
    def environment(self) -> Environment: ...

    @property
    def read_only(self) -> bool: ...

    @property
    def session_gateway(self) -> Gateway: ...

    def redraw(self) -> None: ...


def parse_profiles(value: str) -> list[str]:
    """Return the profile names of a `--profiles` value or setting."""
    return split_list(value)


def parse_regions(value: str) -> list[str]:
    """Return the Region names of a `--regions` value or setting; `all` is every Region where ECS is offered."""
    names = split_list(value)
    if ALL not in names:
        return names
    from .aws.session import known_regions

    return list(dict.fromkeys([*(n for n in names if n != ALL), *known_regions()]))


def regions_type(value: str) -> str:
    """Read the `regions` setting: Region names (or all), comma-separated; empty for the session's own."""
    from .aws.session import REGION_NAME

    names = split_list(value)
    wrong = [n for n in names if n != ALL and not REGION_NAME.fullmatch(n)]
    if wrong:
        raise ValueError(f"{wrong[0]!r} is not an AWS Region name (like us-east-1), nor all")
    return ",".join(names)


def profiles_type(value: str) -> str:
    """Read the `profiles` setting: profile names, comma-separated; empty for the session's own."""
    return ",".join(split_list(value))


def fleet_label(profiles: str, regions: str) -> str:
    """Return the fan-out settings as the prompt shows them, in the path syntax: `staging,prod@all`."""
    if not (profiles or regions):
        return ""
    return f"{profiles}{'@' + regions if regions else ''}"


class TargetGateways:
    """The session's gateways of other targets, the completion names of each, and the call bound they share."""

    def __init__(self, owner: Owner, max_calls: int | None = None) -> None:
        from .aws.session import Settings

        self._owner = owner
        self._lock = threading.Lock()
        self._gateways: dict[Target, Gateway] = {}
        self._names: dict[Target, CompletionCache] = {}
        self.gate = threading.BoundedSemaphore(max_calls or Settings().max_workers)
        self.aimed: Gateway | None = None  # the command's target (see EcsShell.aim), reset after each command
        self.aimed_at: Target | None = None  # that target as the path named it

    def place(self, target: Target) -> Target:
        """Return TARGET with the session's profile and Region filled in where it leaves them."""
        scope = self._owner.scope
        return Target(target.profile or scope.profile, target.region or scope.region)

    def gateway(self, target: Target | None) -> Gateway:
        """Return TARGET's gateway: the session's when it is the session's place, else one made and kept."""
        owner = self._owner
        if target is None or target.is_session:
            return owner.session_gateway
        place = self.place(target)
        if place == Target(owner.scope.profile, owner.scope.region):
            return owner.session_gateway
        with self._lock:
            gateway = self._gateways.get(place)
            if gateway is None:
                gateway = self._connect(place)
                self._gateways[place] = gateway
            return gateway

    def _connect(self, place: Target) -> Gateway:
        from .aws.cache import open_cache
        from .aws.errors import ConfigError
        from .aws.gateway import Gateway
        from .aws.session import Settings, endpoint_url, known_regions

        if place.region and place.region not in known_regions():
            raise ConfigError(f"unknown Region {place.region!r}: botocore's endpoint data has no ECS there")
        owner = self._owner
        settings = Settings(profile=place.profile, region=place.region, endpoint_url=owner.options.endpoint_url,
                            profile_source="a target's profile")
        env = owner.environment.env
        cache = open_cache(Path(owner.environment.cache_dir), env, endpoint_url(settings, env))
        gateway = Gateway.connect(settings, env, cache, gate=self.gate)
        gateway.read_only = owner.read_only
        return gateway

    def names(self, target: Target) -> CompletionCache:
        """Return TARGET's completion names, fetched through its gateway."""
        from .completion import CompletionCache

        place = self.place(target)
        with self._lock:
            cache = self._names.get(place)
            if cache is None:
                cache = CompletionCache(lambda: self.gateway(place), on_change=self._owner.redraw)
                self._names[place] = cache
            return cache

    def set_read_only(self, value: bool) -> None:
        with self._lock:
            for gateway in self._gateways.values():
                gateway.read_only = value

    def clear_changes(self) -> None:
        with self._lock:
            for gateway in self._gateways.values():
                gateway.changes.clear()

    def close(self) -> None:
        """Close every kept gateway and names cache (after a profile or Region switch, or at the end)."""
        with self._lock:
            gateways, names = list(self._gateways.values()), list(self._names.values())
            self._gateways.clear()
            self._names.clear()
        for cache in names:
            cache.close()
        for gateway in gateways:
            gateway.close()

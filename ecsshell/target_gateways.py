"""The gateways a session keeps for other targets (profiles, accounts and Regions), and the fan-out settings.

One botocore session per identity (a profile, or a role assumed in an account: one AssumeRole), made on
first use and shared by every Region of it. A target named in a path keeps its gateway until the session
switches profile or Region; a fan-out target's gateway (`fleet_gateway`) is released when the target is
done, so a thousand targets hold a thousand clients only while they run. Every gateway of the session,
its own included, holds one shared semaphore around each call, so a fan-out over many targets is bounded
overall, not per target.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .targets import ALL, DEFAULT_ROLE, Target, split_list

if TYPE_CHECKING:
    from .aws.cache import TaskDefinitionCache
    from .aws.fleets import Identity, OrgAccount
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
    """Return the Region names of a `--regions` value or setting; `all` stays, for each account's enabled Regions."""
    return split_list(value)


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
        from .aws.fleets import CallBound, Identities

        self.gate: AbstractContextManager[Any] = CallBound(max_calls or Settings().max_workers)

        self.identities = Identities()  # one botocore session per profile or assumed account, for the session
        self._regions: dict[tuple[str, str | None, str | None], tuple[list[str], str]] = {}  # enabled, per identity
        self._caches: dict[str | None, TaskDefinitionCache | None] = {}  # one per ECS endpoint
        self._caches_lock = threading.Lock()
        self._own_account: str | None = None
        self._offered: frozenset[str] | None = None
        self.aimed: Gateway | None = None  # the command's target (see EcsShell.aim), reset after each command
        self.aimed_at: Target | None = None  # that target as the path named it

    def place(self, target: Target) -> Target:
        """Return TARGET with the session's profile and Region filled in where it leaves them."""
        import dataclasses

        scope = self._owner.scope
        profile = None if target.account else target.profile or scope.profile  # an account: the session's keys
        return dataclasses.replace(target, profile=profile, region=target.region or scope.region)

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
        from .aws.errors import ConfigError

        if place.region and place.region not in self.offered():
            raise ConfigError(f"unknown Region {place.region!r}: botocore's endpoint data has no ECS there")
        identity = self.identity(place)
        return self._gateway_in(identity, place.region or identity.region)

    def offered(self) -> frozenset[str]:
        """Return the Regions where ECS is offered (botocore's endpoint data), read once: 8 ms each time."""
        with self._caches_lock:
            if self._offered is None:
                from .aws.session import known_regions

                self._offered = frozenset(known_regions())
            return self._offered

    def fleet_gateway(self, target: Target) -> tuple[Gateway, bool]:
        """Return a gateway for a fan-out TARGET, and whether it is the target's own (`release()` it when done).

        The session's own place is the session's gateway; any other is made on its identity's shared session.
        """
        owner = self._owner
        place = self.place(target)
        if place == Target(owner.scope.profile, owner.scope.region):
            return owner.session_gateway, False
        return self._connect(place), True

    def identity(self, place: Target) -> Identity:
        """Return the session of PLACE's identity (its profile, or its account's role), made once per session."""
        from .aws.fleets import assumed_identity, profile_identity
        from .aws.session import Settings

        owner = self._owner
        env = owner.environment.env
        if place.account and place.account == self.own_account():  # no role to assume into one's own account
            place = Target(owner.scope.profile, place.region)
        if place.account:
            role = place.role or DEFAULT_ROLE
            settings = Settings(region=place.region, endpoint_url=owner.options.endpoint_url)
            return self.identities.get(("account", place.account, role), lambda: assumed_identity(
                owner.session_gateway.session, settings, env, place.account or "", role,
                place.region or owner.session_gateway.region))
        settings = Settings(profile=place.profile, region=place.region, endpoint_url=owner.options.endpoint_url,
                            profile_source="a target's profile")
        return self.identities.get(("profile", place.profile), lambda: profile_identity(settings, env))

    def own_account(self) -> str:
        """Return the account the session's own credentials act in (asked of STS once; "" if it would not say)."""
        from .aws.account import account_id
        from .aws.errors import AwsError

        with self._caches_lock:
            known = self._own_account
        if known is None:
            try:
                known = account_id(self._owner.session_gateway)
            except AwsError:
                known = ""
            with self._caches_lock:
                self._own_account = known
        return known

    def _gateway_in(self, identity: Identity, region: str) -> Gateway:
        import dataclasses

        from .aws.gateway import Gateway, retry_settings

        env = self._owner.environment.env
        settings = retry_settings(dataclasses.replace(identity.settings, region=region), env)
        gateway = Gateway(identity.session.in_region(region), region, identity.endpoints.get("ecs"), settings,
                          description=identity.description, endpoints=identity.endpoints,
                          cache=self._cache(identity.endpoints.get("ecs")), gate=self.gate)
        gateway.read_only = self._owner.read_only
        return gateway

    def _cache(self, endpoint: str | None) -> TaskDefinitionCache | None:
        from .aws.cache import open_cache

        with self._caches_lock:  # not self._lock: `gateway` holds that one while it connects
            if endpoint not in self._caches:
                environment = self._owner.environment
                self._caches[endpoint] = open_cache(Path(environment.cache_dir), environment.env, endpoint)
            return self._caches[endpoint]

    def enabled_regions(self, place: Target) -> tuple[list[str], str]:
        """Return the Regions PLACE's identity has enabled (those where ECS is offered), and where that was read.

        Asked once per identity per session: account:ListRegions, else ec2:DescribeRegions.
        """
        from .aws.fleets import enabled_regions

        key = ("account", place.account, place.role) if place.account else ("profile", place.profile, None)
        with self._lock:
            found = self._regions.get(key)
        if found is None:
            gateway, own = self.fleet_gateway(Target(place.profile, None, place.account, place.role))
            try:
                names, source = enabled_regions(gateway.call)
            finally:
                if own:
                    gateway.release()
            found = ([n for n in names if n in self.offered()], source)
            with self._lock:
                self._regions[key] = found
        return found

    def organization_accounts(self) -> list[OrgAccount]:
        """Return the accounts of the session's organization (organizations:ListAccounts, every page)."""
        from .aws.fleets import organization_accounts

        return organization_accounts(self._owner.session_gateway.call)

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
            self._regions.clear()
        self.identities.clear()
        self._own_account = None
        for cache in names:
            cache.close()
        for gateway in gateways:
            gateway.close()

"""Sessions for a fan-out: one per identity (a profile, or a role assumed in an account), shared by its Regions.

A botocore session costs some 0.35 MB and 10 ms to make, and an assume-role profile's session makes
its own AssumeRole call: one per target made 6,800 of them for 200 profiles in every Region. Here
each identity gets one session (and one AssumeRole) for the whole session of ecsshell, every Region
of it shares that session, and a target's clients live only as long as its gateway.

Also what the fan-out asks of AWS about the identities themselves: the accounts of the organization
(`organizations:ListAccounts`) and the Regions an account has enabled (`account:ListRegions`, else
`ec2:DescribeRegions`, whose default leaves out the opt-in Regions not opted into).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore import exceptions as bx
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    RefreshableCredentials,
)

from ..endpoints import ENDPOINT_SUFFIX
from ..errors import one_line
from .errors import AwsError, translate
from .session import Session, Settings, botocore_session, endpoint_url, make_session

ROLE_SESSION_NAME = "ecsshell"
ENABLED = ("ENABLED", "ENABLED_BY_DEFAULT")  # account:ListRegions' RegionOptStatus of a usable Region
REGIONS_PAGE = 50  # account:ListRegions' largest MaxResults
ACCOUNTS_PAGE = 20  # organizations:ListAccounts' largest MaxResults


@dataclass(frozen=True)
class Identity:
    """Who a fan-out acts as: the session's session (a profile, or its own) in one account, with its default Region."""

    session: Session
    region: str
    description: str
    settings: Settings
    endpoints: Mapping[str, str | None]  # client name -> endpoint (None: AWS's), read from the config once


@dataclass(frozen=True)
class OrgAccount:
    """An account of the organization: its id, name and status (ACTIVE, SUSPENDED, PENDING_CLOSURE)."""

    id: str
    name: str
    status: str


class _Provided(CredentialProvider):
    """Hand botocore's resolver credentials already fetched (an assumed role's, refreshed by botocore)."""

    METHOD = "assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def partition_of(region: str) -> str:
    """Return the partition of REGION: aws, aws-cn or aws-us-gov."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def role_arn(account: str, role: str, region: str) -> str:
    """Return the ARN of ROLE (a name, or path/name) in ACCOUNT."""
    return f"arn:{partition_of(region)}:iam::{account}:role/{role}"


def profile_identity(settings: Settings, env: Mapping[str, str]) -> Identity:
    """Make the one session of SETTINGS' profile, shared by every Region a fan-out reaches with it."""
    session, region, description = make_session(settings, env)
    try:  # now, once: botocore's credential chain is not safe to walk from many threads at once
        session.get_credentials()
    except (bx.ClientError, bx.BotoCoreError) as exc:
        raise translate(exc, "loading the credentials", f"profile {settings.profile}") from exc
    return Identity(session, region, description, settings, endpoints_of(settings, env))


def endpoints_of(settings: Settings, env: Mapping[str, str]) -> dict[str, str | None]:
    """Return the endpoint of every client ecsshell makes, as SETTINGS and ENV configure them."""
    return {name: endpoint_url(settings, env, name) for name in ENDPOINT_SUFFIX}


def assumed_identity(source: Session, settings: Settings, env: Mapping[str, str], account: str, role: str,
                     region: str) -> Identity:
    """Assume ROLE in ACCOUNT from SOURCE's credentials, once; return a session acting there (refreshed by botocore).

    The AssumeRole call is made now, so an account that cannot be assumed fails here, once, with why.
    """
    arn = role_arn(account, role, region)
    source_core = source.core

    def client_creator(service_name: str, **kwargs: Any) -> Any:
        endpoint = endpoint_url(settings, env, service_name)
        if endpoint and "endpoint_url" not in kwargs:
            kwargs["endpoint_url"] = endpoint
        kwargs.setdefault("region_name", region)
        return source_core.create_client(service_name, **kwargs)

    try:
        credentials = source_core.get_credentials()
        if credentials is None:
            raise AwsError("no AWS credentials to assume roles with: pass -cred PROFILE or set AWS_PROFILE")
        fetcher = AssumeRoleCredentialFetcher(client_creator, credentials, arn,
                                              extra_args={"RoleSessionName": ROLE_SESSION_NAME})
        assumed = RefreshableCredentials.create_from_metadata(fetcher.fetch_credentials(),
                                                              fetcher.fetch_credentials, "assume-role")
    except bx.ClientError as exc:  # AWS's own words name the caller, the action and the role
        error = exc.response.get("Error") or {}
        code, message = str(error.get("Code") or ""), one_line(str(error.get("Message") or ""))
        raise AwsError(f"cannot assume role {role} in account {account}: {code}: {message}", operation="AssumeRole",
                       code=code) from exc
    except bx.BotoCoreError as exc:
        raise AwsError(f"cannot assume role {role} in account {account}: {translate(exc, 'AssumeRole')}",
                       operation="AssumeRole") from exc
    core = botocore_session({k: v for k, v in env.items() if not k.startswith("AWS_PROFILE")
                             and k not in ("AWS_DEFAULT_PROFILE",)})
    core.register_component("credential_provider", CredentialResolver(providers=[_Provided(assumed)]))
    placed = Settings(profile=None, region=region, endpoint_url=settings.endpoint_url,
                      retry_mode=settings.retry_mode, max_attempts=settings.max_attempts,
                      max_workers=settings.max_workers, profile_source=f"role {role} in account {account}")
    return Identity(Session(core, region), region, f"credentials: role {arn} (assumed); region {region}", placed,
                    endpoints_of(placed, env))


class Identities:
    """The sessions of a fan-out's identities, each made once (and its failure remembered), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[Any, threading.Lock] = {}
        self._made: dict[Any, Identity | AwsError] = {}
        self.created = 0  # sessions made, for the benchmark and the tests

    def get(self, key: Any, make: Callable[[], Identity]) -> Identity:
        """Return KEY's identity, made by MAKE on first need (once, even when asked from many threads at once)."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self._made.get(key)
            if found is None:
                try:
                    found = make()
                    self.created += 1
                except AwsError as exc:
                    found = exc
                self._made[key] = found
        if isinstance(found, AwsError):
            raise found
        return found

    def clear(self) -> None:
        with self._lock:
            self._made.clear()
            self._locks.clear()


class CallBound:
    """One bound on the calls in flight across every gateway of a session, held only while a request is out.

    A semaphore around a whole botocore call stays held through its retries' backoff sleeps, so an account
    and Region that ECS throttles would keep its slots while it waits. Here the slot is taken as each attempt
    is sent (botocore's before-send, after adaptive mode's own wait) and given back when botocore decides
    about a retry (needs-retry), before it sleeps; leaving the call (`with`) gives back one still held.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._held = threading.local()

    def attach(self, client: Any) -> None:
        """Make CLIENT's attempts take and give back a slot."""
        client.meta.events.register("before-send", self._take)
        client.meta.events.register("needs-retry", self._give)

    def _take(self, **_: Any) -> None:
        if not getattr(self._held, "on", False):
            self._slots.acquire()
            self._held.on = True

    def _give(self, **_: Any) -> None:
        if getattr(self._held, "on", False):
            self._held.on = False
            self._slots.release()

    def __enter__(self) -> CallBound:
        return self

    def __exit__(self, *exc: object) -> None:
        self._give()


# what a fan-out asks about the identities ---------------------------------------------------------
Call = Callable[..., dict[str, Any]]  # Gateway.call: (api, method, context, **params) -> answer


def organization_accounts(call: Call) -> list[OrgAccount]:
    """Return every account of the caller's organization (organizations:ListAccounts, page after page)."""
    found: list[OrgAccount] = []
    token = None
    while True:
        params: dict[str, Any] = {"MaxResults": ACCOUNTS_PAGE}
        if token:
            params["NextToken"] = token
        answer = call("organizations", "list_accounts", "the accounts of the organization", **params)
        found += [OrgAccount(str(a.get("Id") or ""), str(a.get("Name") or ""), str(a.get("Status") or ""))
                  for a in answer.get("Accounts") or []]
        token = answer.get("NextToken")
        if not token:
            return found


def enabled_regions(call: Call) -> tuple[list[str], str]:
    """Return the Regions the caller's account has enabled, and where that was read.

    `account:ListRegions` first; if the account API is refused or missing, `ec2:DescribeRegions`,
    which by default lists only the Regions enabled (opt-in Regions not opted into are left out).
    """
    try:
        names: list[str] = []
        token = None
        while True:
            params: dict[str, Any] = {"MaxResults": REGIONS_PAGE, "RegionOptStatusContains": list(ENABLED)}
            if token:
                params["NextToken"] = token
            answer = call("account", "list_regions", "the Regions this account has enabled", **params)
            names += [str(r["RegionName"]) for r in answer.get("Regions") or []
                      if r.get("RegionOptStatus") in ENABLED]
            token = answer.get("NextToken")
            if not token:
                return sorted(names), "account:ListRegions"
    except AwsError:
        answer = call("ec2", "describe_regions", "the Regions this account has enabled")
        return sorted(str(r["RegionName"]) for r in answer.get("Regions") or []), "ec2:DescribeRegions"

"""Targets (a profile and a Region) and the path syntax that names one: `PROFILE@REGION:/CLUSTER/SERVICE`.

An account id (12 digits) in the profile's place, `ACCOUNT@REGION:/...`, is that account, reached by
assuming the role OrganizationAccountAccessRole there from the session's credentials.

A target is where a command reaches AWS: an AWS profile and a Region. Either part may be left to the
session (None), so `Target()` is the session's own target.

The path syntax is scp's `user@host:path`, with the profile as the user and the Region as the host,
followed by an absolute ecsshell path:

    staging:/prod/api              profile staging, the session's Region, cluster prod, service api
    @eu-west-1:/prod/api           the session's profile, Region eu-west-1
    prod@eu-west-1:/web            profile prod, Region eu-west-1, cluster web
    prod@eu-west-1:/               that target's clusters (for `ls`)

The `:/` marks a target and nothing else: cluster and service names never hold `:` or `@`, a tag
(`:1.4.0`, `web:1.4.0`) never has `/` right after its colon, a registry port (`host:5000/web`)
has digits there, and a digest (`web@sha256:...`) has no `/` after its colon. The path after the
colon is always absolute: the scope set with `use` belongs to the session's own target.

API (for commands, completion and other helpers; this module imports nothing of ecsshell):
- `Target(profile, region)`: frozen; `label()` is `profile@region` (parts left to the session omitted).
- `parse(word) -> (Target | None, str)`: split a leading target off WORD; the rest is the path
  (`/...`), or WORD unchanged and None when it names no target.
- `take(args) -> (Target | None, list[str])`: the same on the first of a command's positionals.
- `is_partial(text)`: say whether TEXT, being typed, is a target prefix (`prod@eu-` ...) with no `:/` yet.
- `split_list(value)`: a `--regions`/`--profiles` value, comma- or space-separated, de-duplicated.
- `fleet(profiles, regions)`: every (profile, region) target, profiles outermost, in the order given.
- `TARGET_RULE`: the help text that explains the syntax.

Where the rest lives: `target_gateways.TargetGateways` keeps one gateway per (profile, Region) and the
call bound they share; the command context (`commands/context.py`) offers `gateway_for(target)`,
`aim(target)`, `names_for(target)` and `fleet(profiles, regions)`. In a command,
`EcsCommands.required`/`optional` (commands/common.py) accept a target path and aim `ctx.gateway` at
its target for the rest of the command; `EcsCommands.locate(args, names, usage)` returns
(that target's gateway, the names) without aiming, for a command reaching two targets (diff, promote).
Fan-out over --regions/--profiles is `commands/fleet.py` (`fan_out`, `present`, `add_fleet_flags`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TARGET_RULE = (
    "A path may name another target, like scp's user@host:path: `PROFILE@REGION:/CLUSTER/SERVICE`. "
    "`staging:/prod/api` is profile staging (the session's Region), `@eu-west-1:/prod/api` the session's "
    "profile in eu-west-1, `prod@eu-west-1:/` that target's clusters, `123456789012@eu-west-1:/prod/api` that "
    "account, through its role OrganizationAccountAccessRole. The path after the colon is absolute."
)
ALL = "all"  # `--regions all`: every Region the account has enabled (of those where ECS is offered)
ORG = "org"  # `--accounts org`: every ACTIVE account of the organization
DEFAULT_ROLE = "OrganizationAccountAccessRole"  # what Organizations makes in each new account, as the console uses
ACCOUNT_ID = re.compile(r"\d{12}")

# PROFILE (any characters but @ : / and blanks), then @REGION, then the `:` that starts the absolute path
_TARGET = re.compile(r"(?P<profile>[^@:/\s]*)(?:@(?P<region>[a-z0-9-]*))?:(?P<path>/.*)", re.DOTALL)
_PARTIAL = re.compile(r"[^@:/\s]*(?:@[a-z0-9-]*)?:?")


@dataclass(frozen=True, order=True)
class Target:
    """Where a command reaches AWS: a profile and a Region, each None for the session's own."""

    profile: str | None = None
    region: str | None = None
    account: str | None = None  # an account reached by assuming ROLE in it from the session's credentials
    role: str | None = None  # None: the default role (OrganizationAccountAccessRole)
    name: str = field(default="", compare=False)  # the account's name in the organization, for its rows

    def label(self) -> str:
        """Return the target as typed in a path, without the colon: `prod@eu-west-1`, `staging`, `@eu-west-1`."""
        return f"{self.account or self.profile or ''}{'@' + self.region if self.region else ''}"

    @property
    def who(self) -> str | None:
        """Return what the target's rows are labelled with: the account's name (or id), else the profile."""
        return (self.name or self.account) if self.account else self.profile

    def prefix(self) -> str:
        """Return the target as it starts a path: `prod@eu-west-1:`."""
        return f"{self.label()}:"

    @property
    def is_session(self) -> bool:
        return self.profile is None and self.region is None and self.account is None


def parse(word: str) -> tuple[Target | None, str]:
    """Split a leading `PROFILE@REGION:` off WORD; return (target, the absolute path) or (None, WORD)."""
    found = _TARGET.fullmatch(word)
    if found is None:
        return None, word
    profile, region = found["profile"] or None, found["region"] or None
    if profile is None and region is None:
        return None, word
    if profile is not None and ACCOUNT_ID.fullmatch(profile):  # twelve digits: an account, not a profile
        return Target(None, region, account=profile), found["path"]
    return Target(profile, region), found["path"]


def take(args: list[str]) -> tuple[Target | None, list[str]]:
    """Split the target off the first of ARGS (a command's positionals); return it and the positionals left."""
    if not args:
        return None, args
    target, path = parse(args[0])
    if target is None:
        return None, args
    return target, [path, *args[1:]]


def is_partial(text: str) -> bool:
    """Say whether TEXT, typed so far, can only be the start of a target (it holds `@`, or ends in `:`)."""
    return text != ":" and ("@" in text or text.endswith(":")) and _PARTIAL.fullmatch(text) is not None


def split_list(value: str) -> list[str]:
    """Split a `--regions` or `--profiles` value on commas and blanks, dropping repeats and empty parts."""
    return list(dict.fromkeys(part for part in re.split(r"[,\s]+", value.strip()) if part))


def fleet(profiles: list[str | None], regions: list[str | None]) -> list[Target]:
    """Return every target of PROFILES by REGIONS, profiles outermost (None: the session's own)."""
    return [Target(profile, region) for profile in (profiles or [None]) for region in (regions or [None])]


def parse_accounts(value: str) -> tuple[list[str], str | None]:
    """Split an `--accounts` value, `org[:ROLE]` or `ID,ID[:ROLE]`, into (the ids or [org], ROLE or None).

    Raise ValueError naming a word that is neither `org` nor a 12-digit account id.
    """
    words, _, role = value.strip().rpartition(":") if ":" in value else (value, "", "")
    names = split_list(words)
    wrong = [n for n in names if n != ORG and not ACCOUNT_ID.fullmatch(n)]
    if wrong or not names or (ORG in names and len(names) > 1):
        bad = wrong[0] if wrong else value
        raise ValueError(f"--accounts takes org[:ROLE] or 12-digit account ids, comma-separated, then "
                         f"[:ROLE]; not {bad!r}")
    if ":" in value and not re.fullmatch(r"[\w+=,.@/-]{1,512}", role):
        raise ValueError(f"{role!r} is not an IAM role name")
    return names, role or None

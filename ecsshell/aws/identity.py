"""Who the session's credentials are (whoami), and a refusal's principal when AWS's message leaves it out."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, Protocol

from ..endpoints import ENV_PROFILE
from ..errors import AwsError
from ..model import Identity
from ..plain import plain
from .caller import Caller
from .credentials import Source, credential_error, expiry_text, is_expired_answer, profile_config, source_of
from .errors import AccessDenied, translate, with_principal


class Holder(Caller, Protocol):
    """The part of the gateway whoami reads: its session, settings, Region and the caller it has learned."""

    session: Any
    settings: Any
    region: str
    known_caller: dict[str, str] | None


def profile_of(holder: Holder) -> str:
    """Return the name of the profile HOLDER's credentials come from ("default" for botocore's own chain)."""
    return str(holder.settings.profile or holder.session.core.get_config_variable("profile") or "default")


def _config(holder: Holder) -> Mapping[str, Any]:
    profile = profile_of(holder)
    return {} if profile == ENV_PROFILE else profile_config(holder.session.core, profile)


def source(holder: Holder) -> Source | None:
    """Describe where HOLDER's credentials come from, without asking AWS (None: there are none)."""
    credentials = holder.session.get_credentials()
    return None if credentials is None else source_of(credentials, _config(holder))


def caller_identity(caller: Caller) -> dict[str, str]:
    """Return STS GetCallerIdentity's answer for CALLER's credentials, kept on a gateway that keeps it (once asked)."""
    known: dict[str, str] | None = getattr(caller, "known_caller", None)
    if known is None:
        answer = caller.call("sts", "get_caller_identity", "asking STS who the credentials are")
        known = {k: plain(str(answer.get(k) or "")) for k in ("UserId", "Account", "Arn")}
        if hasattr(caller, "known_caller"):
            setattr(caller, "known_caller", known)  # noqa: B010 - the Caller protocol does not declare it
    return known


def whoami(holder: Holder) -> Identity:
    """Return who HOLDER's credentials are: profile, their source and expiry, account, alias, caller ARN, Region."""
    caller = caller_identity(holder)  # first: it loads the credentials (an SSO login or a process runs here)
    found = source(holder)
    aliases: tuple[str, ...] = ()
    readable = True
    try:
        aliases = tuple(plain(str(a)) for a in holder.call("iam", "list_account_aliases",
                                                           "reading the account's alias").get("AccountAliases") or [])
    except AccessDenied:
        readable = False
    return Identity(user_id=caller["UserId"], account=caller["Account"], arn=caller["Arn"], profile=profile_of(holder),
                    source=found.method if found else "", source_text=found.description if found else "none",
                    region=holder.region, aliases=aliases, alias_readable=readable,
                    expires=found.expires if found else None, expiry=expiry_text(found) if found else "unknown")


def explain(holder: Holder, exc: BaseException, operation: str, context: str = "", **how: Any) -> AwsError:
    """Return the AwsError for EXC: a credential failure naming the profile, a refusal naming its principal.

    HOW is translate's service, retried and prefix. A refusal whose message names no principal is given
    the caller HOLDER has learned, else asks STS once (a gateway asks at most once).
    """
    if not isinstance(exc, AwsError):
        found = None
        if is_expired_answer(exc):  # only then: loading the credentials again may run a process or a login
            with contextlib.suppress(Exception):  # their own failure: the line below says what it can
                found = source(holder)
        failure = credential_error(exc, operation, profile_of(holder), found, _config(holder))
        if failure is not None:
            return failure
    error = translate(exc, operation, context, **how)
    if isinstance(error, AccessDenied) and not error.principal and operation != "GetCallerIdentity":
        try:
            return with_principal(error, caller_identity(holder)["Arn"])
        except AwsError:
            return error
    return error

"""Which AWS account a gateway's credentials act in (STS GetCallerIdentity)."""

from __future__ import annotations

from .caller import Caller


def account_id(caller: Caller) -> str:
    """Ask STS for the account id the caller's credentials belong to (needs no IAM permission; asked once a gateway)."""
    from .identity import caller_identity  # whoami and refusals read the same answer

    return caller_identity(caller)["Account"]

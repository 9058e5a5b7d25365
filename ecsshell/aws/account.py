"""Which AWS account a gateway's credentials act in (STS GetCallerIdentity)."""

from __future__ import annotations

from .caller import Caller


def account_id(caller: Caller) -> str:
    """Ask STS for the account id the caller's credentials belong to (needs no IAM permission)."""
    answer = caller.call("sts", "get_caller_identity", "asking STS which account this is")
    return str(answer.get("Account") or "")

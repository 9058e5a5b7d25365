"""Draw whoami: the profile, where its credentials come from, the account, the caller, the Region, the expiry."""

from __future__ import annotations

from typing import Any

from ecsshell.model import Identity
from ecsshell.render.widgets import cell
from ecsshell.render.wrap import Pairs

ALIAS_NOT_READABLE = "alias not readable"


def identity_view(who: Identity) -> Pairs:
    """Return WHO as `key  value` rows (its strings made plain by the caller)."""
    grid = Pairs()
    alias = ", ".join(who.aliases) if who.aliases else ("no alias" if who.alias_readable else ALIAS_NOT_READABLE)
    grid.add_row(cell("profile"), cell(who.profile))
    grid.add_row(cell("credentials"), cell(who.source_text))
    grid.add_row(cell("account"), cell(f"{who.account} ({alias})"))
    grid.add_row(cell("caller"), cell(who.arn))
    grid.add_row(cell("region"), cell(who.region))
    grid.add_row(cell("expires"), cell(who.expiry))
    return grid


def identity_document(who: Identity) -> dict[str, Any]:
    """Return WHO in STS GetCallerIdentity's names, with what ecsshell adds under `ecsshell`."""
    return {"UserId": who.user_id, "Account": who.account, "Arn": who.arn, "ecsshell": {
        "profile": who.profile, "credentialSource": who.source or None, "credentials": who.source_text,
        "region": who.region, "accountAliases": list(who.aliases) if who.alias_readable else None,
        "accountAliasReadable": who.alias_readable,
        "expiration": who.expires.isoformat() if who.expires else None, "expires": who.expiry}}

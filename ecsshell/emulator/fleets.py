"""Organizations, opt-in Regions and cross-account roles in the emulated world, as AWS answers them.

moto has the organization (`organizations:ListAccounts`) and `sts:AssumeRole` into any account, but:
- no `account:ListRegions`: added here, answering each Region's RegionOptStatus for the caller's account;
- `ec2:DescribeRegions` lists every Region whatever AllRegions says: here, by default, only the Regions
  enabled (an opt-in Region not opted into is left out, as EC2 does), all of them with AllRegions;
- every AssumeRole succeeds: here a test can make an account refuse it, answered as STS does (HTTP 403,
  AccessDenied naming the caller, the action and the role);
- ECS answers in any Region: here a Region the account has not enabled refuses the credentials
  (UnrecognizedClientException, as AWS answers a call to a disabled Region).
State lives on moto's own backends, so a world reset forgets it with everything else.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The Regions AWS launched after March 2019, which an account must opt into (the rest are on by default).
OPT_IN = frozenset({
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1",
})
MANAGEMENT_NAME = "management"
_installed = False


def _state(account: str) -> Any:
    """Return moto's account backend of ACCOUNT, which holds this module's state for it."""
    from moto.account.models import account_backends

    return account_backends[account]["aws"]


def disabled(account: str) -> set[str]:
    """Return the Regions ACCOUNT has not enabled (a set to change in place)."""
    backend = _state(account)
    if not hasattr(backend, "ecsshell_disabled_regions"):
        backend.ecsshell_disabled_regions = set()
    found: set[str] = backend.ecsshell_disabled_regions
    return found


def refusing(account: str) -> bool:
    """Say whether ACCOUNT refuses every AssumeRole into it."""
    return bool(getattr(_state(account), "ecsshell_refuse_assume_role", False))


def refuse_assume_role(account: str) -> None:
    """Make every sts:AssumeRole into a role of ACCOUNT answer AccessDenied (its trust policy names nobody)."""
    _state(account).ecsshell_refuse_assume_role = True


def opt_status(account: str, region: str) -> str:
    """Return REGION's RegionOptStatus for ACCOUNT: ENABLED_BY_DEFAULT, ENABLED or DISABLED."""
    if region in disabled(account):
        return "DISABLED"
    return "ENABLED" if region in OPT_IN else "ENABLED_BY_DEFAULT"


def _regions() -> list[str]:
    import boto3

    return sorted(boto3.Session().get_available_regions("ec2"))


# shims -------------------------------------------------------------------------------------------
def _http_error(status: int, body: str, content_type: str) -> Exception:
    from werkzeug.exceptions import HTTPException

    class Refusal(HTTPException):
        """AWS's error document, as it is: werkzeug would wrap the description in HTML."""

        code = status
        description = body

        def get_headers(self, *_: Any, **__: Any) -> list[tuple[str, str]]:
            return [("Content-Type", content_type)]

        def get_body(self, *_: Any, **__: Any) -> str:
            return body

    return Refusal()


def _list_regions(self: Any) -> Any:
    """account:ListRegions for the caller's account: RegionOptStatusContains filters, MaxResults pages."""
    from moto.core.responses import ActionResult

    account = self._get_param("AccountId") or self.current_account
    wanted = self._get_param("RegionOptStatusContains") or []
    size = int(self._get_param("MaxResults") or 20)
    start = int(self._get_param("NextToken") or 0)
    rows = [{"RegionName": r, "RegionOptStatus": opt_status(account, r)} for r in _regions()]
    rows = [row for row in rows if not wanted or row["RegionOptStatus"] in wanted]
    result: dict[str, Any] = {"Regions": rows[start:start + size]}
    if start + size < len(rows):
        result["NextToken"] = str(start + size)
    return ActionResult(result)


def _describe_regions(original: Any) -> Any:
    def shim(self: Any) -> Any:
        from moto.core.responses import ActionResult

        everything = str(self._get_param("AllRegions", "false")).lower() == "true"
        names = self._get_param("RegionNames", [])
        account = self.current_account
        found = []
        for region in self.ec2_backend.describe_regions(names):
            status = region.opt_in_status
            if region.name in OPT_IN:
                status = "not-opted-in" if region.name in disabled(account) else "opted-in"
            elif region.name in disabled(account):
                status = "not-opted-in"
            if everything or names or status != "not-opted-in":
                found.append({"RegionName": region.name, "Endpoint": region.endpoint, "OptInStatus": status})
        return ActionResult({"Regions": found})

    return shim


def _assume_role(original: Any) -> Any:
    def shim(self: Any) -> Any:
        arn = str(self._get_param("RoleArn") or "")
        parts = arn.split(":")
        account = parts[4] if len(parts) > 5 else ""
        if account and refusing(account):
            _, caller, _ = self.backend.get_caller_identity(self.get_access_key(), self.region)
            message = f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {arn}"
            body = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n'
                    f"    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n    <Message>{_xml(message)}</Message>\n"
                    f"  </Error>\n  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n")
            raise _http_error(403, body, "text/xml")
        return original(self)

    return shim


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ecs_in_enabled_regions(original: Any) -> Any:
    def shim(self: Any) -> Any:
        if self.region in disabled(self.current_account):
            import json

            body = json.dumps({"__type": "UnrecognizedClientException",
                               "message": "The security token included in the request is invalid."})
            raise _http_error(400, body, "application/x-amz-json-1.1")
        return original(self)

    return shim


def install() -> None:
    """Add account:ListRegions, and make DescribeRegions, AssumeRole and ECS heed the state above (once)."""
    global _installed
    if _installed:
        return
    from moto.account import urls as account_urls
    from moto.account.responses import AccountResponse
    from moto.ec2.responses.availability_zones_and_regions import AvailabilityZonesAndRegions
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.sts.responses import TokenResponse

    AccountResponse.list_regions = _list_regions  # type: ignore[attr-defined]
    account_urls.url_paths["{0}/listRegions$"] = AccountResponse.dispatch
    shims: list[tuple[type, str, Callable[[Any], Any]]] = [
        (AvailabilityZonesAndRegions, "describe_regions", _describe_regions),
        (TokenResponse, "assume_role", _assume_role),
        (EC2ContainerServiceResponse, "call_action", _ecs_in_enabled_regions)]
    for cls, name, make in shims:
        setattr(cls, name, make(getattr(cls, name)))
    _installed = True


# worlds ------------------------------------------------------------------------------------------
def organization_world(world: Any, *, members: int = 29, refusing_accounts: int = 2,
                       regions: tuple[str, ...] = ("us-east-1", "eu-west-1"), cluster: str = "web"
                       ) -> dict[str, Any]:
    """Make the world's own account the management account of an organization of MEMBERS more accounts.

    Member i is account 2100000000ii, named `team-ii`, with cluster CLUSTER in each of REGIONS (so is
    the management account); the last REFUSING_ACCOUNTS refuse AssumeRole. One more member is SUSPENDED.
    Return {"accounts": {id: name} (the ACTIVE ones, management first), "refusing": [ids], "suspended": id}.
    """
    from moto.organizations.models import organizations_backends

    install()
    org = world.api("organizations")
    account = str(world.api("sts").get_caller_identity()["Account"])
    org.create_organization(FeatureSet="ALL")
    backend = organizations_backends[account]["aws"]
    names: dict[str, str] = {}
    for number in range(1, members + 2):
        made = org.create_account(AccountName=f"team-{number:02d}", Email=f"team-{number:02d}@example.com")
        fake = next(a for a in backend.accounts if a.id == made["CreateAccountStatus"]["AccountId"])
        fake.id = f"2100000000{number:02d}"  # moto draws ids at random; docs and tests want stable ones
        names[fake.id] = fake.name
    for fake in backend.accounts:
        if fake.id == account:
            fake.name = MANAGEMENT_NAME
    suspended = f"2100000000{members + 1:02d}"
    next(a for a in backend.accounts if a.id == suspended).status = "SUSPENDED"
    del names[suspended]
    refused = list(names)[members - refusing_accounts:]
    for member in refused:
        refuse_assume_role(member)
    for member in [account, *names]:
        for region in regions:
            world.api("ecs", account=member, region=region).create_cluster(clusterName=cluster)
    return {"accounts": {account: MANAGEMENT_NAME, **names}, "refusing": refused, "suspended": suspended}


def write_profiles(directory: Path, profiles: dict[str, str]) -> dict[str, str]:
    """Write an AWS config of PROFILES (name -> config lines) in DIRECTORY; return the environment naming it."""
    directory.mkdir(parents=True, exist_ok=True)
    text = "".join(f"[profile {name}]\n{lines}\n" for name, lines in profiles.items())
    (directory / "config").write_text(text, encoding="utf-8")
    return {"AWS_CONFIG_FILE": str(directory / "config")}

"""Check before a deploy that what a revision names exists: ECR images, secrets, roles and log groups."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import AwsError
from ..model import Check
from .deploy import plan_update
from .ecr import image_checks

if TYPE_CHECKING:
    from .gateway import Gateway

PARAMETER_BATCH = 10  # GetParameters Names per call


# secrets, roles, log groups ------------------------------------------------------------------------
def _secret_source(value_from: str) -> tuple[str, str | None, str]:
    """Return (kind, region, id) of a valueFrom: Secrets Manager's secret ARN (no :key:stage:version), or SSM's."""
    parts = value_from.split(":")
    if value_from.startswith("arn:") and len(parts) >= 7 and parts[2] == "secretsmanager":
        return "secret", parts[3] or None, ":".join(parts[:7])
    if value_from.startswith("arn:") and len(parts) >= 6:
        return "parameter", parts[3] or None, value_from
    return "parameter", None, value_from


def _secret_uses(spec: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return each valueFrom (and registry credentials) of SPEC's containers, with who uses it (container/NAME)."""
    uses: dict[str, list[str]] = {}
    for container in spec.get("containerDefinitions") or []:
        name = str(container.get("name") or "")
        options = (container.get("logConfiguration") or {}).get("secretOptions") or []
        for item in [*(container.get("secrets") or []), *options]:
            if item.get("valueFrom"):
                uses.setdefault(str(item["valueFrom"]), []).append(f"{name}/{item.get('name')}")
        credentials = (container.get("repositoryCredentials") or {}).get("credentialsParameter")
        if credentials:
            uses.setdefault(str(credentials), []).append(f"{name}/repositoryCredentials")
    return uses


def _secret(gateway: Gateway, region: str | None, ident: str, value_from: str, used: str) -> list[Check]:
    try:
        found = gateway.secret_exists(region, ident)
    except AwsError as exc:
        return [Check("secret", value_from, False, f"could not check: {exc}")]
    return [Check("secret", value_from, found, used if found else f"not found in Secrets Manager ({used})")]


def _parameters(gateway: Gateway, region: str | None, batch: list[tuple[str, str]]) -> list[Check]:
    try:
        missing = gateway.missing_parameters(region, [v for v, _ in batch])
    except AwsError as exc:
        return [Check("parameter", v, False, f"could not check: {exc}") for v, _ in batch]
    return [Check("parameter", v, v not in missing,
                  used if v not in missing else f"not found in SSM Parameter Store ({used})") for v, used in batch]


def secret_jobs(gateway: Gateway, spec: Mapping[str, Any]) -> list[Callable[[], list[Check]]]:
    """Return the jobs checking SPEC's secrets: DescribeSecret each, GetParameters 10 a call per Region."""
    jobs: list[Callable[[], list[Check]]] = []
    parameters: dict[str, list[tuple[str, str]]] = {}
    for value_from, users in _secret_uses(spec).items():
        kind, region, ident = _secret_source(value_from)
        region = region or gateway.region  # a parameter named without its ARN is the task's Region's
        used = f"for {', '.join(users)}"
        if kind == "secret":
            jobs.append(functools.partial(_secret, gateway, region, ident, value_from, used))
        else:
            parameters.setdefault(region, []).append((value_from, used))
    for region, items in parameters.items():
        for start in range(0, len(items), PARAMETER_BATCH):
            jobs.append(functools.partial(_parameters, gateway, region, items[start:start + PARAMETER_BATCH]))
    return jobs


def _role(gateway: Gateway, what: str, arn: str) -> list[Check]:
    name = arn.rpartition("/")[2] if arn.startswith("arn:") else arn
    try:
        found = gateway.role_exists(name)
    except AwsError as exc:
        return [Check(what, arn, False, f"could not check: {exc}")]
    return [Check(what, arn, found, "exists" if found else f"IAM role {name} not found")]


def role_jobs(gateway: Gateway, spec: Mapping[str, Any]) -> list[Callable[[], list[Check]]]:
    """Return the jobs checking SPEC's task and execution roles (GetRole each); no execution role with secrets fails."""
    jobs: list[Callable[[], list[Check]]] = []
    for what, key in (("task role", "taskRoleArn"), ("execution role", "executionRoleArn")):
        arn = str(spec.get(key) or "")
        if arn:
            jobs.append(functools.partial(_role, gateway, what, arn))
    if not spec.get("executionRoleArn") and _secret_uses(spec):
        jobs.append(lambda: [Check("execution role", "-", False,
                                   "none, but ECS needs one to read the secrets the containers name")])
    return jobs


def _log_group(gateway: Gateway, region: str, group: str, creates: bool, used: str) -> list[Check]:
    try:
        found = gateway.log_group_exists(region, group)
    except AwsError as exc:
        return [Check("log group", group, False, f"could not check: {exc}")]
    if found:
        return [Check("log group", group, True, used)]
    if creates:
        return [Check("log group", group, True, f"not there yet: awslogs-create-group makes it ({used})")]
    return [Check("log group", group, False, f"not found in CloudWatch Logs in {region} ({used})")]


def log_group_jobs(gateway: Gateway, spec: Mapping[str, Any]) -> list[Callable[[], list[Check]]]:
    """Return the jobs checking the awslogs log groups of SPEC's containers (one DescribeLogGroups each)."""
    groups: dict[tuple[str, str], tuple[bool, list[str]]] = {}
    for container in spec.get("containerDefinitions") or []:
        config = container.get("logConfiguration") or {}
        options = config.get("options") or {}
        if config.get("logDriver") != "awslogs" or not options.get("awslogs-group"):
            continue
        key = (options.get("awslogs-region") or gateway.region, str(options["awslogs-group"]))
        creates, users = groups.get(key, (False, []))
        groups[key] = (creates or str(options.get("awslogs-create-group", "")).lower() == "true",
                       [*users, str(container.get("name") or "")])
    return [functools.partial(_log_group, gateway, region, group, creates, f"for {', '.join(users)}")
            for (region, group), (creates, users) in groups.items()]


# the whole check --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verified:
    """What `verify` checked: the service, the revision (with the images asked for applied), every check."""

    cluster: str
    service: str
    current: str  # the label of the revision the service runs
    current_arn: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks)


def verify(gateway: Gateway, cluster: str, service: str, images: dict[str | None, str]) -> Verified:
    """Check the revision SERVICE would run with IMAGES applied as `update` applies them, every check at once."""
    svc = gateway.describe_service(cluster, service)
    current = gateway.task_definition(svc.task_definition_arn)
    spec = plan_update(current, images, [], []).spec
    containers = [(str(c.get("name") or ""), str(c.get("image") or "")) for c in spec.get("containerDefinitions")
                  or []]
    images_done = gateway.submit(image_checks, gateway, containers)
    jobs = [*secret_jobs(gateway, spec), *role_jobs(gateway, spec), *log_group_jobs(gateway, spec)]
    others = gateway.map(lambda job: job(), jobs)
    checks = [*images_done.result(), *(c for found in others for c in found)]
    return Verified(cluster, service, current.label, current.arn, tuple(checks))

"""Ask ECR, Secrets Manager, SSM, IAM and CloudWatch Logs whether what a task definition names exists.

No call here reads a secret's or a parameter's value: DescribeSecret answers without it, and of
GetParameters' answer only the names it could not find (InvalidParameters) are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from ..errors import AwsError
from ..model import EcrImage
from ..plain import plain_json
from .caller import ClientName

PARAMETER_BATCH = 10  # GetParameters Names per call (SSM's maximum)
IMAGE_PAGE = 1000  # DescribeImages maxResults (ECR's maximum)
RECENT_TAGS = 50  # a did-you-mean looks at this many of the most recently pushed tags
MISSING_CODES = {"ResourceNotFoundException", "NoSuchEntity", "NoSuchEntityException"}


class RegionalCaller(Protocol):
    """The part of the gateway these checks use: a call in a given Region, and a pool map."""

    def call_in(self, region: str | None, api: ClientName, method: str, context: str = "", /,
                **params: Any) -> dict[str, Any]: ...


def ecr_image(data: Mapping[str, Any]) -> EcrImage:
    """Convert one DescribeImages imageDetails entry."""
    data = plain_json(data)
    pushed = data.get("imagePushedAt")
    if isinstance(pushed, (int, float)) and not isinstance(pushed, bool):
        pushed = datetime.fromtimestamp(pushed, tz=UTC)
    size = data.get("imageSizeInBytes")
    return EcrImage(registry_id=str(data.get("registryId") or ""), repository=str(data.get("repositoryName") or ""),
                    digest=str(data.get("imageDigest") or ""), tags=tuple(str(t) for t in data.get("imageTags") or []),
                    pushed_at=pushed if isinstance(pushed, datetime) else None,
                    size_bytes=size if isinstance(size, int) and not isinstance(size, bool) else None)


def ecr_images(gateway: RegionalCaller, region: str | None, registry_id: str, repository: str,
               image_ids: list[dict[str, str]]) -> list[EcrImage]:
    """Describe IMAGE_IDS of REPOSITORY in one call; AwsError coded ImageNotFoundException if any is missing."""
    answer = gateway.call_in(region, "ecr", "describe_images", f'ECR repository "{repository}"',
                             registryId=registry_id, repositoryName=repository, imageIds=image_ids)
    return [ecr_image(d) for d in answer.get("imageDetails") or []]


def recent_ecr_tags(gateway: RegionalCaller, region: str | None, registry_id: str, repository: str) -> list[str]:
    """Return the tags of REPOSITORY's most recently pushed images (one page of 1,000), newest first."""
    answer = gateway.call_in(region, "ecr", "describe_images", f'ECR repository "{repository}"',
                             registryId=registry_id, repositoryName=repository, filter={"tagStatus": "TAGGED"},
                             maxResults=IMAGE_PAGE)
    oldest = datetime.min.replace(tzinfo=UTC)
    images = sorted((ecr_image(d) for d in answer.get("imageDetails") or []),
                    key=lambda i: i.pushed_at or oldest, reverse=True)
    return list(dict.fromkeys(t for i in images for t in i.tags))[:RECENT_TAGS]


def _missing(exc: AwsError) -> bool:
    return (exc.code or "") in MISSING_CODES


def _exists(region: str | None, gateway: RegionalCaller, api: ClientName, method: str, what: str,
            **params: Any) -> bool:
    """Say whether METHOD finds WHAT: False when AWS answers that it is not there, any other failure raised."""
    try:
        gateway.call_in(region, api, method, what, **params)
    except AwsError as exc:
        if _missing(exc):
            return False
        raise
    return True


def secret_exists(gateway: RegionalCaller, region: str | None, secret_id: str) -> bool:
    """Say whether Secrets Manager has SECRET_ID (an ARN), by DescribeSecret: its value is never asked for."""
    return _exists(region, gateway, "secretsmanager", "describe_secret", f'secret "{secret_id}"', SecretId=secret_id)


def missing_parameters(gateway: RegionalCaller, region: str | None, names: Iterable[str]) -> set[str]:
    """Return which of NAMES (at most 10: one GetParameters call) SSM does not have; the values are dropped."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return set()
    answer = gateway.call_in(region, "ssm", "get_parameters", "SSM parameters", Names=wanted)
    return {str(n) for n in answer.get("InvalidParameters") or []}


def role_exists(gateway: RegionalCaller, name: str) -> bool:
    """Say whether IAM has role NAME (GetRole)."""
    return _exists(None, gateway, "iam", "get_role", f'IAM role "{name}"', RoleName=name)


def log_group_exists(gateway: RegionalCaller, region: str | None, name: str) -> bool:
    """Say whether log group NAME exists: groups are listed by name, so it comes first among its prefix's."""
    answer = gateway.call_in(region, "logs", "describe_log_groups", f'log group "{name}"', logGroupNamePrefix=name,
                             limit=1)
    return any(g.get("logGroupName") == name for g in answer.get("logGroups") or [])

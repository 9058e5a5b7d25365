"""What `verify` and `update`'s image check read in an emulated world: ECR images, secrets, parameters, roles.

`stock` makes exist everything the world's task definitions name, directly on moto's backends (no
botocore model is read for it: a world is built per test, and the demo's start-up is measured):
- each ECR image of the world's account, tag by tag, in its repository (one per name), pushed in the
  order the revisions were registered, then PUSHED_NOT_DEPLOYED, one minute apart, ending QUIET
  minutes ago; its manifest is
  the registry's (`Registry.manifest`), so its digest is the one tasks run (`Registry.digest`), and
  a digest-pinned image is there untagged;
- each task and execution role (IAM), secret (Secrets Manager, with the ARN's suffix as written),
  SSM parameter, and awslogs log group.
A tag pushed again (`world.registry.push`) moves to a new image in ECR too (`follow_push`).
Left out, so that `verify` has something to find: the images in MISSING_IMAGES (legacy's broken
revision, whose tasks fail with CannotPullContainerError) and, in the demo, the secrets in
DEMO_MISSING_SECRETS (prod/notifications').
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .registry import MANIFEST_TYPE

if TYPE_CHECKING:
    from .server import World

ACCOUNT = "123456789012"
MISSING_IMAGES = frozenset({"legacy:2020.02"})  # repository:tag the world never pushed
# tags CI pushed after the world's last deploys (newest last), which no revision names yet
PUSHED_NOT_DEPLOYED = ("legacy:2021.01", "payments:5.3.0", "worker:2024.11.1", "web:1.6.0", "storefront:3.3.0")
DEMO_MISSING_SECRETS = frozenset({"prod/notifications"})  # Secrets Manager names the demo never created
PUSH_SPACING = timedelta(minutes=1)
QUIET = timedelta(minutes=30)
PLACEHOLDER = "emulated-secret-not-a-value"  # what the secrets and parameters hold (verify never reads it)


def _task_definitions(world: World) -> list[Any]:
    """Return every task definition revision of the world's account and Region, in registration order."""
    backend = world.backend("ecs")
    revisions = [td for family in backend.task_definitions.values() for td in family.values()]
    return sorted(revisions, key=lambda td: getattr(td, "registered_at", None) or 0)


def _ecr_parts(image: str, region: str) -> tuple[str, str | None, str | None] | None:
    """Return (repository, tag, digest) of an ECR image of ACCOUNT in REGION, or None for any other image."""
    host = f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/"
    if not image.startswith(host):
        return None
    name = image[len(host):]
    if "@" in name:
        repository, _, digest = name.partition("@")
        return repository, None, digest
    repository, colon, tag = name.rpartition(":")
    return (repository, tag, None) if colon and "/" not in tag else (name, "latest", None)


def stock_ecr(world: World, images: Iterable[str]) -> None:
    """Push IMAGES (oldest first) into the world's ECR, each once, but MISSING_IMAGES; see the module's doc."""
    from moto.ecr.models import Image  # moto loads on first use, not on import: start-up time

    wanted = [parts for parts in dict.fromkeys(_ecr_parts(i, world.region) for i in images) if parts is not None]
    wanted = [(r, t, d) for r, t, d in wanted if f"{r}:{t}" not in MISSING_IMAGES]
    newest = world.scheduler.now() - QUIET
    registry = world.registry
    with world.lock:
        ecr = world.backend("ecr")
        for index, (repository, tag, digest) in enumerate(wanted):
            if repository not in ecr.repositories:
                ecr.create_repository(repository, ACCOUNT, {}, {}, "MUTABLE", [])
            host = f"{ACCOUNT}.dkr.ecr.{world.region}.amazonaws.com/{repository}"
            reference = f"{host}@{digest}" if digest else f"{host}:{tag}"
            manifest = registry.manifest(reference)
            image = Image(ACCOUNT, tag, manifest, repository, MANIFEST_TYPE,  # type: ignore[arg-type]  # None: untagged
                          digest or registry.digest(reference))
            image.image_pushed_at = int((newest - PUSH_SPACING * (len(wanted) - 1 - index)).timestamp())
            ecr.repositories[repository].images.append(image)


def follow_push(world: World, image: str) -> None:
    """Move IMAGE's tag, pushed again (`world.registry.push`), to a new image in the world's ECR, if it has one."""
    from moto.ecr.models import Image  # moto loads on first use, not on import: start-up time

    parts = _ecr_parts(image, world.region)
    if parts is None:
        return
    repository, tag, _ = parts
    if tag is None:
        return
    with world.lock:
        found = world.backend("ecr").repositories.get(repository)
        if found is None:
            return
        for old in found.images:
            old.remove_tag(tag)
        reference = f"{ACCOUNT}.dkr.ecr.{world.region}.amazonaws.com/{repository}:{tag}"
        pushed = Image(ACCOUNT, tag, world.registry.manifest(reference), repository, MANIFEST_TYPE,
                       world.registry.digest(reference))
        pushed.image_pushed_at = int(world.scheduler.now().timestamp())
        found.images.append(pushed)


def _names(world: World) -> tuple[list[str], set[str], set[str], set[tuple[str, str]]]:
    """Return what the task definitions name: images (in order), roles, secret/parameter sources, log groups."""
    images: list[str] = []
    roles: set[str] = set()
    sources: set[str] = set()
    groups: set[tuple[str, str]] = set()
    for td in _task_definitions(world):
        roles.update(arn for arn in (getattr(td, "task_role_arn", None), getattr(td, "execution_role_arn", None))
                     if arn)
        for container in td.container_definitions:
            images.append(str(container.get("image") or ""))
            sources.update(str(s.get("valueFrom")) for s in container.get("secrets") or [] if s.get("valueFrom"))
            config = container.get("logConfiguration") or {}
            options = config.get("options") or {}
            if config.get("logDriver") == "awslogs" and options.get("awslogs-group"):
                groups.add((str(options.get("awslogs-region") or world.region), str(options["awslogs-group"])))
    return images, roles, sources, groups


def stock(world: World, demo: bool) -> None:
    """Make exist what the world's task definitions name (the DEMO's secrets, roles and parameters too)."""
    world.registry.on_push = lambda image: follow_push(world, image)
    images, roles, sources, groups = _names(world)
    host = f"{ACCOUNT}.dkr.ecr.{world.region}.amazonaws.com"
    stock_ecr(world, [*images, *(f"{host}/{image}" for image in PUSHED_NOT_DEPLOYED)])
    if not demo:
        return
    with world.lock:
        iam = world.backend("iam", region="global")
        known = {role.name for role in iam.roles.values()}
        for arn in sorted(roles):
            name = arn.rpartition("/")[2]
            if arn.startswith(f"arn:aws:iam::{ACCOUNT}:role/") and name not in known:
                iam.create_role(name, '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
                                      '{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
                                "/", None, "", [], None)
        secrets = world.backend("secretsmanager")
        ssm = world.backend("ssm")
        for source in sorted(sources):
            parts = source.split(":")
            if source.startswith("arn:aws:secretsmanager:") and parts[3] == world.region and parts[4] == ACCOUNT:
                name, _, suffix = parts[6].rpartition("-")
                if name not in DEMO_MISSING_SECRETS and name not in secrets.secrets:
                    secrets.create_secret(name, PLACEHOLDER, None, None, [{"Key": "_custom_id_", "Value": suffix}],
                                          None, None, [], False)
            elif source.startswith("arn:aws:ssm:") and parts[3] == world.region and parts[4] == ACCOUNT:
                name = "/" + parts[5].partition("/")[2]
                ssm.put_parameter(name, "", PLACEHOLDER, "SecureString", "", "alias/aws/ssm", True, [], "text",
                                  None, None)
        logs = world.backend("logs")
        for region, group in sorted(groups):
            if region == world.region and group not in logs.groups:
                logs.create_log_group(group, {})


def repository_tags(world: World, repository: str) -> list[str]:
    """Return the tags REPOSITORY holds in the world's ECR (for tests), by tag key order of pushes."""
    with world.lock:
        ecr = world.backend("ecr")
        found = ecr.repositories.get(repository)
        return [t for image in (found.images if found else []) for t in image.image_tags]


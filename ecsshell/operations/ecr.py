"""Check images against ECR: one DescribeImages per repository, with did-you-mean over its recent tags."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

from ..errors import AwsError
from ..images import InvalidImageReference, parse
from ..model import Check, EcrImage
from . import OperationError

if TYPE_CHECKING:
    from .gateway import Gateway

ECR_HOST = re.compile(r"(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?")
SKIPPED = "not checked (not ECR)"
NO_VERIFY = "give --no-verify to deploy without this check"


@dataclass(frozen=True)
class EcrRef:
    """An image in ECR: registry (account), Region, repository, and the tag or digest asked for."""

    image: str
    registry_id: str
    region: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def image_id(self) -> dict[str, str]:
        """Return the DescribeImages imageIds entry: the digest when pinned, else the tag (latest if none)."""
        return {"imageDigest": self.digest} if self.digest else {"imageTag": self.tag or "latest"}

    @property
    def wanted(self) -> str:
        """Return what is asked of the repository, as written after its name (:tag or @digest)."""
        return f"@{self.digest}" if self.digest else f":{self.tag or 'latest'}"

    def found_in(self, images: Iterable[EcrImage]) -> EcrImage | None:
        for image in images:
            if (self.digest and image.digest == self.digest) or (not self.digest and self.image_id["imageTag"]
                                                                  in image.tags):
                return image
        return None


def ecr_ref(image: str) -> EcrRef | None:
    """Return IMAGE as an ECR reference, or None when it is not in a private ECR registry (or unparsable)."""
    try:
        ref = parse(image)
    except InvalidImageReference:
        return None
    match = ECR_HOST.fullmatch(ref.domain or "")
    if match is None:
        return None
    return EcrRef(image, match.group(1), match.group(2), ref.path, ref.tag, ref.digest)


# images -------------------------------------------------------------------------------------------
def _described(gateway: Gateway, ref: EcrRef, ids: list[dict[str, str]]) -> list[EcrImage]:
    """Describe IDS of REF's repository in one call; when one is missing, each on its own (to say which)."""
    try:
        return gateway.ecr_images(ref.region, ref.registry_id, ref.repository, ids)
    except AwsError as exc:
        if exc.code != "ImageNotFoundException":
            raise
        if len(ids) == 1:
            return []
    found: list[EcrImage] = []
    for one in gateway.map(lambda i: _described_or_none(gateway, ref, i), ids):
        found += one
    return found


def _described_or_none(gateway: Gateway, ref: EcrRef, image_id: dict[str, str]) -> list[EcrImage]:
    try:
        return gateway.ecr_images(ref.region, ref.registry_id, ref.repository, [image_id])
    except AwsError as exc:
        if exc.code == "ImageNotFoundException":
            return []
        raise


def _image_found(ref: EcrRef, image: EcrImage) -> str:
    pushed = f", pushed {image.pushed_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if image.pushed_at else ""
    size = f", {image.size_bytes / 1e6:.1f} MB" if image.size_bytes else ""
    algorithm, _, encoded = image.digest.partition(":")
    return f"{algorithm}:{encoded[:12]}{pushed}{size}"


def _missing_image(ref: EcrRef, recent_tags: Callable[[], list[str]]) -> str:
    """Say that REF is not in its repository, with the nearest of the repository's RECENT_TAGS (asked once)."""
    from ..suggest import closest

    where = f"ECR repository {ref.repository}"
    if ref.digest:
        return f"digest {ref.digest} not found in {where}"
    tag = ref.image_id["imageTag"]
    recent = recent_tags()
    near = closest(tag, recent)
    hint = f" (did you mean :{near}?)" if near else \
        f" (its latest tags: {', '.join(recent[:3])})" if recent else " (it has no tagged image)"
    return f"tag {tag} not found in {where}{hint}"


def repository_checks(gateway: Gateway, refs: list[tuple[str, EcrRef]]) -> list[Check]:
    """Check images REFS ((container, ref), one repository) with one DescribeImages call; one Check each."""
    first = refs[0][1]
    ids = list({str(r.image_id): r.image_id for _, r in refs}.values())
    try:
        found = _described(gateway, first, ids)
    except AwsError as exc:
        if exc.code == "RepositoryNotFoundException":
            detail = f"ECR repository {first.repository} not found in registry {first.registry_id} ({first.region})"
        else:
            detail = f"could not check: {exc}"
        return [Check("image", ref.image, False, f"{container}: {detail}") for container, ref in refs]
    asked: list[list[str]] = []

    def recent_tags() -> list[str]:
        if not asked:
            try:
                asked.append(gateway.recent_ecr_tags(first.region, first.registry_id, first.repository))
            except AwsError:
                asked.append([])
        return asked[0]

    checks = []
    for container, ref in refs:
        image = ref.found_in(found)
        if image is not None:
            checks.append(Check("image", ref.image, True, f"{container}: {_image_found(ref, image)}", image))
        else:
            checks.append(Check("image", ref.image, False, f"{container}: {_missing_image(ref, recent_tags)}"))
    return checks


def image_checks(gateway: Gateway, images: Iterable[tuple[str, str]]) -> list[Check]:
    """Check each (container, image): ECR ones with one DescribeImages per repository, concurrently."""
    by_repository: dict[tuple[str, str, str], list[tuple[str, EcrRef]]] = {}
    order: list[tuple[str, str, tuple[str, str, str] | None]] = []
    for container, image in images:
        ref = ecr_ref(image)
        key = (ref.registry_id, ref.region, ref.repository) if ref else None
        if ref is not None and key is not None:
            by_repository.setdefault(key, []).append((container, ref))
        order.append((container, image, key))
    answers = dict(zip(by_repository, gateway.map(lambda refs: repository_checks(gateway, refs),
                                                  list(by_repository.values())), strict=True))
    checks = []
    for container, image, key in order:
        if key is None:
            checks.append(Check("image", image, None, f"{container}: {SKIPPED}"))
        else:
            checks.append(answers[key].pop(0))
    return checks


def refuse_missing_images(gateway: Gateway, images: Iterable[tuple[str, str]]) -> None:
    """Refuse, before anything is registered, (container, image) pairs whose ECR images are not in ECR (one line)."""
    changed = [(container, image) for container, image in images if ecr_ref(image) is not None]
    if not changed:
        return
    failed = [c for c in image_checks(gateway, changed) if c.ok is False]
    if failed:
        said = "; ".join(f"container {c.detail}" for c in failed)
        raise OperationError(f"{said}; nothing was registered ({NO_VERIFY})")

"""Promote: deploy to one service exactly the image digests another service's tasks run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import AwsError
from ..images import ImageRef, InvalidImageReference, parse
from . import OperationError
from .deploy import ImageChange, Plan, Planned, Updated, UpdateReport, UpdateRequest, carry_out, registrable
from .deployments import going
from .diff import Side, Snapshot, snapshot
from .rollout import Watch

if TYPE_CHECKING:
    from ..model import Service, TaskDefinition
    from .gateway import Gateway


class PromoteRefused(OperationError):
    """SOURCE is not in a state whose images can be promoted; nothing was registered."""


@dataclass(frozen=True)
class PromoteRequest:
    """What `promote` was asked: from where to where, pinned by digest or by tag, and how to follow it."""

    source: Side
    target: Side
    by_tag: bool = False
    containers: tuple[str, ...] = ()  # only these of SOURCE's containers (default: all)
    wait: bool = False
    rollback: bool = False
    force: bool = False  # replace a deployment of TARGET that has not ended
    dry_run: bool = False  # only show what would change: a deployment going on is no reason to refuse


def completed(service: Service) -> str | None:
    """Return why SERVICE has no completed deployment to promote, or None when it has one."""
    primary = service.primary
    if primary is None:
        return "it has no deployment"
    if primary.rollout_state not in (None, "COMPLETED"):
        return f"its deployment {primary.id} ({primary.revision}) is {primary.rollout_state}"
    others = [d for d in service.deployments if d is not primary and d.running + d.pending > 0]
    if others:
        return f"its deployment {primary.id} is still replacing tasks of {others[0].revision}"
    if primary.rollout_state is None and (primary.running < primary.desired or not primary.running):
        return f"its deployment {primary.id} runs {primary.running} of {primary.desired} tasks"
    return None


def pinned(image: str, digest: str, by_tag: bool) -> str:
    """Return IMAGE (what resolved to DIGEST) pinned by DIGEST, or by its tag when BY_TAG."""
    ref = parse(image)
    if by_tag:
        if ref.tag is None:
            raise PromoteRefused(f"{image} has no tag to promote by (it is pinned by digest): promote without --tag")
        return str(ImageRef(domain=ref.domain, path=ref.path, tag=ref.tag))
    return str(ImageRef(domain=ref.domain, path=ref.path, digest=digest))


def plan_promotion(source: Snapshot, target_service: Service, target_td: TaskDefinition, by_tag: bool,
                   only: tuple[str, ...] = ()) -> Planned:
    """Plan TARGET's next revision: its task definition with SOURCE's running images; refuse when unsafe."""
    label = source.label
    why = completed(source.service)
    if why:
        raise PromoteRefused(f"{label} has no completed deployment to promote: {why}; nothing registered")
    running = source.running
    if not running.known:
        raise PromoteRefused(f"cannot tell which images {label} runs: {running.note}; nothing registered")
    mixed = running.mixed()
    if mixed:
        name, found = next(iter(sorted(mixed.items())))
        raise PromoteRefused(f"{label}'s tasks run {len(found)} different digests of container {name} "
                             f"({', '.join(d[:19] for d in found)}): wait for one to win; nothing registered")
    names = list(only) or sorted(running.digests)
    unknown = [n for n in names if n not in running.digests]
    if unknown:
        raise PromoteRefused(f"{label} has no container {unknown[0]} (it has: {', '.join(sorted(running.digests))});"
                             " nothing registered")
    spec = registrable(target_td)
    by_name = {c.get("name"): c for c in spec.get("containerDefinitions", [])}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise PromoteRefused(f"{target_td.label} has no container {missing[0]} to take {label}'s image (it has: "
                             f"{', '.join(str(n) for n in by_name)}); name the ones to promote with --container; "
                             "nothing registered")
    changes = []
    for name in names:
        image = running.images.get(name) or _defined_image(source.task_definition, name)
        try:
            new = pinned(image, running.digests[name][0], by_tag)
        except InvalidImageReference as exc:
            raise PromoteRefused(f"{label}'s container {name} runs {image!r}, which is not a valid image reference "
                                 f"({exc.reason}); nothing registered") from None
        container = by_name[name]
        changes.append(ImageChange(name, str(container.get("image", "")), new))
        container["image"] = new
    return Planned(target_service, target_td, Plan(target_td, spec, changes))


def _defined_image(td: TaskDefinition, name: str) -> str:
    found = td.container(name)
    return found.image if found else ""


def promote(request: PromoteRequest, report: UpdateReport, watching: Callable[[], Watch]) -> Updated:
    """Read SOURCE and TARGET at once, plan, and deploy through the update path (register, point, undo, follow)."""
    target = request.target
    gateway = target.gateway
    source_future = request.source.gateway.submit(snapshot, request.source)
    target_service = gateway.describe_service(target.cluster, target.service)
    target_td = gateway.task_definition(target_service.task_definition_arn)
    busy = going(gateway, target_service)
    source = source_future.result()
    if busy is not None and not (request.force or request.dry_run):
        raise PromoteRefused(f"{target.label} is in the middle of {busy}: promoting now would replace it; wait "
                             f"for it to end (`deployments {target.cluster} {target.service}`) or give --force; "
                             "nothing registered")
    planned = replace(plan_promotion(source, target_service, target_td, request.by_tag, request.containers),
                      superseding=busy)
    update = UpdateRequest(target.cluster, target.service, {}, wait=request.wait, rollback=request.rollback)
    updated = carry_out(gateway, update, planned, report, watching)
    if request.by_tag and updated.deployed is not None:
        moved = moved_tags(gateway, target, updated.deployed.new.arn, source)
        if moved:
            report.fail(f"{target.label} now runs {moved[0]}: the tag moved since {source.label} deployed it, so "
                        f"{target.label} does not run what {source.label} runs; promote without --tag pins the digest")
    return updated


def moved_tags(gateway: Gateway, target: Side, task_definition_arn: str, source: Snapshot) -> list[str]:
    """Return how TARGET's revision of TASK_DEFINITION_ARN resolved a tag to another digest than SOURCE runs."""
    try:
        service = gateway.describe_service(target.cluster, target.service)
        revisions = list(gateway.describe_service_revisions([r.arn for r in service.current_revisions]).values())
    except AwsError:
        return []  # an endpoint without service revisions: nothing to compare
    moved = []
    for revision in revisions:
        if revision.task_definition_arn != task_definition_arn:
            continue
        for image in revision.container_images:
            ran = source.running.digests.get(image.container_name, ())
            if image.image_digest and ran and image.image_digest not in ran:
                moved.append(f"{image.image} as {image.image_digest[:19]}... where {source.label} runs "
                             f"{ran[0][:19]}...")
    return moved

"""Fan a read-only command out over targets (profiles x Regions): ls, check, tasks and taskdefs.

Targets run concurrently; their calls share the session's one bound (see target_gateways.py). A target
that fails becomes a row with its one-line error, the others still print, and the command exits 1.
Nothing is retried here: each call gets botocore's retry mode, and no more.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cmd2 import CompletionItem, Completions

from ..errors import AwsError
from ..operations import OperationError
from ..plain import visible
from ..targets import ALL, Target
from .context import CommandContext
from .plumbing import CommandError

if TYPE_CHECKING:
    from ..aws.gateway import Gateway
    from ..render.views.fleet import Place

T = TypeVar("T")
MOST_TARGETS_AT_ONCE = 16  # targets in progress at once; their calls are bounded together besides
FLEET_HELP = ("With --regions or --profiles (or the regions and profiles settings), the command runs in every "
              "target at once and prints one table with profile, account and Region columns; a target that "
              "fails is a row with its error, and the exit status is 1.")


@dataclass
class Answer(Generic[T]):
    """What one target answered: the rows' items, its JSON document, and whether all is well (check)."""

    items: Sequence[T]
    document: dict[str, Any]
    account: str = ""
    ok: bool = True


@dataclass
class Reached(Generic[T]):
    """One target, where it resolved to, and its answer or its one-line error."""

    target: Target
    profile: str
    region: str
    answer: Answer[T] | None = None
    error: str | None = None

    def place(self) -> Place[T]:
        from ..render.views.fleet import Place

        answer = self.answer
        return Place(visible(self.profile), answer.account if answer else "", self.region,
                     answer.items if answer else (), self.error)

    def json(self) -> dict[str, Any]:
        where: dict[str, Any] = {"profile": self.profile, "account": self.answer.account if self.answer else None,
                                 "region": self.region}
        if self.answer is None:
            return {**where, "ok": False, "error": self.error}
        return {**where, **self.answer.document}


def add_fleet_flags(parser: argparse.ArgumentParser) -> None:
    """Add --regions and --profiles (fan the command out over those targets)."""
    parser.add_argument("--regions", metavar="REGIONS", default=None, completer=complete_regions,
                        help="comma-separated Regions to run in at once, or all (where ECS is offered)")
    parser.add_argument("--profiles", metavar="PROFILES", default=None, completer=complete_profiles,
                        help="comma-separated AWS profiles to run in at once")


def _complete_list(text: str, names: list[str]) -> Completions:
    done, _, word = text.rpartition(",")
    prefix = f"{done}," if done else ""
    taken = set(done.split(","))
    items = [CompletionItem(prefix + n) for n in names if n.startswith(word) and n not in taken]
    return Completions(items, is_sorted=True)


def complete_regions(_: Any, text: str, *__: Any, **___: Any) -> Completions:
    """Complete a comma-separated list of Regions (botocore's endpoint data), or all."""
    from ..aws.session import known_regions

    return _complete_list(text, [ALL, *known_regions()])


def complete_profiles(owner: Any, text: str, *__: Any, **___: Any) -> Completions:
    """Complete a comma-separated list of profiles from the AWS config and credentials files."""
    from ..aws.session import list_profiles
    from .common import context_of

    return _complete_list(text, list_profiles(context_of(owner).environment.env))


def targets_of(ctx: CommandContext, args: argparse.Namespace) -> list[Target]:
    """Return the targets the command fans out to ([] for none), refusing a target path beside them."""
    found = ctx.fleet(getattr(args, "profiles", None), getattr(args, "regions", None))
    if found and any(":/" in name for name in getattr(args, "names", [])):
        raise CommandError("a PROFILE@REGION:/ path and --regions/--profiles (or those settings) cannot be "
                           "combined: use one or the other", 2)
    return found


def fan_out(ctx: CommandContext, targets: Sequence[Target], work: Callable[[Gateway], Answer[T]]
            ) -> list[Reached[T]]:
    """Run WORK against each target's gateway at once; return every target's answer or error, in order."""
    session_profile = ctx.scope.profile or "default"

    def one(target: Target) -> Reached[T]:
        profile = target.profile or session_profile
        try:
            gateway = ctx.gateway_for(target)
        except (AwsError, OperationError, CommandError) as exc:
            return Reached(target, profile, target.region or ctx.scope.region or "-", error=str(exc))
        try:
            return Reached(target, profile, gateway.region, answer=work(gateway))
        except (AwsError, OperationError, CommandError) as exc:  # a refusal says `denied: ecs:ListClusters`
            said = exc.short() if isinstance(exc, AwsError) else str(exc)
            return Reached(target, profile, gateway.region, error=said)

    with ThreadPoolExecutor(max_workers=max(1, min(len(targets), MOST_TARGETS_AT_ONCE)),
                            thread_name_prefix="ecsshell-fleet") as pool:
        return list(pool.map(one, targets))


def present(ctx: CommandContext, args: argparse.Namespace, reached: Sequence[Reached[T]],
            draw: Callable[[list[Place[T]]], Any]) -> None:
    """Print the fan-out as one table (or one JSON document); exit 1 when a target failed or is not ok."""
    if ctx.view(args).json:
        ctx.presenter.json({"targets": [r.json() for r in reached]})
    else:
        ctx.presenter.show(draw([r.place() for r in reached]))
    failed = [r for r in reached if r.answer is None]
    if failed:
        names = ", ".join(f"{visible(r.profile)}@{r.region}" for r in failed[:3]) + (", ..." if len(failed) > 3 else "")
        ctx.fail(f"{len(failed)} of {len(reached)} targets failed ({names}); the others are shown")
    elif any(r.answer is not None and not r.answer.ok for r in reached):
        ctx.mark_failed(1)


# the four commands that fan out -----------------------------------------------------------------
def ls(ctx: CommandContext, args: argparse.Namespace, targets: Sequence[Target], cluster: str | None,
       service: str | None) -> None:
    """`ls` in every target: its clusters, or CLUSTER's services (only SERVICE, when named)."""
    from ..render import jsonout
    from ..render.views import fleet as views

    if cluster is None:
        def clusters(gateway: Gateway) -> Answer[Any]:
            found = gateway.list_clusters()
            return Answer(found, {"clusters": jsonout.to_jsonable(found)}, views.account_of(
                found[0].arn if found else None))

        present(ctx, args, fan_out(ctx, targets, clusters), views.fleet_clusters)
        return

    view = ctx.view(args)
    verbose = view.verbose

    def services(gateway: Gateway) -> Answer[Any]:
        if service is None:  # images from the service revisions, as `ls CLUSTER` takes them in one target
            found, task_defs = gateway.services_and_images(cluster, full=verbose)
        else:
            found = gateway.describe_services(cluster, [service])
            task_defs = gateway.task_definitions({s.task_definition_arn for s in found if s.task_definition_arn})
        document = jsonout.services_document(cluster, found, task_defs, total=len(found))
        return Answer(views.pair_services(found, task_defs), document,
                      views.account_of(found[0].arn if found else None))

    present(ctx, args, fan_out(ctx, targets, services), lambda places: views.fleet_services(cluster, places,
                                                                                 wide=view.wide or verbose))


def check(ctx: CommandContext, args: argparse.Namespace, targets: Sequence[Target], cluster: str,
          service: str | None) -> None:
    """`check` in every target: CLUSTER's services one line each, or SERVICE's findings."""
    from ..operations.check import check_cluster, check_service
    from ..render.views import fleet as views

    def checked(gateway: Gateway) -> Answer[tuple[bool, str]]:
        if service is None:
            result = check_cluster(gateway, cluster)
            arn = result.reports[0].service.arn if result.reports else None
            lines = [(not r.findings, r.summary) for r in result.reports] or [
                (True, f"cluster {cluster} has no services")]
            return Answer(lines, result.document(), views.account_of(arn), ok=result.ok)
        report = check_service(gateway, cluster, service)
        lines = [(False, f) for f in report.findings] or [(True, report.ok_line)]
        return Answer(lines, report.document(), views.account_of(report.service.arn), ok=not report.findings)

    title = f"check of {f'service {service} in ' if service else ''}cluster {cluster}"
    present(ctx, args, fan_out(ctx, targets, checked), lambda places: views.fleet_checks(title, places))


def tasks(ctx: CommandContext, args: argparse.Namespace, targets: Sequence[Target], cluster: str,
          service: str | None) -> None:
    """`tasks` in every target: CLUSTER's (or SERVICE's) running or stopped tasks."""
    from ..operations import tasks as task_ops
    from ..render import jsonout
    from ..render.views import fleet as views

    stopped = bool(args.stopped)

    def listed(gateway: Gateway) -> Answer[Any]:
        found = task_ops.list_tasks(gateway, cluster, service, stopped=stopped)
        document = {"cluster": cluster, "service": service, "desiredStatus": "STOPPED" if stopped else "RUNNING",
                    "tasks": jsonout.to_jsonable(found)}
        return Answer(found, document, views.account_of(found[0].arn if found else None))

    count = "stopped tasks" if stopped else "tasks"
    title = f"{count} of {f'service {service} in ' if service else ''}cluster {cluster}"
    present(ctx, args, fan_out(ctx, targets, listed), lambda places: views.fleet_tasks(title, places))


def taskdefs(ctx: CommandContext, args: argparse.Namespace, targets: Sequence[Target]) -> None:
    """`taskdefs` in every target: the task definition families."""
    from ..render import jsonout
    from ..render.views import fleet as views

    status = "ALL" if args.all else "ACTIVE"

    def families(gateway: Gateway) -> Answer[Any]:
        found = gateway.families(status=status)
        return Answer(found, {"families": jsonout.to_jsonable(found)},
                      views.account_of(found[0].latest_arn if found else None))

    present(ctx, args, fan_out(ctx, targets, families), views.fleet_families)

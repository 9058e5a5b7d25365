"""Fan a read-only command out over targets (profiles x Regions): ls, check, tasks and taskdefs.

Targets run concurrently; their calls share the session's one bound (see target_gateways.py). A target
that fails becomes a row with its one-line error, the others still print, and the command exits 1.
Nothing is retried here: each call gets botocore's retry mode, and no more.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cmd2 import CompletionItem, Completions

from ..errors import AwsError
from ..operations import OperationError
from ..plain import visible
from ..targets import ALL, DEFAULT_ROLE, Target
from .context import CommandContext
from .plumbing import CommandError

if TYPE_CHECKING:
    from ..aws.gateway import Gateway
    from ..render.views.fleet import Place

T = TypeVar("T")
MOST_TARGETS_AT_ONCE = 16  # targets in progress at once; their calls are bounded together besides
FLEET_HELP = ("With --regions, --profiles or --accounts (or the regions and profiles settings), the command runs "
              "in every target at once and prints one table with profile, account and Region columns (--output "
              "jsonl: a line a target, as each finishes); a target that fails is a row with its error, and the "
              "exit status is 1. --regions all is the Regions each account has enabled.")


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

    @property
    def account(self) -> str:
        return (self.answer.account if self.answer else "") or self.target.account or ""

    def place(self) -> Place[T]:
        from ..render.views.fleet import Place

        answer = self.answer
        return Place(visible(self.profile), self.account, self.region, answer.items if answer else (), self.error)

    def json(self) -> dict[str, Any]:
        where: dict[str, Any] = {"profile": None if self.target.account else self.profile,
                                 "account": self.account or None, "region": self.region}
        if self.target.account:
            where["accountName"] = self.target.name or None
        if self.answer is None:
            return {**where, "ok": False, "error": self.error}
        return {**where, **self.answer.document}


def add_fleet_flags(parser: argparse.ArgumentParser) -> None:
    """Add --regions, --profiles and --accounts (fan the command out over those targets), and --output jsonl."""
    parser.add_argument("--regions", metavar="REGIONS", default=None, completer=complete_regions,
                        help="comma-separated Regions to run in at once, or all (every Region the account has "
                             "enabled)")
    parser.add_argument("--profiles", metavar="PROFILES", default=None, completer=complete_profiles,
                        help="comma-separated AWS profiles to run in at once")
    parser.add_argument("--accounts", metavar="org[:ROLE]|ID,ID[:ROLE]", default=None,
                        help="run in these accounts at once (org: every ACTIVE account of the organization), "
                             f"through role ROLE in each (default {DEFAULT_ROLE})")
    output = parser._option_string_actions.get("--output")
    if output is not None and output.choices is not None and "jsonl" not in output.choices:
        output.choices = (*output.choices, "jsonl")
        output.help = f"{output.help}; jsonl with a fan-out: one object a target, printed as each finishes"


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
    """Return the targets the command fans out to ([] for none), refusing a target path beside them.

    A target's Region may be `all`, made every Region its account has enabled when the fan-out runs.
    """
    accounts = getattr(args, "accounts", None)
    if accounts is not None:
        if getattr(args, "profiles", None):
            raise CommandError("--accounts and --profiles cannot be combined: accounts are reached through a role "
                               "from the session's own credentials", 2)
        found = _account_targets(ctx, accounts, ctx.fleet("", getattr(args, "regions", None)))
    else:
        found = ctx.fleet(getattr(args, "profiles", None), getattr(args, "regions", None))
    if found and any(":/" in name for name in getattr(args, "names", [])):
        raise CommandError("a PROFILE@REGION:/ path and --regions/--profiles/--accounts (or those settings) cannot "
                           "be combined: use one or the other", 2)
    if not found and getattr(args, "output", None) == "jsonl":
        raise CommandError("--output jsonl prints a fan-out's targets one a line: use it with --regions, "
                           "--profiles or --accounts", 2)
    return found


def _account_targets(ctx: CommandContext, value: str, regions: list[Target]) -> list[Target]:
    """Return the targets of an --accounts VALUE in each of REGIONS' Regions (the session's Region if none)."""
    from ..targets import ORG, parse_accounts

    try:
        ids, role = parse_accounts(value)
    except ValueError as exc:
        raise CommandError(str(exc), 2) from None
    if ids == [ORG]:
        try:
            listed = ctx.fleet_sessions.organization_accounts()
        except AwsError as exc:
            raise CommandError(f"cannot list the accounts of the organization: {exc}") from None
        chosen = [(a.id, a.name) for a in listed if a.status == "ACTIVE"]
        if not chosen:
            raise CommandError("the organization has no ACTIVE account")
    else:
        chosen = [(account, "") for account in ids]
    return [Target(None, where.region, account=account, role=role, name=name)
            for account, name in chosen for where in (regions or [Target()])]


@dataclass
class Finished(Generic[T]):
    """Where the fan-out stands: targets done and failed, and (kept only as the output needs) their rows."""

    total: int
    done: int = 0
    failed: int = 0
    not_ok: int = 0
    failed_names: list[tuple[int, str]] = field(default_factory=list)  # the first few, in target order
    places: list[tuple[int, Place[T]]] = field(default_factory=list)  # for the table, in target order
    documents: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # for --output json


def fan_out(ctx: CommandContext, targets: Sequence[Target], work: Callable[[Gateway], Answer[T]],
            on_done: Callable[[int, Reached[T]], None]) -> None:
    """Run WORK against each target's gateway at once; hand each target's answer or error to ON_DONE as it finishes.

    A target whose Region is `all` becomes one target per Region its account has enabled (asked once per
    account); the Regions left out as not enabled are said once, on stderr. Each target's gateway is
    released as soon as it is done, so the clients of a thousand targets are never all alive at once.
    """
    sessions = ctx.fleet_sessions
    session_profile = ctx.scope.profile or "default"
    placed = [sessions.place(t) for t in targets]
    skipped: dict[str, list[str]] = {}  # Region not enabled -> the accounts (rows' labels) that skip it
    reachable = 0

    def label(target: Target) -> str:
        return target.who or session_profile

    def regions_of(target: Target) -> tuple[Target, list[str] | Exception]:
        try:
            return target, sessions.enabled_regions(target)[0]
        except (AwsError, OperationError, CommandError) as exc:
            return target, exc

    wide = [t for t in placed if t.region == ALL]
    concrete: list[Target] = []
    errors: list[Reached[T]] = []
    if wide:
        offered = sorted(sessions.offered())
        identities = list(dict.fromkeys(dataclasses.replace(t, region=None) for t in wide))
        with ThreadPoolExecutor(max_workers=max(1, min(len(identities), MOST_TARGETS_AT_ONCE)),
                                thread_name_prefix="ecsshell-regions") as pool:
            enabled = dict(pool.map(regions_of, identities))
        for target in placed:
            if target.region != ALL:
                concrete.append(target)
                continue
            found = enabled[dataclasses.replace(target, region=None)]
            if isinstance(found, Exception):
                errors.append(Reached(target, label(target), ALL, error=str(found)))
                continue
            reachable += 1
            concrete += [dataclasses.replace(target, region=r) for r in found]
            for region in offered:
                if region not in found:
                    skipped.setdefault(region, []).append(label(target))
        concrete = list(dict.fromkeys(concrete))
    else:
        concrete = placed
    if skipped:
        ctx.presenter.note(_skipped_line(skipped, reachable))

    def one(target: Target) -> Reached[T]:
        profile = label(target)
        try:
            gateway, own = sessions.fleet_gateway(target)
        except (AwsError, OperationError, CommandError) as exc:
            return Reached(target, profile, target.region or "-", error=str(exc))
        try:
            return Reached(target, profile, gateway.region, answer=work(gateway))
        except (AwsError, OperationError, CommandError) as exc:  # a refusal says `denied: ecs:ListClusters`
            said = exc.short() if isinstance(exc, AwsError) else str(exc)
            return Reached(target, profile, gateway.region, error=said)
        finally:
            if own:
                gateway.release()

    for index, reached in enumerate(errors):  # accounts whose Regions could not be read: a row each, first
        on_done(index, reached)
    first = len(errors)
    if not concrete:
        return
    with ThreadPoolExecutor(max_workers=max(1, min(len(concrete), MOST_TARGETS_AT_ONCE)),
                            thread_name_prefix="ecsshell-fleet") as pool:
        futures = {pool.submit(one, target): first + i for i, target in enumerate(concrete)}
        for future in as_completed(futures):
            on_done(futures.pop(future), future.result())


def _skipped_line(skipped: dict[str, list[str]], accounts: int) -> str:
    """Return the one line that says which Regions were left out as not enabled, and for how many accounts."""
    parts = []
    for region, who in skipped.items():
        if len(who) == accounts:
            parts.append(region)
        elif len(who) <= 2:
            parts.append(f"{region} ({', '.join(who)})")
        else:
            parts.append(f"{region} ({len(who)} of {accounts})")
    where = "" if accounts == 1 else f" in {accounts} accounts" if all(len(w) == accounts for w in skipped.values()) \
        else ""
    count = len(skipped)
    return f"skipped {count} Region{'s' if count != 1 else ''} not enabled{where}: {', '.join(parts)}"


def present(ctx: CommandContext, args: argparse.Namespace, targets: Sequence[Target],
            work: Callable[[Gateway], Answer[T]], draw: Callable[[list[Place[T]]], Any]) -> None:
    """Fan WORK out over TARGETS and print it: one table, one JSON document, or (jsonl) a line per target as it ends.

    Exit 1 when a target failed or is not ok. On a terminal a progress line counts the targets meanwhile.
    """
    view = ctx.view(args)
    presenter = ctx.presenter
    progress = presenter.status_live and not view.lines
    state: Finished[T] = Finished(len(targets))

    def on_done(index: int, reached: Reached[T]) -> None:
        state.done += 1
        if reached.answer is None:
            state.failed += 1
            state.failed_names = sorted([*state.failed_names,
                                         (index, f"{visible(reached.profile)}@{reached.region}")])[:4]
        elif not reached.answer.ok:
            state.not_ok += 1
        if view.lines:
            presenter.json_line(reached.json())
        elif view.json:
            state.documents.append((index, reached.json()))
        else:
            state.places.append((index, reached.place()))
        if progress:
            presenter.status(f"{state.done} targets done" + (f", {state.failed} failed" if state.failed else "")
                             + " ...")

    try:
        fan_out(ctx, targets, work, on_done)
    finally:
        if progress:
            presenter.clear_status()
    if view.lines:
        pass
    elif view.json:
        presenter.json({"targets": [d for _, d in sorted(state.documents, key=lambda pair: pair[0])]})
    else:
        presenter.show(draw([p for _, p in sorted(state.places, key=lambda pair: pair[0])]))
    if state.failed:
        names = ", ".join(name for _, name in state.failed_names[:3]) + (", ..." if state.failed > 3 else "")
        ctx.fail(f"{state.failed} of {state.done} targets failed ({names}); the others are shown")
    elif state.not_ok:
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

        present(ctx, args, targets, clusters, views.fleet_clusters)
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

    present(ctx, args, targets, services, lambda places: views.fleet_services(cluster, places,
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
    present(ctx, args, targets, checked, lambda places: views.fleet_checks(title, places))


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
    present(ctx, args, targets, listed, lambda places: views.fleet_tasks(title, places))


def taskdefs(ctx: CommandContext, args: argparse.Namespace, targets: Sequence[Target]) -> None:
    """`taskdefs` in every target: the task definition families."""
    from ..render import jsonout
    from ..render.views import fleet as views

    status = "ALL" if args.all else "ACTIVE"

    def families(gateway: Gateway) -> Answer[Any]:
        found = gateway.families(status=status)
        return Answer(found, {"families": jsonout.to_jsonable(found)},
                      views.account_of(found[0].latest_arn if found else None))

    present(ctx, args, targets, families, views.fleet_families)

"""Look around: ls, use, check, refresh, profile, region."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from cmd2 import Choices, CompletionItem, with_argparser, with_category

from .. import targets
from ..presenter import View
from ..scope import SCOPE_RULE
from ..targets import TARGET_RULE
from . import fleet, numbers
from .common import EcsCommands, positional_completer
from .plumbing import CommandError, CommandParser, add_output_flag

CATEGORY = "Browse"


def add_view_flags(parser: argparse.ArgumentParser) -> None:
    """Add the flags that mirror the global view options (-v, -events, -elb, --output)."""
    parser.add_argument("-v", "--verbose", action="store_true", default=None,
                        help="task definition detail: cpu/memory, environment, secrets, logs, roles")
    parser.add_argument("-events", "--events", type=numbers.option("-events"), metavar="N", default=None,
                        help="the N most recent service events per service")
    parser.add_argument("-elb", "--elb", action="store_true", default=None,
                        help="load balancers and target health behind the services")
    parser.add_argument("--show-secrets", action="store_true", default=None,
                        help="show values of secret-looking environment variables")
    add_output_flag(parser)
    add_table_flags(parser)


def add_table_flags(parser: argparse.ArgumentParser) -> None:
    """Add --wide (whole values, as kubectl -o wide) and --records (a block per row, psql's expanded mode)."""
    parser.add_argument("--wide", action="store_true", default=None,
                        help="whole values: every container's full image, every deployment, load balancers")
    parser.add_argument("--records", action="store_true", default=None,
                        help="one block of `column value` lines per row (see `set records`)")


def ls_parser() -> CommandParser:
    parser = CommandParser(description="List clusters, a cluster's services, or one service in detail. "
                                       "`ls CLUSTER TASK` shows one task (running or recently stopped) in detail: "
                                       "containers, images and digests, network, health, timestamps and why it "
                                       "stopped; TASK is its id, its ARN or a prefix only one id has. A service "
                                       "of that name wins; a name that looks like a task id (4 or more hex "
                                       "digits) and is no service is a task.",
                    epilog=f"{SCOPE_RULE} {TARGET_RULE} {fleet.FLEET_HELP}")
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] [SERVICE|TASK]",
                        help="[CLUSTER [SERVICE|TASK]], or a path /CLUSTER/SERVICE",
                        completer=positional_completer(("cluster", "service")))
    add_view_flags(parser)
    fleet.add_fleet_flags(parser)
    return parser


def check_parser() -> CommandParser:
    parser = CommandParser(description="Check a service: running tasks, revisions, deployments, target health. "
                                "Given a cluster and no service, check every service of it, one line each. "
                                "Exits 1 when anything is wrong.",
                           epilog=SCOPE_RULE + " One name with no cluster in scope is checked as a cluster "
                                  "when ECS has a cluster of that name (as `ls` reads it), else as a service "
                                  "(which then needs a cluster); inside `use prod`, `check web` is service web "
                                  f"and `check` alone checks all of prod. {fleet.FLEET_HELP}")
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] [SERVICE]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "service")))
    add_output_flag(parser)
    fleet.add_fleet_flags(parser)
    return parser


def use_parser() -> CommandParser:
    parser = CommandParser(description="Select a cluster and service for the commands that follow.",
                    epilog="`use prod`, `use prod api`, `use api` (inside a cluster), `use ..` steps up, "
                           "`use /` clears; `use staging@eu-west-1:/web` switches profile and Region too.")
    parser.add_argument("names", nargs="*", metavar="CLUSTER [SERVICE] | SERVICE | .. | /",
                        help="where to stand: a cluster (and service), a service of the current cluster, up, or top",
                        completer=positional_completer(("cluster", "service")))
    return parser


def profile_choices(owner: Any) -> Choices:
    """Complete profile names from the AWS config and credentials files."""
    from ..aws.session import list_profiles
    from .common import context_of

    names = list_profiles(context_of(owner).environment.env)
    return Choices([CompletionItem(name) for name in [*names, "env"]])


def region_choices(_: Any) -> Choices:
    """Complete the regions where ECS is offered."""
    from ..aws.session import known_regions

    return Choices([CompletionItem(name) for name in known_regions()])


def name_parser(what: str, description: str) -> CommandParser:
    parser = CommandParser(description=description)
    provider = profile_choices if what == "profile" else region_choices
    parser.add_argument("name", nargs="?", metavar=what.upper(), help=f"the {what} to switch to",
                        choices_provider=provider)
    return parser


class BrowseCommands(EcsCommands):
    """Commands that read ECS and move the scope."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(ls_parser)
    @with_category(CATEGORY)
    def do_ls(self, args: argparse.Namespace) -> None:
        """List clusters, a cluster's services, or one service in detail."""
        fanned = fleet.targets_of(self.ctx, args)
        cluster, service = self.optional(args.names)
        if fanned:
            fleet.ls(self.ctx, args, fanned, cluster, service)
            return
        view = self.ctx.view(args)
        if cluster is None:
            self._ls_clusters(view)
        elif service is None:
            self._ls_cluster(cluster, view)
        else:
            from ..model import Task
            from ..operations.tasks import service_or_task
            from .plumbing import refused

            with refused():
                found = service_or_task(self.ctx.gateway, cluster, service)
            if isinstance(found, Task):
                self._ls_task(cluster, found, view)
            else:
                self._ls_service(cluster, service, view, found)

    def _ls_task(self, cluster: str, task: Any, view: View) -> None:
        from ..render import jsonout, views

        if view.json:
            self.ctx.presenter.json({"cluster": cluster, "task": jsonout.to_jsonable(task)})
        else:
            self.ctx.presenter.show(views.task_detail(cluster, task))

    def _ls_clusters(self, view: View) -> None:
        from ..render import jsonout, views

        clusters = self.ctx.gateway.list_clusters()
        if view.json:
            self.ctx.presenter.json({"clusters": jsonout.to_jsonable(clusters)})
            return
        if not clusters:
            self.ctx.presenter.line(f"No clusters in {self.ctx.gateway.region}.")
            return
        self.ctx.presenter.show(views.clusters_table(clusters, records=view.records))

    def _ls_cluster(self, cluster: str, view: View) -> None:
        from .. import queries
        from ..render import jsonout, views

        gateway = self.ctx.gateway
        # images from the service revisions; -v shows status and tags, so asks ECS for the task definitions
        progress = self._progress_line(cluster)
        try:
            services, task_defs = gateway.services_and_images(cluster, on_progress=progress, full=view.verbose)
        finally:
            if progress is not None:
                self.ctx.presenter.clear_status()
        lbs = gateway.load_balancers(services) if view.elb and services else []
        if view.json:
            document = jsonout.services_document(cluster, services, task_defs, total=len(services))
            for doc, svc in zip(document["services"], services, strict=True):
                doc["events"] = jsonout.to_jsonable(queries.recent_events(svc, view.events))
            if view.verbose:
                document["taskDefinitions"] = [jsonout.task_definition_document(td, view.show_secrets)
                                                for td in task_defs.values()]
            if view.elb:
                document["elb"] = jsonout.to_jsonable(lbs)  # ELB's load balancers and target health, by -elb
            self.ctx.presenter.json(document)
            return
        self.ctx.presenter.show(views.services_table(cluster, services, task_defs, total=len(services),
                                                     wide=view.wide, verbose=view.verbose, records=view.records))
        if view.events:
            for svc in services:
                self.ctx.presenter.show(views.events_view(svc, view.events))
        if view.verbose:
            for arn in sorted(task_defs):
                self.ctx.presenter.show(views.task_definition_view(task_defs[arn], verbose=True,
                                                          show_secrets=view.show_secrets))
        if lbs:
            self.ctx.presenter.show(views.load_balancers_view(lbs))

    def _progress_line(self, cluster: str) -> Any:
        """Return a progress callback drawing 'described/listed' on a terminal's stderr, or None.

        The line stays while botocore backs off a throttled call and while the images are read; the
        caller clears it when the listing is done.
        """
        presenter = self.ctx.presenter
        if not presenter.status_live:
            return None

        def draw(described: int, listed: int) -> None:
            if described >= listed:
                presenter.status(f"{cluster}: reading the images of {listed} services")
            else:
                presenter.status(f"{cluster}: {described}/{listed} services described")

        return draw

    def _ls_service(self, cluster: str, service: str, view: View, svc: Any = None) -> None:
        from ..operations import deployments
        from ..operations import scaling as auto_scaling
        from ..render import jsonout, views
        from ..render.views.scaling import auto_scaling_document

        gateway = self.ctx.gateway
        svc = svc or gateway.describe_services(cluster, [service])[0]
        tasks_future = gateway.submit(gateway.service_tasks, cluster, service)
        deployment_future = gateway.submit(deployments.current_deployment, gateway, svc)
        revisions_future = gateway.submit(deployments.running_revisions, gateway, svc)
        scaling_read = auto_scaling.read(gateway, cluster, svc.name)
        usage_future = None if view.json else gateway.submit(self._usage, gateway, cluster, service,
                                                             self.ctx.environment.now(), not self.ctx.presenter.color)
        td = gateway.task_definition(svc.task_definition_arn)
        tasks = tasks_future.result()
        deployment, revisions = deployment_future.result(), revisions_future.result()
        scaling = scaling_read()
        lbs = gateway.load_balancers([svc]) if view.elb else []
        if view.json:
            document = jsonout.service_document(svc, td, tasks, view.show_secrets, events=view.events,
                                                deployment=deployment, revisions=revisions)
            document["service"] = jsonout.with_added(document["service"],
                                                     autoScaling=auto_scaling_document(scaling))
            if view.elb:
                document["elb"] = jsonout.to_jsonable(lbs)  # ELB's load balancers and target health, by -elb
            self.ctx.presenter.json(document)
            return
        self.ctx.presenter.show(views.service_detail(svc, td, tasks, verbose=view.verbose, events=view.events,
                                            show_secrets=view.show_secrets,
                                            rollout=deployments.rollout_facts(svc, deployment, revisions),
                                            scaling=scaling,
                                            usage=usage_future.result() if usage_future else None))
        if lbs:
            self.ctx.presenter.show(views.load_balancers_view(lbs))

    @staticmethod
    def _usage(gateway: Any, cluster: str, service: str, now: datetime, plain: bool) -> Any:
        """Return `ls CLUSTER SERVICE`'s CPU and memory line (fetched on the pool with the rest of the detail)."""
        from ..operations.metrics import DEFAULT_WINDOW, glance, window
        from ..render.views.metrics import metrics_line

        found, problem = glance(gateway, cluster, service, now)
        start, end, period = window(now, DEFAULT_WINDOW)
        return metrics_line(found, problem, start, end, period, plain=plain)

    @with_argparser(check_parser)
    @with_category(CATEGORY)
    def do_check(self, args: argparse.Namespace) -> None:
        """Check a service, or every service of a cluster, and exit non-zero when something is wrong."""
        from ..operations.check import check_service
        from ..render import views

        usage = "check [CLUSTER] SERVICE | check CLUSTER"
        fanned = fleet.targets_of(self.ctx, args)
        cluster, service = self.optional(list(args.names))
        if fanned:
            if cluster is None:
                raise CommandError(f"missing CLUSTER (or select it with `use`); usage: {usage}", 2)
            fleet.check(self.ctx, args, fanned, cluster, service)
            return
        if service is None and cluster is not None and (self.ctx.scope.cluster == cluster
                                                        or self.ctx.gateway.has_cluster(cluster)):
            self._check_cluster(cluster, args)
            return
        cluster, service = self.required(args.names, ("cluster", "service"), usage)
        report = check_service(self.ctx.gateway, cluster, service)
        if self.ctx.view(args).json:
            self.ctx.presenter.json(report.document())
        else:
            self.ctx.presenter.show(views.check_report(report.findings, report.ok_line))
        if report.findings:
            self.ctx.mark_failed(1)

    def _check_cluster(self, cluster: str, args: argparse.Namespace) -> None:
        """Check every service of CLUSTER: one line each, exit 1 when any of them warns."""
        from ..operations.check import check_cluster
        from ..render import views

        checked = check_cluster(self.ctx.gateway, cluster)
        if self.ctx.view(args).json:
            self.ctx.presenter.json(checked.document())
        elif not checked.reports:
            self.ctx.presenter.line(f"OK: cluster {cluster} has no services")
        else:
            self.ctx.presenter.show(views.cluster_check([(not r.findings, r.summary) for r in checked.reports]))
        if not checked.ok:
            self.ctx.mark_failed(1)

    @with_argparser(use_parser)
    @with_category(CATEGORY)
    def do_use(self, args: argparse.Namespace) -> None:
        """Select a cluster (and service) so later commands need fewer names."""
        ctx = self.ctx
        names = list(args.names)
        if not names:
            ctx.presenter.line(f"scope: {ctx.scope.path() or '(none)'}")
            return
        if len(names) > 2:
            raise CommandError("use takes at most CLUSTER SERVICE", 2)
        place, names = targets.take(names)
        if place is not None:  # `use prod@eu-west-1:/web`: switch profile and Region, then enter the path
            if len(names) > 1:
                raise CommandError("use PROFILE@REGION:/CLUSTER/SERVICE takes nothing after the path", 2)
            if place.account:  # the session's profile is what `use` switches; an account is reached per command
                raise CommandError(f"use cannot switch the session into account {place.account}: name it in each "
                                   f"command's path ({place.label()}:/...), or use a profile for it", 2)
            ctx.switch(profile=place.profile, region=place.region, source="named in the path")
        target = "/" + "/".join(names) if len(names) == 2 else names[0]
        scope = ctx.scope.enter(target)
        inside = place is None and ctx.scope.cluster is not None and scope.cluster == ctx.scope.cluster
        self._verify(scope.cluster, scope.service, one_word=inside and target == scope.service)
        ctx.set_scope(scope)

    def _verify(self, cluster: str | None, service: str | None, *, one_word: bool = False) -> None:
        """Refuse a scope that names a cluster or service ECS does not have.

        ONE_WORD: a single name typed inside a cluster, read as a service; when ECS has no such service
        but a cluster of a near name, the refusal names that cluster (`use prdo` inside prod).
        """
        from ..aws.errors import NotFound

        gateway = self.ctx.gateway
        if cluster:
            gateway.describe_cluster(cluster)
        if cluster and service:
            try:
                gateway.describe_services(cluster, [service])
            except NotFound as exc:
                near = self._near_cluster(service) if one_word else None
                if near is None:
                    raise
                raise CommandError(f"{exc}; did you mean the cluster {near} (`use /{near}`)?", 1) from None

    def _near_cluster(self, name: str) -> str | None:
        """Return the cluster name nearest NAME, from the completion names, else from a listing."""
        from cmd2 import CompletionError

        from ..suggest import closest

        try:
            clusters = [item.text for item in self.ctx.names.choices("clusters")]
        except CompletionError:
            clusters = [c.name for c in self.ctx.gateway.list_clusters()]
        return closest(name, clusters)

    @with_argparser(name_parser("profile", "Switch to another AWS profile (new clients, scope cleared)."))
    @with_category(CATEGORY)
    def do_profile(self, args: argparse.Namespace) -> None:
        """Switch to another AWS profile, or show the current one with its account and Region."""
        if args.name:  # the toolbar shows the account when STS answers; a script asks STS nothing here
            self.ctx.switch(profile=args.name, source="given to `profile`")
        self.ctx.presenter.line(self.ctx.where(ask=not args.name))

    @with_argparser(name_parser("region", "Switch to another AWS region (new clients, scope cleared)."))
    @with_category(CATEGORY)
    def do_region(self, args: argparse.Namespace) -> None:
        """Switch to another AWS region, or show the current one."""
        if not args.name:
            self.ctx.presenter.line(self.ctx.gateway.region)
            return
        self.ctx.switch(region=args.name)
        self.ctx.presenter.line(f"region {args.name}")

    @with_argparser(CommandParser(description="Refetch the names used for TAB completion."))
    @with_category(CATEGORY)
    def do_refresh(self, _: argparse.Namespace) -> None:
        """Fetch completion names again (clusters, services, families) in the background."""
        cache = self.ctx.names
        cache.clear()
        cache.prefetch("clusters")
        cache.prefetch("families")
        if self.ctx.scope.cluster:
            cache.prefetch_services(self.ctx.scope.cluster)
        self.ctx.presenter.line("refreshing names in the background")

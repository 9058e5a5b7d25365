"""Scheduled tasks: `schedules` lists the EventBridge schedules and rules that run ECS tasks; `update --schedule`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Protocol

from cmd2 import with_argparser, with_category

from ..scope import split_path
from .common import EcsCommands, positional_completer
from .plumbing import CommandError, CommandParser, add_output_flag, refused

if TYPE_CHECKING:
    from ..model import ScheduledTask
    from ..operations import schedules
    from ..targets import Target
    from .context import CommandContext

CATEGORY = "Tasks"
USAGE = "update [CLUSTER] --schedule NAME IMAGE|:TAG"


def schedules_parser() -> CommandParser:
    parser = CommandParser(description="List the EventBridge Scheduler schedules (every group) and EventBridge rules "
                                       "that run ECS tasks: name, group (or `rule`), expression, next run, state, "
                                       "task definition and cluster.",
                           epilog="The next run is told for cron and at expressions, and for a schedule's rate "
                                  "(from its start date or creation); a rule's rate has no start to count from. "
                                  "`update --schedule NAME IMAGE|:TAG` deploys a new image to one of them. "
                                  "`schedules /` lists them all, whatever the scope.")
    parser.add_argument("names", nargs="*", metavar="[CLUSTER]",
                        help="only the schedules running tasks in CLUSTER (default: the scope's; `/` for all)",
                        completer=positional_completer(("cluster",)))
    add_output_flag(parser)
    return parser


class ScheduleCommands(EcsCommands):
    """Commands that read scheduled ECS tasks."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(schedules_parser)
    @with_category(CATEGORY)
    def do_schedules(self, args: argparse.Namespace) -> None:
        """List the EventBridge schedules and rules that run ECS tasks, with their next run."""
        from ..clock import now
        from ..operations import schedules
        from ..render.views import schedules as view

        (cluster,) = self.optional(list(args.names), ("cluster",))
        gateway = self.ctx.gateway
        with refused():
            rows = schedules.listing(gateway, cluster, now())
        if not rows and cluster:
            gateway.describe_cluster(cluster)  # a cluster that does not exist is an error, with did-you-mean
        if self.ctx.view(args).json:
            self.ctx.presenter.json(view.schedules_document(rows))
        elif not rows:
            where = f" in cluster {cluster}" if cluster else ""
            self.ctx.presenter.line(f"no EventBridge schedule or scheduled rule runs ECS tasks{where}")
        else:
            self.ctx.presenter.show(view.schedules_table(rows, cluster or ""))


# update --schedule ------------------------------------------------------------------------------
class Updating(Protocol):
    """What `update --schedule` uses of the `update` command (commands/deploy.py's DeployCommands)."""

    @property
    def ctx(self) -> CommandContext: ...

    def located(self, args: list[str]) -> tuple[Target | None, list[str]]: ...

    def _image_args(self, args: argparse.Namespace, image: str | None) -> dict[str | None, str]: ...

    @staticmethod
    def _env_args(args: argparse.Namespace) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]: ...


def _is_image(name: str) -> bool:
    """Say whether a positional is an image (or :TAG, @DIGEST): a cluster's name has no `:`, `@` or `/`."""
    return any(ch in name for ch in ":@/")


def _schedule_names(commands: Updating, args: argparse.Namespace) -> tuple[str | None, str | None]:
    """Return the (CLUSTER, IMAGE) of `update [CLUSTER] --schedule NAME [IMAGE]` (the scope gives no cluster)."""
    _, rest = commands.located(list(args.names))
    rest = split_path(rest)
    image = rest.pop() if rest and _is_image(rest[-1]) else None
    cluster = rest.pop() if rest else None
    if rest:
        raise CommandError(f"too many names for --schedule: {' '.join(args.names)}; usage: {USAGE}", 2)
    return cluster, image


def _refuse_rollout_flags(args: argparse.Namespace) -> None:
    """Refuse the flags that act on a service's rollout: a schedule starts its tasks at its next run."""
    for flag, given in (("--rollback", args.rollback), ("--deregister-old", args.deregister_old),
                        ("--wait", args.wait is True)):
        if given:
            raise CommandError(f"{flag} acts on a service's rollout, and --schedule changes a schedule, which "
                               "starts its tasks at its next run; usage: " + USAGE, 2)


def update_schedule(commands: Updating, args: argparse.Namespace) -> None:
    """Deploy a new image (or :tag) to the task a schedule or rule runs: register, then point its target at it."""
    from ..operations import schedules

    _refuse_rollout_flags(args)
    cluster, image = _schedule_names(commands, args)
    images = commands._image_args(args, image)
    set_env, unset_env = commands._env_args(args)
    if not (images or set_env or unset_env):
        raise CommandError(f"nothing to change: give an IMAGE, --image, --env or --unset-env; usage: {USAGE}", 2)
    report = ScheduleUpdate(commands.ctx, args)
    gateway = commands.ctx.gateway
    with refused():
        planned = schedules.plan_next(gateway, args.schedule, cluster, images, set_env, unset_env,
                                      ahead=not args.dry_run)
        if not report.review(planned):
            return
        done = schedules.retarget(gateway, planned, report.note)
    report.done(done)


class ScheduleUpdate:
    """Present `update --schedule`: the diff, the question or the dry run, and what was done."""

    def __init__(self, ctx: CommandContext, args: argparse.Namespace) -> None:
        self.ctx = ctx
        self.args = args
        self.as_json = self.ctx.view(args).json

    @staticmethod
    def _what(task: ScheduledTask) -> str:
        from ..operations.schedules import described

        return f"{described(task)} (cluster {task.cluster})"

    def review(self, planned: schedules.Planned) -> bool:
        """Show the diff; on a dry run stop there, else ask (unless --yes) whether to go on."""
        from .review import Review, plan_diff, review_change

        ctx, args, current, plan = self.ctx, self.args, planned.current, planned.plan
        asking = not args.yes and ctx.asks_confirmation
        diff_text = plan_diff(ctx, args, plan) if args.dry_run or asking else ""
        review = Review({"schedule": planned.task.label, "cluster": planned.task.cluster}, self._what(planned.task),
                        f"note: the new revision equals {current.label}",
                        f"Point {self._what(planned.task)} at this new revision?")
        return review_change(ctx, dry_run=args.dry_run, asking=asking, as_json=self.as_json, plan=plan,
                             diff_text=diff_text, review=review)

    def note(self, line: str) -> None:
        self.ctx.presenter.note(line)

    def done(self, done: schedules.Retargeted) -> None:
        """Say what was registered and what the schedule now runs (a JSON document with --output json)."""
        ctx, task, new = self.ctx, done.task, done.new
        ctx.names.invalidate("revisions", new.family)
        if self.as_json:
            ctx.presenter.json({"schedule": task.label, "scheduleArn" if task.kind == "schedule" else "ruleArn":
                                task.arn, "cluster": task.cluster, "from": done.current.label, "to": new.label,
                                "taskDefinitionArn": new.arn, "images": [c.__dict__ for c in done.plan.images],
                                "env": done.plan.env_changes})
            return
        for change in done.plan.images:
            ctx.presenter.line(f"{change.container}: {change.old} -> {change.new}")
        for line in done.plan.env_changes:
            ctx.presenter.line(f"environment {line}")
        ctx.presenter.line(f"registered {new.label}; {self._what(task)} now runs it (was {done.current.label}) "
                           "from its next run")

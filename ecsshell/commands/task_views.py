"""What is running, down to the task: tasks, stop."""

from __future__ import annotations

import argparse

from cmd2 import with_argparser, with_category

from ..scope import SCOPE_RULE
from ..secrets import free_text
from . import fleet
from .browse import add_table_flags
from .common import EcsCommands, positional_completer
from .plumbing import CommandError, CommandParser, add_output_flag, mutating, refused

CATEGORY = "Tasks"
DEFAULT_REASON = "Stopped with ecsshell"


def tasks_parser() -> CommandParser:
    parser = CommandParser(description="List the running tasks of a service, or of a whole cluster (standalone "
                                       "tasks too): short id, revision, last and desired status, health, start "
                                       "time. --stopped lists recently stopped tasks with when and why they "
                                       "stopped and each container's exit code.", epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] [SERVICE]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "service")))
    parser.add_argument("--stopped", action="store_true", help="recently stopped tasks instead of running ones")
    add_output_flag(parser)
    add_table_flags(parser)
    fleet.add_fleet_flags(parser)
    return parser


def stop_parser() -> CommandParser:
    parser = CommandParser(description="Stop a running task (StopTask). TASK is its id, its ARN, or a prefix of "
                                       "the id that no other running task of the cluster shares.",
                           epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="+", metavar="[CLUSTER] TASK",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "task")))
    parser.add_argument("--reason", default=DEFAULT_REASON, metavar="TEXT",
                        help=f"why, as ECS records it on the task (default: {DEFAULT_REASON!r})")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_output_flag(parser)
    return parser


class TaskViewCommands(EcsCommands):
    """Commands that show a cluster's or a service's tasks, and stop one."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(tasks_parser)
    @with_category(CATEGORY)
    def do_tasks(self, args: argparse.Namespace) -> None:
        """List the running (or --stopped) tasks of a service or of a whole cluster."""
        from ..operations import tasks as task_ops
        from ..render import jsonout, views

        ctx = self.ctx
        targets = fleet.targets_of(ctx, args)
        cluster, service = self.optional(list(args.names))
        if cluster is None:
            raise CommandError("missing CLUSTER (or select it with `use`; see `help scope`); "
                               "usage: tasks CLUSTER [SERVICE] [--stopped]", 2)
        if targets:
            fleet.tasks(ctx, args, targets, cluster, service)
            return
        found = task_ops.list_tasks(ctx.gateway, cluster, service, stopped=args.stopped)
        view = ctx.view(args)
        if view.json:
            ctx.presenter.json({"cluster": cluster, "service": service,
                                "desiredStatus": "STOPPED" if args.stopped else "RUNNING",
                                "tasks": jsonout.to_jsonable(found)})
            return
        title = f"service {service} in {cluster}" if service else f"cluster {cluster}"
        ctx.presenter.show(views.task_list(title, found, args.stopped, wide=view.wide, records=view.records))

    @with_argparser(stop_parser)
    @with_category(CATEGORY)
    @mutating
    def do_stop(self, args: argparse.Namespace) -> None:
        """Stop one running task, named by its id or a unique prefix of it."""
        from ..operations import tasks as task_ops
        from ..render import jsonout

        ctx = self.ctx
        cluster, ref = self.required(list(args.names), ("cluster", "task"), "stop [CLUSTER] TASK [--reason TEXT]")
        with refused():
            task = task_ops.find_task(ctx.gateway, cluster, ref)
        if not self.go_ahead(args, f"Stop task {task.id} ({task.revision}) in {cluster}?"):
            return
        stopped = task_ops.stop(ctx.gateway, cluster, task, args.reason)
        if ctx.view(args).json:
            ctx.presenter.json({"cluster": cluster, "task": jsonout.to_jsonable(stopped)})
            return
        ctx.presenter.line(f"stopping task {stopped.id} ({stopped.revision}) in {cluster}: desired "
                           f"{stopped.desired_status}, last {stopped.last_status}; reason: {free_text(args.reason)}")

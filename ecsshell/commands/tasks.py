"""One-off tasks and logs: run, logs."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from cmd2 import Choices, with_argparser, with_category

from ..model import LogEvent, Task, TaskDefinition
from ..options import OUTPUT_FORMATS
from ..scope import SCOPE_RULE
from . import numbers
from .common import EcsCommands, complete_kind, container_completer, context_of, positional_completer
from .deploy import DEFAULT_TIMEOUT, EXIT_FAILED
from .numbers import duration
from .plumbing import CommandError, CommandParser, add_output_flag, mutating, refused

CATEGORY = "Tasks"
LOG_FORMATS = (*OUTPUT_FORMATS, "jsonl")


def _like_completer(owner: Any, arg_tokens: dict[str, list[str]]) -> Choices:
    """Complete --like with the services of the cluster named (or in scope)."""
    ctx = context_of(owner)
    names = [n for n in arg_tokens.get("names", []) if n]
    known = {"cluster": names[0]} if len(names) >= 2 else {}
    return complete_kind(ctx, "service", known)


def run_parser() -> CommandParser:
    parser = CommandParser(description="Run one-off tasks of a task definition family (latest ACTIVE revision by "
                                          "default). Launch type and network settings default to those of a service "
                                          "of the same family in the cluster.", epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="+", metavar="[CLUSTER] FAMILY[:REVISION]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "family")))
    parser.add_argument("--count", type=numbers.option("--count", 1, numbers.RUN_TASK_MAX, "the RunTask limit"),
                        default=1, help="how many tasks (1-10)")
    parser.add_argument("--launch-type", choices=["FARGATE", "EC2", "EXTERNAL"], default=None)
    parser.add_argument("--subnets", default=None, metavar="ID,ID", help="awsvpc subnets")
    parser.add_argument("--security-groups", default=None, metavar="ID,ID", help="awsvpc security groups")
    parser.add_argument("--public-ip", action="store_true", help="assign a public IP (awsvpc)")
    parser.add_argument("--like", metavar="SERVICE", choices_provider=_like_completer,
                        help="take the launch type and network settings from SERVICE in the cluster")
    parser.add_argument("--wait", action="store_true",
                        help="follow the tasks until they stop and exit with the essential container's code "
                             "(1 if a task did not start, 3 if --timeout passed first)")
    parser.add_argument("--timeout", type=duration, default=DEFAULT_TIMEOUT, metavar="DURATION",
                        help="how long --wait waits (default 10m)")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_output_flag(parser)
    return parser


def logs_parser() -> CommandParser:
    parser = CommandParser(description="Print CloudWatch Logs (awslogs) lines of a service's tasks or of one task "
                                          "(its id, its ARN, or a prefix of 4 or more characters only one task of "
                                          "the cluster has, running or recently stopped), merged by time, with the "
                                          "task id on each line. The log group and stream prefix come from the task "
                                          "definition.", epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] [SERVICE|TASK_ID]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "service")))
    parser.add_argument("-f", "--follow", action="store_true",
                        help="keep printing new lines (of new tasks too) until Ctrl-C")
    parser.add_argument("--since", type=duration, default=600.0, metavar="DURATION",
                        help="how far back to start (default 10m)")
    parser.add_argument("--container", metavar="NAME", help="only this container",
                        completer=container_completer(("cluster", "service")))
    add_output_flag(parser, "text, json (one array) or jsonl (one object a line, streamed)", LOG_FORMATS)
    return parser


class TaskCommands(EcsCommands):
    """Commands for standalone tasks and task logs."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(run_parser)
    @with_category(CATEGORY)
    @mutating
    def do_run(self, args: argparse.Namespace) -> None:
        """Run one-off tasks and report each task's id, revision and status (and failures)."""
        from ..operations import run
        from ..render import jsonout, views

        ctx = self.ctx
        cluster, ref = self.required(list(args.names), ("cluster", "family"), "run [CLUSTER] FAMILY[:REVISION]")
        try:
            numbers.task_definition_ref(ref)
        except numbers.NumberError as exc:
            raise CommandError(str(exc), 2) from None
        with refused():
            launch = run.plan_launch(ctx.gateway, cluster, ref, launch_type=args.launch_type, subnets=args.subnets,
                                     security_groups=args.security_groups, public_ip=args.public_ip, like=args.like)
        td = launch.task_definition
        if not self.go_ahead(args, f"Run {args.count} task(s) of {td.label} in {cluster}?"):
            return
        started = run.start(ctx.gateway, cluster, launch, args.count)
        tasks, failures = started.tasks, started.failures
        as_json = ctx.view(args).json
        if failures:
            ctx.mark_failed(EXIT_FAILED)
        if not args.wait or not tasks:
            if as_json:
                ctx.presenter.json({"cluster": cluster, "taskDefinition": td.arn, "tasks": jsonout.to_jsonable(tasks),
                               "failures": jsonout.to_jsonable(failures)})
            else:
                ctx.presenter.show(views.run_result(tasks, failures))
            if failures:
                ctx.fail(f"{len(failures)} of {args.count} task(s) failed to start: {failures[0].reason}")
            return
        if not as_json:
            ctx.presenter.show(views.run_result(tasks, failures))
        self._wait_for_tasks(args, cluster, td, tasks, failures, as_json)

    def _wait_for_tasks(self, args: argparse.Namespace, cluster: str, td: TaskDefinition, tasks: list[Task],
                        failures: list[Any], as_json: bool) -> None:
        """Follow TASKS to STOPPED; the exit status becomes the worst essential container exit code."""
        from ..operations import run
        from ..render import jsonout

        ctx = self.ctx
        env = ctx.environment
        say: Callable[[str], None] = ctx.presenter.note if as_json else ctx.presenter.line

        def on_change(task: Task) -> None:
            say(f"task {task.id} ({task.revision}): {task.last_status}")

        try:
            ending = run.wait(ctx.gateway, cluster, td, tasks, timeout=args.timeout, sleep=env.sleep,
                              monotonic=env.monotonic, on_change=on_change)
        except KeyboardInterrupt:
            ctx.presenter.note("stopped waiting; the tasks go on in ECS")
            raise
        if as_json:
            ctx.presenter.json({"cluster": cluster, "taskDefinition": td.arn,
                                "tasks": jsonout.to_jsonable(ending.tasks), "failures": jsonout.to_jsonable(failures),
                                "exitCodes": ending.codes, "stopped": ending.stopped})
        for line in ending.lines:
            say(line)
        if ending.error:
            ctx.fail(ending.error, ending.status)
        elif ending.status:
            ctx.mark_failed(ending.status)

    # logs -------------------------------------------------------------------------------------
    @with_argparser(logs_parser)
    @with_category(CATEGORY)
    def do_logs(self, args: argparse.Namespace) -> None:
        """Print awslogs lines of a service's tasks (or one task), merged by time; --follow keeps going."""
        from ..operations import logs
        from ..render.views import logs as log_views

        ctx = self.ctx
        view = ctx.view(args)
        whole = view.json and not view.lines  # one JSON array, printed when every line is in
        if whole and args.follow:
            raise CommandError("logs --follow never ends, so it cannot print one JSON array: use --output jsonl "
                               "(one object a line)", 2)
        cluster, target = self.required(list(args.names), ("cluster", "service"),
                                        "logs [CLUSTER] [SERVICE|TASK_ID]")
        with refused():
            sources = logs.open_sources(ctx.gateway, cluster, target, args.container)
        presenter = ctx.presenter
        gathered: list[dict[str, Any]] = []
        colours = log_views.TaskColours()

        def on_event(event: LogEvent) -> None:
            if whole:
                gathered.append(log_views.log_document(event))
            elif view.json:
                presenter.json_line(log_views.log_document(event))
            else:
                width = max((len(name) for name in sources.containers), default=0)
                presenter.text_line(log_views.log_line(event, width, colours.of(event.task_id)))

        def on_empty() -> None:
            nothing = log_views.nothing_in_window(args.since, numbers.DURATION_MAX)
            presenter.note(f"{nothing}; waiting for new lines (Ctrl-C stops)" if args.follow else nothing)

        # Ctrl-C or SIGTERM ends a --follow through the shell's one path: back to the prompt, or the run stops
        logs.stream(sources, since=args.since, follow=args.follow, sleep=ctx.environment.sleep,
                    on_event=on_event, on_empty=on_empty)
        if whole:
            presenter.json(gathered)


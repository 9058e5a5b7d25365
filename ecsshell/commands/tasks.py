"""One-off tasks and logs: run, logs."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cmd2 import Choices, with_argparser, with_category

from .. import deploy
from ..model import LogEvent, Task, TaskDefinition, arn_name
from ..scope import SCOPE_RULE
from . import numbers
from .common import EcsCommands, complete_kind, container_completer, context_of, positional_completer
from .deploy import DEFAULT_TIMEOUT, EXIT_FAILED, EXIT_TIMEOUT
from .numbers import duration
from .plumbing import CommandError, CommandParser, add_output_flag, mutating

CATEGORY = "Tasks"
LOG_POLL_SECONDS = 2.0
LOG_LOOKBACK_MS = 30_000  # --follow re-reads this far back: CloudWatch may deliver late events


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
    parser.add_argument("names", nargs="+", metavar="NAME", help="[CLUSTER] FAMILY[:REVISION]",
                        choices_provider=positional_completer(("cluster", "family")))
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
    parser = CommandParser(description="Print CloudWatch Logs (awslogs) lines of a service's tasks or of one task, "
                                          "merged by time, with the task id on each line. The log group and stream "
                                          "prefix come from the task definition.", epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="NAME", help="[CLUSTER] [SERVICE|TASK_ID]",
                        choices_provider=positional_completer(("cluster", "service")))
    parser.add_argument("-f", "--follow", action="store_true",
                        help="keep printing new lines (of new tasks too) until Ctrl-C")
    parser.add_argument("--since", type=duration, default=600.0, metavar="DURATION",
                        help="how far back to start (default 10m)")
    parser.add_argument("--container", metavar="NAME", help="only this container",
                        choices_provider=container_completer(("cluster", "service")))
    add_output_flag(parser, "text or json lines")
    return parser


def _csv(text: str | None) -> list[str]:
    return [p for p in (text or "").split(",") if p]


def _millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _event_key(event: LogEvent) -> tuple[Any, ...]:
    """Identify a log event: by CloudWatch's event id where there is one (the time comes first)."""
    if event.event_id:
        return (event.timestamp, event.event_id)
    return (event.timestamp, event.task_id, event.container, event.message)


class LogSources:
    """The awslogs streams of a service's tasks (or of one task), found again as tasks come and go."""

    def __init__(self, gateway: Any, cluster: str, target: str, container: str | None) -> None:
        self.gateway = gateway
        self.cluster = cluster
        self.target = target
        self.container = container
        self.one_task = _looks_like_task_id(target)
        self.definitions: dict[str, TaskDefinition] = {}
        self.streams: dict[str, set[str]] = {}  # log group -> stream names
        self.tasks: set[str] = set()

    def refresh(self) -> None:
        """Find the target's tasks (running and recently stopped) and add their containers' streams."""
        gateway = self.gateway
        if self.one_task:
            tasks = gateway.describe_tasks(self.cluster, [self.target])
            if not tasks:
                raise CommandError(f"task {self.target!r} not found in cluster {self.cluster!r}")
        else:
            tasks = gateway.service_tasks(self.cluster, self.target)
            tasks += gateway.service_tasks(self.cluster, self.target, desired_status="STOPPED")
        new = [t for t in tasks if t.arn not in self.tasks]
        unknown = {t.task_definition_arn for t in new} - set(self.definitions)
        if unknown:
            self.definitions.update(gateway.task_definitions(unknown))
        for task in new:
            self.tasks.add(task.arn)
            td = self.definitions.get(task.task_definition_arn)
            for c in td.containers if td else ():
                if self.container and c.name != self.container:
                    continue
                config = c.log_configuration or {}
                options = config.get("options") or {}
                prefix = options.get("awslogs-stream-prefix")
                if config.get("logDriver") != "awslogs" or "awslogs-group" not in options or not prefix:
                    continue
                self.streams.setdefault(options["awslogs-group"], set()).add(f"{prefix}/{c.name}/{task.id}")

    def check(self) -> None:
        """Raise CommandError when there is nothing to read, naming why."""
        if not self.tasks:
            raise CommandError(f"{self.target} has no tasks in {self.cluster} to read logs from")
        if self.container and not any(td.container(self.container) for td in self.definitions.values()):
            names = sorted({c.name for td in self.definitions.values() for c in td.containers})
            raise CommandError(f"{self.target} has no container {self.container!r} (it has: {', '.join(names)})")
        if not self.streams:
            what = f"container {self.container} of {self.target}" if self.container else \
                f"no container of {self.target}"
            raise CommandError(f"{what} logs with the awslogs driver and a stream prefix")

    def events(self, start_ms: int) -> list[LogEvent]:
        """Return every stream's events since START_MS, merged by time."""
        groups = sorted(self.streams)
        parts = self.gateway.map(lambda group: self.gateway.log_events(group, sorted(self.streams[group]),
                                                                       start_ms), groups)
        return sorted((e for part in parts for e in part), key=lambda e: e.timestamp)


class TaskCommands(EcsCommands):
    """Commands for standalone tasks and task logs."""

    DEFAULT_CATEGORY = CATEGORY

    def _defaults_from_service(self, cluster: str, family: str) -> tuple[str | None, dict[str, Any] | None]:
        """Return the launch type and network configuration of a service of FAMILY in CLUSTER."""
        gateway = self.ctx.gateway
        for svc in gateway.list_services(cluster):
            if svc.revision.split(":")[0] == family:
                return svc.launch_type, svc.network_configuration or None
        return None, None

    @with_argparser(run_parser)
    @with_category(CATEGORY)
    @mutating
    def do_run(self, args: argparse.Namespace) -> None:
        """Run one-off tasks and report each task's id, revision and status (and failures)."""
        from ..render import jsonout, views

        ctx = self.ctx
        cluster, ref = self.required(list(args.names), ("cluster", "family"), "run [CLUSTER] FAMILY[:REVISION]")
        try:
            numbers.task_definition_ref(ref)
        except numbers.NumberError as exc:
            raise CommandError(str(exc), 2) from None
        gateway = ctx.gateway
        td = gateway.task_definition(ref)
        launch_type, network = args.launch_type, None
        if args.subnets or args.security_groups:
            network = {"awsvpcConfiguration": {
                "subnets": _csv(args.subnets), "securityGroups": _csv(args.security_groups),
                "assignPublicIp": "ENABLED" if args.public_ip else "DISABLED"}}
        if args.like:
            like = gateway.describe_service(cluster, args.like)
            launch_type = launch_type or like.launch_type
            network = network or like.network_configuration or None
        if launch_type is None or (network is None and td.network_mode == "awsvpc"):
            service_launch, service_network = self._defaults_from_service(cluster, td.family)
            launch_type = launch_type or service_launch
            network = network or service_network
        if launch_type is None and td.requires_compatibilities == ("FARGATE",):
            launch_type = "FARGATE"  # RunTask would otherwise default to EC2, which this revision cannot use
        if td.network_mode == "awsvpc" and not network:
            raise CommandError(f"{td.label} uses awsvpc networking: give --like SERVICE, or --subnets and "
                               "--security-groups (no service of this family in the cluster to copy them from)", 2)
        if not (args.yes or ctx.confirmed(f"Run {args.count} task(s) of {td.label} in {cluster}?")):
            ctx.presenter.line("cancelled; nothing changed")
            return
        tasks, failures = gateway.run_task(cluster, td.arn, count=args.count, launch_type=launch_type,
                                           network_configuration=network)
        as_json = ctx.view(args).json
        if failures:
            ctx.mark_failed(EXIT_FAILED)
        if not args.wait or not tasks:
            if as_json:
                ctx.presenter.json({"cluster": cluster, "taskDefinition": td.label, "tasks": jsonout.to_jsonable(tasks),
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
        from ..render import jsonout

        ctx = self.ctx
        env = ctx.environment
        say: Callable[[str], None] = ctx.presenter.note if as_json else ctx.presenter.line

        def on_change(task: Task) -> None:
            say(f"task {task.id} ({task.revision}): {task.last_status}")

        try:
            final, stopped = deploy.wait_tasks(ctx.gateway, cluster, [t.arn for t in tasks], timeout=args.timeout,
                                               sleep=env.sleep, monotonic=env.monotonic, on_change=on_change)
        except KeyboardInterrupt:
            ctx.presenter.note("stopped waiting; the tasks go on in ECS")
            raise
        essential = [c.name for c in td.containers if c.essential] or [c.name for c in td.containers]
        codes = [deploy.exit_code_of(t, essential) for t in final]
        if as_json:
            ctx.presenter.json({"cluster": cluster, "taskDefinition": td.label, "tasks": jsonout.to_jsonable(final),
                           "failures": jsonout.to_jsonable(failures), "exitCodes": codes, "stopped": stopped})
        if not stopped:
            running = sum(1 for t in final if t.last_status != "STOPPED")
            ctx.fail(f"{running} task(s) of {td.label} still running after {int(args.timeout)}s", EXIT_TIMEOUT)
            return
        worst = 0
        for task, code in zip(final, codes, strict=True):
            if task.started_at is None or code is None:
                reason = deploy.failure_reason([task], task.task_definition_arn) or \
                    f"task {task.id}: {task.stopped_reason or 'no reason given'}"
                ctx.fail(f"task {task.id} did not start: {reason}", EXIT_FAILED)
                return
            say(f"task {task.id} exited with code {code}" + (f" ({task.stopped_reason})" if code else ""))
            worst = worst or code
        if worst:
            ctx.mark_failed(worst if 0 < worst < 256 else EXIT_FAILED)

    # logs -------------------------------------------------------------------------------------
    @with_argparser(logs_parser)
    @with_category(CATEGORY)
    def do_logs(self, args: argparse.Namespace) -> None:
        """Print awslogs lines of a service's tasks (or one task), merged by time; --follow keeps going."""
        ctx = self.ctx
        cluster, target = self.required(list(args.names), ("cluster", "service"),
                                        "logs [CLUSTER] [SERVICE|TASK_ID]")
        sources = LogSources(ctx.gateway, cluster, target, args.container)
        sources.refresh()
        sources.check()
        as_json = ctx.view(args).json
        start = _millis(datetime.now(UTC)) - int(args.since * 1000)
        seen: set[tuple[Any, ...]] = set()
        try:
            while True:
                for event in sources.events(start):
                    key = _event_key(event)
                    if key in seen:
                        continue
                    seen.add(key)
                    self._print_event(event, as_json)
                if not args.follow:
                    return
                newest = max((k[0] for k in seen), default=None)
                if newest is not None:
                    start = max(start, _millis(newest) - LOG_LOOKBACK_MS)
                    seen = {k for k in seen if _millis(k[0]) >= start}
                ctx.environment.sleep(LOG_POLL_SECONDS)
                if not sources.one_task:
                    sources.refresh()
        except KeyboardInterrupt:
            return

    def _print_event(self, event: LogEvent, as_json: bool) -> None:
        if as_json:
            self.ctx.presenter.json_line({"timestamp": event.timestamp.isoformat(), "task": event.task_id,
                                      "container": event.container, "message": event.message})
        else:
            when = event.timestamp.astimezone()
            self.ctx.presenter.line(f"{when:%Y-%m-%d %H:%M:%S} {event.task_id[:8]} {event.container} | {event.message}")


def _looks_like_task_id(text: str) -> bool:
    tail = arn_name(text)
    return (len(tail) == 32 and all(ch in "0123456789abcdef" for ch in tail)) or \
        (len(tail) == 36 and tail.count("-") == 4) or text.startswith("arn:aws:ecs:")

"""One-off tasks and logs: run, logs."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from cmd2 import with_argparser, with_category

from .. import deploy
from ..model import Task, TaskDefinition
from ..scope import SCOPE_RULE
from ..shell import CommandError, Parser
from .common import EcsCommands, positional_completer
from .deploy import DEFAULT_TIMEOUT, EXIT_FAILED, EXIT_TIMEOUT, duration

CATEGORY = "Tasks"
LOG_POLL_SECONDS = 2.0


def run_parser() -> Parser:
    parser = Parser(description="Run one-off tasks of a task definition family (latest ACTIVE revision by "
                                "default). Launch type and network settings default to those of a service "
                                "of the same family in the cluster.", epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="+", metavar="NAME", help="[CLUSTER] FAMILY[:REVISION]",
                        choices_provider=positional_completer(("cluster", "family")))
    parser.add_argument("--count", type=int, default=1, help="how many tasks (1-10)")
    parser.add_argument("--launch-type", choices=["FARGATE", "EC2", "EXTERNAL"], default=None)
    parser.add_argument("--subnets", default=None, metavar="ID,ID", help="awsvpc subnets")
    parser.add_argument("--security-groups", default=None, metavar="ID,ID", help="awsvpc security groups")
    parser.add_argument("--public-ip", action="store_true", help="assign a public IP (awsvpc)")
    parser.add_argument("--wait", action="store_true",
                        help="follow the tasks until they stop and exit with the essential container's code")
    parser.add_argument("--timeout", type=duration, default=DEFAULT_TIMEOUT, metavar="DURATION",
                        help="how long --wait waits (default 10m)")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--output", choices=["text", "json"], default=None, help="text or json")
    return parser


def logs_parser() -> Parser:
    parser = Parser(description="Print CloudWatch Logs (awslogs) lines of a service's tasks or of one task, "
                                "merged by time, with the task id on each line.", epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="NAME", help="[CLUSTER] [SERVICE|TASK_ID]",
                        choices_provider=positional_completer(("cluster", "service")))
    parser.add_argument("-f", "--follow", action="store_true", help="keep printing new lines until Ctrl-C")
    parser.add_argument("--since", type=duration, default=600.0, metavar="DURATION",
                        help="how far back to start (default 10m)")
    parser.add_argument("--container", metavar="NAME", help="only this container")
    parser.add_argument("--output", choices=["text", "json"], default=None, help="text or json lines")
    return parser


def _csv(text: str | None) -> list[str]:
    return [p for p in (text or "").split(",") if p]


class TaskCommands(EcsCommands):
    """Commands for standalone tasks and task logs."""

    DEFAULT_CATEGORY = CATEGORY

    def _defaults_from_service(self, cluster: str, family: str) -> tuple[str | None, dict[str, Any] | None]:
        """Return the launch type and network configuration of a service of FAMILY in CLUSTER."""
        gateway = self.app.gateway
        for svc in gateway.list_services(cluster):
            if svc.revision.split(":")[0] == family:
                return svc.launch_type, svc.network_configuration or None
        return None, None

    @with_argparser(run_parser)
    @with_category(CATEGORY)
    def do_run(self, args: argparse.Namespace) -> None:
        """Run one-off tasks and report each task's id, revision and status (and failures)."""
        from ..render import jsonout, tables

        app = self.app
        cluster, ref = self.required(list(args.names), ("cluster", "family"), "run [CLUSTER] FAMILY[:REVISION]")
        if not 1 <= args.count <= 10:
            raise CommandError("--count must be between 1 and 10 (the RunTask limit)", 2)
        gateway = app.gateway
        td = gateway.task_definition(ref)
        launch_type, network = args.launch_type, None
        if args.subnets or args.security_groups:
            network = {"awsvpcConfiguration": {
                "subnets": _csv(args.subnets), "securityGroups": _csv(args.security_groups),
                "assignPublicIp": "ENABLED" if args.public_ip else "DISABLED"}}
        if launch_type is None or (network is None and td.network_mode == "awsvpc"):
            service_launch, service_network = self._defaults_from_service(cluster, td.family)
            launch_type = launch_type or service_launch
            network = network or service_network
        if td.network_mode == "awsvpc" and not network:
            raise CommandError(f"{td.label} uses awsvpc networking: give --subnets and --security-groups "
                               "(no service of this family in the cluster to copy them from)", 2)
        if not app.confirmed(f"Run {args.count} task(s) of {td.label} in {cluster}?"):
            app.poutput("cancelled; nothing changed")
            return
        tasks, failures = gateway.run_task(cluster, td.arn, count=args.count, launch_type=launch_type,
                                           network_configuration=network)
        as_json = (args.output or app.output) == "json"
        if failures:
            app.mark_failed(EXIT_FAILED)
        if not args.wait or not tasks:
            if as_json:
                app.show_json({"cluster": cluster, "taskDefinition": td.label, "tasks": jsonout.to_jsonable(tasks),
                               "failures": jsonout.to_jsonable(failures)})
            else:
                app.show(tables.run_result(tasks, failures))
            if failures:
                app.perror(f"error: {len(failures)} of {args.count} task(s) failed to start: {failures[0].reason}")
            return
        self._wait_for_tasks(args, cluster, td, tasks, failures, as_json)

    def _wait_for_tasks(self, args: argparse.Namespace, cluster: str, td: TaskDefinition, tasks: list[Task],
                        failures: list[Any], as_json: bool) -> None:
        from ..render import jsonout

        app = self.app
        env = app.environment

        def on_change(task: Task) -> None:
            line = f"task {task.id} ({task.revision}): {task.last_status}"
            if as_json:
                app.note(line)
            else:
                app.poutput(line)

        final, stopped = deploy.wait_tasks(app.gateway, cluster, [t.arn for t in tasks], timeout=args.timeout,
                                           sleep=env.sleep, monotonic=env.monotonic, on_change=on_change)
        codes = [deploy.exit_code_of(t) for t in final]
        if as_json:
            app.show_json({"cluster": cluster, "taskDefinition": td.label, "tasks": jsonout.to_jsonable(final),
                           "failures": jsonout.to_jsonable(failures), "exitCodes": codes, "stopped": stopped})
        if not stopped:
            app.fail(f"tasks still running after {int(args.timeout)}s", EXIT_TIMEOUT)
            return
        for task, code in zip(final, codes, strict=True):
            if code is None:
                app.fail(f"task {task.id} did not run: {task.stopped_reason or 'no reason given'}", EXIT_FAILED)
                return
            if not as_json:
                app.poutput(f"task {task.id} exited with code {code}"
                            + (f" ({task.stopped_reason})" if code else ""))
        worst = next((c for c in codes if c), 0)
        if worst:
            app.mark_failed(worst if 0 < worst < 256 else EXIT_FAILED)

    # logs -------------------------------------------------------------------------------------
    @with_argparser(logs_parser)
    @with_category(CATEGORY)
    def do_logs(self, args: argparse.Namespace) -> None:
        """Print awslogs lines of a service's tasks (or one task), merged by time; --follow keeps going."""
        app = self.app
        cluster, target = self.required(list(args.names), ("cluster", "service"),
                                        "logs [CLUSTER] [SERVICE|TASK_ID]")
        gateway = app.gateway
        if _looks_like_task_id(target):
            tasks = gateway.describe_tasks(cluster, [target])
            if not tasks:
                raise CommandError(f"task {target!r} not found in cluster {cluster!r}")
        else:
            tasks = gateway.service_tasks(cluster, target)
            tasks += gateway.service_tasks(cluster, target, desired_status="STOPPED")
        if not tasks:
            raise CommandError(f"{target} has no tasks in {cluster} to read logs from")
        sources = self._log_sources(tasks, args.container)
        if not sources:
            raise CommandError(f"no container of {target} logs with the awslogs driver"
                               + (f" (container {args.container})" if args.container else ""))
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        start = now_ms - int(args.since * 1000)
        as_json = (args.output or app.output) == "json"
        seen: set[tuple[Any, ...]] = set()
        try:
            while True:
                newest = start
                for group, streams in sources.items():
                    for event in gateway.log_events(group, streams, start):
                        key = (event.timestamp, event.task_id, event.container, event.message)
                        if key in seen:
                            continue
                        seen.add(key)
                        newest = max(newest, int(event.timestamp.timestamp() * 1000))
                        if as_json:
                            app.print_json_line({"timestamp": event.timestamp.isoformat(), "task": event.task_id,
                                                 "container": event.container, "message": event.message})
                        else:
                            app.poutput(f"{event.timestamp:%Y-%m-%d %H:%M:%S} {event.task_id[:8]} "
                                        f"{event.container} | {event.message}")
                if not args.follow:
                    return
                start = newest
                app.environment.sleep(LOG_POLL_SECONDS)
        except KeyboardInterrupt:
            return

    def _log_sources(self, tasks: list[Task], container: str | None) -> dict[str, list[str]]:
        """Map each awslogs group to the stream names of TASKS' containers."""
        gateway = self.app.gateway
        defs = gateway.task_definitions({t.task_definition_arn for t in tasks})
        sources: dict[str, list[str]] = {}
        for task in tasks:
            td = defs.get(task.task_definition_arn)
            for c in td.containers if td else ():
                if container and c.name != container:
                    continue
                config = c.log_configuration or {}
                options = config.get("options") or {}
                if config.get("logDriver") != "awslogs" or "awslogs-group" not in options:
                    continue
                prefix = options.get("awslogs-stream-prefix")
                if not prefix:
                    continue
                sources.setdefault(options["awslogs-group"], []).append(f"{prefix}/{c.name}/{task.id}")
        return sources


def _looks_like_task_id(text: str) -> bool:
    tail = text.rsplit("/", 1)[-1]
    return (len(tail) == 32 and all(ch in "0123456789abcdef" for ch in tail)) or \
        (len(tail) == 36 and tail.count("-") == 4) or text.startswith("arn:aws:ecs:")

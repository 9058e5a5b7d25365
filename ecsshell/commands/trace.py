"""A task's whole life on one page: trace."""

from __future__ import annotations

import argparse

from cmd2 import with_argparser, with_category

from ..scope import SCOPE_RULE
from .common import EcsCommands, positional_completer
from .plumbing import CommandParser, add_output_flag, refused

TRACE_USAGE = "trace [CLUSTER] TASK|SERVICE"
CATEGORY = "Tasks"


def trace_parser() -> CommandParser:
    parser = CommandParser(description="Show a task's whole life on one timeline: created, network attached, "
                                       "images pulled, running, stopping and stopped (with the stop code and "
                                       "reason), each container's exit code and reason, interleaved with its "
                                       "service's events from that span and its last awslogs lines before it "
                                       "stopped. TASK is an id, an ARN or a unique prefix of a running or recently "
                                       "stopped task (ECS keeps stopped tasks for about an hour); a SERVICE stands "
                                       "for its latest stopped task (else its newest running one), and the note "
                                       "says which. The page to open when `why` names a task.",
                           epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] TASK|SERVICE",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "target")))
    add_output_flag(parser)
    return parser


class TraceCommands(EcsCommands):
    """The command that shows one task's life."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(trace_parser)
    @with_category(CATEGORY)
    def do_trace(self, args: argparse.Namespace) -> None:
        """Show a task's life: its times, exit codes, its service's events and its last log lines, in order."""
        from .. import clock
        from ..operations import trace as trace_ops
        from ..render import jsonout
        from ..render.views.trace import trace_view

        ctx = self.ctx
        cluster, name = self.required(list(args.names), ("cluster", "service"), TRACE_USAGE)
        with refused():
            task, service, chosen = trace_ops.find(ctx.gateway, cluster, name)
        found = trace_ops.trace(ctx.gateway, cluster, task, service, clock.now())
        if chosen:
            ctx.presenter.note(chosen)
        if ctx.view(args).json:
            document = jsonout.with_added(jsonout.task_json(task), timeline=trace_ops.timeline(found),
                                          service=found.service, notes=list(found.notes))
            ctx.presenter.json({"cluster": cluster, "task": document})
            return
        ctx.presenter.show(trace_view(found))

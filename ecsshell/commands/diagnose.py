"""Why a service does not run, and a shell in one of its containers: why, exec."""

from __future__ import annotations

import argparse

from cmd2 import with_argparser, with_category

from ..operations import why as why_ops
from ..scope import SCOPE_RULE
from .common import EcsCommands, positional_completer
from .plumbing import CommandParser, add_output_flag, refused

CATEGORY = "Tasks"


def why_parser() -> CommandParser:
    parser = CommandParser(description="Say why a service does not run, from its stopped tasks (stop code, "
                                       "stopped reason, each container's exit code and reason), its events and "
                                       "its targets' health: image pulls, secrets or the execution role, "
                                       "essential container exits, failing health checks, no capacity to place "
                                       "tasks. Each cause comes with what to do next. Exits 0 when the service "
                                       "runs as asked, 1 when a cause is found (as `check` does).",
                           epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] SERVICE",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "service")))
    add_output_flag(parser)
    return parser


class DiagnoseCommands(EcsCommands):
    """Commands that explain what does not run, and open a shell in what does."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(why_parser)
    @with_category(CATEGORY)
    def do_why(self, args: argparse.Namespace) -> None:
        """Say why a service does not run and what to do next; exit 1 when a cause is found."""
        from ..render import views

        ctx = self.ctx
        cluster, service = self.required(list(args.names), ("cluster", "service"), "why [CLUSTER] SERVICE")
        with refused():
            found = why_ops.diagnose(ctx.gateway, cluster, service)
        if ctx.view(args).json:
            ctx.presenter.json(found.document())
        else:
            ctx.presenter.show(views.why_report(found.ok_line, [(c.line(), c.next_step) for c in found.causes],
                                                found.notes))
        if not found.ok:
            ctx.mark_failed(1)

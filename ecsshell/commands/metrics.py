"""CPU and memory at a glance: metrics, and top (the same, redrawn in place until Ctrl-C)."""

from __future__ import annotations

import argparse

from cmd2 import with_argparser, with_category

from .. import targets
from ..scope import SCOPE_RULE
from . import numbers
from .common import EcsCommands, positional_completer
from .plumbing import CommandError, CommandParser, add_output_flag, refused
from .watch import MIN_INTERVAL, rerun

CATEGORY = "Browse"
DEFAULT_SINCE = "3h"
TOP_SINCE = "1h"
TOP_INTERVAL = 10.0  # CloudWatch's AWS/ECS datapoints come once a minute: redrawing faster shows nothing new


def window_length(text: str) -> float:
    """Parse --since: 90s, 45m, 3h, 2d or 1w into seconds, at least a minute."""
    value = numbers.seconds(text, "45m, 3h, 2d or 1w")
    if value < 60:
        raise numbers.NumberError(f"--since must be at least 1m (CloudWatch's AWS/ECS period), not {text!r}")
    return value


def metrics_parser() -> CommandParser:
    parser = CommandParser(description="CPU and memory of a cluster's services (busiest first) or of one service, "
                                       "from CloudWatch (AWS/ECS CPUUtilization and MemoryUtilization): now, "
                                       "average and peak over the window, and a sparkline. 1-minute datapoints "
                                       "up to --since 1h, 5-minute ones beyond (hourly past 15 days).",
                           epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] [SERVICE]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "service")))
    parser.add_argument("--since", type=window_length, default=window_length(DEFAULT_SINCE), metavar="DURATION",
                        help=f"how far back to look: 45m, 3h, 2d (default {DEFAULT_SINCE})")
    add_output_flag(parser)
    return parser


def top_parser() -> CommandParser:
    parser = CommandParser(description="A cluster's services by CPU, with tasks running/desired, deployment state "
                                       "and memory, redrawn in place every --interval until Ctrl-C (each refresh "
                                       "after a timestamp line on a pipe).",
                           epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="[CLUSTER]", help="the cluster (default: the scope's)",
                        completer=positional_completer(("cluster",)))
    parser.add_argument("-n", "--interval", type=numbers.interval("--interval", MIN_INTERVAL), default=TOP_INTERVAL,
                        metavar="SECONDS",
                        help=f"seconds between refreshes (default {TOP_INTERVAL:g})")
    parser.add_argument("--since", type=window_length, default=window_length(TOP_SINCE), metavar="DURATION",
                        help=f"the window of the averages, peaks and sparklines (default {TOP_SINCE})")
    parser.add_argument("--count", type=numbers.option("--count", 1), default=None, metavar="N",
                        help="stop after N refreshes (for scripts)")
    return parser


def _since_word(seconds: float) -> str:
    return f"{seconds:g}s"


class MetricsCommands(EcsCommands):
    """metrics and top."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(metrics_parser)
    @with_category(CATEGORY)
    def do_metrics(self, args: argparse.Namespace) -> None:
        """Show CPU and memory now, on average and at peak, with sparklines, for a cluster's services or one."""
        from ..operations.metrics import cluster_metrics
        from ..render.views.metrics import metrics_document, metrics_table

        ctx = self.ctx
        cluster, service = self.optional(list(args.names))
        if cluster is None:
            raise CommandError("missing CLUSTER (or select it with `use`; see `help scope`); "
                               "usage: metrics [CLUSTER] [SERVICE] [--since 3h]", 2)
        with refused():
            report = cluster_metrics(ctx.gateway, cluster, service, args.since, ctx.environment.now())
        if ctx.view(args).json:
            ctx.presenter.json(metrics_document(report))
            return
        ctx.presenter.show(metrics_table(report, plain=not ctx.presenter.color))

    @with_argparser(top_parser)
    @with_category(CATEGORY)
    def do_top(self, args: argparse.Namespace) -> None:
        """Show a cluster's services by CPU, redrawn in place until Ctrl-C."""
        ctx = self.ctx
        (cluster,) = self.optional(list(args.names), ("cluster",))
        if cluster is None:
            raise CommandError("missing CLUSTER (or select it with `use`; see `help scope`); "
                               "usage: top [CLUSTER] [--interval SECONDS]", 2)
        target, _ = targets.take(list(args.names))  # PROFILE@REGION:/CLUSTER goes to `metrics` as typed
        where = args.names[0] if target is not None else f"/{cluster}"
        words = ["metrics", where, "--since", _since_word(args.since)]
        rerun(ctx, words, args.interval, args.count, f"top {cluster}: every {args.interval:g}s, busiest first",
              f"top {cluster}")

"""What `scale` does about Application Auto Scaling: warn of a count the scaler will undo, change min and max."""

from __future__ import annotations

import argparse
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from ..errors import AwsError, one_line
from ..model import ScalableTarget
from . import numbers
from .plumbing import CommandError, refused

if TYPE_CHECKING:
    from .common import EcsCommands

USAGE = "scale [CLUSTER] [SERVICE] COUNT | scale [CLUSTER] [SERVICE] --min A --max B"
CAPACITY = numbers.option("--min/--max", 0, numbers.INT32_MAX, "a 32-bit integer")


def add_bounds_flags(parser: argparse.ArgumentParser) -> None:
    """Add --min, --max and --dry-run to `scale`'s PARSER."""
    parser.add_argument("--min", type=CAPACITY, metavar="A", dest="min_capacity",
                        help="set the service's scalable target's minimum capacity (Application Auto Scaling)")
    parser.add_argument("--max", type=CAPACITY, metavar="B", dest="max_capacity",
                        help="set the service's scalable target's maximum capacity (Application Auto Scaling)")
    parser.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")


def bounds_asked(args: argparse.Namespace) -> bool:
    """Say whether `scale` was given --min or --max."""
    return args.min_capacity is not None or args.max_capacity is not None


def count_warning(commands: EcsCommands, target: Future[ScalableTarget | None], count: int) -> str:
    """Print on stderr, and return, the warning for a COUNT outside the service's min and max ("" if none)."""
    from ..operations.scaling import outside_warning

    try:
        found = target.result()
    except AwsError as exc:
        commands.ctx.presenter.note(f"note: could not read the scalable target, so {count} was not checked "
                                    f"against its min and max ({one_line(str(exc))})")
        return ""
    warning = outside_warning(found, count) if found is not None else ""
    if warning:
        commands.ctx.presenter.note(f"warning: {warning}")
    return warning


def change_bounds(commands: EcsCommands, args: argparse.Namespace, names: list[str], as_json: bool) -> None:
    """Run `scale [CLUSTER] [SERVICE] --min A --max B`: show before -> after, ask, register, undo on failure."""
    from ..operations import scaling

    ctx = commands.ctx
    if names and names[-1].isdigit():
        raise CommandError("give a COUNT or --min/--max, not both: change the bounds first, then scale; "
                           f"usage: {USAGE}", 2)
    cluster, service = commands.required(names, ("cluster", "service"), USAGE)
    with refused():
        change = scaling.plan_bounds(ctx.gateway, cluster, service, args.min_capacity, args.max_capacity)
    doc: dict[str, Any] = {"cluster": cluster, "service": service,
                           "resourceId": change.before.resource_id,
                           "from": {"min": change.before.min_capacity, "max": change.before.max_capacity},
                           "to": {"min": change.min_capacity, "max": change.max_capacity}}
    what = f"the scalable target of {service} in {cluster}"
    if not change.changed:
        _show(commands, as_json, {**doc, "changed": False},
              f"{what} already has min {change.min_capacity}, max {change.max_capacity}; nothing changed")
        return
    if args.dry_run:
        if not as_json:
            for line in change.lines():
                ctx.presenter.line(line)
        _show(commands, as_json, {**doc, "dryRun": True}, f"dry run: {what} would change; nothing changed")
        return
    if not args.yes and ctx.asks_confirmation:
        for line in change.lines():
            ctx.presenter.line(line)
    bounds = f"min {change.min_capacity}, max {change.max_capacity}"
    if not commands.go_ahead(args, f"Set {what} to {bounds}?"):
        return
    with refused():
        scaling.apply_bounds(ctx.gateway, change, ctx.presenter.note)
    _show(commands, as_json, {**doc, "changed": True},
          f"{what}: {'; '.join(line for line in change.lines() if '->' in line)}")


def _show(commands: EcsCommands, as_json: bool, doc: dict[str, Any], line: str) -> None:
    if as_json:
        commands.ctx.presenter.json(doc)
    else:
        commands.ctx.presenter.line(line)

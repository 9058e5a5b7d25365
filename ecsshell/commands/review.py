"""Put a new revision of a task definition to the user before anything changes: its diff, a dry run, the question.

`update` (a service) and `update --schedule` (a scheduled task) review their plans the same way.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..operations.deploy import Plan
    from .context import CommandContext


@dataclass(frozen=True)
class Review:
    """How a new revision of a task definition is put to the user before anything changes."""

    where: dict[str, Any]  # what changes, named for the dry run's JSON document
    moving: str  # "web in prod": what the dry run says would move to a new revision
    unchanged: str  # the note when the new revision equals the current one
    question: str
    dry_notes: tuple[str, ...] = ()  # lines a dry run says before its last


def plan_diff(ctx: CommandContext, args: argparse.Namespace, plan: Plan) -> str:
    """Return the diff from PLAN's current revision to its next one, secrets masked unless shown."""
    from ..operations import deploy
    from ..render import diff as diffs

    current = plan.current
    return diffs.taskdef_diff(deploy.registrable(current), plan.spec, current.label, f"{current.family}:(next)",
                              show_secrets=ctx.view(args).show_secrets)


def review_change(ctx: CommandContext, *, dry_run: bool, asking: bool, as_json: bool, plan: Plan,
                  diff_text: str, review: Review) -> bool:
    """Show PLAN's diff; on a dry run stop there, else ask when ASKING whether to go on; say whether to go on."""
    from ..render import diff as diffs

    current = plan.current
    if dry_run:
        if as_json:
            ctx.presenter.json({**review.where, "current": current.label, "dryRun": True, "diff": diff_text,
                                "images": [c.__dict__ for c in plan.images], "env": plan.env_changes})
        else:
            ctx.presenter.show(diffs.diff_renderable(diff_text, ctx.presenter.color) if diff_text else "no change")
            for line in review.dry_notes:
                ctx.presenter.line(line)
            # last, so that a long diff does not scroll away what matters most: nothing was changed
            ctx.presenter.line(f"dry run: {review.moving} would move from {current.label} to a new revision; "
                               "nothing changed")
        return False
    if not plan.changed:
        ctx.presenter.note(review.unchanged)
    if asking:
        if diff_text:
            ctx.presenter.show(diffs.diff_renderable(diff_text, ctx.presenter.color))
        if not ctx.confirmed(review.question):
            ctx.presenter.line("cancelled; nothing changed")
            return False
    return True

"""Service deployments: `deployments` (history, or one in detail) and `continue` (past a paused hook)."""

from __future__ import annotations

import argparse
from typing import Any

from cmd2 import with_argparser, with_category

from ..scope import SCOPE_RULE
from .common import positional_completer
from .deploy import RolloutCommands, add_wait_flags, outcome_json
from .plumbing import CommandError, CommandParser, add_output_flag, mutating, refused

CATEGORY = "Deploy"


def deployments_parser() -> CommandParser:
    parser = CommandParser(description="Show a service's deployment history, newest first, or one deployment in "
                                       "detail with its lifecycle hooks and the images (and digests) it deployed.",
                           epilog="ID is the last part of the deployment's ARN, or a prefix naming one (after `--` "
                                  "when it begins with `-`). "
                                  + SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] SERVICE [ID]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "service")))
    add_output_flag(parser)
    return parser


def continue_parser() -> CommandParser:
    parser = CommandParser(description="Resume a service deployment paused at a lifecycle hook (a PAUSE hook "
                                       "awaiting action), or roll it back.", epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] SERVICE",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "service")))
    parser.add_argument("--rollback", action="store_true", help="roll the deployment back instead of going on")
    # continuing is one decision: following the deployment on to its end is asked for, never the default
    add_wait_flags(parser, "follow the deployment to its end: exit 1 if ECS rolls it back, 3 if it times out",
                   "return once ECS has the decision (the default)")
    add_output_flag(parser)
    return parser


class DeploymentCommands(RolloutCommands):
    """Commands that read and steer ECS service deployments."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(deployments_parser)
    @with_category(CATEGORY)
    def do_deployments(self, args: argparse.Namespace) -> None:
        """Show a service's deployment history, or one deployment in detail."""
        from ..operations import deployments
        from ..render import jsonout
        from ..render.views import deployments as view

        usage = "deployments [CLUSTER] SERVICE [ID]"
        cluster, service, ident = self.optional(list(args.names), ("cluster", "service", "deployment"))
        if not cluster or not service:
            self.required(list(args.names), ("cluster", "service"), usage)
            raise CommandError(f"missing SERVICE; usage: {usage}", 2)
        gateway = self.ctx.gateway
        with refused():
            found = deployments.history(gateway, cluster, service)
            chosen = found.find(ident) if ident else None
        as_json = self.ctx.view(args).json
        if chosen is not None:
            if as_json:
                self.ctx.presenter.json(jsonout.one_deployment_document(cluster, service, chosen, found.revisions))
            else:
                self.ctx.presenter.show(view.deployment_detail(chosen, found.label, found.revisions,
                                                               deployments.weights(chosen, found.revisions)))
            return
        if as_json:
            self.ctx.presenter.json(jsonout.deployments_document(cluster, service, found.deployments,
                                                                 found.revisions))
        elif not found.deployments:
            self.ctx.presenter.line(f"ECS lists no service deployments for {service} in {cluster}")
        else:
            self.ctx.presenter.show(view.history_table(service, found.deployments, found.label))

    @staticmethod
    def _refuse_passed(args: argparse.Namespace, stage: str | None) -> None:
        """Refuse --wait-until a stage the paused deployment has already reached (at STAGE)."""
        from ..model import stage_index
        from ..operations import OperationError

        goal = args.wait_until
        if goal is not None and goal.stage and stage_index(goal.stage) <= stage_index(stage):
            raise OperationError(f"--wait-until {goal}: the deployment is already at {stage}; wait until a later "
                                 f"stage, paused, deployed or stable")

    @with_argparser(continue_parser)
    @with_category(CATEGORY)
    @mutating
    def do_continue(self, args: argparse.Namespace) -> None:
        """Resume a deployment paused at a lifecycle hook, or roll it back with --rollback."""
        from ..operations import deployments
        from ..operations.rollout import watch_deployment

        cluster, service = self.required(list(args.names), ("cluster", "service"),
                                         "continue [CLUSTER] SERVICE [--rollback]")
        gateway = self.ctx.gateway
        with refused():
            paused = deployments.paused(gateway, cluster, service)
            self._refuse_passed(args, paused.lifecycle_stage)
            self._refuse_goal(args, gateway.describe_service(cluster, service))
        hook = paused.awaiting
        assert hook is not None  # paused() refuses a deployment waiting at no hook
        where = f" at {paused.lifecycle_stage}" if paused.lifecycle_stage else ""
        verb = "Roll back" if args.rollback else "Continue"
        if not self.go_ahead(args, f"{verb} deployment {paused.id} of {cluster}/{service}, paused{where} by "
                                   f"hook {hook.hook_id}?"):
            return
        # only when asked: continuing is one decision, and the rest may take hours
        waiting = args.wait is True or args.wait_until is not None
        if args.wait is False and args.wait_until is not None:
            raise CommandError(f"--wait-until {args.wait_until} follows the deployment, so it cannot go with "
                               f"--no-wait", 2)
        seen = {e.id for e in gateway.describe_service(cluster, service).events} if waiting else set()
        with refused():
            done = deployments.resume(gateway, paused, args.rollback)
        doc: dict[str, Any] = {"cluster": cluster, "service": service, "serviceDeploymentArn": paused.arn,
               "hookId": done.hook_id, "action": done.action}
        try:
            what = "ECS rolls it back" if args.rollback else "ECS goes on with it"
            self._say(args, f"{service} in {cluster}: deployment {paused.id} released from hook {hook.hook_id}"
                            f"{where}; {what} (see `deployments {cluster} {service} {paused.id}`)")
            if waiting:
                # stages up to the pause passed before this wait; the hook released must not read as waiting
                outcome = watch_deployment(gateway, cluster, service, paused.arn, None, seen, self._watch(args),
                                           expect_rollback=args.rollback, from_stage=paused.lifecycle_stage,
                                           released=hook.hook_id)
                if outcome is not None:
                    doc["outcome"] = outcome_json(outcome)
                    self._finish(args, outcome, f"deployment {paused.id}")
        finally:
            if self._json(args):
                self.ctx.presenter.json(doc)

"""Checks before a deploy: verify that a service's next revision names only what exists."""

from __future__ import annotations

import argparse

from cmd2 import with_argparser, with_category

from ..scope import SCOPE_RULE
from .common import EcsCommands
from .deploy import add_image_arguments, change_positionals, image_args
from .plumbing import CommandParser, add_output_flag, refused

CATEGORY = "Deploy"
USAGE = "verify [CLUSTER] SERVICE [IMAGE|:TAG]"


def verify_parser() -> CommandParser:
    parser = CommandParser(description="Check, before a deploy, what the service's task definition would need once "
                                       "IMAGE (or :TAG) is applied as `update` applies it: each ECR image (tag or "
                                       "digest) is in ECR, each secret's Secrets Manager secret or SSM parameter "
                                       "exists, the task and execution roles exist, the awslogs log groups exist.",
                           epilog="One line per check; exit status 1 when any fails. Images outside ECR are not "
                                  "checked. No secret value is ever read. " + SCOPE_RULE)
    add_image_arguments(parser, "check with a container's image or :TAG set (repeatable)")
    add_output_flag(parser)
    return parser


class VerifyCommands(EcsCommands):
    """Checks before a deploy."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(verify_parser)
    @with_category(CATEGORY)
    def do_verify(self, args: argparse.Namespace) -> None:
        """Check that a service's next revision names only images, secrets, roles and log groups that exist."""
        from ..operations import verify
        from ..render.views import verify as view

        ctx = self.ctx
        names = list(args.names)
        wanted = change_positionals(names) if names else ("cluster", "service")
        filled = self.required(names, wanted, USAGE)
        cluster, service = filled[0], filled[1]
        image = filled[2] if len(filled) == 3 else None
        with refused():
            found = verify.verify(ctx.gateway, cluster, service, image_args(args, image))
        if ctx.view(args).json:
            ctx.presenter.json({"cluster": cluster, "service": service, "taskDefinitionArn": found.current_arn,
                                "ecsshell": {"ok": found.ok, "checks": [view.check_json(c) for c in found.checks]}})
        else:
            ctx.presenter.show(view.check_lines(found.checks, ctx.presenter.color))
        failed = [c for c in found.checks if c.ok is False]
        if failed:
            ctx.fail(f"{len(failed)} of {len(found.checks)} checks failed for {service} in {cluster}")

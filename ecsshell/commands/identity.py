"""Who am I: whoami shows the profile, the source and expiry of its credentials, the account and the caller."""

from __future__ import annotations

import argparse
import dataclasses

from cmd2 import with_argparser, with_category

from ..plain import visible
from .common import EcsCommands
from .plumbing import CommandParser, add_output_flag

CATEGORY = "Browse"


def whoami_parser() -> CommandParser:
    parser = CommandParser(description="Show who the session acts as: the profile and where its credentials come "
                                       "from (environment, credentials file, SSO, credential process, assumed role, "
                                       "web identity, container, instance), the account and its alias, the caller "
                                       "ARN (STS GetCallerIdentity), the Region, and when the credentials expire.")
    add_output_flag(parser)
    return parser


class IdentityCommands(EcsCommands):
    """whoami."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(whoami_parser)
    @with_category(CATEGORY)
    def do_whoami(self, args: argparse.Namespace) -> None:
        """Show the profile, its credentials' source and expiry, the account and alias, the caller ARN, the Region."""
        from ..render.views.identity import identity_document, identity_view

        who = self.ctx.gateway.whoami()
        if self.ctx.view(args).json:
            self.ctx.presenter.json(identity_document(who))
            return
        self.ctx.presenter.show(identity_view(dataclasses.replace(
            who, profile=visible(who.profile), source_text=visible(who.source_text))))

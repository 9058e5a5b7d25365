"""Sign in to an SSO profile (IAM Identity Center) by the device flow, as `aws sso login` does."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cmd2 import with_argparser, with_category

from .browse import profile_choices
from .common import EcsCommands
from .plumbing import CommandError, CommandParser

CATEGORY = "Browse"


def login_parser() -> CommandParser:
    parser = CommandParser(description="Sign in to an SSO profile (IAM Identity Center) as `aws sso login` does: "
                                       "open the sign-in page in the browser (or print its URL and code), wait "
                                       "for the approval, and save the token where botocore and the AWS CLI read "
                                       "it (~/.aws/sso/cache). Needs a terminal.")
    parser.add_argument("profile", nargs="?", metavar="PROFILE", help="the SSO profile (default: the session's)",
                        choices_provider=profile_choices)
    parser.add_argument("--no-browser", action="store_true", help="print the URL and code; open no browser")
    return parser


class LoginCommands(EcsCommands):
    """login."""

    @with_argparser(login_parser())
    @with_category(CATEGORY)
    def do_login(self, args: argparse.Namespace) -> None:
        """Sign in to an SSO profile by the device flow and save its token, as `aws sso login` does."""
        from ..aws.session import botocore_session, endpoint_url
        from ..aws.sso import quoted
        from ..aws.sso_login import authorizer, load_profile
        from ..operations.login import device_login

        env = self.ctx.environment
        profile = args.profile or self._session_profile()
        if not env.interactive:
            raise CommandError(f"login needs a person at a terminal to approve the sign-in: run "
                               f"`ecsshell login {quoted(profile)}` in a terminal", 1)
        core = botocore_session(env.env)
        sso = load_profile(core, profile)
        flow = authorizer(core, sso, endpoint_url(self.ctx.gateway.settings, env.env, "sso-oidc"), env.env)
        presenter = self.ctx.presenter
        browser = not args.no_browser and _has_display(env.env)

        def show(authorization: Any) -> None:
            opened = browser and _open(authorization.verification_uri_complete)
            if opened:
                presenter.note("The sign-in page is open in your browser; if it did not open, or to sign in on "
                               "another device, open:")
            else:
                presenter.note("To sign in, open this URL in a browser (on any device):")
            presenter.note(f"  {authorization.verification_uri_complete}")
            presenter.note(f"and check that it shows the code {authorization.user_code}. Waiting for the "
                           "approval (Ctrl-C stops)...")

        device_login(flow, show, env.sleep, env.monotonic)
        presenter.line(f"signed in: profile {quoted(profile)}, start URL {sso.start_url}; token saved in "
                       f"{flow.saved}")

    def _session_profile(self) -> str:
        env = self.ctx.environment.env
        return (self.ctx.scope.profile or env.get("ECSCREDENTIAL") or env.get("AWS_PROFILE")
                or env.get("AWS_DEFAULT_PROFILE") or "default")


def _has_display(env: Any) -> bool:
    """Say whether a browser can open here: macOS and Windows, or a graphical session (not a bare SSH login)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _open(url: str) -> bool:
    import webbrowser

    try:
        return bool(webbrowser.open(url, new=2))
    except webbrowser.Error:
        return False

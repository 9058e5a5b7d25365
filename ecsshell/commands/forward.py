"""A local port that leads into a task (or through it to a database or cache): forward."""

from __future__ import annotations

import argparse
import re

from cmd2 import with_argparser, with_category

from ..errors import AwsError
from ..scope import SCOPE_RULE
from .common import EcsCommands, container_completer, positional_completer
from .diagnose import find_plugin, plugin_profile, plugin_version
from .plumbing import CommandError, CommandParser, mutating, refused

FORWARD_USAGE = "forward [CLUSTER] SERVICE|TASK LOCAL[:REMOTE] [--host HOST] [--container NAME]"
HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")  # a DNS name or an IPv4 address

CATEGORY = "Tasks"


def forward_parser() -> CommandParser:
    parser = CommandParser(description="Forward a local port into a running task through ECS Exec (an SSM "
                                       "port-forwarding session): localhost:LOCAL reaches port REMOTE (default: "
                                       "LOCAL) of the task, or with --host, HOST:REMOTE as the task reaches it (a "
                                       "database or a cache in the task's VPC). For a SERVICE it picks a running "
                                       "task, healthy first, of the newest deployment, and says which. It runs "
                                       "AWS's session-manager-plugin until Ctrl-C. The service and its tasks need "
                                       "enableExecuteCommand. Like exec, it changes nothing in ECS but opens a way "
                                       "into a task, so read-only mode refuses it.",
                           epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="+", metavar="[CLUSTER] SERVICE|TASK LOCAL[:REMOTE]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "target")))
    parser.add_argument("--host", metavar="HOST", help="reach HOST:REMOTE through the task instead of the task "
                                                       "itself (AWS-StartPortForwardingSessionToRemoteHost)")
    parser.add_argument("--container", metavar="NAME", help="the container whose ECS Exec agent carries the "
                                                            "session (default: the task's first)",
                        completer=container_completer(("cluster", "service")))
    return parser


class ForwardCommands(EcsCommands):
    """The command that opens a local port into a task."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(forward_parser)
    @with_category(CATEGORY)
    @mutating
    def do_forward(self, args: argparse.Namespace) -> None:
        """Forward a local port to a service's task (or one task), or through it to --host, until Ctrl-C."""
        from ..operations import exec as exec_ops
        from ..operations import portfwd

        ctx = self.ctx
        words = list(args.names)
        if len(words) < 2 and not (words and ctx.scope.service):
            raise CommandError(f"missing SERVICE|TASK or LOCAL[:REMOTE]; usage: {FORWARD_USAGE}", 2)
        with refused():
            ports = portfwd.parse_ports(words[-1])
        if args.host is not None and not HOST.match(args.host):
            raise CommandError(f"bad --host {args.host!r}: give a DNS name or an IP address", 2)
        cluster, name = self.required(words[:-1], ("cluster", "service"), FORWARD_USAGE)
        env = ctx.environment
        plugin = find_plugin(env.env, "port forwarding")
        with refused():
            target = portfwd.choose(ctx.gateway, cluster, name, args.container)
        version = plugin_version(plugin, env.env)
        forward = portfwd.Forward(target, ports, args.host)
        session = portfwd.open_session(ctx.gateway, forward)
        ctx.presenter.note(forward.describe())
        argv, plugin_env = portfwd.plugin_call(session, forward, region=ctx.gateway.region,
                                               profile=plugin_profile(ctx), endpoint_url=ctx.gateway.ssm_endpoint(),
                                               version=version, env=env.env)
        try:  # Ctrl-C reaches the plugin, which ends the session; then the shell's one interrupt path ends forward
            ended = exec_ops.run_plugin([plugin, *argv[1:]], plugin_env)
        except OSError as exc:  # as the AWS CLI does, the session no plugin will open is ended
            try:
                ctx.gateway.terminate_session(session.session_id)
                ended_too = "the session was ended"
            except AwsError as error:
                ended_too = f"session {session.session_id} stays open until SSM times it out ({error})"
            raise CommandError(f"{exec_ops.PLUGIN} could not start: {exc.strerror or exc}; {ended_too}") from None
        if ended.status:
            ctx.fail(ended.reason(), ended.status)

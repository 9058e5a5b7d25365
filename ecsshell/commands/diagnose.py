"""Why a service does not run, and a shell in one of its containers: why, exec."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from collections.abc import Mapping

from cmd2 import with_argparser, with_category

from ..scope import SCOPE_RULE, split_path
from ..secrets import echoed_line
from .common import EcsCommands, container_completer, positional_completer
from .context import CommandContext
from .plumbing import CommandError, CommandParser, add_output_flag, mutating, refused

EXEC_USAGE = "exec [CLUSTER] SERVICE|TASK [--container NAME] [COMMAND]"

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


def exec_parser() -> CommandParser:
    parser = CommandParser(description="Open ECS Exec: a shell (or COMMAND) in a container of a running task of "
                                       "SERVICE, or of task TASK (its id, ARN or a unique prefix). It calls "
                                       "ExecuteCommand, then runs AWS's session-manager-plugin with the session, "
                                       "which must be installed. The service and its tasks need "
                                       "enableExecuteCommand. COMMAND is the words after the target (quote it "
                                       "when it has options). exec changes nothing in ECS but opens a shell in a "
                                       "container, so read-only mode refuses it, and it wants a terminal unless "
                                       "--force.",
                           epilog=SCOPE_RULE + " With a cluster in scope, a first name that is a cluster of ECS "
                                  "names the cluster (as `check` reads it); inside `use prod web`, `exec` alone "
                                  "opens a shell in web.")
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] SERVICE|TASK [COMMAND]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "target")))
    parser.add_argument("--container", metavar="NAME", help="the container (default: the task's first)",
                        completer=container_completer(("cluster", "service")))
    parser.add_argument("--force", action="store_true",
                        help="open the session even when stdin or stdout is not a terminal")
    return parser


class DiagnoseCommands(EcsCommands):
    """Commands that explain what does not run, and open a shell in what does."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(why_parser)
    @with_category(CATEGORY)
    def do_why(self, args: argparse.Namespace) -> None:
        """Say why a service does not run and what to do next; exit 1 when a cause is found."""
        from ..operations import why as why_ops
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

    @with_argparser(exec_parser)
    @with_category(CATEGORY)
    @mutating
    def do_exec(self, args: argparse.Namespace) -> None:
        """Open a shell (or run COMMAND) in a container of a service's task or of one task, with ECS Exec."""
        from ..operations import exec as exec_ops

        ctx = self.ctx
        cluster, name, words = self._exec_names(list(args.names))
        command = " ".join(words) or exec_ops.DEFAULT_COMMAND
        with refused():
            target = exec_ops.pick(ctx.gateway, cluster, name, args.container)
        env = ctx.environment
        if not (args.force or env.interactive):
            raise CommandError("exec opens an interactive session and stdin or stdout is not a terminal; "
                               "run it at a terminal, or pass --force", 2)
        plugin = find_plugin(env.env)
        version = plugin_version(plugin, env.env)
        session = exec_ops.open_session(ctx.gateway, target, command)
        others = f" (others: {', '.join(target.others)}; pick one with --container)" if target.others else ""
        ctx.presenter.note(f"exec {echoed_line(command)!r} in container {target.container} of task {target.task.id} "
                           f"({target.task.revision}) in {cluster}{others}")
        argv, plugin_env = exec_ops.plugin_call(session, target, region=ctx.gateway.region,
                                                profile=plugin_profile(ctx), endpoint_url=ctx.gateway.ecs_endpoint(),
                                                version=version, env=env.env)
        try:  # a signal meanwhile goes to the plugin, then ends exec through the shell's one interrupt path
            ended = exec_ops.run_plugin([plugin, *argv[1:]], plugin_env)
        except OSError as exc:
            raise CommandError(f"{exec_ops.PLUGIN} could not start: {exc.strerror or exc}") from None
        if ended.status:  # the plugin's status passes through (128 + N when signal N killed it)
            ctx.fail(ended.reason(), ended.status)

    def _exec_names(self, names: list[str]) -> tuple[str, str, list[str]]:
        """Split exec's words into cluster, target and command, filling the cluster (and target) from the scope."""
        scope = self.ctx.scope
        target, names = self.located(names)  # `staging:/prod/web`, `@eu-west-1:/prod/web`: aimed at that target
        if target is not None or (names and names[0].startswith("/")):
            names = split_path(names[:1]) + names[1:]
            if len(names) < 2:
                raise CommandError(f"missing SERVICE|TASK; usage: {EXEC_USAGE}", 2)
            return names[0], names[1], names[2:]
        if not names and scope.cluster and scope.service:
            return scope.cluster, scope.service, []
        if scope.cluster and not (len(names) >= 2 and self.ctx.gateway.has_cluster(names[0])):
            if not names:
                raise CommandError(f"missing SERVICE|TASK; usage: {EXEC_USAGE}", 2)
            return scope.cluster, names[0], names[1:]
        if len(names) < 2:
            what = "CLUSTER and SERVICE|TASK" if not names else "SERVICE|TASK"
            raise CommandError(f"missing {what} (or select the cluster with `use`; see `help scope`); "
                               f"usage: {EXEC_USAGE}", 2)
        return names[0], names[1], names[2:]


def find_plugin(env: Mapping[str, str], needed_by: str = "ECS Exec") -> str:
    """Return the session-manager-plugin's path on ENV's PATH, or refuse in one line that says where to get it."""
    from ..operations import exec as exec_ops

    plugin = shutil.which(exec_ops.PLUGIN, path=env.get("PATH", os.defpath))
    if plugin is None:
        raise CommandError(f"{exec_ops.PLUGIN} is not installed (or not on PATH); {needed_by} needs it: "
                           f"install it from {exec_ops.PLUGIN_URL}")
    return plugin


def plugin_profile(ctx: CommandContext) -> str:
    """Return the profile name the plugin gets: the session's named profile, or "" for the default chain."""
    aimed = ctx.aimed_at
    profile = (aimed.profile if aimed is not None else None) or ctx.scope.profile or \
        ctx.environment.env.get("AWS_PROFILE") or ""
    return "" if profile == "env" else profile


def plugin_version(plugin: str, env: Mapping[str, str]) -> str:
    """Return what PLUGIN --version prints (the session JSON goes in the environment past 1.2.497.0)."""
    from ..operations import exec as exec_ops

    try:
        found = subprocess.run([plugin, "--version"], env=env, capture_output=True, text=True, timeout=10,
                               check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CommandError(f"{exec_ops.PLUGIN} does not run: {exc}") from None
    return found.stdout.strip()

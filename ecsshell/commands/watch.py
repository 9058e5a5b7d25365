"""watch: re-run a command that only reads, in place on a terminal, until Ctrl-C (like pgcli's \\watch)."""

from __future__ import annotations

import argparse
from datetime import UTC
from typing import TYPE_CHECKING, Any

from cmd2 import with_argparser, with_category

from . import numbers
from .common import EcsCommands
from .plumbing import CommandError, CommandParser

if TYPE_CHECKING:
    from .context import CommandContext

CATEGORY = "Shell"
DEFAULT_INTERVAL = 2.0
MIN_INTERVAL = 0.1
# Commands that change the session rather than read ECS, or never end: nothing to watch.
NOT_WATCHABLE = frozenset({"use", "profile", "region", "refresh", "exec", "watch", "top"})
FOLLOW_FLAGS = frozenset({"-f", "--follow"})
CLEAR_SCREEN = "\x1b[H\x1b[2J\x1b[3J"  # home, clear the screen and its scroll-back: each run replaces the last



def rerun(ctx: CommandContext, words: list[str], interval: float, count: int | None, live_title: str,
          title: str) -> None:
    """Run WORDS every INTERVAL seconds (COUNT times at most) until Ctrl-C or a failure: redrawn in place under
    LIVE_TITLE on a terminal, each run after a `--- STAMP TITLE` line on a pipe."""
    presenter = ctx.presenter
    runs = 0
    while True:  # Ctrl-C or SIGTERM ends it through the shell's one path (back to the prompt, or the run stops)
        stamp = ctx.environment.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        if presenter.live:
            presenter.raw(CLEAR_SCREEN)
            presenter.line(f"{live_title}    {stamp}\n")
        else:
            presenter.line(f"--- {stamp} {title}")
        status = ctx.run_watched(words)
        runs += 1
        if status or (count is not None and runs >= count):
            return
        ctx.environment.sleep(interval)

class WatchParser(CommandParser):
    """watch's parser: its own options come first, then the command, whose options stay its own."""

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        return argparse.ArgumentParser.parse_args(self, args, namespace)


def watch_parser() -> CommandParser:
    parser = WatchParser(description="Re-run COMMAND every SECONDS until Ctrl-C: redrawn in place on a terminal, "
                                     "each run after a timestamp line on a pipe. Only commands that read ECS can be "
                                     "watched.", epilog="example: watch -n 5 ls prod web")
    parser.add_argument("-n", "--interval", type=numbers.interval("-n", MIN_INTERVAL), default=DEFAULT_INTERVAL,
                        metavar="SECONDS",
                        help="seconds between runs (default 2)")
    parser.add_argument("--count", type=numbers.option("--count", 1), default=None, metavar="N",
                        help="stop after N runs (for scripts)")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND ...", help="the command to re-run")
    return parser


def _seconds(value: float) -> str:
    return f"{value:g}s"


class WatchCommands(EcsCommands):
    """watch."""

    DEFAULT_CATEGORY = CATEGORY

    def _refusal(self, words: list[str]) -> str | None:
        """Say why WORDS cannot be watched, or None when they can."""
        name = words[0]
        category = self.ctx.command_category(name)
        if category is None:
            return f"unknown command {name!r}"
        if self.ctx.changes_ecs(name):
            return f"`{name}` changes ECS"
        if category == CATEGORY or name in NOT_WATCHABLE:
            return f"`{name}` is a shell command, not a read of ECS"
        if FOLLOW_FLAGS & set(words[1:]):
            return f"`{name} --follow` never ends"
        return None

    @with_argparser(watch_parser)
    @with_category(CATEGORY)
    def do_watch(self, args: argparse.Namespace) -> None:
        """Re-run a read-only command every -n SECONDS, in place, until Ctrl-C."""
        words = list(args.command)
        if not words:
            raise CommandError("watch needs a command to re-run, e.g. `watch ls prod web`", 2)
        refusal = self._refusal(words)
        if refusal:
            raise CommandError(f"watch runs only commands that read ECS: {refusal}; nothing was run", 2)
        line = " ".join(words)
        rerun(self.ctx, words, args.interval, args.count, f"Every {_seconds(args.interval)}: {line}", line)

"""What every command needs and nothing else: its error, its parser, and the mark of a change to ECS.

A leaf module: it imports cmd2 and ecsshell's options (a leaf too), so commands and the shell both
stand on it.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar

from cmd2 import Cmd2ArgumentParser
from cmd2.rich_utils import Cmd2HelpFormatter

from ..operations import OperationError
from ..options import OUTPUT_FORMATS

F = TypeVar("F", bound=Callable[..., Any])
MUTATING_ATTRIBUTE = "ecsshell_mutating"


class CommandError(Exception):
    """A command could not do what was asked: one line for the user, and an exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


NAMES = "names"  # the positionals of every command: one list the scope fills (see scope.py)


def _verbatim(action: argparse.Action) -> bool:
    return action.dest == NAMES and not action.option_strings and isinstance(action.metavar, str)


class NamesFormatter(Cmd2HelpFormatter):
    """Print the positionals' metavar as written (`[CLUSTER] [SERVICE] IMAGE|:TAG`), not as `[NAME ...]`."""

    def _format_args(self, action: argparse.Action, default_metavar: str) -> str:
        if _verbatim(action):
            return str(action.metavar)
        return super()._format_args(action, default_metavar)

    def _rich_metavar_parts(self, action: argparse.Action, default_metavar: str) -> Iterator[tuple[str, bool]]:
        if _verbatim(action):
            yield str(action.metavar), True
            return
        yield from super()._rich_metavar_parts(action, default_metavar)


class CommandParser(Cmd2ArgumentParser):
    """The parser of ecsshell's own commands: options anywhere among the names, errors in one line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", NamesFormatter)
        kwargs.setdefault("allow_abbrev", False)  # `--fol` is not `--follow`: a typo fails, it never guesses
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        """Return the help, ending with the command's examples (commands/examples.py)."""
        from .examples import examples_text

        return super().format_help() + examples_text(self.prog.split()[-1], self._get_formatter()._width)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        return self.parse_intermixed_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        """Fail the command with one line naming what was wrong (status 2), not a usage block."""
        from ..suggest import flag_hint, option_strings

        hint = flag_hint(message, option_strings(self))
        raise CommandError(f"{self.prog}: {message}{hint} (see `help {self.prog.split()[-1]}`)", 2)


def no_abbreviations(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Make PARSER and its subcommands' parsers take long options only as written in full; return PARSER."""
    parser.allow_abbrev = False
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                no_abbreviations(sub)
    return parser


@contextlib.contextmanager
def refused() -> Iterator[None]:
    """Turn an operation's refusal into the command's error, with the same line and exit status."""
    try:
        yield
    except OperationError as exc:
        raise CommandError(str(exc), exc.code) from None


def mutating(func: F) -> F:
    """Mark a command function as one that changes ECS (refused in read-only mode)."""
    setattr(func, MUTATING_ATTRIBUTE, True)
    return func


def is_mutating(func: Any) -> bool:
    """Say whether a command function was marked as changing ECS."""
    return bool(getattr(func, MUTATING_ATTRIBUTE, False))


def query_option(text: str) -> Any:
    """Parse --query: a JMESPath expression, compiled now so a bad one fails before any AWS call."""
    from ..jsonquery import QueryError, compile_query

    try:
        return compile_query(text)
    except QueryError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_output_flag(parser: argparse.ArgumentParser, help_text: str = "text or json",
                    formats: tuple[str, ...] = OUTPUT_FORMATS) -> None:
    """Add --output (over the session's output setting for one command), --query EXPRESSION and --show-secrets."""
    parser.add_argument("--output", choices=formats, default=None, help=help_text)
    if "--show-secrets" not in parser._option_string_actions:  # ls, taskdefs and diff say what it shows there
        parser.add_argument("--show-secrets", action="store_true", default=None,
                            help="show secrets in what ECS says and what is echoed (reasons, events, log lines)")
    parser.add_argument("--query", type=query_option, default=None, metavar="EXPRESSION",
                        help="keep what this JMESPath expression selects of the JSON output (implies --output json; "
                             "with --output text, tab-separated values as the AWS CLI prints them)")

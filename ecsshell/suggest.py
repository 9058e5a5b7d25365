"""Did-you-mean: the known word nearest to a mistyped one (difflib), for commands, operations and flags."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6  # difflib's own default: close enough that the guess is more often right than not


def closest(word: str, known: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """Return the one word of KNOWN nearest to WORD, or None when none is close."""
    found = difflib.get_close_matches(word, list(dict.fromkeys(known)), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """Return ' (did you mean NAME?)' for the word of KNOWN nearest to WORD, or ''."""
    near = closest(word, known)
    return f" (did you mean {near}?)" if near else ""


def flag_hint(message: str, options: Iterable[str]) -> str:
    """Return ' (did you mean --FLAG?)' for argparse's 'unrecognized arguments' MESSAGE, or ''.

    Each unrecognized word that looks like a flag is matched against OPTIONS (a parser's option strings).
    """
    prefix = "unrecognized arguments:"
    if not message.startswith(prefix):
        return ""
    known = [o for o in options if o.startswith("-")]
    guesses = []
    for word in message[len(prefix):].split():
        flag = word.partition("=")[0]
        if flag.startswith("-") and len(flag) > 2:
            near = closest(flag, known)
            if near and near not in guesses:
                guesses.append(near)
    return f" (did you mean {' or '.join(guesses)}?)" if guesses else ""


def option_strings(parser: object) -> list[str]:
    """Return every option string of an argparse PARSER and of its subcommands' parsers."""
    import argparse

    found: list[str] = []
    for action in getattr(parser, "_actions", []):
        found += action.option_strings
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += option_strings(sub)
    return found

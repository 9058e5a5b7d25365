"""Pure rules for lines of input and output: `;` splitting, script files, terminal-safe text."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

COMMENT = "#"
QUOTES = ("'", '"')
MAX_SCRIPT_BYTES = 4 * 1024 * 1024  # a script larger than this is not a script

# What is left for the last-resort filter: data is made plain where it enters (`ecsshell.plain`), so
# the only escape codes in output are ecsshell's own SGR colours. Anything else loses its control
# characters only, never a printable character (a pattern that swallowed text up to the next escape
# once cut the rest of the output).
_SGR = r"\x1b\[[0-9;]*m"
_SGR_OR_CONTROL = re.compile(rf"{_SGR}|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class ScriptError(ValueError):
    """A script file cannot be read as a script."""


def split_commands(line: str) -> list[str]:
    """Split LINE at each `;` outside quotes into the commands it holds, in order.

    A part that starts with `#` is a comment to the end of the line. An unclosed quote keeps the
    rest of the line in one part, so the command parser reports it.
    """
    parts: list[str] = []
    start = 0
    quote = ""
    at_part_start = True
    for index, char in enumerate(line):
        if at_part_start and not char.isspace():
            if char == COMMENT:
                break
            at_part_start = False
        if quote:
            if char == quote:
                quote = ""
        elif char in QUOTES:
            quote = char
        elif char == ";":
            parts.append(line[start:index])
            start = index + 1
            at_part_start = True
    else:
        parts.append(line[start:])
        return [p.strip() for p in parts if p.strip()]
    parts.append(line[start:index])
    return [p.strip() for p in parts if p.strip()]


def terminal_safe(text: str, *, keep_colour: bool = True) -> str:
    """Remove control characters from TEXT, keeping SGR colour codes if asked; no printable text goes."""
    if not _CONTROL.search(text):
        return text

    def replace(match: re.Match[str]) -> str:
        sequence = match[0]
        return sequence if keep_colour and len(sequence) > 1 else ""

    return _SGR_OR_CONTROL.sub(replace, text)


_REWRITTEN = re.compile(r"[\t\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what rich would expand, decode or strip
_SGR_ONLY = re.compile(_SGR)
_RESET = "\x1b[0m"
_RICH_ONLY = ("style", "justify", "emoji", "markup", "highlight", "rich_print_kwargs")


def verbatim(objects: tuple[object, ...], options: dict[str, object], *, colour: bool = False) -> str | None:
    """Return what printing OBJECTS with OPTIONS writes when rich would write it as it is, else None.

    Plain strings with no style, markup or justification and no tab, escape or control character
    come out of cmd2's rich console unchanged; writing them directly skips rich's per-line work,
    which is most of the time a large JSON document or a long table takes. With COLOUR (a terminal
    that shows colour), SGR colour codes may stay too: rich would decode and re-encode them to the
    same effect, so they are kept as they are and closed at the end, as rich closes every style.
    """
    if any(options.get(name) for name in _RICH_ONLY) or options.get("soft_wrap", True) is not True:
        return None
    if not all(type(o) is str for o in objects):
        return None
    sep, end = options.get("sep", " "), options.get("end", "\n")
    if not isinstance(sep, str) or not isinstance(end, str) or _REWRITTEN.search(end):
        return None
    text = sep.join(objects)  # type: ignore[arg-type]
    if "\x1b" in text and colour:
        if _REWRITTEN.search(_SGR_ONLY.sub("", text)):
            return None
        last = _SGR_ONLY.match(text, text.rfind("\x1b"))
        closed = last is not None and last[0] in (_RESET, "\x1b[m")
        return text + end if closed else text + _RESET + end
    return None if _REWRITTEN.search(text) else text + end


@dataclass(frozen=True)
class Script:
    """A script file's lines, with the path it was read from."""

    path: Path
    lines: list[str]


def read_script(name: str, limit: int = MAX_SCRIPT_BYTES) -> Script:
    """Read the script file NAME: UTF-8 text of at most LIMIT bytes, never a directory or device stream."""
    path = Path(name).expanduser()
    try:
        if path.is_dir():
            raise ScriptError(f"script {name!r} is a directory")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except ScriptError:
        raise
    except FileNotFoundError:
        raise ScriptError(f"script {name!r} not found") from None
    except OSError as exc:
        raise ScriptError(f"cannot read script {name!r}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ScriptError(f"script {name!r} is larger than {limit // (1024 * 1024)} MiB; not run")
    if b"\x00" in data:
        raise ScriptError(f"script {name!r} is a binary file, not a text script; not run")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScriptError(f"script {name!r} is not UTF-8 text (byte {exc.start}); not run") from None
    return Script(path.resolve(), text.splitlines())


def is_comment_or_blank(line: str) -> bool:
    """Say whether a script line holds nothing to run."""
    stripped = line.strip()
    return not stripped or stripped.startswith(COMMENT)


def join_words(words: list[str]) -> str:
    """Join argv-style words into one line that cmd2 splits back into the same words.

    cmd2 splits like shlex in non-POSIX mode: a word in double quotes may hold single quotes (a JMESPath
    `--query "[?name=='web']"`), so such words are double-quoted rather than shlex-quoted piecewise.
    """
    def quoted(word: str) -> str:
        if word and not any(ch.isspace() or ch in "'\"|;<>&#" for ch in word):
            return word
        if '"' not in word:
            return f'"{word}"'
        return shlex.quote(word)

    return " ".join(quoted(word) for word in words)

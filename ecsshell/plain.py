"""Make text from ECS, a file or the user plain: no control sequence, every printable character kept.

`plain` removes what a terminal would act on instead of showing: escape sequences (OSC such as a
window title, a hyperlink or a clipboard write, ended by BEL or ST; DCS, SOS, PM and APC strings;
CSI such as colours, cursor moves and clearing; two-character escapes), their 8-bit C1 forms,
the other C0 and C1 control characters, and the Unicode controls that reorder text on screen
(bidirectional overrides and isolates). Newline and tab stay. A string sequence that is never
ended (an OSC with no BEL or ST) loses only its introducer, so no printable text is ever dropped
with it. Data is made plain where it enters (the AWS converters, files read, echoes), so that only
ecsshell's own styling puts escape codes on the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# Characters a string sequence (OSC, DCS, ...) may carry: printable text and tab (ECMA-48's command string).
_PAYLOAD = r"[^\x00-\x08\x0a-\x1f\x7f-\x9f]*"
_ST = r"(?:\x07|\x1b\\|\x9c)"  # BEL ends an OSC too (xterm)
_SEQUENCE = re.compile(
    rf"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]){_PAYLOAD}{_ST}"  # OSC, DCS, SOS, PM, APC ... ended
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: SGR colours, cursor moves, clearing, ...
    r"|\x1b[ -/]*[0-~]"  # any other escape (charset, reset, save cursor)
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"  # other controls, bidi overrides; unended introducers
)


def plain(text: str) -> str:
    """Return TEXT without control sequences or control characters, every printable character kept."""
    if text.isprintable():
        return text
    return _SEQUENCE.sub("", text)


def _is_plain(value: Any) -> bool:
    """Say whether every string in a JSON-like VALUE is printable already (the common case: nothing to copy).

    Botocore answers hold dicts, lists, strings, numbers, booleans, datetimes and None.
    """
    kind = type(value)
    if kind is str:
        return bool(value.isprintable())
    if kind is dict or isinstance(value, Mapping):
        return all(type(key) is not str or key.isprintable() for key in value) and _all_plain(value.values())
    if kind is list or kind is tuple:
        return _all_plain(value)
    return True


def _all_plain(items: Iterable[Any]) -> bool:
    """Say whether every item is plain, strings checked in line (most items are strings: no call each)."""
    for item in items:
        if type(item) is str:
            if not item.isprintable():
                return False
        elif not _is_plain(item):
            return False
    return True


def plain_json(value: Any) -> Any:
    """Return a JSON-like VALUE (an AWS answer) with every string in it, keys too, made plain.

    VALUE itself comes back when it is plain already, so a large answer is walked once, not copied.
    """
    return value if _is_plain(value) else _plained(value)


def _plained(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.isprintable() else _SEQUENCE.sub("", value)
    if isinstance(value, Mapping):
        return {_plained(k): _plained(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plained(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_plained(item) for item in value)
    return value


def visible(name: str) -> str:
    """Return NAME with every character that is not printable written as its escape (\\x1b), never sent raw."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def quoted(name: str) -> str:
    """Return NAME in double quotes for a message, as repr would write it: \\x1b, \\n, \\" and \\\\ escaped."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else "\\" + c if c in '"\\' else repr(c)[1:-1]
                         for c in name) + '"'


def named(name: str) -> str:
    """Return NAME as a message shows it: as it is when it is one printable word, else `quoted`."""
    return name if name and name.isprintable() and not any(c.isspace() or c in '"\\' for c in name) else quoted(name)

"""Read tokens back from drawn text: whole, or folded only after `/`, `:` or `@`."""

from __future__ import annotations

import re
from collections.abc import Iterable

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def words(text: str) -> set[str]:
    """Return every whitespace-separated word of TEXT (escape codes removed)."""
    return set(ANSI.sub("", text).split())


def whole_or_folded(token: str, seen: set[str]) -> bool:
    """Say whether TOKEN is among SEEN whole, or as pieces each ending after a separator (the last at its end)."""
    reachable = {0}
    for start in range(len(token)):
        if start not in reachable:
            continue
        for end in range(start + 1, len(token) + 1):
            if (end == len(token) or token[end - 1] in "/:@") and token[start:end] in seen:
                reachable.add(end)
    return len(token) in reachable


def broken(tokens: Iterable[str], text: str) -> list[str]:
    """Return the TOKENS that TEXT shows broken (or not at all)."""
    seen = words(text)
    return [t for t in tokens if not whole_or_folded(t, seen)]


def not_whole(tokens: Iterable[str], text: str) -> list[str]:
    """Return the TOKENS that TEXT does not show whole on one line (folded after a separator counts as broken)."""
    seen = words(text)
    return [t for t in tokens if t not in seen]

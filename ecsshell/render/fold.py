"""Fold text to a width without breaking a token: at whitespace, else after `/`, `:` or `@`.

A token is what lies between whitespace. Ids, ARNs and image references are tokens: a line
breaks inside one only after one of its separators (`arn:aws:ecs:…:task/prod/` then the id), and
only a piece longer than the whole width is cut anywhere, since it cannot be shown otherwise.
Widths are terminal cells (wide characters count two), measured fast for ASCII.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, get_character_cell_size

SEPARATORS = "/:@"
_WORD = re.compile(r"\S+")
_PIECE = re.compile(r"[^/:@]*[/:@]|[^/:@]+")  # a token's unbreakable pieces, each ending at a separator

Span = tuple[int, int]


def width(text: str) -> int:
    """Return the cells TEXT takes on one line."""
    return len(text) if text.isascii() else cell_len(text)


def natural(text: str) -> int:
    """Return the cells TEXT takes unfolded: its widest line."""
    if "\n" not in text:
        return width(text)
    return max(width(line) for line in text.split("\n"))


def longest_piece(text: str) -> int:
    """Return the widest piece of TEXT that folding never breaks (a token, or a token's part between separators)."""
    if natural(text) <= 1:
        return natural(text)
    best = 0
    for word in text.split():
        size = width(word)
        if size <= best:
            continue
        if any(s in word for s in SEPARATORS):
            size = max(width(piece) for piece in _PIECE.findall(word))
        best = max(best, size)
    return best


def longest_word(text: str) -> int:
    """Return the widest whitespace-separated word of TEXT (headers fold only at spaces)."""
    return max((width(word) for word in text.split()), default=0)


def fold(line: str, room: int, hang: int = 0) -> list[Span]:
    """Return the (start, end) spans of LINE (no newline in it) folded to ROOM cells.

    Words are packed greedily with the spacing between them kept; lines after the first hold
    HANG cells fewer (the caller indents them by HANG: a hanging indent), except one that holds a
    single word only the whole ROOM fits. A word wider than ROOM starts its own line and is broken
    after its separators, and a piece still wider than ROOM is cut. Whitespace at a break is
    dropped. An empty or blank line is one empty span.
    """
    room = max(1, room)
    if width(line) <= room:
        return [(0, len(line.rstrip()))] if line.strip() else [(0, 0)]
    rest = max(1, room - hang)
    spans: list[Span] = []
    start = end = -1  # the line being filled: LINE[start:end]
    used = 0
    for match in _WORD.finditer(line):
        w_start, w_end = match.span()
        size = width(match.group())
        gap = width(line[end:w_start]) if start >= 0 else 0
        if start >= 0 and used + gap + size <= (rest if spans else room):
            end, used = w_end, used + gap + size
            continue
        if start >= 0:
            spans.append((start, end))
            start = -1
        if size <= room:
            start, end, used = w_start, w_end, size
            continue
        for p_start, p_end in _fold_word(line, w_start, w_end, room):
            if start >= 0:
                spans.append((start, end))
            start, end = p_start, p_end
            used = width(line[p_start:p_end])
    if start >= 0:
        spans.append((start, end))
    return spans or [(0, 0)]


def _fold_word(line: str, w_start: int, w_end: int, room: int) -> list[Span]:
    """Return the spans of the word LINE[w_start:w_end] packed at its separators, cutting only oversized pieces."""
    spans: list[Span] = []
    start, used = w_start, 0
    position = w_start
    for piece in _PIECE.findall(line[w_start:w_end]):
        size = width(piece)
        if used + size <= room:
            used += size
            position += len(piece)
            continue
        if used:
            spans.append((start, position))
            start, used = position, 0
        if size <= room:
            used = size
            position += len(piece)
            continue
        for offset, length in _cut(piece, room):  # wider than the whole room: no way but to cut it
            spans.append((position + offset, position + offset + length))
        last_start, last_end = spans.pop()
        start, used = last_start, width(line[last_start:last_end])
        position += len(piece)
    spans.append((start, position))
    return spans


def _cut(piece: str, room: int) -> list[Span]:
    """Return (offset, length) pieces of PIECE of at most ROOM cells each (at least one character each)."""
    if piece.isascii():
        return [(i, min(room, len(piece) - i)) for i in range(0, len(piece), room)]
    out: list[Span] = []
    start, used = 0, 0
    for index, char in enumerate(piece):
        size = get_character_cell_size(char)
        if used and used + size > room:
            out.append((start, index - start))
            start, used = index, 0
        used += size
    out.append((start, len(piece) - start))
    return out

"""Fold prose at spaces with a hanging indent, never inside a token, and show machine text as it is.

A token (an id, an ARN, an image, a digest, `family:revision`, a state word, a number) is what
lies between spaces. A token that does not fit after the words before it starts the next row, at
the hanging indent, or 4 cells in (else at the left edge) when only that keeps it whole. A token
wider than the whole row (a digest-pinned image, a long ARN) is split at its separators only, `@`
first (so the digest stays whole), then `/`, then `:`, then `,` and `=`; a piece wider than the
row is written whole, for the terminal to soft-wrap (a diff cuts it instead: see `Folded`). Rows
are yielded as segments, so rich wraps nothing again; at natural width (a pipe) nothing folds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from ecsshell.render.fold import longest_word, natural, width

# Indents never leave less than this many cells for the text beside them.
MIN_ROOM = 20
# A value goes under its key (indented by KEY_INDENT) when beside the keys fewer cells than this remain.
_VALUE_MIN_ROOM = 30
KEY_INDENT = 2
_GAP = 2
_SMALL_INDENT = 4  # where a row goes when the hanging indent leaves too little room for its token
_WORD = re.compile(r"\S+")
_SEPARATOR_LEVELS = ("@", "/", ":", ",=")

Row = tuple[int, int, int]  # (spaces before, start, end) of one row of a line


def _pieces(word: str, room: int, level: int = 0) -> list[str]:
    """Return WORD split at its separators into pieces no wider than ROOM where it can be (most important first)."""
    if width(word) <= room or level >= len(_SEPARATOR_LEVELS):
        return [word]
    seps = re.escape(_SEPARATOR_LEVELS[level])
    parts = re.findall(rf"[^{seps}]*[{seps}]|[^{seps}]+", word)
    if len(parts) < 2:
        return _pieces(word, room, level + 1)
    return [piece for part in parts for piece in _pieces(part, room, level + 1)]


def _lead(natural_lead: int, size: int, room: int) -> int:
    """Return the spaces before a row starting with SIZE cells: NATURAL_LEAD, else 4 or none when only that fits."""
    for lead in (natural_lead, min(natural_lead, _SMALL_INDENT)):
        if lead + size <= room:
            return lead
    return 0


def _cut(piece: str, room: int) -> list[str]:
    """Return PIECE in parts of at most ROOM cells (a character each at least)."""
    parts, current, used = [], "", 0
    for char in piece:
        size = width(char)
        if current and used + size > room:
            parts.append(current)
            current, used = "", 0
        current, used = current + char, used + size
    return [*parts, current] if current else parts


def fold_rows(line: str, room: int, indent: int, cut: bool = False) -> list[Row]:
    """Return LINE (no newline) as rows of at most ROOM cells, each (spaces before, start, end).

    The first row keeps the line's own leading spaces; the next ones start INDENT spaces in (the
    hanging indent). Words are packed greedily with their spacing kept; see the module docstring
    for words that do not fit. With CUT, a piece wider than ROOM is cut into rows of ROOM cells
    instead of being left whole for the terminal to wrap (a diff: every row must carry its marker).
    """
    room = max(1, room)
    if width(line) <= room or not line.strip():
        return [(0, 0, len(line.rstrip()))]
    rows: list[Row] = []
    current: list[int] | None = None  # [lead, start, end, used]
    first_lead = width(line) - width(line.lstrip())
    for match in _WORD.finditer(line):
        w_start, w_end = match.span()
        size = width(match.group())
        if current is not None:
            gap = width(line[current[2]:w_start])
            if current[3] + gap + size <= room:
                current[2], current[3] = w_end, current[3] + gap + size
                continue
            rows.append((current[0], current[1], current[2]))
            current = None
        position = w_start
        pieces = _pieces(match.group(), room)
        if cut:
            pieces = [part for piece in pieces for part in (_cut(piece, room) if width(piece) > room else [piece])]
        for piece in pieces:
            p_size = width(piece)
            if current is not None and current[3] + p_size <= room:
                current[2], current[3] = position + len(piece), current[3] + p_size
            else:
                if current is not None:
                    rows.append((current[0], current[1], current[2]))
                lead = _lead(indent if rows else first_lead, p_size, room)
                current = [lead, position, position + len(piece), lead + p_size]
            position += len(piece)
    if current is not None:
        rows.append((current[0], current[1], current[2]))
    return rows or [(0, 0, 0)]


def hanging_indent(indent: int, room: int) -> int:
    """Return INDENT, or a small one when INDENT would leave fewer than MIN_ROOM cells beside it."""
    return indent if room - indent >= MIN_ROOM else min(indent, _SMALL_INDENT)


def folded_lines(console: Console, text: Text, room: int, indent: int, cut: bool = False) -> list[list[Segment]]:
    """Return TEXT folded to ROOM cells (see fold_rows), as the segments of each row."""
    plain = text.plain
    indent = hanging_indent(indent, room)
    base = console.get_style(text.style, default=None) if text.style else None
    out: list[list[Segment]] = []
    offset = 0
    for line in plain.split("\n"):
        for lead, start, end in fold_rows(line, room, indent, cut):
            row = [Segment(" " * lead)] if lead else []
            if end > start:
                row += list(Segment.apply_style(text[offset + start:offset + end].render(console), base))
            out.append(row)
        offset += len(line) + 1
    return out


def _emit(rows: Iterable[list[Segment]]) -> RenderResult:
    newline = Segment.line()
    for row in rows:
        yield from row
        yield newline


class Folded:
    """Text folded at spaces to the console's width with a hanging indent, never inside a token.

    With a MARKER (a diff's `-`, `+` or space, styled) every row starts with it and the text folds
    in the cells after it; a piece wider than those cells is then cut, the one case where a token
    breaks, since a row without its marker would make the diff lie.
    """

    def __init__(self, text: Text | str, indent: int = 2, marker: Text | None = None) -> None:
        self.text = Text(text) if isinstance(text, str) else text
        if "\t" in self.text.plain:  # a tab's width depends on its column: spaces fold predictably
            self.text = self.text.copy()
            self.text.expand_tabs(8)
        self.indent = indent
        self.marker = marker

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        extra = width(self.marker.plain) if self.marker is not None else 0
        plain = self.text.plain
        return Measurement(min(options.max_width, extra + longest_word(plain)), extra + natural(plain))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        marker = ([Segment(self.marker.plain, console.get_style(self.marker.style, default=None))]
                  if self.marker is not None else [])
        room = options.max_width - (width(self.marker.plain) if self.marker is not None else 0)
        rows = folded_lines(console, self.text, room, self.indent, cut=self.marker is not None)
        yield from _emit([*marker, *row] for row in rows)



class Verbatim:
    """Text drawn as it is, line by line, whatever the width: machine output (JSON) that the terminal soft-wraps."""

    def __init__(self, text: Text | str) -> None:
        self.text = Text(text) if isinstance(text, str) else text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        size = natural(self.text.plain)
        return Measurement(size, size)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        base = console.get_style(self.text.style, default=None) if self.text.style else None
        yield from _emit(list(Segment.apply_style(line.render(console), base))
                         for line in self.text.split("\n", allow_blank=True))


class Pairs:
    """Rows of `key  value`: values beside the keys, folded with a hanging indent at the value column.

    A value whose widest word does not fit beside the keys (or when too little room is left there)
    goes under its key, indented, so that its tokens stay whole.
    """

    def __init__(self, key_style: str = "bold") -> None:
        self.key_style = key_style
        self.rows: list[tuple[Text, Text]] = []

    def add_row(self, key: Text | str, value: Text | str) -> None:
        """Append one key and its value."""
        self.rows.append((Text(key) if isinstance(key, str) else key, Text(value) if isinstance(value, str) else value))

    def _key_width(self) -> int:
        return max((natural(key.plain) for key, _ in self.rows), default=0)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        key_width = self._key_width()
        widest = max((natural(value.plain) for _, value in self.rows), default=0)
        word = max((longest_word(value.plain) for _, value in self.rows), default=0)
        return Measurement(min(options.max_width, max(key_width, word + KEY_INDENT)), key_width + _GAP + widest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from _emit(self.lines(console, options.max_width))

    def lines(self, console: Console, max_width: int) -> list[list[Segment]]:
        """Return every pair's rows within MAX_WIDTH cells."""
        key_width = self._key_width()
        room = max_width - key_width - _GAP
        out: list[list[Segment]] = []
        for key, value in self.rows:
            styled = key.copy()
            if self.key_style:
                styled.stylize(self.key_style)
            key_row = folded_lines(console, styled, 1_000_000, 0)[0]
            plain = value.plain
            if natural(plain) <= room or (room >= _VALUE_MIN_ROOM and longest_word(plain) <= room):
                rows = folded_lines(console, value, room, 0)
                pad = " " * (key_width - natural(key.plain) + _GAP)
                out.append([*key_row, Segment(pad), *rows[0]] if rows[0] else key_row)
                out += [[Segment(" " * (key_width + _GAP)), *row] if row else [] for row in rows[1:]]
                continue
            out.append(key_row)
            out += folded_lines(console, _indented(value, KEY_INDENT), max_width, KEY_INDENT)
        return out


def _indented(value: Text, spaces: int) -> Text:
    """Return VALUE with every line SPACES cells in."""
    pad = Text(" " * spaces)
    return Text("\n").join(pad + line for line in value.split("\n", allow_blank=True))


class Numbered:
    """A numbered list of (term, description), as argparse lays out options and their help.

    Descriptions start in one column, a third of the width in at most (24 cells at least), and fold
    under it; a term too wide for that column puts its description on the next row, at the column.
    """

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self.items = list(items)

    def _numbers(self) -> list[str]:
        digits = len(str(len(self.items)))
        return [f"{number:{digits}}. " for number in range(1, len(self.items) + 1)]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        numbers = self._numbers()
        term = max((width(t) for t, _ in self.items), default=0)
        widest = max((width(d) for _, d in self.items), default=0)
        least = max((longest_word(t + " " + d) for t, d in self.items), default=0)
        lead = width(numbers[0]) if numbers else 0
        return Measurement(min(options.max_width, lead + least), lead + term + _GAP + widest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        numbers = self._numbers()
        lead = width(numbers[0]) if numbers else 0
        widest = lead + max((width(t) for t, _ in self.items), default=0) + _GAP
        column = min(widest, max(24, options.max_width // 3))
        if options.max_width - column < MIN_ROOM:
            column = lead + _GAP  # a narrow terminal: every description under its term
        rows: list[list[Segment]] = []
        for number, (term, description) in zip(numbers, self.items, strict=True):
            if lead + width(term) + _GAP <= column:
                line = f"{number}{term.ljust(column - lead - _GAP)}{' ' * _GAP}{description}"
                rows += folded_lines(console, Text(line), options.max_width, column)
            else:
                rows += folded_lines(console, Text(number + term), options.max_width, lead)
                rows += folded_lines(console, Text(" " * column + description), options.max_width, column)
        yield from _emit(rows)

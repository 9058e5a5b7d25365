"""Fold prose at spaces with a hanging indent, never inside a token, and show machine text as it is.

A token (an id, an ARN, an image, a digest, `family:revision`, a state word, a number) is what
lies between spaces. A token that does not fit after the words before it starts the next row, at
the hanging indent, or further left when only that keeps it whole on the row. A token wider than
the whole row (a digest-pinned image, a long ARN) is split at its separators only, `@` first
(so the digest stays whole), then `/`, then `:`, then `,` and `=`; a piece wider than the row
is written whole, for the terminal to soft-wrap: nothing here ever cuts one. Rows are yielded as
segments, so rich wraps nothing again; drawn at natural width (a pipe), nothing folds at all.
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
    """Return the spaces before a row starting with SIZE cells: NATURAL_LEAD, less when only that keeps it whole."""
    return max(0, min(natural_lead, room - size))


def fold_rows(line: str, room: int, indent: int) -> list[Row]:
    """Return LINE (no newline) as rows of at most ROOM cells, each (spaces before, start, end).

    The first row keeps the line's own leading spaces; the next ones start INDENT spaces in (the
    hanging indent). Words are packed greedily with their spacing kept; see the module docstring
    for words that do not fit.
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
        for piece in _pieces(match.group(), room):
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
    return indent if room - indent >= MIN_ROOM else min(indent, 4)


def folded_lines(console: Console, text: Text, room: int, indent: int) -> list[list[Segment]]:
    """Return TEXT folded to ROOM cells (see fold_rows), as the segments of each row."""
    plain = text.plain
    indent = hanging_indent(indent, room)
    base = console.get_style(text.style, default=None) if text.style else None
    out: list[list[Segment]] = []
    offset = 0
    for line in plain.split("\n"):
        for lead, start, end in fold_rows(line, room, indent):
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

    With a MARKER (a diff's `-`, `+` or space) every row starts with it, styled MARKER_STYLE,
    and the text folds in the cells after it.
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
        yield from _emit([*marker, *row] for row in folded_lines(console, self.text, room, self.indent))


def folded(text: Text | str, indent: int = 2) -> Folded:
    """Return TEXT folded at spaces with a hanging indent of INDENT cells."""
    return Folded(text, indent)


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


def lines_of(parts: Sequence[Text | str], indent: int = 2) -> list[Folded]:
    """Return each of PARTS as folded text with a hanging indent of INDENT."""
    return [folded(part, indent) for part in parts]

"""Build rich renderables from plain values: folding tables, key/value grids, cells, headings.

Every cell is a `Text` (never markup, its style whatever the view gives it) and every column folds
long values instead of ellipsising them, whatever console draws them (ours in `render.text` or
cmd2's), never breaking a token (see `render.fold`). Tables draw an ASCII header rule without
colour and a box-drawing one on a colour terminal; a table too wide for the terminal to keep its
tokens whole turns into one record per row; key/value grids put a long value under its key when
the terminal is narrow. Widths are computed in one pass over the cells and lines are emitted as
segments directly: rich measures nothing per cell, so thousands of rows draw in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from ecsshell.clock import now as clock_now
from ecsshell.render.fold import fold, longest_piece, longest_word, natural, width

WARNING_STYLE = "bold yellow"
ERROR_STYLE = "bold red"
OK_STYLE = "green"
HEADING_STYLE = "bold"
NOTE_STYLE = "dim"
MISSING = "-"
_MEASURE_WIDTH = 10_000_000
_READABLE_WIDTH = 8
_COLUMN_GAP = 2
_INDENT = 2
# A key/value grid puts each value under its key when fewer cells than this remain beside the keys.
_VALUE_MIN_WIDTH = 30
# Folded text indents its continuation lines by this much when it has room for it (a hanging indent).
_HANG = 2
_HANG_MIN_ROOM = 12

Line = list[Segment]
_NULL = Style.null()


def _style(console: Console, style: str | Style, cache: dict[object, Style]) -> Style:
    """Return STYLE resolved by CONSOLE, remembered in CACHE (a table resolves each style once)."""
    found = cache.get(style)
    if found is None:
        found = cache[style] = console.get_style(style, default=Style.null()) if style else Style.null()
    return found


def text_lines(console: Console, value: Text, room: int, styles: dict[object, Style] | None = None) -> list[Line]:
    """Return VALUE folded to ROOM cells without breaking a token, as the segments of each line (unpadded)."""
    styles = {} if styles is None else styles
    plain = value.plain
    if "\t" in plain:
        value = value.copy()
        value.expand_tabs(8)
        plain = value.plain
    simple = not value.spans
    style = _style(console, value.style, styles)
    if "\n" not in plain and width(plain) <= room:
        return [[Segment(plain, style)] if simple else list(value.render(console))]
    out: list[Line] = []
    offset = 0
    hang = _HANG if room >= _HANG_MIN_ROOM else 0
    indent = Segment(" " * hang)
    for line in plain.split("\n"):
        for number, (start, end) in enumerate(fold(line, room, hang)):
            if simple:
                segments = [Segment(line[start:end], style)]
            else:
                segments = list(value[offset + start:offset + end].render(console))
            if number and hang and end > start and width(line[start:end]) + hang <= room:
                segments.insert(0, indent)
            out.append(segments)
        offset += len(line) + 1
    return out


def _cells(line: Line) -> int:
    return sum(width(segment.text) for segment in line)


def _merged(line: Line) -> Line:
    """Return LINE with neighbouring segments of one style joined (rich then handles a few, not dozens)."""
    if len(line) < 2:
        return line
    out: Line = [line[0]]
    last = line[0].style or _NULL
    for segment in line[1:]:
        style = segment.style or _NULL
        if style is last or style == last:
            out[-1] = Segment(out[-1].text + segment.text, last)
        else:
            out.append(segment)
            last = style
    return out


def _emit(lines: list[Line]) -> RenderResult:
    """Yield LINES, each ended."""
    newline = Segment.line()
    for line in lines:
        yield from _merged(line)
        yield newline


class Column:
    """One table column: its header, alignment and cells, with the widths folding needs (kept as rows come)."""

    __slots__ = ("cells", "drop", "header", "natural", "piece", "right", "token", "word")

    def __init__(self, header: str, right: bool, drop: int = 0) -> None:
        self.header = header
        self.right = right
        self.drop = drop  # 0: always shown; else shown as room allows, the lowest first
        self.cells: list[Text] = []
        self.natural = width(header)  # the widest line of the header or of any cell
        self.piece = 0  # the widest piece of a cell that folding never breaks
        self.word = longest_word(header)  # headers fold at spaces only
        self.token = self.word  # the widest whole token of the header or of any cell

    def add(self, value: Text) -> None:
        """Append a cell and widen the column's measures by it."""
        self.cells.append(value)
        plain = value.plain
        size = natural(plain)
        if size > self.natural:
            self.natural = size
        if size > self.token:
            self.token = max(self.token, longest_word(plain))
        if size > self.piece:
            self.piece = max(self.piece, longest_piece(plain))


class PlainTable:
    """Rows of cells under a header and a rule, each column as wide as it needs, never a token broken.

    The rule under the header marks each column's span. Each column gets its natural width when
    they all fit; else the columns with the most slack (natural width less its floor: its widest
    token, its longest header word, and a readable minimum) give, folding their cells between
    words. A table of ONE_LINE rows folds no cell: when not every column fits, it shows the
    required ones (`drop` 0) and then each optional one that still fits, the lowest `drop`
    first. When the floors of the columns it must show cannot fit, the table is drawn as records
    (psql's expanded mode): one block per row with a `header value` line per column. RECORDS
    True always draws records, False never does (tokens then break after their separators, as a
    last resort); None (auto) draws them only then. A token wider than any layout could show is
    no floor: it is broken, since nothing else can show it.
    """

    def __init__(self, columns: list[Column], *, one_line: bool = False, records: bool | None = None) -> None:
        self.columns = columns
        self.one_line = one_line
        self.records = records

    def add_row(self, *cells: Text) -> None:
        """Append one row: a cell per column."""
        for column, value in zip(self.columns, cells, strict=True):
            column.add(value)

    def _floor(self, c: Column, max_width: int, pieces: bool = False) -> int:
        """Return column C's least width at MAX_WIDTH: its natural one for one-line rows, else its widest token."""
        if self.one_line and not pieces:
            return c.natural
        hopeless = max_width - 2 * _INDENT  # wider than a record's value under its key
        token = c.token if not pieces and c.token <= hopeless else c.piece  # else broken: at separators
        token = token if token <= hopeless else 0  # or anywhere
        return min(c.natural, max(token, c.word, _READABLE_WIDTH))

    def _floors(self, max_width: int) -> list[int]:
        """Return each column's least width at MAX_WIDTH."""
        return [self._floor(c, max_width) for c in self.columns]

    def layout(self, max_width: int) -> tuple[list[int], list[int]] | None:
        """Return the shown columns and their widths within MAX_WIDTH, or None when the table must be records."""
        if self.records:
            return None
        every = list(range(len(self.columns)))
        widths = self._fit(self.columns, max_width, pieces=False)
        if widths is not None:
            return every, widths
        shown = [i for i in every if not self.columns[i].drop]
        widths = self._fit([self.columns[i] for i in shown], max_width, pieces=False)
        if widths is not None:  # then each optional column that still fits, the most wanted (lowest drop) first
            for extra in sorted((i for i in every if self.columns[i].drop), key=lambda i: (self.columns[i].drop, i)):
                trial = sorted([*shown, extra])
                found = self._fit([self.columns[i] for i in trial], max_width, pieces=False)
                if found is not None:
                    shown, widths = trial, found
            return shown, widths
        if self.records is None:
            return None
        shown = [i for i, c in enumerate(self.columns) if not c.drop]
        columns = [self.columns[i] for i in shown]
        widths = self._fit(columns, max_width, pieces=True)
        return shown, widths if widths is not None else [self._floor(c, max_width, True) for c in columns]

    def widths(self, max_width: int) -> list[int] | None:
        """Return each shown column's width within MAX_WIDTH, or None when the table must be drawn as records."""
        found = self.layout(max_width)
        return None if found is None else found[1]

    def _fit(self, columns: list[Column], max_width: int, *, pieces: bool) -> list[int] | None:
        """Return the widths of COLUMNS within MAX_WIDTH, the widest giving first; None when their floors overflow."""
        widths = [c.natural for c in columns]
        room = max_width - _COLUMN_GAP * max(0, len(widths) - 1)
        excess = sum(widths) - room
        if excess <= 0:
            return widths
        floors = [self._floor(c, max_width, pieces) for c in columns]
        if sum(floors) > room:
            return None
        while excess > 0:  # from the column with the most slack, down to the next one's slack
            slacks = sorted(((w - f, i) for i, (w, f) in enumerate(zip(widths, floors, strict=True))), reverse=True)
            (most, index), runner_up = slacks[0], (slacks[1][0] if len(slacks) > 1 else 0)
            take = min(excess, max(1, most - runner_up))
            widths[index] -= take
            excess -= take
        return widths

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        gaps = _COLUMN_GAP * max(0, len(self.columns) - 1)
        required = [c for c in self.columns if not c.drop]
        least = sum(self._floor(c, options.max_width) for c in required) + _COLUMN_GAP * max(0, len(required) - 1)
        return Measurement(min(least, options.max_width), sum(c.natural for c in self.columns) + gaps)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.columns:
            return
        found = self.layout(options.max_width)
        if found is None:
            yield from _emit(self.record_lines(console, options.max_width))
            return
        shown, widths = found
        columns = [self.columns[i] for i in shown]
        styles: dict[object, Style] = {}
        rights = [c.right for c in columns]
        headers = [Text(c.header, style=HEADING_STYLE) for c in columns]
        yield from _emit(self._row(console, headers, widths, rights, styles))
        dash = "-" if console.color_system is None or console.no_color or options.ascii_only else "─"
        last = len(widths) - 1
        yield Segment(" ".join(dash * (w + (i < last)) for i, w in enumerate(widths)))
        yield Segment.line()
        for index in range(len(self.columns[0].cells)):
            yield from _emit(self._row(console, [c.cells[index] for c in columns], widths, rights, styles))
        hidden = [c.header for c in self.columns if c not in columns]
        if hidden:
            note = Text(f"({', '.join(hidden)} hidden at {options.max_width} columns; --records shows every column)",
                        style=NOTE_STYLE)
            yield from _emit(text_lines(console, note, options.max_width, styles))

    @staticmethod
    def _row(console: Console, cells: list[Text], widths: list[int], rights: list[bool],
             styles: dict[object, Style]) -> list[Line]:
        """Return one row's lines: every cell folded to its column, side by side, no trailing blanks."""
        folded = [text_lines(console, value, w, styles) for value, w in zip(cells, widths, strict=True)]
        gap = " " * _COLUMN_GAP
        out = []
        for number in range(max(len(lines) for lines in folded)):
            line: Line = []
            pending = ""  # spaces written only when something follows them
            for index, lines in enumerate(folded):
                if index:
                    pending += gap
                if number >= len(lines):
                    pending += " " * widths[index]
                    continue
                segments = lines[number]
                pad = " " * (widths[index] - _cells(segments))
                if rights[index]:
                    pending += pad
                if pending:
                    line.append(Segment(pending))
                line.extend(segments)
                pending = "" if rights[index] else pad
            out.append(line)
        return out

    def record_lines(self, console: Console, max_width: int) -> list[Line]:
        """Return each row as a titled block of `header value` lines, blocks apart by a blank line."""
        first, *rest = self.columns
        styles: dict[object, Style] = {}
        grid = KeyValueGrid()
        for column in rest:
            grid.add_row(Text(column.header), Text(""))
        pairs = grid.pairs(console, max_width - _INDENT, styles)
        indent = Segment(" " * _INDENT)
        out: list[Line] = []
        for index, value in enumerate(first.cells):
            if index:
                out.append([])
            title = Text(f"{first.header} ", style=HEADING_STYLE)
            title.append_text(value)
            out += text_lines(console, title, max_width, styles)
            for pair, column in zip(pairs, rest, strict=True):
                out += [[indent, *line] if line else line for line in pair(column.cells[index])]
        return out


@dataclass(frozen=True)
class Col:
    """A column header, optionally right-justified (numbers)."""

    header: str
    right: bool = False
    drop: int = 0  # 0: always shown; else shown as room allows, the lowest first, when not all can fit


def new_table(*columns: str | Col, one_line: bool = False, records: bool | None = None) -> PlainTable:
    """Return an empty table whose columns fold long values without breaking a token (see PlainTable)."""
    return PlainTable([Column(c.header, c.right, c.drop) for c in (c if isinstance(c, Col) else Col(c)
                                                                    for c in columns)],
                      one_line=one_line, records=records)


class KeyValueGrid:
    """Rows of `key  value`: side by side when values get room, else each value under its key.

    Values are `Text` and fold as table cells do; a value goes under its key when beside it a
    token would have to break and under it the token fits.
    """

    def __init__(self, key_style: str = HEADING_STYLE) -> None:
        self.key_style = key_style
        self.rows: list[tuple[Text, Text]] = []

    def add_row(self, key: Text | str, value: Text) -> None:
        """Append one key and its value."""
        self.rows.append((key if isinstance(key, Text) else Text(key), value))

    def _key_width(self) -> int:
        """Return the width of the longest key line."""
        return max((natural(key.plain) for key, _ in self.rows), default=0)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        key_width = self._key_width()
        widest = max((natural(value.plain) for _, value in self.rows), default=0)
        narrowest = max((longest_piece(value.plain) for _, value in self.rows), default=0)
        maximum = key_width + _COLUMN_GAP + widest
        return Measurement(min(maximum, max(key_width, narrowest + 2)), maximum)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from _emit(self.lines(console, options.max_width))

    def _styled_key(self, key: Text) -> Text:
        if not self.key_style:
            return key
        if not key.spans and not key.style:
            return Text(key.plain, style=self.key_style)
        styled = key.copy()
        styled.stylize(self.key_style)
        return styled

    def lines(self, console: Console, max_width: int, styles: dict[object, Style] | None = None) -> list[Line]:
        """Return the grid's lines within MAX_WIDTH cells."""
        pairs = self.pairs(console, max_width, {} if styles is None else styles)
        return [line for pair, (_, value) in zip(pairs, self.rows, strict=True) for line in pair(value)]

    def pairs(self, console: Console, max_width: int,
              styles: dict[object, Style]) -> list[Callable[[Text], list[Line]]]:
        """Return, per key, a function drawing a value beside (or under) that key within MAX_WIDTH cells."""
        key_width = self._key_width()
        room = max_width - key_width - _COLUMN_GAP
        below = max_width - _INDENT
        indent = Segment(" " * _INDENT)

        def pair(key: Text) -> Callable[[Text], list[Line]]:
            heading = text_lines(console, key, max_width, styles)
            keys = text_lines(console, key, key_width, styles)
            widths = [_cells(line) for line in keys]

            def draw(value: Text) -> list[Line]:
                plain = value.plain
                if not (natural(plain) <= room or (room >= _VALUE_MIN_WIDTH and (
                        (word := longest_word(plain)) <= room or word > below))):  # under it, a token stays whole
                    return heading + [[indent, *line] for line in text_lines(console, value, below, styles)]
                values = text_lines(console, value, max(1, room), styles)
                out = []
                for number in range(max(len(keys), len(values))):
                    line: Line = list(keys[number]) if number < len(keys) else []
                    if number < len(values) and _cells(values[number]):
                        used = widths[number] if number < len(keys) else 0
                        line.append(Segment(" " * (key_width - used + _COLUMN_GAP)))
                        line.extend(values[number])
                    out.append(line)
                return out

            return draw

        return [pair(self._styled_key(key)) for key, _ in self.rows]


def cell(value: object, style: str = "") -> Text:
    """Return a cell: the value as plain text (never markup), `-` when missing."""
    if value is None or value == "":
        return Text(MISSING, style=style)
    text = str(value)
    if not text.isascii() and width(text) == 0:  # only zero-width characters (a lone combining mark): a base
        text = " " + text
    return Text(text, style=style)


def heading(text: str) -> Text:
    """Return a section heading."""
    return Text(text, style=HEADING_STYLE)


def plural(count: int, word: str) -> str:
    """Return `1 word` or `N words`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """Return how long ago MOMENT was, as a table shows it: `40s`, `5m`, `3h`, `2d`, `3y` (`-` when missing).

    Seconds up to 2 minutes, minutes up to 2 hours, hours up to 2 days, days up to 2 years, then
    years; a moment after NOW (default: the clock's now) is `0s`. Naive moments are taken as UTC.
    """
    if moment is None:
        return MISSING
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    now = clock_now() if now is None else now
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 730:
        return f"{days}d"
    return f"{days // 365}y"


def when(moment: datetime | None) -> str:
    """Return a timestamp as `YYYY-MM-DD HH:MM:SSZ` in UTC (naive ones as given), or `-`."""
    if moment is None:
        return MISSING
    if moment.tzinfo is None:
        return moment.isoformat(sep=" ", timespec="seconds")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def window(seconds: float) -> str:
    """Return a window of time as it is typed after --since: 90s, 10m, 3h, 2d."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"

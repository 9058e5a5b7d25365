"""Build rich renderables from plain values: folding tables, key/value grids, cells, headings.

Every cell is a `Text` (never markup) and every column folds long values instead of
ellipsising them, whatever console draws them (ours in `render.text` or cmd2's). Tables draw an
ASCII header rule without colour and a box-drawing one on a colour terminal; a table too wide
for the terminal to stay readable turns into one record per row; key/value grids put a long
value under its key when the terminal is narrow.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

# No borders, one rule under the header, broken between columns so it marks each column's span:
# ASCII ("-") without colour, box-drawing ("─") on a colour terminal.
ASCII_HEAD = box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)
TERMINAL_BOX = box.Box("    \n    \n ─  \n    \n    \n    \n    \n    \n")

WARNING_STYLE = "bold yellow"
ERROR_STYLE = "bold red"
OK_STYLE = "green"
HEADING_STYLE = "bold"
MISSING = "-"
_MEASURE_WIDTH = 10_000_000
_READABLE_WIDTH = 8
_COLUMN_GAP = 2
# A key/value grid puts each value under its key when fewer cells than this remain beside the keys.
_VALUE_MIN_WIDTH = 30


class PlainTable(Table):
    """A table drawn with TERMINAL_BOX on a colour console and ASCII_HEAD otherwise.

    When its columns cannot get even a readable minimum width (the header, at least 8 cells,
    less when the content is shorter) it is drawn as records instead: one block per row with
    a `header value` line per column, every value folded, never cut.
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self._fits(console, options):
            yield from self._records()
            return
        plain = console.color_system is None or console.no_color or options.ascii_only
        drawn = copy.copy(self)
        drawn.box = ASCII_HEAD if plain else TERMINAL_BOX
        yield from Table.__rich_console__(drawn, console, options)

    def _fits(self, console: Console, options: ConsoleOptions) -> bool:
        """Return True when folding the widest columns leaves each its readable minimum width.

        Rich narrows the widest columns first, down to a common level; the table reads well
        when that level is at least every column's floor (its longest header word, at least
        `_READABLE_WIDTH`, never more than the column's natural width).
        """
        wide = options.update_width(_MEASURE_WIDTH)
        naturals, floors = [], []
        for column in self.columns:
            header = _plain(column.header)
            natural = max(_natural(console, wide, value) for value in (header, *column.cells))
            longest_word = max((len(word) for word in header.split()), default=0)
            naturals.append(natural)
            floors.append(min(natural, max(longest_word, _READABLE_WIDTH)))
        level = max(floors, default=0)
        gaps = _COLUMN_GAP * max(0, len(naturals) - 1)
        return sum(min(n, level) for n in naturals) + gaps <= options.max_width

    def _records(self) -> Iterator[RenderableType]:
        """Yield each row as a titled block of `header value` lines."""
        columns = [(_plain(c.header), list(c.cells)) for c in self.columns]
        if not columns:
            return
        (first_header, first_cells), rest = columns[0], columns[1:]
        for index, first in enumerate(first_cells):
            if index:
                yield Text("")
            title = Text(f"{first_header} ", style=HEADING_STYLE)
            title.append_text(first if isinstance(first, Text) else Text(str(first)))
            yield title
            grid = KeyValueGrid()
            for header, cells in rest:
                grid.add_row(Text(header), cells[index])
            yield Padding(grid, (0, 0, 0, 2), expand=False)


def _natural(console: Console, options: ConsoleOptions, value: RenderableType) -> int:
    """Return a cell's unwrapped width (fast for plain text and `Text`)."""
    if isinstance(value, str | Text):
        plain = value if isinstance(value, str) else value.plain
        return max(cell_len(line) for line in plain.expandtabs(8).split("\n"))
    return Measurement.get(console, options, value).maximum


def _plain(renderable: RenderableType) -> str:
    """Return a header's text."""
    return renderable.plain if isinstance(renderable, Text) else str(renderable)


@dataclass(frozen=True)
class Col:
    """A column header, optionally right-justified (numbers)."""

    header: str
    right: bool = False


def new_table(*columns: str | Col) -> Table:
    """Return an empty table whose columns fold long values."""
    table = PlainTable(
        box=TERMINAL_BOX,
        show_edge=False,
        pad_edge=False,
        header_style=HEADING_STYLE,
        collapse_padding=True,
        expand=False,
    )
    for column in columns:
        col = column if isinstance(column, Col) else Col(column)
        table.add_column(Text(col.header), justify="right" if col.right else "left", overflow="fold")
    return table


class KeyValueGrid:
    """Rows of `key  value`: side by side when values get room, else each value under its key."""

    def __init__(self, key_style: str = HEADING_STYLE) -> None:
        self.key_style = key_style
        self.rows: list[tuple[Text, RenderableType]] = []

    def add_row(self, key: Text | str, value: RenderableType) -> None:
        """Append one key and its value."""
        self.rows.append((key if isinstance(key, Text) else Text(key), value))

    def _key_width(self) -> int:
        """Return the width of the longest key line."""
        return max((cell_len(line) for key, _ in self.rows for line in key.plain.split("\n")), default=0)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        key_width = self._key_width()
        values = [Measurement.get(console, options, value) for _, value in self.rows]
        widest = max((m.maximum for m in values), default=0)
        narrowest = max((m.minimum for m in values), default=0)
        maximum = key_width + _COLUMN_GAP + widest
        return Measurement(min(maximum, max(key_width, narrowest + 2)), maximum)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key_width = self._key_width()
        room = options.max_width - key_width - _COLUMN_GAP
        side: Table | None = None
        for key, value in self.rows:
            if room >= _VALUE_MIN_WIDTH or Measurement.get(console, options, value).maximum <= room:
                if side is None:
                    side = Table.grid(padding=(0, _COLUMN_GAP, 0, 0), expand=False)
                    side.add_column(style=self.key_style, overflow="fold", min_width=key_width)
                    side.add_column(overflow="fold")
                side.add_row(key, value)
                continue
            if side is not None:
                yield side
                side = None
            heading = key.copy()
            if self.key_style:
                heading.stylize(self.key_style)
            yield heading
            yield Padding(value, (0, 0, 0, 2), expand=False)
        if side is not None:
            yield side


def cell(value: object, style: str = "") -> Text:
    """Return a cell: the value as plain text (never markup), `-` when missing."""
    if value is None or value == "":
        return Text(MISSING, style=style)
    text = str(value)
    if cell_len(text) == 0:  # only zero-width characters (e.g. a lone combining mark): give them a base
        text = " " + text
    return Text(text, style=style)


def heading(text: str) -> Text:
    """Return a section heading."""
    return Text(text, style=HEADING_STYLE)


def plural(count: int, word: str) -> str:
    """Return `1 word` or `N words`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def when(moment: datetime | None) -> str:
    """Return a timestamp as `YYYY-MM-DD HH:MM:SSZ` in UTC (naive ones as given), or `-`."""
    if moment is None:
        return MISSING
    if moment.tzinfo is None:
        return moment.isoformat(sep=" ", timespec="seconds")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")

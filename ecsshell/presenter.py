"""Write what commands produce: rich renderables as text, documents as JSON, lines for people.

The presenter decides nothing about content (that is `render/`) and nothing about streams beyond
which one a line goes to: the shell hands it the writers, which already strip terminal control
sequences and stop the run when standard output cannot be written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .jsonquery import Query

CLEAR_LINE = "\r\x1b[2K"
# The `records` setting's words and what View.records becomes for each (pgcli's `\x auto`).
RECORDS_MODES: dict[str, bool | None] = {"auto": None, "on": True, "off": False}


def one_row(text: str, width: int | None) -> str:
    """Cut TEXT to fit one row of a WIDTH-column terminal (a wrapped line cannot be redrawn in place)."""
    if not width or len(text) < width:
        return text
    return text[: max(0, width - 2)] + "…"


@dataclass(frozen=True)
class View:
    """The view options one command runs with: its own flags over the session's settings."""

    json: bool = False
    verbose: bool = False
    events: int = 0
    elb: bool = False
    show_secrets: bool = False
    lines: bool = False  # --output jsonl: one compact JSON object a line (logs)
    query: Query | None = None  # --query: what JSON output keeps
    wide: bool = False  # --wide: tables show whole values (every image, every deployment), as kubectl -o wide
    records: bool | None = None  # --records, `set records`: True blocks per row, False never, None when no fit


class Presenter:
    """The one place command output is written from: text or JSON, stdout or stderr."""

    def __init__(self, *, out: Callable[[str], None], err: Callable[[str], None], raw: Callable[[str], None],
                 raw_err: Callable[[str], None], color: Callable[[], bool], width: Callable[[], int | None],
                 live: Callable[[], bool], status_live: Callable[[], bool],
                 page: Callable[[str], bool] = lambda _text: False) -> None:
        self._out = out
        self._err = err
        self._raw = raw
        self._raw_err = raw_err
        self._color = color
        self._width = width
        self._live = live
        self._status_live = status_live
        self._page = page  # shows text through the pager when it is taller than the terminal; False if not
        self.query: Query | None = None  # the running command's --query, applied to every JSON document

    @property
    def color(self) -> bool:
        """Say whether output may carry colour (a terminal, colour on, NO_COLOR unset)."""
        return self._color()

    @property
    def live(self) -> bool:
        """Say whether a progress line may be redrawn in place (standard output is a terminal)."""
        return self._live()

    @property
    def status_live(self) -> bool:
        """Say whether a status line may be redrawn on stderr (a person at a terminal, stderr one too)."""
        return self._status_live()

    def show(self, renderable: Any) -> None:
        """Print a rich renderable, whole: folded on a terminal, never cut short on a pipe."""
        from .render.text import to_text

        self._paged(to_text(renderable, width=self._width(), color=self.color))

    def json(self, document: Any) -> None:
        """Print one JSON document (ECS's names) for scripts, filtered by --query (tab-separated with --output text)."""
        from .render.jsonout import dumps

        if self.query is not None and self.query.as_text:
            self._tab_separated(document)
            return
        self._paged(dumps(self._queried(document)))

    def json_line(self, document: Any) -> None:
        """Print one compact JSON document on a line (for streaming output), filtered by --query."""
        from .render.jsonout import dumps

        if self.query is not None and self.query.as_text:
            self._tab_separated(document)
            return
        self._out(dumps(self._queried(document), compact=True))

    def _tab_separated(self, document: Any) -> None:
        """Print what --query selects of DOCUMENT as the AWS CLI's text output: its tabs kept, never paged."""
        from .jsonquery import text_lines
        from .lines import terminal_safe

        lines = list(text_lines(self._queried(document)))
        if lines:
            self._raw("".join(terminal_safe(line, keep_colour=False) + "\n" for line in lines))

    def _queried(self, document: Any) -> Any:
        """Return DOCUMENT as plain JSON values, or what --query selects of it."""
        if self.query is None:
            return document
        from .render.jsonout import to_jsonable

        return self.query.apply(to_jsonable(document))

    def _paged(self, text: str) -> None:
        """Print TEXT through the pager when the shell says it should page it, else (or if the pager failed) here."""
        if not self._page(text):
            self._out(text)

    def text_line(self, renderable: Any) -> None:
        """Print a styled line (a log line), never paged: folded to a terminal, whole on a pipe."""
        from .render.text import to_text

        self._out(to_text(renderable, width=self._width(), color=self.color))

    def prose(self, text: str, indent: int = 2) -> None:
        """Print a line for a person on stdout: folded at spaces on a terminal (hanging INDENT), whole on a pipe."""
        from .render.text import to_text
        from .render.wrap import Folded

        self._out(to_text(Folded(text, indent), width=self._width(), color=False))

    def line(self, text: str) -> None:
        """Print a line of a command's text output on stdout."""
        self._out(text)

    def say(self, text: str, view: View) -> None:
        """Print a line for a person: on stdout with text output, on stderr when stdout carries JSON."""
        (self._err if view.json else self._out)(text)

    def note(self, text: str) -> None:
        """Print a status line on stderr, never mixed into what stdout carries."""
        self._err(text)

    def raw(self, text: str) -> None:
        """Write TEXT to stdout as it is (a terminal's control sequence, such as watch's clear screen)."""
        self._raw(text)

    def progress(self, text: str) -> None:
        """Redraw the live progress line on a terminal, cut to its width so that it stays on one row."""
        self._raw(CLEAR_LINE + one_row(text, self._width()))

    def clear_progress(self) -> None:
        """Remove the live progress line."""
        self._raw(CLEAR_LINE)

    def status(self, text: str) -> None:
        """Redraw the live status line on stderr (while stdout waits for a whole table)."""
        self._raw_err(CLEAR_LINE + one_row(text, self._width()))

    def clear_status(self) -> None:
        """Remove the live status line from stderr."""
        self._raw_err(CLEAR_LINE)

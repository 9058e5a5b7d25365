"""Turn a rich renderable into a string, never truncating it."""

from __future__ import annotations

import re

from rich.console import Console, RenderableType
from rich.measure import Measurement

# Width used only to measure a renderable's natural width when the output is not a terminal.
_MEASURE_WIDTH = 10_000_000
# Narrowest terminal width honoured: below it folded cells would become unreadable slivers.
_MIN_WIDTH = 20
# Spaces at the end of a line, possibly followed by the escape codes that close its styles.
_TRAILING_SPACES = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")


def _console(width: int, color: bool) -> Console:
    """Build a console that writes nowhere and reads no environment, with markup, emoji and highlighting off."""
    return Console(
        width=width,
        no_color=not color,
        force_terminal=color,
        color_system="standard" if color else None,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        soft_wrap=False,
        markup=False,
        emoji=False,
        highlight=False,
        tab_size=8,
        _environ={},  # else rich reads os.environ: TERM=dumb would fix the width at 80
    )


def natural_width(renderable: RenderableType) -> int:
    """Return the width a renderable needs to be drawn without wrapping anything."""
    console = _console(_MEASURE_WIDTH, color=False)
    measurement = Measurement.get(console, console.options, renderable)
    return max(1, measurement.maximum)


def to_text(renderable: RenderableType, *, width: int | None, color: bool) -> str:
    """Render to a string: at the natural width when width is None, else folded to width.

    Nothing is ever cropped or ellipsised; trailing spaces are stripped from every line and
    the result has no final newline.
    """
    render_width = natural_width(renderable) if width is None else max(width, _MIN_WIDTH)
    console = _console(render_width, color)
    with console.capture() as capture:
        console.print(renderable, crop=False, overflow="fold")
    lines = capture.get().removesuffix("\n").split("\n")
    return "\n".join(_TRAILING_SPACES.sub(r"\1", line) for line in lines)

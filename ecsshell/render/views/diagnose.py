"""Draw what `why` found: each cause with what to do next, or the one OK line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.render.widgets import ERROR_STYLE, OK_STYLE
from ecsshell.render.wrap import Folded


def why_report(ok_line: str, causes: Sequence[tuple[str, str]], notes: Sequence[str]) -> RenderableType:
    """Return each (cause, next step) as `CAUSE: ...` and `  next: ...`, then the notes; or OK_LINE."""
    if not causes:
        return Folded(Text(ok_line, style=OK_STYLE))
    parts: list[RenderableType] = []
    for summary, next_step in causes:
        parts.append(Folded(Text(f"CAUSE: {summary}", style=ERROR_STYLE), len("CAUSE: ")))
        parts.append(Folded(f"  next: {next_step}", len("  next: ")))
    parts += [Folded(f"note: {note}", len("note: ")) for note in notes]
    return Group(*parts)

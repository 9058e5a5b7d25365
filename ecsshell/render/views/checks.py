"""Draw a check's findings as warnings, or its one OK line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.render.widgets import OK_STYLE, WARNING_STYLE
from ecsshell.render.wrap import Folded

_WARNING = "WARNING: "


def check_report(findings: list[str], ok_line: str) -> RenderableType:
    """Return each finding as a visible warning, or the single OK line when there is none."""
    if not findings:
        return Folded(Text(ok_line, style=OK_STYLE))
    return Group(*(Folded(Text(f"{_WARNING}{f}", style=WARNING_STYLE), len(_WARNING)) for f in findings))


def cluster_check(lines: Sequence[tuple[bool, str]]) -> RenderableType:
    """Return one line per checked service: (ok, line) drawn as an OK line or a WARNING."""
    return Group(*(Folded(Text(line, style=OK_STYLE)) if ok
                   else Folded(Text(f"{_WARNING}{line}", style=WARNING_STYLE), len(_WARNING))
                   for ok, line in lines))

"""Draw a check's findings as warnings, or its one OK line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.render.widgets import OK_STYLE, WARNING_STYLE


def check_report(findings: list[str], ok_line: str) -> RenderableType:
    """Return each finding as a visible warning, or the single OK line when there is none."""
    if not findings:
        return Text(ok_line, style=OK_STYLE)
    return Group(*(Text(f"WARNING: {f}", style=WARNING_STYLE) for f in findings))


def cluster_check(lines: Sequence[tuple[bool, str]]) -> RenderableType:
    """Return one line per checked service: (ok, line) drawn as an OK line or a WARNING."""
    return Group(*(Text(line, style=OK_STYLE) if ok else Text(f"WARNING: {line}", style=WARNING_STYLE)
                   for ok, line in lines))

"""Draw `verify`'s checks, one line each: a mark (✓ ✗ - on a colour terminal, ok FAIL skip elsewhere), what, why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import Check
from ecsshell.render.widgets import ERROR_STYLE, NOTE_STYLE, OK_STYLE
from ecsshell.render.wrap import Folded

MARKS = {True: ("✓", "ok", OK_STYLE), False: ("✗", "FAIL", ERROR_STYLE), None: ("-", "skip", NOTE_STYLE)}


def check_lines(checks: Sequence[Check], color: bool) -> RenderableType:
    """Return one folded line per check: its mark, its name, what it checked and what it found."""
    marks = {ok: (symbol if color else word, style) for ok, (symbol, word, style) in MARKS.items()}
    mark_width = max(len(m) for m, _ in marks.values())
    name_width = max((len(c.name) for c in checks), default=0)
    lines = []
    for check in checks:
        mark, style = marks[check.ok]
        line = Text()
        line.append(mark.ljust(mark_width), style=style)
        line.append(f" {check.name.ljust(name_width)}  {check.target}")
        if check.detail:
            line.append(f"  {check.detail}", style=NOTE_STYLE if check.ok else "")
        lines.append(Folded(line, mark_width + name_width + 3))
    return Group(*lines)


def check_json(check: Check) -> dict[str, Any]:
    """Return CHECK for JSON: name, target, ok (null: not checked), detail, and ECR's imageDetail when found."""
    doc: dict[str, Any] = {"name": check.name, "target": check.target, "ok": check.ok, "detail": check.detail}
    image = check.image
    if image is not None:
        doc["imageDetail"] = {"registryId": image.registry_id, "repositoryName": image.repository,
                              "imageDigest": image.digest, "imageTags": list(image.tags),
                              "imagePushedAt": image.pushed_at.isoformat() if image.pushed_at else None,
                              "imageSizeInBytes": image.size_bytes}
    return doc

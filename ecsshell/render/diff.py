"""Show what changed between two task definitions as a unified diff of stable JSON."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from ecsshell.model import READ_ONLY_TASK_DEFINITION_FIELDS  # ECS sets them: they say nothing of a change
from ecsshell.render.taskdef import json_default
from ecsshell.render.wrap import Folded
from ecsshell.secrets import masked_taskdef, scrubbed

# Lists whose order means nothing, and the key that sorts them.
_UNORDERED = {"environment": "name", "secrets": "name", "secretOptions": "name", "tags": "key"}


def _sort_key(field: str) -> Callable[[dict[str, Any]], str]:
    """Return a sort key reading one field of a dict."""
    return lambda item: str(item.get(field, ""))


def _prune(value: Any) -> Any:
    """Drop unset values (None, [], {}) and sort order-free lists, recursively."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        result = {k: v for k, v in pruned.items() if v is not None and v != [] and v != {}}
        for key, sort_key in _UNORDERED.items():
            items = result.get(key)
            if isinstance(items, list) and all(isinstance(i, dict) for i in items):
                result[key] = sorted(items, key=_sort_key(sort_key))
        return result
    if isinstance(value, list | tuple):
        return [_prune(v) for v in value]
    return value


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """Return the editable part of a task definition (a describe answer or a bare taskDefinition)."""
    inner = document.get("taskDefinition")
    doc = dict(inner) if isinstance(inner, dict) else dict(document)
    if isinstance(inner, dict) and document.get("tags"):
        doc["tags"] = document["tags"]
    pruned = _prune({k: v for k, v in doc.items() if k not in READ_ONLY_TASK_DEFINITION_FIELDS})
    return pruned if isinstance(pruned, dict) else {}


def stable_json(document: dict[str, Any]) -> str:
    """Return a task definition's editable part as pretty JSON with sorted keys."""
    return json.dumps(
        comparable(document), indent=2, sort_keys=True, ensure_ascii=False, default=json_default
    )


def _masked(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Mask secrets in both documents, marking the masked environment values and labels that change."""

    def values(doc: dict[str, Any]) -> dict[tuple[Any, ...], Any]:
        found: dict[tuple[Any, ...], Any] = {}
        for c in doc.get("containerDefinitions") or []:
            for p in c.get("environment") or []:
                found[(c.get("name"), "environment", p.get("name"))] = p.get("value")
            for key, value in (c.get("dockerLabels") or {}).items():
                found[(c.get("name"), "dockerLabels", key)] = value
        return found

    before, after = values(old), values(new)
    masked_new = masked_taskdef(new)
    for container in masked_new.get("containerDefinitions") or []:
        name = container.get("name")
        for pair in container.get("environment") or []:
            key = (name, "environment", pair.get("name"))
            if _changed_behind_mask(key, pair.get("value"), before, after):
                pair["value"] = f"{pair['value']} (changed)"
        labels = container.get("dockerLabels") or {}
        for label, value in labels.items():
            if _changed_behind_mask((name, "dockerLabels", label), value, before, after):
                labels[label] = f"{value} (changed)"
    return masked_taskdef(old), masked_new


def _changed_behind_mask(key: tuple[Any, ...], shown: Any, before: dict[tuple[Any, ...], Any],
                         after: dict[tuple[Any, ...], Any]) -> bool:
    """Say whether a value changed although its masked form (SHOWN) may hide the change."""
    return key in before and before[key] != after.get(key) and shown != after.get(key)


def taskdef_diff(old: dict[str, Any], new: dict[str, Any], old_label: str, new_label: str, *,
                 show_secrets: bool = False) -> str:
    """Return a unified diff of two task definitions (secret values masked), or "" when they match."""
    old, new = _masked(old, new) if not show_secrets else (masked_taskdef(old, True), masked_taskdef(new, True))
    lines = difflib.unified_diff(
        stable_json(old).splitlines(),
        stable_json(new).splitlines(),
        fromfile=old_label,
        tofile=new_label,
        lineterm="",
    )
    return "\n".join(lines)


# Styles of a diff's rows: removed, added, file headers, hunk headers.
_REMOVED, _ADDED, _HEADER, _HUNK = "red", "green", "bold", "cyan"
_HEADER_INDENT = 4  # a folded `--- label` line continues under the label


def _diff_row(line: str, color: bool, in_header: bool) -> Folded:
    """Return one diff line folded to the terminal, its `-`, `+` or ` ` marker repeated on every row it takes."""
    if in_header and line.startswith(("--- ", "+++ ")):
        return Folded(Text(line, style=_HEADER if color else ""), _HEADER_INDENT)
    if line.startswith("@@"):
        return Folded(Text(line, style=_HUNK if color else ""), _HEADER_INDENT)
    marker, body = (line[:1], line[1:]) if line[:1] in ("-", "+", " ") else (" ", line)
    style = {"-": _REMOVED, "+": _ADDED}.get(marker, "") if color else ""
    nesting = len(body) - len(body.lstrip(" "))
    return Folded(Text(body, style=style), nesting + 2, marker=Text(marker, style=style))


def diff_renderable(text: str, color: bool) -> RenderableType:
    """Return a unified diff, removed lines red and added ones green when COLOR, folded without losing a marker.

    On a terminal a line wider than the screen folds at spaces (a token is split only at its
    separators, and only when wider than the row), every row keeping the line's `-`, `+` or ` `
    marker, so no row of the diff ever reads as context or as a change it is not. On a pipe (the
    natural width) nothing folds, so `diff ... > change.diff` is a diff `patch` applies.
    """
    rows = []
    in_header = False
    for line in text.split("\n"):
        if line.startswith("--- "):
            in_header = True  # a file header pair: `--- a` then `+++ b`, before the hunks
        rows.append(_diff_row(line, color, in_header))
        if line.startswith("@@"):
            in_header = False
    return Group(*rows)


# comparisons of two services (or a service and a file) ---------------------------------------------
def _document_diff(old: dict[str, Any], new: dict[str, Any], old_label: str, new_label: str) -> str:
    """Return a unified diff of two JSON documents (secret-looking strings masked), or "" when they match."""
    def text(doc: dict[str, Any]) -> list[str]:
        return json.dumps(scrubbed(doc), indent=2, sort_keys=True, ensure_ascii=False,
                          default=json_default).splitlines()

    return "\n".join(difflib.unified_diff(text(old), text(new), fromfile=old_label, tofile=new_label, lineterm=""))


def sections_diff(sections: Iterable[tuple[str, dict[str, Any], dict[str, Any]]], old_label: str, new_label: str,
                  *, show_secrets: bool = False) -> str:
    """Return one unified diff per differing section (name, old, new), headed `LABEL (section)`; "" when none."""
    parts = []
    for name, old, new in sections:
        left, right = f"{old_label} ({name})", f"{new_label} ({name})"
        if name == "taskDefinition":
            text = taskdef_diff(old, new, left, right, show_secrets=show_secrets)
        else:
            text = _document_diff(old, new, left, right)
        if text:
            parts.append(text)
    return "\n".join(parts)

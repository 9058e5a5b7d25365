"""Show a task definition as the JSON ECS returns, optionally highlighted with pygments."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from pygments.token import Token
from rich.console import RenderableType
from rich.style import Style
from rich.syntax import ANSISyntaxTheme, Syntax

from ecsshell.model import ContainerDef, TaskDefinition
from ecsshell.secrets import masked_taskdef

# Plain ANSI colours (no bright ones, no yellow, no background): readable on dark and light terminals.
THEME = ANSISyntaxTheme(
    {
        Token: Style(),
        Token.Name.Tag: Style(color="blue"),
        Token.String: Style(color="green"),
        Token.Number: Style(color="magenta"),
        Token.Keyword: Style(color="cyan"),
        Token.Keyword.Constant: Style(color="cyan"),
        Token.Generic.Deleted: Style(color="red"),
        Token.Generic.Inserted: Style(color="green"),
        Token.Generic.Heading: Style(bold=True),
        Token.Generic.Subheading: Style(color="cyan"),
        Token.Generic.Error: Style(color="red"),
        Token.Error: Style(color="red", underline=True),
    }
)


def json_default(value: object) -> str:
    """Serialise what `json` cannot: datetimes as ISO 8601, anything else as its string."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _container_document(c: ContainerDef) -> dict[str, Any]:
    """Return a container definition as ECS spells it, skipping unset fields."""
    doc: dict[str, Any] = {
        "name": c.name,
        "image": c.image,
        "cpu": c.cpu,
        "memory": c.memory,
        "memoryReservation": c.memory_reservation,
        "portMappings": [dict(m) for m in c.port_mappings],
        "essential": c.essential,
        "entryPoint": list(c.entry_point),
        "command": list(c.command),
        "environment": [{"name": k, "value": v} for k, v in c.environment],
        "secrets": [{"name": k, "valueFrom": v} for k, v in c.secrets],
        "logConfiguration": c.log_configuration,
        "healthCheck": c.health_check,
    }
    return {k: v for k, v in doc.items() if v is not None and v != []}


def _model_document(td: TaskDefinition) -> dict[str, Any]:
    """Rebuild a taskDefinition document from the model when the raw answer is missing."""
    doc: dict[str, Any] = {
        "taskDefinitionArn": td.arn,
        "containerDefinitions": [_container_document(c) for c in td.containers],
        "family": td.family,
        "taskRoleArn": td.task_role_arn,
        "executionRoleArn": td.execution_role_arn,
        "networkMode": td.network_mode,
        "revision": td.revision,
        "status": td.status,
        "requiresCompatibilities": list(td.requires_compatibilities),
        "cpu": td.cpu,
        "memory": td.memory,
    }
    return {k: v for k, v in doc.items() if v is not None and v != []}


def mask_document(doc: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a taskDefinition document with its secrets masked."""
    return masked_taskdef(doc)


def task_definition_document(td: TaskDefinition, *, mask_secrets: bool = False) -> dict[str, Any]:
    """Return `taskDefinition` (keys in ECS order) plus its `tags`, as DescribeTaskDefinition gave."""
    raw = td.raw.get("taskDefinition") if isinstance(td.raw, dict) else None
    doc = dict(raw) if isinstance(raw, dict) else _model_document(td)
    tags = td.raw.get("tags") if isinstance(td.raw, dict) and "tags" in td.raw else None
    if tags is None:
        tags = [{"key": k, "value": v} for k, v in td.tags]
    if tags:
        doc["tags"] = tags
    return mask_document(doc) if mask_secrets else masked_taskdef(doc, show_secrets=True)  # shown plain


def task_definition_json(td: TaskDefinition, *, mask_secrets: bool = False) -> str:
    """Return the task definition as pretty JSON (ECS key order, ISO datetimes, tags included)."""
    doc = task_definition_document(td, mask_secrets=mask_secrets)
    return json.dumps(doc, indent=2, ensure_ascii=False, default=json_default)


def highlighted(json_text: str, color: bool) -> RenderableType:
    """Return JSON highlighted by pygments when color, else plain, drawn as it is: never folded, whatever the width.

    JSON is machine output: a value wider than the terminal is left for the terminal to soft-wrap,
    so what is copied from the screen is the document as it was written.
    """
    from ecsshell.render.wrap import Verbatim

    if not color:
        return Verbatim(json_text)
    text = Syntax(json_text, "json", theme=THEME, background_color="default").highlight(json_text)
    text.rstrip()  # pygments ends the code with a newline of its own
    return Verbatim(text)

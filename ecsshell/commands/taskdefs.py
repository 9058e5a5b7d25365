"""Task definitions: taskdefs and register."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cmd2 import Cmd, with_argparser, with_category

from . import fleet, numbers
from .browse import add_table_flags
from .common import EcsCommands, positional_completer
from .plumbing import CommandError, CommandParser, add_output_flag, mutating

CATEGORY = "Task definitions"


def taskdefs_parser() -> CommandParser:
    parser = CommandParser(description="List task definition families, a family's revisions, or one revision in full.")
    parser.add_argument("names", nargs="*", metavar="[FAMILY] [REVISION|latest]",
                        help="a family, then one of its revisions (a number or latest)",
                        completer=positional_completer(("family", "revision")))
    parser.add_argument("--all", action="store_true", help="include INACTIVE (deregistered) families")
    parser.add_argument("--show-secrets", action="store_true", default=None,
                        help="show values of secret-looking environment variables")
    add_output_flag(parser)
    add_table_flags(parser)
    fleet.add_fleet_flags(parser)
    return parser


def register_parser() -> CommandParser:
    parser = CommandParser(description="Register a task definition from a JSON file "
                                "(the format of `aws ecs register-task-definition --cli-input-json`).")
    parser.add_argument("file", metavar="FILE", help="task definition JSON", completer=Cmd.path_complete)
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_output_flag(parser)
    return parser


MAX_FILE_BYTES = 4 * 1024 * 1024  # far above any real task definition; /dev/zero must not fill memory
MAX_NESTING = 32  # real task definitions nest a handful of levels


def _depth(document: Any) -> int:
    """Return how deeply DOCUMENT's lists and objects nest, without recursing."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                stack.extend((child, depth + 1) for child in children)
    return deepest


def _read(path: str) -> str:
    """Read at most MAX_FILE_BYTES of text from PATH, refusing directories, binary and oversized files."""
    file = Path(path).expanduser()
    if file.is_dir():
        raise CommandError(f"{path}: is a directory, not a task definition file")
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise CommandError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB, so not a task definition "
                           "(stopped reading there)")
    if b"\0" in data:
        raise CommandError(f"{path}: a binary file, not task definition JSON")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text (byte {exc.start}): not task definition JSON") from None


def without_nulls(document: Any) -> tuple[Any, list[str]]:
    """Return DOCUMENT without its JSON nulls (ECS has none: a null is a field left out) and where they stood."""
    dropped: list[str] = []

    def walk(value: Any, where: str) -> Any:
        if isinstance(value, dict):
            kept = {}
            for key, item in value.items():
                if item is None:
                    dropped.append(f"{where}.{key}" if where else str(key))
                else:
                    kept[key] = walk(item, f"{where}.{key}" if where else str(key))
            return kept
        if isinstance(value, list):
            kept_items = []
            for index, item in enumerate(value):
                if item is None:
                    dropped.append(f"{where}[{index}]")
                else:
                    kept_items.append(walk(item, f"{where}[{index}]"))
            return kept_items
        return value

    return walk(document, ""), dropped


def load_task_definition(path: str, say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Read a task definition document (nulls dropped, said to SAY), naming the line and column of a JSON error."""
    text = _read(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise CommandError(f"{path}: JSON nested too deeply (a task definition nests at most "
                           f"{MAX_NESTING} levels)") from None
    if _depth(document) > MAX_NESTING:
        raise CommandError(f"{path}: JSON nested too deeply (a task definition nests at most "
                           f"{MAX_NESTING} levels)")
    if not isinstance(document, dict):
        raise CommandError(f"{path}: a task definition must be a JSON object, not {type(document).__name__}")
    document, dropped = without_nulls(document)
    if dropped and say is not None:
        more = f" and {len(dropped) - 3} more" if len(dropped) > 3 else ""
        say(f"note: {path}: left out {len(dropped)} null value{'s' if len(dropped) != 1 else ''} "
            f"({', '.join(dropped[:3])}{more}), as ECS reads a null as a field not given")
    body = document.get("taskDefinition", document)
    if not isinstance(body, dict) or not body.get("family"):
        raise CommandError(f"{path}: the task definition has no \"family\"")
    if not body.get("containerDefinitions"):
        raise CommandError(f"{path}: the task definition has no \"containerDefinitions\"")
    return document


class TaskDefinitionCommands(EcsCommands):
    """Commands that read and register task definitions."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(taskdefs_parser)
    @with_category(CATEGORY)
    def do_taskdefs(self, args: argparse.Namespace) -> None:
        """List families, a family's revisions, or show one revision in full."""
        from ..render import jsonout, taskdef, views

        ctx = self.ctx
        view = ctx.view(args)
        as_json = view.json
        names = list(args.names)
        if len(names) > 2:
            raise CommandError("usage: taskdefs [FAMILY [REVISION|latest]]", 2)
        targets = fleet.targets_of(ctx, args)
        if targets:
            if names:
                raise CommandError("with --regions or --profiles, taskdefs lists the families only; "
                                   "usage: taskdefs --regions REGIONS", 2)
            fleet.taskdefs(ctx, args, targets)
            return
        gateway = ctx.gateway
        if not names:
            families = gateway.families(status="ALL" if args.all else "ACTIVE")
            if as_json:
                ctx.presenter.json({"families": jsonout.to_jsonable(families)})
            else:
                ctx.presenter.show(views.families_table(families, wide=view.wide, records=view.records))
            return
        family = names[0]
        if ":" in family and len(names) == 1:
            family, rev = family.split(":", 1)
            names = [family, rev]
        if len(names) == 1:
            revisions = gateway.revisions(family)
            if as_json:
                ctx.presenter.json({"family": family, "taskDefinitions": [
                    {"taskDefinitionArn": r.arn, "family": r.family, "revision": r.number, "status": r.status}
                    for r in revisions]})
            else:
                ctx.presenter.show(views.revisions_table(family, revisions, wide=view.wide,
                                                         records=view.records))
            return
        rev = names[1]
        if rev != "latest":
            try:
                rev = str(numbers.revision(rev))
            except numbers.NumberError:
                raise CommandError(f"revision must be a number (digits 0-9) or `latest`, not {rev!r}", 2) from None
        td = gateway.task_definition(family if rev == "latest" else f"{family}:{rev}")
        show = ctx.view(args).show_secrets
        if as_json:
            ctx.presenter.json(jsonout.raw_task_definition_document(td, show))
        else:
            text = taskdef.task_definition_json(td, mask_secrets=not show)
            ctx.presenter.show(taskdef.highlighted(text, ctx.presenter.color))

    @with_argparser(register_parser)
    @with_category(CATEGORY)
    @mutating
    def do_register(self, args: argparse.Namespace) -> None:
        """Register a task definition from a JSON file and print its family, revision and status."""
        from ..operations import deploy
        from ..render import jsonout

        ctx = self.ctx
        spec = load_task_definition(args.file, say=ctx.presenter.note)
        body = spec.get("taskDefinition", spec)
        count = len(body.get("containerDefinitions") or [])
        if not self.go_ahead(args, f"Register a new revision of {body['family']} ({count} containers)?"):
            return
        registered = deploy.register_safely(ctx.gateway, spec, say=ctx.presenter.note)
        td = registered.task_definition
        if registered.note:
            ctx.presenter.note(f"note: {registered.note}")
        ctx.names.invalidate("families")
        ctx.names.invalidate("revisions", td.family)
        if ctx.view(args).json:
            ctx.presenter.json(jsonout.raw_task_definition_document(td, ctx.view(args).show_secrets))
            return
        ctx.presenter.line(f"registered {td.family}:{td.revision} ({td.status})")
        ctx.presenter.line(td.arn)

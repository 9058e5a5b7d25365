"""--query: JMESPath expressions (as the AWS CLI's --query) compiled once, applied to JSON documents.

A leaf module: commands compile the expression while parsing their arguments (so a bad one fails
before any AWS call) and the presenter applies it to each document it prints, as JSON or, with
`--output text`, as the AWS CLI's text output (`text_lines`): tab-separated values for scripts.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError


class QueryError(ValueError):
    """A --query expression is not JMESPath, or does not apply to the document (one line, exit 2)."""

    code = 2


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _shortened(text: str) -> str:
    """Return TEXT, or its first 77 characters and `...` when longer than 80 (a message stays one line)."""
    return text if len(text) <= 80 else text[:77] + "..."


MAX_DEPTH = 100  # how deeply an expression may nest: far past what anyone writes, well short of the stack


def _depth_and_stray_reference(tree: Any) -> tuple[int, bool]:
    """Return how deeply TREE nests and whether an &expression stands anywhere but as a function's argument."""
    deepest, stray = 0, False
    stack: list[tuple[Any, int, bool]] = [(tree, 1, False)]
    while stack:  # no recursion: the tree may be thousands deep
        node, depth, argument = stack.pop()
        if not isinstance(node, dict):
            continue
        deepest = max(deepest, depth)
        stray = stray or (node.get("type") == "expref" and not argument)
        is_call = node.get("type") == "function_expression"
        stack.extend((child, depth + 1, is_call) for child in node.get("children") or ())
    return deepest, stray


def _not_json(value: Any) -> str:
    """Return what in VALUE is not a JSON value ('' when all of it is), without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return f"the number {item} (JSON has no {'infinity' if math.isinf(item) else 'NaN'})"
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not (item is None or isinstance(item, str | int | float | bool)):
            return "an expression reference (&...), which is not a value"
    return ""


@dataclass(frozen=True)
class Query:
    """A compiled JMESPath expression and the text it was written as."""

    text: str
    parsed: Any
    as_text: bool = False  # --output text: print what it selects as the AWS CLI's text output

    def in_text(self) -> Query:
        """Return this query printing what it selects as tab-separated text."""
        return replace(self, as_text=True)

    def apply(self, document: Any) -> Any:
        """Return what the expression selects from DOCUMENT (plain JSON values)."""
        try:
            found = self.parsed.search(document)
        except JMESPathError as exc:
            raise QueryError(f"--query {_shortened(self.text)!r} does not apply: {_first_line(exc)}") from None
        except RecursionError:
            raise QueryError(f"--query {_shortened(self.text)!r} nests too deeply to apply") from None
        wrong = _not_json(found)
        if wrong:
            raise QueryError(f"--query {_shortened(self.text)!r} selects {wrong}")
        return found


def compile_query(text: str) -> Query:
    """Compile TEXT as JMESPath and check it (depth, stray &references, constant parts); raise QueryError."""
    if not text.strip():
        raise QueryError("--query needs a JMESPath expression, e.g. 'services[].serviceName'")
    shown = _shortened(text)
    try:
        parsed = jmespath.compile(text)
    except JMESPathError as exc:
        message = _first_line(exc).removeprefix("Invalid jmespath expression: ").removeprefix(
            "Bad jmespath expression: ")
        raise QueryError(f"not a JMESPath expression: {shown!r} ({message.rstrip(':')})") from None
    except RecursionError:
        parsed = None
    depth, stray = _depth_and_stray_reference(parsed.parsed) if parsed is not None else (MAX_DEPTH + 1, False)
    if depth > MAX_DEPTH:
        raise QueryError(f"--query {shown!r} nests more than {MAX_DEPTH} levels deep")
    if stray:
        raise QueryError(f"--query {shown!r}: an &expression is only an argument of a function such as sort_by")
    try:  # what selects no JSON value from an empty document does so from any (to_number('1e400'))
        wrong = _not_json(parsed.search(None))
    except (JMESPathError, RecursionError):
        wrong = ""  # a part needs the document: that is for apply to say
    if wrong:
        raise QueryError(f"--query {shown!r} selects {wrong}")
    return Query(text, parsed)


def _scalar(value: Any) -> str:
    """Return a scalar as the AWS CLI's text output writes it (Python's str: True, None, 1.5)."""
    return str(value)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def text_lines(value: Any, label: str | None = None, columns: list[str] | None = None) -> Iterator[str]:
    """Yield VALUE as the AWS CLI's `--output text` prints it, a line at a time.

    A scalar is one line. A list of scalars is one line, tab-separated (or one `LABEL<TAB>value`
    line each under a nested key). A list of lists is one line per inner list. An object is one line
    of its scalar values in key order (after LABEL, the upper-cased key that holds it, when nested),
    then its lists and objects, each under its key; the objects of one list share the columns of all
    their scalar keys. An empty list prints nothing.
    """
    if isinstance(value, dict):
        yield from _object_lines(value, label, columns)
    elif isinstance(value, list):
        yield from _list_lines(value, label)
    else:
        yield _scalar(value)


def _list_lines(items: list[Any], label: str | None) -> Iterator[str]:
    if not items:
        return
    if any(isinstance(item, dict) for item in items):
        shared = sorted({k for item in items if isinstance(item, dict) for k, v in item.items() if _is_scalar(v)})
        for item in items:
            yield from text_lines(item, label, shared)
        return
    scalars = [item for item in items if _is_scalar(item)]
    if scalars:
        if label is None:
            yield "\t".join(_scalar(item) for item in scalars)
        else:
            yield from (f"{label.upper()}\t{_scalar(item)}" for item in scalars)
    for inner in (item for item in items if not _is_scalar(item)):
        yield from text_lines(inner, label)


def _object_lines(item: dict[str, Any], label: str | None, columns: list[str] | None) -> Iterator[str]:
    if columns is None:
        values = [_scalar(v) for _, v in sorted(item.items()) if _is_scalar(v)]
        nested = [(k, v) for k, v in sorted(item.items()) if not _is_scalar(v)]
    else:
        values = [_scalar(item.get(k, "")) for k in columns]
        nested = [(k, item[k]) for k in sorted(set(item) - set(columns))]
    if values:
        yield "\t".join([label.upper(), *values] if label is not None else values)
    for key, inner in nested:
        yield from text_lines(inner, key)

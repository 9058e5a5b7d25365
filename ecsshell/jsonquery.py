"""--query: JMESPath expressions (as the AWS CLI's --query) compiled once, applied to JSON documents.

A leaf module: commands compile the expression while parsing their arguments (so a bad one fails
before any AWS call) and the presenter applies it to each document it prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError


class QueryError(ValueError):
    """A --query expression is not JMESPath, or does not apply to the document (one line, exit 2)."""

    code = 2


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@dataclass(frozen=True)
class Query:
    """A compiled JMESPath expression and the text it was written as."""

    text: str
    parsed: Any

    def apply(self, document: Any) -> Any:
        """Return what the expression selects from DOCUMENT (plain JSON values)."""
        try:
            return self.parsed.search(document)
        except JMESPathError as exc:
            raise QueryError(f"--query {self.text!r} does not apply: {_first_line(exc)}") from None


def compile_query(text: str) -> Query:
    """Compile TEXT as JMESPath; raise QueryError naming what is wrong in one line."""
    if not text.strip():
        raise QueryError("--query needs a JMESPath expression, e.g. 'services[].serviceName'")
    try:
        return Query(text, jmespath.compile(text))
    except JMESPathError as exc:
        message = _first_line(exc).removeprefix("Invalid jmespath expression: ").removeprefix(
            "Bad jmespath expression: ")
        raise QueryError(f"not a JMESPath expression: {text!r} ({message.rstrip(':')})") from None

"""The error a failed AWS call raises, as every layer may catch it: no SDK here."""

from __future__ import annotations

from .secrets import scrub_text


def one_line(text: str) -> str:
    """Collapse TEXT's whitespace and line breaks into single spaces."""
    return " ".join(str(text).split())


class AwsError(Exception):
    """A failed AWS call, explained in one line fit to show the user (secrets masked), with a few DETAILS lines."""

    def __init__(self, message: str, *, operation: str | None = None, code: str | None = None,
                 details: tuple[str, ...] = ()) -> None:
        self.message = scrub_text(one_line(message))
        self.operation = operation
        self.code = code
        self.details = tuple(scrub_text(one_line(d)) for d in details)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def short(self) -> str:
        """Return the error in the few words a fan-out row has room for (the whole line, unless a kind says less)."""
        return self.message

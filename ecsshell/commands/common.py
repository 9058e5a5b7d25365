"""What every command set shares: the context, argument filling from the scope, completion by position."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from cmd2 import Choices, CommandSet, CompletionError

from ..scope import ScopeError, fill, fill_optional
from .context import CommandContext
from .plumbing import CommandError

LABELS = {"cluster": "CLUSTER", "service": "SERVICE", "image": "IMAGE", "family": "FAMILY",
          "revision": "REVISION", "count": "COUNT", "target": "SERVICE|TASK"}


class EcsCommands(CommandSet[Any]):
    """Base for ecsshell's command sets: the command context, and filling names from the scope."""

    @property
    def ctx(self) -> CommandContext:
        """Return the narrow context commands stand on (the shell implements it)."""
        return cast(CommandContext, self._cmd)

    def required(self, args: list[str], names: tuple[str, ...], usage: str) -> list[str]:
        """Fill NAMES from ARGS and the scope; every one must end up named."""
        try:
            values = fill(args, self.ctx.scope, names)
        except ScopeError as exc:
            raise CommandError(f"{exc}; usage: {usage}", 2) from None
        missing = [LABELS.get(n, n.upper()) for n, v in zip(names, values, strict=True) if not v]
        if missing:
            hint = " (or select it with `use`; see `help scope`)" if "cluster" in names else ""
            raise CommandError(f"missing {' and '.join(missing)}{hint}; usage: {usage}", 2)
        return [v for v in values if v is not None]

    def optional(self, args: list[str], names: tuple[str, ...] = ("cluster", "service")) -> list[str | None]:
        try:
            return fill_optional(args, self.ctx.scope, names)
        except ScopeError as exc:
            raise CommandError(str(exc), 2) from None



# completion: which kind of name is the next positional argument? --------------------------------
def complete_position(ctx: CommandContext, names: Sequence[str], typed: list[str]) -> Choices:
    """Complete the next positional of a command whose positionals are NAMES, given the scope."""
    kinds, known = _kinds(ctx, names, typed)
    index = len(typed)
    if index >= len(kinds):
        return Choices([])
    return complete_kind(ctx, kinds[index], known)


def _kinds(ctx: CommandContext, names: Sequence[str], typed: list[str]) -> tuple[list[str], dict[str, str]]:
    """Return which positionals the user still types (after the scope's) and what is known so far."""
    scope = ctx.scope
    depth = 0
    if not (typed and typed[0].startswith("/")):
        for name in names:
            if name in ("cluster", "service") and getattr(scope, name, None):
                depth += 1
            else:
                break
    kinds = list(names[depth:])
    known = {name: getattr(scope, name) for name in names[:depth]}
    known.update(zip(kinds, typed, strict=False))
    return kinds, known


def complete_kind(ctx: CommandContext, kind: str, known: dict[str, str]) -> Choices:
    """Complete one kind of name (cluster, service, image tag, family, revision, container)."""
    cache = ctx.names
    cluster = known.get("cluster") or ctx.scope.cluster
    service = known.get("service") or ctx.scope.service
    if kind == "cluster":
        return cache.choices("clusters")
    if kind == "service":
        if not cluster:
            raise CompletionError("name a cluster first (or `use` one)")
        return cache.choices("services", cluster)
    if kind in ("image", "container"):
        if not (cluster and service):
            return Choices([])
        return cache.choices("tags" if kind == "image" else "containers", cluster, service)
    if kind == "family":
        return cache.choices("families")
    if kind == "revision":
        family = known.get("family")
        return cache.choices("revisions", family) if family else Choices([])
    return Choices([])


def context_of(owner: Any) -> CommandContext:
    """Return the command context whether cmd2 bound a provider to the shell or to a command set."""
    return cast(CommandContext, owner._cmd if isinstance(owner, CommandSet) else owner)


def typed_tokens(arg_tokens: dict[str, list[str]], dest: str = "names") -> list[str]:
    """Return the positional tokens already complete before the one being typed."""
    tokens = list(arg_tokens.get(dest, []))
    return tokens[:-1] if tokens else tokens


def positional_completer(names: Sequence[str]) -> Any:
    """Make a choices_provider completing positionals NAMES by position and scope."""

    def provider(owner: Any, arg_tokens: dict[str, list[str]]) -> Choices:
        return complete_position(context_of(owner), names, typed_tokens(arg_tokens))

    return provider


def container_completer(names: Sequence[str]) -> Any:
    """Make a choices_provider for --container: the containers of the service named so far."""

    def provider(owner: Any, arg_tokens: dict[str, list[str]]) -> Choices:
        ctx = context_of(owner)
        _, known = _kinds(ctx, names, list(arg_tokens.get("names", [])))
        return complete_kind(ctx, "container", known)

    return provider

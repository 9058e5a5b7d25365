"""What every command set shares: the context, argument filling from the scope, completion by position."""

from __future__ import annotations

import argparse
import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import Any, cast

from cmd2 import Choices, CommandSet, CompletionError, CompletionItem, Completions

from ..scope import ScopeError, fill, fill_optional, fill_typing
from .context import CommandContext
from .plumbing import CommandError

STILL_LISTING = "still listing names from ECS... press TAB again in a moment"
LABELS = {"cluster": "CLUSTER", "service": "SERVICE", "image": "IMAGE", "family": "FAMILY",
          "revision": "REVISION", "count": "COUNT", "target": "SERVICE|TASK"}


class EcsCommands(CommandSet[Any]):
    """Base for ecsshell's command sets: the command context, and filling names from the scope."""

    @property
    def ctx(self) -> CommandContext:
        """Return the narrow context commands stand on (the shell implements it)."""
        return cast(CommandContext, self._cmd)

    def go_ahead(self, args: argparse.Namespace, question: str) -> bool:
        """Ask QUESTION unless --yes (or nobody is at a terminal); on no, say nothing changed and return False."""
        if getattr(args, "yes", False) or self.ctx.confirmed(question):
            return True
        self.ctx.presenter.line("cancelled; nothing changed")
        return False

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



# completion: which kind of name is the word being typed? ---------------------------------------
# One rule: the words typed so far fill the positionals exactly as the command fills them
# (`scope.fill_typing`), so whatever completes runs and whatever runs completes.
def resolve(ctx: CommandContext, names: Sequence[str], typed: list[str],
            text: str) -> tuple[str | None, dict[str, str]]:
    """Return the kind of the word TEXT after TYPED, and the names the command would take before it."""
    try:
        values, index = fill_typing([*typed, text], ctx.scope, tuple(names))
    except ScopeError:
        return None, {}
    known = {name: value for name, value in zip(names[:index], values[:index], strict=True) if value}
    return names[index], known


def complete_position(ctx: CommandContext, names: Sequence[str], typed: list[str], text: str = "",
                      extra: dict[str, str] | None = None) -> Completions:
    """Complete TEXT, the next positional of a command whose positionals are NAMES, fuzzily."""
    if not typed and text.startswith("/"):
        return complete_path(ctx, names, text)
    kind, known = resolve(ctx, names, typed, text)
    if kind is None:
        return Completions()
    known.update(extra or {})
    items = fuzzy(text, list(complete_kind(ctx, kind, known)))
    if not items and text and ctx.names.listing():  # the name may be on a page still to come
        raise CompletionError(STILL_LISTING)
    return Completions(items, is_sorted=True)


def complete_path(ctx: CommandContext, names: Sequence[str], text: str) -> Completions:
    """Complete an absolute path /CLUSTER or /CLUSTER/SERVICE, ignoring the scope as the command does."""
    *parents, word = text[1:].split("/")
    kinds = [n for n in names if n in ("cluster", "service")]
    if len(parents) >= len(kinds):
        return Completions()
    prefix = "/" + "".join(f"{p}/" for p in parents)
    choices = complete_kind(ctx, kinds[len(parents)], dict(zip(kinds, parents, strict=False)))
    items = [dataclasses.replace(item, text=prefix + item.text) for item in fuzzy(word, list(choices))]
    if not items and word and ctx.names.listing():
        raise CompletionError(STILL_LISTING)
    # a cluster may be followed by /SERVICE: leave the cursor on the word, as a shell does for a folder
    return Completions(items, is_sorted=True, allow_finalization=len(parents) + 1 == len(kinds))


def fuzzy(text: str, items: list[CompletionItem]) -> list[CompletionItem]:
    """Return ITEMS containing TEXT in any case, prefix matches first; failing that, those with its letters in order.

    Scattered letters only come when nothing contains TEXT, so a unique prefix still completes at once.
    """
    needle = text.lower()
    contained = [(name.index(needle) > 0, name.index(needle), order, item) for order, item in enumerate(items)
                 if needle in (name := item.text.lower())]
    if contained:
        return [item for *_, item in sorted(contained, key=lambda row: row[:3])]
    scattered = re.compile(".*?".join(map(re.escape, needle)))
    spread = [(found.end() - found.start(), order, item) for order, item in enumerate(items)
              if (found := scattered.search(item.text.lower())) is not None]
    return [item for *_, item in sorted(spread, key=lambda row: row[:2])]


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
        if kind == "container":
            return cache.choices("containers", cluster, service)
        return cache.choices("tags", cluster, service, known.get("container", ""))
    if kind == "family":
        return cache.choices("families")
    if kind == "revision":
        family = known.get("family")
        if not family:
            return Choices([])
        latest = CompletionItem("latest", display_meta="the newest ACTIVE revision")
        return Choices([latest, *cache.choices("revisions", family)], is_sorted=True)
    return Choices([])


def context_of(owner: Any) -> CommandContext:
    """Return the command context whether cmd2 bound a provider to the shell or to a command set."""
    return cast(CommandContext, owner._cmd if isinstance(owner, CommandSet) else owner)


def typed_tokens(arg_tokens: dict[str, list[str]], dest: str = "names") -> list[str]:
    """Return the positional tokens already complete before the one being typed."""
    tokens = list(arg_tokens.get(dest, []))
    return tokens[:-1] if tokens else tokens


def named_so_far(ctx: CommandContext, names: Sequence[str], arg_tokens: dict[str, list[str]]) -> dict[str, str]:
    """Return the names the positionals typed so far fill, as the command fills them (for an option's value)."""
    tokens = list(arg_tokens.get("names", []))
    try:
        values = fill_optional(tokens, ctx.scope, tuple(names))
    except ScopeError:
        return {}
    return {name: value for name, value in zip(names, values, strict=True) if value}


def positional_completer(names: Sequence[str]) -> Any:
    """Make a completer of positionals NAMES by position and scope, matching fuzzily."""

    def completer(owner: Any, text: str, line: str, begidx: int, endidx: int,
                  arg_tokens: dict[str, list[str]]) -> Completions:
        container = (arg_tokens.get("container") or [""])[0]
        extra = {"container": container} if container else {}
        return complete_position(context_of(owner), names, typed_tokens(arg_tokens), text, extra)

    return completer


def container_completer(names: Sequence[str]) -> Any:
    """Make a completer for --container: the containers of the service named so far."""

    def completer(owner: Any, text: str, line: str, begidx: int, endidx: int,
                  arg_tokens: dict[str, list[str]]) -> Completions:
        ctx = context_of(owner)
        return Completions(fuzzy(text, list(complete_kind(ctx, "container", named_so_far(ctx, names, arg_tokens)))),
                           is_sorted=True)

    return completer


def container_image_completer(positionals: Callable[[list[str]], Sequence[str]]) -> Any:
    """Make a completer for --image CONTAINER=IMAGE: first the containers, then that container's tags.

    POSITIONALS says which names the command reads the positionals typed as (it may depend on them).
    """

    def completer(owner: Any, text: str, line: str, begidx: int, endidx: int,
                  arg_tokens: dict[str, list[str]]) -> Completions:
        ctx = context_of(owner)
        known = named_so_far(ctx, positionals(list(arg_tokens.get("names", []))), arg_tokens)
        container, sep, image = text.partition("=")
        if not sep:
            items = [dataclasses.replace(item, text=f"{item.text}=")
                     for item in fuzzy(text, list(complete_kind(ctx, "container", known)))]
            return Completions(items, is_sorted=True, allow_finalization=False)
        tags = complete_kind(ctx, "image", {**known, "container": container})
        items = [dataclasses.replace(item, text=f"{container}={item.text}") for item in fuzzy(image, list(tags))]
        return Completions(items, is_sorted=True)

    return completer

"""What every command set shares: the context, argument filling from the scope, completion by position."""

from __future__ import annotations

import argparse
import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from cmd2 import Choices, CommandSet, CompletionError, CompletionItem, Completions

if TYPE_CHECKING:
    from ..aws.gateway import Gateway

from .. import targets
from ..scope import Scope, ScopeError, fill, fill_optional, fill_typing
from ..targets import Target
from .context import CommandContext, Names
from .plumbing import CommandError

STILL_LISTING = "still listing names from ECS... press TAB again in a moment"
LABELS = {"cluster": "CLUSTER", "service": "SERVICE", "image": "IMAGE", "family": "FAMILY",
          "revision": "REVISION", "count": "COUNT", "target": "SERVICE|TASK", "task": "TASK"}


class EcsCommands(CommandSet[Any]):
    """Base for ecsshell's command sets: the command context, and filling names from the scope."""

    @property
    def ctx(self) -> CommandContext:
        """Return the narrow context commands stand on (the shell implements it)."""
        return cast(CommandContext, self._cmd)

    def go_ahead(self, args: argparse.Namespace, question: str) -> bool:
        """Ask QUESTION unless --yes (or nobody is at a terminal); on no, say nothing changed and return False."""
        target = self.ctx.aimed_at
        if target is not None:  # a path named another profile or Region: say where the change would go
            question = f"In {target.label()}: {question}"
        if getattr(args, "yes", False) or self.ctx.confirmed(question):
            return True
        self.ctx.presenter.line("cancelled; nothing changed")
        return False

    # a path naming another target (`PROFILE@REGION:/CLUSTER/SERVICE`, see targets.py) is resolved here,
    # for every command: `required` and `optional` aim the command's gateway at that target.
    def located(self, args: list[str]) -> tuple[Target | None, list[str]]:
        """Split a target off the first of ARGS and aim the command's gateway at it; return it and the rest."""
        target, rest = targets.take(list(args))
        if target is not None:
            self.ctx.aim(target)
        return target, rest

    def locate(self, args: list[str], names: tuple[str, ...], usage: str) -> tuple[Gateway, list[str]]:
        """Return the gateway ARGS name (their target's, else the session's) and NAMES filled, aiming nothing.

        For commands that reach two targets at once (diff, promote): call it once per side.
        """
        target, rest = targets.take(list(args))
        values = self._required(rest, names, usage, scoped=target is None)
        return self.ctx.gateway_for(target), values

    def required(self, args: list[str], names: tuple[str, ...], usage: str) -> list[str]:
        """Fill NAMES from ARGS and the scope; every one must end up named."""
        target, args = self.located(args)
        return self._required(args, names, usage, scoped=target is None)

    def _required(self, args: list[str], names: tuple[str, ...], usage: str, *, scoped: bool) -> list[str]:
        try:
            values = fill(args, self.ctx.scope if scoped else Scope(), names)
        except ScopeError as exc:
            raise CommandError(f"{exc}; usage: {usage}", 2) from None
        missing = [LABELS.get(n, n.upper()) for n, v in zip(names, values, strict=True) if not v]
        if missing:
            hint = " (or select it with `use`; see `help scope`)" if "cluster" in names else ""
            raise CommandError(f"missing {' and '.join(missing)}{hint}; usage: {usage}", 2)
        return [v for v in values if v is not None]

    def optional(self, args: list[str], names: tuple[str, ...] = ("cluster", "service")) -> list[str | None]:
        target, args = self.located(args)
        try:
            return fill_optional(args, self.ctx.scope if target is None else Scope(), names)
        except ScopeError as exc:
            raise CommandError(str(exc), 2) from None



# completion: which kind of name is the word being typed? ---------------------------------------
# One rule: the words typed so far fill the positionals exactly as the command fills them
# (`scope.fill_typing`), so whatever completes runs and whatever runs completes.
def resolve(ctx: CommandContext, names: Sequence[str], typed: list[str],
            text: str) -> tuple[str | None, dict[str, str]]:
    """Return the kind of the word TEXT after TYPED, and the names the command would take before it."""
    typed, scope, known = untargeted(ctx, typed)
    try:
        values, index = fill_typing([*typed, text], scope, tuple(names))
    except ScopeError:
        return None, {}
    known.update({name: value for name, value in zip(names[:index], values[:index], strict=True) if value})
    return names[index], known


def untargeted(ctx: CommandContext, tokens: list[str]) -> tuple[list[str], Scope, dict[str, str]]:
    """Split a target path off TOKENS: the tokens, the scope they fill from, and {"target": PREFIX} if any."""
    target, rest = targets.take(list(tokens))
    if target is None:
        return list(tokens), ctx.scope, {}
    return rest, Scope(), {"target": target.prefix()}


def complete_position(ctx: CommandContext, names: Sequence[str], typed: list[str], text: str = "",
                      extra: dict[str, str] | None = None) -> Completions:
    """Complete TEXT, the next positional of a command whose positionals are NAMES, fuzzily."""
    if text.startswith("-"):  # argparse reads it as a flag, never a name: cmd2 then offers the flags
        return Completions()
    if not typed and text.startswith("/"):
        return complete_path(ctx, names, text)
    if not typed and (targets.is_partial(text) or targets.parse(text)[0] is not None):
        return complete_target_path(ctx, names, text)
    kind, known = resolve(ctx, names, typed, text)
    if kind is None:
        return Completions()
    known.update(extra or {})
    items = fuzzy(text, list(complete_kind(ctx, kind, known)))
    if not typed and text and kind == "cluster" and "service" in names:  # a path may start with PROFILE:
        items += target_prefixes(ctx, text)
    if not items and text and ctx.names.listing():  # the name may be on a page still to come
        raise CompletionError(STILL_LISTING)
    return Completions(items, is_sorted=True)


def complete_target_path(ctx: CommandContext, names: Sequence[str], text: str) -> Completions:
    """Complete `PROFILE@REGION:/CLUSTER/SERVICE`: the profile, the Region, then the path in that target."""
    target, path = targets.parse(text)
    if target is not None:
        return complete_path(ctx, names, path, target)
    profile, at, region = text.rstrip(":").partition("@")
    if not at:  # `staging:` typed: the path starts
        items = [CompletionItem(f"{profile}:/")]
    else:
        from ..aws.session import known_regions

        items = [CompletionItem(f"{profile}@{name}:/") for name in known_regions() if name.startswith(region)]
    return Completions(items, is_sorted=True, allow_finalization=False)


def target_prefixes(ctx: CommandContext, text: str) -> list[CompletionItem]:
    """Return `PROFILE:/` for each profile of the AWS config files starting with TEXT (for completion menus)."""
    from ..aws.session import list_profiles

    return [CompletionItem(f"{name}:/", display_meta="profile") for name in list_profiles(ctx.environment.env)
            if name.startswith(text)]


def complete_path(ctx: CommandContext, names: Sequence[str], text: str, target: Target | None = None) -> Completions:
    """Complete an absolute path /CLUSTER or /CLUSTER/SERVICE (of TARGET, if any), ignoring the scope."""
    *parents, word = text[1:].split("/")
    kinds = [n for n in names if n in ("cluster", "service")]
    if len(parents) >= len(kinds):
        return Completions()
    prefix = (target.prefix() if target else "") + "/" + "".join(f"{p}/" for p in parents)
    choices = complete_kind(ctx, kinds[len(parents)], dict(zip(kinds, parents, strict=False)),
                            ctx.names_for(target))
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


def complete_kind(ctx: CommandContext, kind: str, known: dict[str, str], cache: Names | None = None) -> Choices:
    """Complete one kind of name (cluster, service, image tag, family, revision, container), from CACHE."""
    targeted = targets.parse(known["target"] + "/")[0] if known.get("target") else None
    cache = cache or (ctx.names_for(targeted) if targeted else ctx.names)
    scope = Scope() if targeted else ctx.scope  # a target path ignores the scope, as the command does
    cluster = known.get("cluster") or scope.cluster
    service = known.get("service") or scope.service
    if kind == "cluster":
        return cache.choices("clusters")
    if kind == "service":
        if not cluster:
            raise CompletionError("name a cluster first (or `use` one)")
        return cache.choices("services", cluster)
    if kind in ("task", "target"):
        if not cluster:
            raise CompletionError("name a cluster first (or `use` one)")
        tasks = list(cache.choices("tasks", cluster))
        return Choices([*cache.choices("services", cluster), *tasks] if kind == "target" else tasks)
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
    tokens, scope, known = untargeted(ctx, list(arg_tokens.get("names", [])))
    try:
        values = fill_optional(tokens, scope, tuple(names))
    except ScopeError:
        return {}
    return {**known, **{name: value for name, value in zip(names, values, strict=True) if value}}


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

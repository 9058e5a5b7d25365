"""The session's scope (profile, region, cluster, service) and how arguments fill it."""

from __future__ import annotations

from dataclasses import dataclass, replace

SCOPE_RULE = (
    "Names fill from the right: the last names you give are the most specific, and whatever is "
    "missing on the left comes from the scope set with `use`. So with `use prod` in force, "
    "`update api :v2` means cluster prod, service api; `update staging api :v2` names both. "
    "A leading `/` ignores the scope: `ls /` lists clusters, `ls /staging` and `ls /staging/api` "
    "name a cluster and a service from anywhere."
)


class ScopeError(ValueError):
    """The arguments and the scope together do not name what the command needs."""


@dataclass(frozen=True)
class Scope:
    """Where the session stands: profile and region, then optionally a cluster and a service."""

    profile: str | None = None
    region: str | None = None
    cluster: str | None = None
    service: str | None = None

    def path(self) -> str:
        parts = [p for p in (self.cluster, self.service) if p]
        return "/".join(parts)

    def enter(self, target: str) -> Scope:
        """Return the scope after `use TARGET` (names, `..`, `/`, `/c`, `/c/s`, `c/s`)."""
        if target == "/":
            return replace(self, cluster=None, service=None)
        if target == "..":
            if self.service:
                return replace(self, service=None)
            return replace(self, cluster=None)
        if target.startswith("/"):
            parts = [p for p in target.split("/") if p]
            if len(parts) > 2:
                raise ScopeError(f"too many path parts in {target!r}: use /CLUSTER/SERVICE")
            return replace(self, cluster=parts[0] if parts else None,
                           service=parts[1] if len(parts) > 1 else None)
        if "/" in target:
            return self.enter("/" + target)
        if self.cluster is None:
            return replace(self, cluster=target, service=None)
        return replace(self, service=target)


def split_path(args: list[str]) -> list[str]:
    """Expand a leading absolute path argument (`/c/s`) into its names."""
    if args and args[0].startswith("/"):
        return [p for p in args[0].split("/") if p] + args[1:]
    return args


def fill(args: list[str], scope: Scope, names: tuple[str, ...], *, want: int | None = None) -> list[str | None]:
    """Fill positional NAMES (e.g. cluster, service, image) from ARGS and the scope.

    ARGS are the rightmost WANT names; the leading ones missing come from the scope (by name).
    A path argument beginning with '/' ignores the scope entirely.
    """
    want = len(names) if want is None else want
    absolute = bool(args) and args[0].startswith("/")
    args = split_path(args)
    if len(args) > want:
        raise ScopeError(f"too many arguments: expected at most {want} ({' '.join(names[:want]).upper()})")
    missing = names[: want - len(args)]
    values: list[str | None] = []
    for name in missing:
        values.append(None if absolute else getattr(scope, name, None))
    return values + list(args)


def fill_optional(args: list[str], scope: Scope, names: tuple[str, ...] = ("cluster", "service")) -> list[str | None]:
    """Fill NAMES where each may be absent: scope levels first, then ARGS, then None.

    `ls` in scope prod: `ls` is the cluster, `ls api` is prod's service api, `ls prod api` both.
    """
    absolute = bool(args) and args[0].startswith("/")
    args = split_path(args)
    if len(args) > len(names):
        raise ScopeError(f"too many arguments: expected at most {len(names)} ({' '.join(names).upper()})")
    depth = 0 if absolute else sum(1 for n in names if getattr(scope, n, None))
    taken = min(depth, len(names) - len(args))
    values: list[str | None] = [getattr(scope, n) for n in names[:taken]]
    values += list(args)
    return values + [None] * (len(names) - len(values))


def fill_typing(args: list[str], scope: Scope, names: tuple[str, ...]) -> tuple[list[str | None], int]:
    """Fill NAMES from ARGS as typed so far (the last may be half a word) and return where the last one lands.

    This is `fill_optional`: once the line names every slot the scope does not, it gives what `fill` gives.
    """
    values = fill_optional(args, scope, names)
    return values, max(i for i, value in enumerate(values) if value is not None)

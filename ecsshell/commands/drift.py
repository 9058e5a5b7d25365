"""Drift and promotion: diff two services (or a service and a file), promote what one runs to another."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmd2 import Completions, with_argparser, with_category

from .. import targets
from .common import complete_kind, complete_position, context_of, fuzzy
from .deploy import RolloutCommands, UpdatePresenter, add_wait_flags
from .plumbing import CommandError, CommandParser, add_output_flag, mutating, refused
from .taskdefs import load_task_definition

if TYPE_CHECKING:  # operations.diff and .promote are imported where used: `ls` and `update` need neither
    from ..operations import diff

CATEGORY = "Drift"
SIDE_RULE = ("A service is CLUSTER/SERVICE (or /CLUSTER/SERVICE), SERVICE alone inside a cluster chosen "
             "with `use`, or in another account or Region PROFILE@REGION:/CLUSTER/SERVICE. " + targets.TARGET_RULE)


def _side_completer(owner: Any, text: str, line: str, begidx: int, endidx: int,
                    arg_tokens: dict[str, list[str]]) -> Completions:
    """Complete a service word: CLUSTER/SERVICE, SERVICE inside a cluster in scope, or a / or target path."""
    ctx = context_of(owner)
    if text.startswith("/") or targets.is_partial(text) or targets.parse(text)[0] is not None:
        return complete_position(ctx, ("cluster", "service"), [], text)
    if "/" in text:
        cluster, _, service = text.partition("/")
        items = [dataclasses.replace(item, text=f"{cluster}/{item.text}")
                 for item in fuzzy(service, list(complete_kind(ctx, "service", {"cluster": cluster})))]
        return Completions(items, is_sorted=True)
    services = fuzzy(text, list(complete_kind(ctx, "service", {}))) if ctx.scope.cluster else []
    clusters = [dataclasses.replace(item, text=f"{item.text}/")
                for item in fuzzy(text, list(complete_kind(ctx, "cluster", {})))]
    return Completions([*services, *clusters], is_sorted=True, allow_finalization=bool(services) and not clusters)


def diff_parser() -> CommandParser:
    parser = CommandParser(description="Compare two services: their task definitions (defaults filled in, so an "
                                       "omitted default is no difference), the image digests their tasks run, "
                                       "desired count, deployment configuration, network and load balancers. "
                                       "Or compare a service's task definition with a file in `register` format.",
                           epilog="Exit status 0 when they are the same, 1 when they differ (as diff does). "
                                  + SIDE_RULE)
    parser.add_argument("sides", nargs="+", metavar="SERVICE", help="[SERVICE_A] SERVICE_B|FILE",
                        completer=_side_completer)
    parser.add_argument("--show-secrets", action="store_true", default=None,
                        help="show values of secret-looking environment variables")
    add_output_flag(parser)
    return parser


def promote_parser() -> CommandParser:
    parser = CommandParser(description="Deploy to TARGET the image digests SOURCE's tasks run, pinned by digest "
                                       "(repo@sha256:...), or with --tag by the tag that resolved to them; every "
                                       "other field of TARGET's task definition is kept.",
                           epilog="Containers map by name. Refused, with nothing registered, when SOURCE's last "
                                  "deployment has not completed or its tasks run different digests, and when a "
                                  "deployment of TARGET has not ended (unless --force). " + SIDE_RULE)
    parser.add_argument("sides", nargs=2, metavar="SERVICE", help="SOURCE TARGET", completer=_side_completer)
    parser.add_argument("--tag", action="store_true", help="deploy SOURCE's tag rather than its digest")
    parser.add_argument("--container", action="append", default=[], metavar="NAME",
                        help="promote only this container of SOURCE (repeatable; default: all)")
    parser.add_argument("--dry-run", action="store_true", help="show the task definition diff, change nothing")
    parser.add_argument("--force", action="store_true",
                        help="promote even while a deployment of TARGET has not ended (it is replaced)")
    parser.add_argument("--rollback", action="store_true",
                        help="when the rollout fails or times out, go back to the revision TARGET ran before "
                             "(implies --wait)")
    add_output_flag(parser)
    add_wait_flags(parser)
    return parser


def is_file_word(word: str) -> bool:
    """Say whether a diff word names a task definition file rather than a service."""
    return word.endswith(".json") or Path(word).expanduser().is_file()


class DriftCommands(RolloutCommands):
    """Commands that compare services and promote what one runs to another."""

    DEFAULT_CATEGORY = CATEGORY

    def _side(self, word: str) -> diff.Side:
        """Resolve a service word (CLUSTER/SERVICE, /CLUSTER/SERVICE, SERVICE in scope, or PROFILE@REGION:/...)."""
        from ..operations import diff

        target, _ = targets.parse(word)
        relative = target is None and not word.startswith("/") and "/" in word
        args = [p for p in word.split("/") if p] if relative else [word]
        if relative and len(args) != 2:
            raise CommandError(f"{word!r} names no service: give CLUSTER/SERVICE", 2)
        gateway, (cluster, service) = self.locate(args, ("cluster", "service"), "CLUSTER/SERVICE")
        where = target.prefix() + "/" if target is not None else ""
        return diff.Side(gateway, cluster, service, f"{where}{cluster}/{service}")

    def _scope_side(self) -> diff.Side:
        from ..operations import diff

        scope = self.ctx.scope
        if not (scope.cluster and scope.service):
            raise CommandError("diff needs two things to compare: diff SERVICE_A SERVICE_B|FILE", 2)
        return diff.Side(self.ctx.gateway_for(None), scope.cluster, scope.service, f"{scope.cluster}/{scope.service}")

    # diff -------------------------------------------------------------------------------------
    @with_argparser(diff_parser)
    @with_category(CATEGORY)
    def do_diff(self, args: argparse.Namespace) -> None:
        """Compare two services, or a service and a task definition file; exit 1 when they differ."""
        from ..operations import diff

        words = list(args.sides)
        if len(words) > 2:
            raise CommandError("diff compares two things: diff [SERVICE_A] SERVICE_B|FILE", 2)
        first = self._side(words[0]) if len(words) == 2 else self._scope_side()
        second = words[-1]
        with refused():
            if is_file_word(second):
                document = load_task_definition(second, say=self.ctx.presenter.note)
                comparison = diff.compare_with_file(first, document, second)
            else:
                comparison = diff.compare_services(first, self._side(second))
        self._present(args, comparison)

    def _present(self, args: argparse.Namespace, comparison: diff.Comparison) -> None:
        from ..render import diff as diffs

        ctx = self.ctx
        view = ctx.view(args)
        a, b = comparison.a_label, comparison.b_label
        text = diffs.sections_diff(((s.name, s.a, s.b) for s in comparison.sections), a, b,
                                   show_secrets=view.show_secrets)
        for note in comparison.notes:
            ctx.presenter.note(note)
        differing = [s.name for s in comparison.sections if not s.same]
        if view.json:
            ctx.presenter.json({
                "same": comparison.same,
                "a": {"name": a, "label": comparison.a_revision},
                "b": {"name": b, "label": comparison.b_revision},
                "sections": [{"section": s.name, "same": s.same, "differences": s.differences()}
                             for s in comparison.sections],
                "diff": text, "notes": list(comparison.notes)})
        elif text:
            ctx.presenter.show(diffs.diff_renderable(text, ctx.presenter.color))
        compared = ", ".join(s.name for s in comparison.sections)
        if comparison.same:
            ctx.presenter.say(f"{a} ({comparison.a_revision}) and {b} ({comparison.b_revision}) are the same "
                              f"({compared})", view)
            return
        if not text:  # a difference only a masked value hides
            ctx.presenter.say("the differences are in masked values (see --show-secrets)", view)
        ctx.presenter.note(f"{a} and {b} differ in {', '.join(differing)}")
        ctx.mark_failed(1)

    # promote ----------------------------------------------------------------------------------
    @with_argparser(promote_parser)
    @with_category(CATEGORY)
    @mutating
    def do_promote(self, args: argparse.Namespace) -> None:
        """Deploy to TARGET the image digests SOURCE's tasks run (or their tags), keeping all else."""
        from ..operations import promote

        source, target = (self._side(word) for word in args.sides)
        if (source.label, source.gateway) == (target.label, target.gateway):
            raise CommandError(f"promote needs two services, not {source.label} twice", 2)
        request = promote.PromoteRequest(source, target, by_tag=args.tag, containers=tuple(args.container),
                                         wait=self._waiting(args), rollback=args.rollback, force=args.force,
                                         dry_run=args.dry_run)
        report = UpdatePresenter(self, args, target.cluster, target.service)
        try:
            with refused():
                promote.promote(request, report, lambda: self._watch(args))
        finally:
            if report.doc is not None:
                report.doc.update(sourceService=source.label, targetService=target.label,
                                  pinnedBy="tag" if args.tag else "digest")
            report.close()


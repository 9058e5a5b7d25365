"""Change what runs: update, rollback, scale, with waiting, dry runs and rollback on failure."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from cmd2 import with_argparser, with_category

from .. import deploy
from ..deploy import Outcome, Progress
from ..model import Service, ServiceEvent, TaskDefinition, arn_name
from ..scope import SCOPE_RULE, split_path
from . import numbers
from .common import EcsCommands, container_completer, positional_completer
from .numbers import duration
from .plumbing import CommandError, CommandParser, add_output_flag, mutating

CATEGORY = "Deploy"
DEFAULT_TIMEOUT = 600.0
EXIT_FAILED = 1
EXIT_TIMEOUT = 3
EXIT_INTERRUPTED = 130
CLEAR_LINE = "\r\x1b[2K"

Reporters = tuple[Callable[[Progress], None], Callable[[ServiceEvent], None], Callable[[], None]]


def add_wait_flags(parser: argparse.ArgumentParser) -> None:
    """Add --wait/--no-wait, --timeout and --yes to PARSER."""
    wait = parser.add_mutually_exclusive_group()
    wait.add_argument("--wait", dest="wait", action="store_true", default=None,
                      help="follow the rollout until it completes or fails (default in the interactive shell); "
                           "exit 1 if it fails, 3 if it times out")
    wait.add_argument("--no-wait", dest="wait", action="store_false",
                      help="return once ECS accepted the change (default in scripts, like ecsman)")
    parser.add_argument("--timeout", type=duration, default=DEFAULT_TIMEOUT, metavar="DURATION",
                        help="how long --wait waits (default 10m)")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")


def update_parser() -> CommandParser:
    parser = CommandParser(description="Deploy a new image: register a revision identical to the service's current "
                                          "task definition but for the images and environment variables changed, and "
                                          "point the service at it.",
                              epilog="IMAGE is a full reference (repo/app:1.2, host:5000/app:1.2, repo@sha256:...) "
                                     "or :TAG to keep the repository and change only the tag. In CI, add --wait: the "
                                     "exit status then says whether the rollout succeeded. " + SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="NAME", help="[CLUSTER] [SERVICE] [IMAGE|:TAG]",
                        choices_provider=positional_completer(("cluster", "service", "image")))
    parser.add_argument("--container", metavar="NAME", help="container whose image IMAGE replaces (default: first)",
                        choices_provider=container_completer(("cluster", "service")))
    parser.add_argument("--image", action="append", default=[], metavar="CONTAINER=IMAGE",
                        help="set a container's image or :TAG (repeatable)")
    parser.add_argument("--env", action="append", nargs=2, default=[], metavar=("CONTAINER", "KEY=VALUE"),
                        help="set an environment variable in the new revision (repeatable)")
    parser.add_argument("--unset-env", action="append", nargs=2, default=[], metavar=("CONTAINER", "KEY"),
                        help="remove an environment variable in the new revision (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="show the task definition diff, change nothing")
    parser.add_argument("--rollback", action="store_true",
                        help="when the rollout fails or times out, go back to the revision the service ran "
                             "before and wait for that (implies --wait)")
    parser.add_argument("--deregister-old", action="store_true",
                        help="after a successful rollout, deregister older revisions of the family no service "
                             "of any cluster in the region uses (implies --wait)")
    parser.add_argument("--keep", type=numbers.option("--keep", 0, 1_000_000, "a family has at most 1,000,000 "
                                                      "revisions"), default=3, metavar="N",
                        help="with --deregister-old, revisions to keep including the new one (default 3)")
    add_output_flag(parser)
    add_wait_flags(parser)
    return parser


def rollback_parser() -> CommandParser:
    parser = CommandParser(description="Point a service back at its previous ACTIVE (or the named) revision.",
                              epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="NAME", help="[CLUSTER] [SERVICE] [REVISION]",
                        choices_provider=positional_completer(("cluster", "service")))
    add_output_flag(parser)
    add_wait_flags(parser)
    return parser


def scale_parser() -> CommandParser:
    parser = CommandParser(description="Set a service's desired task count.", epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="+", metavar="NAME", help="[CLUSTER] [SERVICE] COUNT",
                        choices_provider=positional_completer(("cluster", "service")))
    add_output_flag(parser)
    add_wait_flags(parser)
    return parser


def _stamp(when: datetime | None) -> str:
    """Format WHEN (an aware time is shown in local time) as a log stamp."""
    if when is None:
        return "-"
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M:%S")


def _looks_like_image(text: str) -> bool:
    """Say whether a positional is an image (or :TAG, @DIGEST) rather than a cluster or service name."""
    return text.startswith((":", "@")) or any(ch in text for ch in ":@") or ("/" in text and
                                                                         not text.startswith("/"))


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {"state": outcome.state, "reason": outcome.reason, "elapsedSeconds": round(outcome.elapsed, 1)}


class DeployCommands(EcsCommands):
    """Commands that change which task definition a service runs, or how many tasks."""

    DEFAULT_CATEGORY = CATEGORY

    # shared -----------------------------------------------------------------------------------
    def _waiting(self, args: argparse.Namespace) -> bool:
        """Say whether to follow the change: --wait/--no-wait, else flags needing it, else the shell's setting."""
        needs = [flag for flag, given in (("--rollback", getattr(args, "rollback", False)),
                                          ("--deregister-old", getattr(args, "deregister_old", False))) if given]
        if needs and args.wait is False:
            raise CommandError(f"{needs[0]} acts on how the rollout ends, so it cannot go with --no-wait", 2)
        if needs:
            return True
        return self.ctx.wait if args.wait is None else bool(args.wait)

    @staticmethod
    def _number(parse: Callable[[str], int], text: str) -> int:
        """Parse TEXT with PARSE; a bad number is a usage error."""
        try:
            return parse(text)
        except numbers.NumberError as exc:
            raise CommandError(str(exc), 2) from None

    def _json(self, args: argparse.Namespace) -> bool:
        return self.ctx.view(args).json

    def _confirmed(self, args: argparse.Namespace, question: str) -> bool:
        return bool(args.yes) or self.ctx.confirmed(question)

    def _say(self, args: argparse.Namespace, line: str) -> None:
        """Print a human line: stdout for text output, stderr when stdout carries JSON."""
        if self._json(args):
            self.ctx.presenter.note(line)
        else:
            self.ctx.presenter.line(line)

    def _reporters(self, args: argparse.Namespace, rollout: bool = True) -> Reporters:
        """Return (on_progress, on_event, done): a live line on a terminal, timestamped lines elsewhere."""
        ctx = self.ctx
        live = ctx.presenter.live and not self._json(args)
        last: dict[str, str] = {}
        started = datetime.now().astimezone()  # progress is stamped by the injected clock's elapsed time

        def on_progress(progress: Progress) -> None:
            d = progress.deployment
            if d is None:
                return
            state = f"{d.revision}: {d.running}/{d.desired} running, {d.pending} pending, {d.failed} failed"
            if rollout:
                state += f"; old tasks draining {progress.old_running}"
            line = f"{state}; {int(progress.elapsed)}s elapsed"
            if live:
                ctx.presenter.progress(line)
            elif last.get("state") != state:
                last["state"] = state
                self._say(args, f"{_stamp(started + timedelta(seconds=progress.elapsed))} {line}")

        def on_event(event: ServiceEvent) -> None:
            if live:
                ctx.presenter.clear_progress()
            self._say(args, f"{_stamp(event.created_at)} {event.message}")

        def done() -> None:
            if live:
                ctx.presenter.clear_progress()

        return on_progress, on_event, done

    def _follow(self, args: argparse.Namespace, cluster: str, service: str, deployment_id: str | None,
                seen: set[str], *, rollback_pending: bool = False) -> Outcome:
        """Follow DEPLOYMENT_ID of SERVICE until it completes, fails or times out."""
        report, on_event, done = self._reporters(args)
        env = self.ctx.environment
        last: list[Progress] = []

        def on_progress(progress: Progress) -> None:
            last[:] = [progress]
            report(progress)

        try:
            return deploy.follow_rollout(self.ctx.gateway, cluster, service, deployment_id,
                                         timeout=args.timeout, sleep=env.sleep, monotonic=env.monotonic,
                                         on_progress=on_progress, on_event=on_event, seen_events=seen)
        except KeyboardInterrupt:
            done()
            line = f"stopped waiting; deployment {deployment_id or '(primary)'} goes on in ECS"
            d = last[0].deployment if last else None
            if d is not None:
                line += f" ({d.revision}: {d.running}/{d.desired} running, rollout {d.rollout_state or 'unknown'})"
            if rollback_pending:
                line += "; no rollback was made, as the rollout had not ended"
            self.ctx.presenter.note(f"{line} (see `ls {cluster} {service}`)")
            raise
        finally:
            done()

    def _finish(self, args: argparse.Namespace, outcome: Outcome, what: str) -> None:
        """Report OUTCOME of WHAT in one line and set the exit status: 0, 1 (failed) or 3 (timed out)."""
        if outcome.ok:
            self._say(args, f"{what} done: {outcome.reason} ({int(outcome.elapsed)}s)")
            return
        if outcome.state == "TIMEOUT":
            self.ctx.fail(f"{what} timed out: {outcome.reason}", EXIT_TIMEOUT)
        else:
            self.ctx.fail(f"{what} failed: {outcome.reason}", EXIT_FAILED)

    # update -----------------------------------------------------------------------------------
    def _image_args(self, args: argparse.Namespace, image: str | None) -> dict[str | None, str]:
        images: dict[str | None, str] = {}
        if image is not None:
            images[args.container] = image
        elif args.container:
            raise CommandError("--container names the container for IMAGE, but no IMAGE was given", 2)
        for item in args.image:
            name, sep, value = item.partition("=")
            if not sep or not name or not value:
                raise CommandError(f"--image wants CONTAINER=IMAGE, not {item!r}", 2)
            if images.get(name, value) != value:
                raise CommandError(f"two images given for container {name}: {images[name]} and {value}", 2)
            images[name] = value
        return images

    @staticmethod
    def _env_args(args: argparse.Namespace) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
        set_env = []
        for container, pair in args.env:
            key, sep, value = pair.partition("=")
            if not sep or not key:  # never echo PAIR: it may be a bare secret value
                what = "no `=`" if not sep else "no NAME before `=`"
                raise CommandError(f"--env wants CONTAINER NAME=VALUE, but the pair for {container} has {what}", 2)
            set_env.append((container, key, value))
        unset_env = [(container, key) for container, key in args.unset_env]
        return set_env, unset_env

    def _update_names(self, args: argparse.Namespace) -> tuple[str, str, str | None]:
        names = list(args.names)
        has_changes = bool(args.image or args.env or args.unset_env)
        if has_changes and not (names and (_looks_like_image(names[-1]) or len(split_path(names)) == 3)):
            cluster, service = self.required(names, ("cluster", "service"),
                                             "update [CLUSTER] [SERVICE] [IMAGE] [--image C=IMAGE]")
            return cluster, service, None
        cluster, service, image = self.required(names, ("cluster", "service", "image"),
                                                "update [CLUSTER] [SERVICE] IMAGE|:TAG")
        return cluster, service, image

    @contextlib.contextmanager
    def _interrupt_status(self) -> Iterator[None]:
        """Give a command Ctrl-C stopped the status 130, so a script or one-shot run ends with it."""
        try:
            yield
        except KeyboardInterrupt:
            self.ctx.mark_failed(EXIT_INTERRUPTED)
            raise

    @with_argparser(update_parser)
    @with_category(CATEGORY)
    @mutating
    def do_update(self, args: argparse.Namespace) -> None:
        """Deploy a new image (or :tag) to a service, optionally waiting for the rollout."""
        with self._interrupt_status():
            self._update(args)

    def _update(self, args: argparse.Namespace) -> None:
        """Plan, register, point the service at the new revision, and follow it as asked."""
        from ..render import diff as diffs

        ctx = self.ctx
        cluster, service, image = self._update_names(args)
        images = self._image_args(args, image)
        set_env, unset_env = self._env_args(args)
        if not (images or set_env or unset_env):
            raise CommandError("nothing to change: give an IMAGE, --image, --env or --unset-env", 2)
        if args.keep < 1:
            raise CommandError("--keep must be 1 or more (the new revision is always kept)", 2)
        waiting = self._waiting(args)

        gateway = ctx.gateway
        svc = gateway.describe_service(cluster, service)
        current = gateway.task_definition(svc.task_definition_arn)
        try:
            plan = deploy.plan_update(current, images, set_env, unset_env)
        except deploy.PlanError as exc:
            raise CommandError(str(exc)) from None
        diff_text = diffs.taskdef_diff(deploy.registrable(current), plan.spec, current.label,
                                       f"{current.family}:(next)", show_secrets=self.ctx.view(args).show_secrets)
        if args.dry_run:
            if self._json(args):
                ctx.presenter.json({"cluster": cluster, "service": service, "current": current.label,
                               "dryRun": True, "diff": diff_text,
                               "images": [c.__dict__ for c in plan.images], "env": plan.env_changes})
            else:
                ctx.presenter.line(f"dry run: {service} in {cluster} would move from {current.label} to a new "
                            "revision; nothing changed")
                ctx.presenter.show(diffs.diff_renderable(diff_text, ctx.presenter.color) if diff_text else "no change")
            return
        if not plan.changed:
            ctx.presenter.note(f"note: the new revision equals {current.label}; ECS will replace the tasks anyway")
        if not args.yes and ctx.asks_confirmation:
            if diff_text:
                ctx.presenter.show(diffs.diff_renderable(diff_text, ctx.presenter.color))
            if not ctx.confirmed(f"Deploy this to {cluster}/{service}?"):
                ctx.presenter.line("cancelled; nothing changed")
                return

        back_to = deploy.rollback_target(svc)
        registered = deploy.register_safely(gateway, plan.spec, say=ctx.presenter.note)
        new_td = registered.task_definition
        try:
            if registered.note:
                ctx.presenter.note(f"note: {registered.note}")
            updated = self._point_at(cluster, service, current, new_td)
        except KeyboardInterrupt:
            ctx.presenter.note(self._after_interrupt(cluster, service, current, new_td))
            raise
        ctx.names.invalidate("tags", cluster, service)
        ctx.names.invalidate("revisions", new_td.family)
        ctx.names.invalidate("services", cluster)
        primary = updated.primary
        deployment_id = primary.id if primary and primary.task_definition_arn == new_td.arn else None
        as_json = self._json(args)
        doc: dict[str, Any] = {"cluster": cluster, "service": service, "from": current.label, "to": new_td.label,
                               "taskDefinitionArn": new_td.arn, "deployment": deployment_id,
                               "images": [c.__dict__ for c in plan.images], "env": plan.env_changes}
        try:
            if not as_json:
                self._report_update(cluster, service, current, new_td, plan, deployment_id)
            if not waiting:
                return
            outcome = self._follow(args, cluster, service, deployment_id, {e.id for e in updated.events},
                                   rollback_pending=args.rollback)
            doc["outcome"] = _outcome_json(outcome)
            self._finish(args, outcome, f"rollout of {new_td.label}")
            if outcome.ok:
                if args.deregister_old:
                    doc["deregistered"] = self._deregister_old(args, cluster, new_td, args.keep)
            elif args.rollback:
                doc["rollback"] = self._roll_back(args, cluster, service, back_to, deployment_id, outcome)
        finally:
            if as_json:
                ctx.presenter.json(doc)

    def _point_at(self, cluster: str, service: str, current: TaskDefinition, new_td: TaskDefinition) -> Service:
        """Point SERVICE at NEW_TD; if ECS refuses, deregister NEW_TD so nothing is left behind, and say so."""
        gateway = self.ctx.gateway
        try:
            return gateway.update_service(cluster, service, task_definition=new_td.arn)
        except Exception as exc:
            error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            try:  # an error after ECS applied the change (a lost answer) must not orphan a revision in use
                svc = gateway.describe_service(cluster, service)
            except Exception:
                svc = None
            if svc is not None and svc.task_definition_arn == new_td.arn:
                self.ctx.presenter.note(f"note: UpdateService reported an error ({error}) but {service} runs "
                              f"{new_td.label}")
                return svc
            cleanup = self._deregister_orphan(new_td)
            raise CommandError(f"UpdateService failed, so {service} still runs {current.label}: {error}; "
                               f"{cleanup}") from None

    def _after_interrupt(self, cluster: str, service: str, current: TaskDefinition, new_td: TaskDefinition) -> str:
        """Leave nothing half done after Ctrl-C between register and UpdateService; say what ECS holds."""
        gateway = self.ctx.gateway
        try:
            svc = gateway.describe_service(cluster, service)
        except Exception as exc:
            return (f"interrupted: could not check {service} ({str(exc).splitlines()[0]}); {new_td.label} stays "
                    f"registered (see `ls {cluster} {service}`)")
        if svc.task_definition_arn == new_td.arn:
            return (f"interrupted after UpdateService went through: {service} in {cluster} now runs {new_td.label} "
                    "and ECS goes on with the deployment")
        return (f"interrupted before UpdateService completed: {service} still runs {current.label}; "
                f"{self._deregister_orphan(new_td)}")

    def _deregister_orphan(self, td: TaskDefinition) -> str:
        try:
            self.ctx.gateway.deregister_task_definition(td.arn)
        except Exception as exc:
            return f"could not deregister the orphan revision {td.label}: {str(exc).splitlines()[0]}"
        return f"deregistered the orphan revision {td.label}"

    def _report_update(self, cluster: str, service: str, old: TaskDefinition, new: TaskDefinition,
                       plan: deploy.Plan, deployment_id: str | None) -> None:
        for change in plan.images:
            self.ctx.presenter.line(f"{change.container}: {change.old} -> {change.new}")
        for line in plan.env_changes:
            self.ctx.presenter.line(f"environment {line}")
        self.ctx.presenter.line(f"registered {new.label}; {service} in {cluster} now runs it "
                         f"(was {old.label}); deployment {deployment_id or '-'}")

    def _roll_back(self, args: argparse.Namespace, cluster: str, service: str, to_arn: str,
                   failed_id: str | None, failed: Outcome) -> dict[str, Any]:
        """Point SERVICE back at TO_ARN after FAILED (or follow ECS's own rollback there) and wait."""
        gateway = self.ctx.gateway
        label = arn_name(to_arn)
        latest = failed.service
        primary = latest.primary if latest else None
        if primary is not None and primary.task_definition_arn == to_arn and primary.id != failed_id:
            self._say(args, f"ECS is already rolling {service} back to {label} (deployment {primary.id}); "
                            "following it")
            deployment_id: str | None = primary.id
            seen = {e.id for e in latest.events} if latest else set()
        else:
            self._say(args, f"rolling {service} back to {label}")
            updated = gateway.update_service(cluster, service, task_definition=to_arn)
            deployment_id = updated.primary.id if updated.primary else None
            seen = {e.id for e in updated.events}
        outcome = self._follow(args, cluster, service, deployment_id, seen)
        if outcome.ok:
            self._say(args, f"rolled back: {service} runs {label} again ({outcome.reason})")
        else:
            self.ctx.fail(f"the rollback to {label} did not settle either: {outcome.reason}")
        return {"to": label, "deployment": deployment_id, **_outcome_json(outcome)}

    def _deregister_old(self, args: argparse.Namespace, cluster: str, new: TaskDefinition, keep: int) -> list[str]:
        """Deregister NEW's family's ACTIVE revisions older than the KEEP newest that no service anywhere uses."""
        gateway = self.ctx.gateway
        in_use = deploy.revisions_in_use(gateway)
        doomed = deploy.revisions_to_deregister(gateway.revisions(new.family), new.revision, keep, in_use)
        gone = []
        for revision in doomed:
            gateway.deregister_task_definition(revision.arn)
            gone.append(revision.label)
        self._say(args, f"deregistered {', '.join(gone)} (kept the {keep} newest)" if gone
                  else "no old revisions to deregister")
        if gone:
            self.ctx.names.invalidate("revisions", new.family)
        return gone

    # rollback ---------------------------------------------------------------------------------
    @with_argparser(rollback_parser)
    @with_category(CATEGORY)
    @mutating
    def do_rollback(self, args: argparse.Namespace) -> None:
        """Point a service back at its previous ACTIVE revision, or the one named."""
        ctx = self.ctx
        names = list(args.names)
        revision: int | None = None
        if names and names[-1].isdigit():  # any digit, so that ² or ١٢ is refused, not taken for a service
            revision = self._number(numbers.revision, names.pop())
        cluster, service = self.required(names, ("cluster", "service"), "rollback [CLUSTER] [SERVICE] [REVISION]")
        waiting = self._waiting(args)
        gateway = ctx.gateway
        svc = gateway.describe_service(cluster, service)
        family, current = svc.revision.rsplit(":", 1)
        if revision is not None:
            target = gateway.task_definition(f"{family}:{revision}")
            if target.status != "ACTIVE":
                raise CommandError(f"{target.label} is {target.status}: ECS does not point services at "
                                   "deregistered revisions")
        else:
            older = [r for r in gateway.revisions(family) if r.active and r.number < int(current)]
            if not older:
                raise CommandError(f"{svc.revision} has no earlier ACTIVE revision to roll back to")
            target = gateway.task_definition(older[-1].arn)
        if target.arn == svc.task_definition_arn:
            raise CommandError(f"{service} already runs {target.label}")
        if not self._confirmed(args, f"Roll {cluster}/{service} back from {svc.revision} to {target.label}?"):
            ctx.presenter.line("cancelled; nothing changed")
            return
        updated = gateway.update_service(cluster, service, task_definition=target.arn)
        ctx.names.invalidate("services", cluster)
        primary = updated.primary
        deployment_id = primary.id if primary else None
        doc: dict[str, Any] = {"cluster": cluster, "service": service, "from": svc.revision, "to": target.label,
                               "deployment": deployment_id}
        try:
            self._say(args, f"{service} in {cluster}: {svc.revision} -> {target.label}; deployment "
                            f"{deployment_id or '-'}")
            if waiting:
                outcome = self._follow(args, cluster, service, deployment_id, {e.id for e in updated.events})
                doc["outcome"] = _outcome_json(outcome)
                self._finish(args, outcome, f"rollback to {target.label}")
        finally:
            if self._json(args):
                ctx.presenter.json(doc)

    # scale ------------------------------------------------------------------------------------
    @with_argparser(scale_parser)
    @with_category(CATEGORY)
    @mutating
    def do_scale(self, args: argparse.Namespace) -> None:
        """Set how many tasks a service runs."""
        ctx = self.ctx
        names = list(args.names)
        count = self._number(numbers.desired_count, names.pop())
        cluster, service = self.required(names, ("cluster", "service"), "scale [CLUSTER] [SERVICE] COUNT")
        waiting = self._waiting(args)
        gateway = ctx.gateway
        svc = gateway.describe_service(cluster, service)
        if not self._confirmed(args, f"Scale {cluster}/{service} from {svc.desired} to {count} tasks?"):
            ctx.presenter.line("cancelled; nothing changed")
            return
        updated = gateway.update_service(cluster, service, desired_count=count)
        ctx.names.invalidate("services", cluster)
        doc: dict[str, Any] = {"cluster": cluster, "service": service, "from": svc.desired, "to": count}
        try:
            self._say(args, f"{service} in {cluster}: desired {svc.desired} -> {count}")
            if waiting:
                on_progress, on_event, done = self._reporters(args, rollout=False)
                env = ctx.environment
                try:
                    outcome = deploy.follow_scale(gateway, cluster, service, timeout=args.timeout,
                                                  sleep=env.sleep, monotonic=env.monotonic,
                                                  on_progress=on_progress, on_event=on_event,
                                                  seen_events={e.id for e in updated.events})
                finally:
                    done()
                doc["outcome"] = _outcome_json(outcome)
                self._finish(args, outcome, f"scale to {count}")
        finally:
            if self._json(args):
                ctx.presenter.json(doc)

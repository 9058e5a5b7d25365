"""Change what runs: update, rollback, scale, with waiting, dry runs and rollback on failure."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cmd2 import with_argparser, with_category

from ..model import Service, ServiceEvent, TaskDefinition
from ..operations.run import EXIT_FAILED, EXIT_TIMEOUT
from ..scope import SCOPE_RULE, split_path
from . import numbers
from .common import EcsCommands, container_completer, container_image_completer, positional_completer
from .numbers import duration
from .plumbing import CommandError, CommandParser, add_output_flag, mutating, refused
from .review import Review, plan_diff, review_change

if TYPE_CHECKING:  # the operations are imported where used: `ls` needs none of them
    from ..operations import deploy, rollback
    from ..operations.goals import Goal
    from ..operations.rollback import RolledBack
    from ..operations.rollout import Outcome, Progress, Watch

CATEGORY = "Deploy"
DEFAULT_TIMEOUT = 600.0

Reporters = tuple[Callable[["Progress"], None], Callable[[ServiceEvent], None], Callable[[], None]]


WAIT_HELP = ("follow the rollout until it completes or fails (default in the interactive shell); exit 1 if it "
             "fails, 3 if it times out")
NO_WAIT_HELP = "return once ECS accepted the change (default in scripts, like ecsman)"


UNTIL_HELP = ("follow until GOAL, then exit 0: deployed (ECS says SUCCESSFUL), stable (the default: deployed "
              "and the old tasks gone), paused (a PAUSE hook awaits `continue`), or a lifecycle stage such as "
              "POST_TEST_TRAFFIC_SHIFT (the deployment goes on in ECS); implies --wait")


def wait_goal(text: str) -> Goal:
    """Parse --wait-until's GOAL; a bad one is a usage error naming the choices."""
    from ..operations.goals import parse_goal

    try:
        return parse_goal(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_wait_flags(parser: argparse.ArgumentParser, wait_help: str = WAIT_HELP,
                   no_wait_help: str = NO_WAIT_HELP, *, until: bool = True) -> None:
    """Add --wait/--no-wait, --wait-until (UNTIL), --timeout and --yes to PARSER."""
    wait = parser.add_mutually_exclusive_group()
    wait.add_argument("--wait", dest="wait", action="store_true", default=None, help=wait_help)
    wait.add_argument("--no-wait", dest="wait", action="store_false", help=no_wait_help)
    if until:
        parser.add_argument("--wait-until", type=wait_goal, metavar="GOAL", help=UNTIL_HELP)
    parser.add_argument("--timeout", type=duration, default=DEFAULT_TIMEOUT, metavar="DURATION",
                        help="how long --wait waits (default 10m)")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")


def image_args(args: argparse.Namespace, image: str | None) -> dict[str | None, str]:
    """Return the images to set, by container (None: the first), from IMAGE, --container and --image."""
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


def change_positionals(names: list[str]) -> tuple[str, ...]:
    """Return what `update NAMES --image/--env ...` reads NAMES as: with or without an IMAGE last."""
    if names and (_looks_like_image(names[-1]) or len(split_path(names)) == 3):
        return ("cluster", "service", "image")
    return ("cluster", "service")


def add_image_arguments(parser: argparse.ArgumentParser, image_help: str) -> None:
    """Add [CLUSTER] [SERVICE] [IMAGE|:TAG], --container and --image (IMAGE_HELP), as update and verify take them."""
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] [SERVICE] [IMAGE|:TAG]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "service", "image")))
    parser.add_argument("--container", metavar="NAME", help="container whose image IMAGE replaces (default: first)",
                        completer=container_completer(("cluster", "service", "image")))
    parser.add_argument("--image", action="append", default=[], metavar="CONTAINER=IMAGE",
                        completer=container_image_completer(change_positionals), help=image_help)


def update_parser() -> CommandParser:
    parser = CommandParser(description="Deploy a new image: register a revision identical to the service's current "
                                          "task definition but for the images and environment variables changed, and "
                                          "point the service at it.",
                              epilog="IMAGE is a full reference (repo/app:1.2, host:5000/app:1.2, repo@sha256:...) "
                                     "or :TAG to keep the repository and change only the tag. In CI, add --wait: the "
                                     "exit status then says whether the rollout succeeded. " + SCOPE_RULE)
    add_image_arguments(parser, "set a container's image or :TAG (repeatable)")
    parser.add_argument("--env", action="append", nargs=2, default=[], metavar=("CONTAINER", "KEY=VALUE"),
                        help="set an environment variable in the new revision (repeatable)")
    parser.add_argument("--unset-env", action="append", nargs=2, default=[], metavar=("CONTAINER", "KEY"),
                        help="remove an environment variable in the new revision (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="show the task definition diff, change nothing")
    parser.add_argument("--schedule", metavar="NAME",
                        help="deploy to the ECS task the EventBridge schedule or rule NAME runs (GROUP/NAME, "
                             "rule/NAME; see `schedules`), not to a service: update [CLUSTER] --schedule NAME IMAGE")
    parser.add_argument("--no-verify", action="store_true",
                        help="do not check first that each new ECR image is in ECR (ecr:DescribeImages)")
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
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] [SERVICE] [REVISION]",
                        help="names filled from the right; the scope gives the rest (see `help scope`)",
                        completer=positional_completer(("cluster", "service")))
    add_output_flag(parser)
    add_wait_flags(parser)
    return parser


def scale_parser() -> CommandParser:
    from .scaling import add_bounds_flags

    parser = CommandParser(description="Set a service's desired task count, or its auto scaling min and max.",
                           epilog="A COUNT outside the service's scalable target's min and max is warned of (on "
                                  "stderr), as Application Auto Scaling will move it back. " + SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="[CLUSTER] [SERVICE] COUNT",
                        help="names filled from the right; the scope gives the rest (see `help scope`); no COUNT "
                             "with --min/--max",
                        completer=positional_completer(("cluster", "service")))
    add_bounds_flags(parser)
    add_output_flag(parser)
    add_wait_flags(parser, until=False)
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


def _refuse_swapped(cluster: str, service: str, image: str) -> None:
    """Refuse an image (or :TAG) given where the cluster or the service goes, before any call."""
    for what, name in (("SERVICE", service), ("CLUSTER", cluster)):
        if _looks_like_image(name):
            kind = "a tag" if name.startswith(":") else "a digest" if name.startswith("@") else "an image"
            swapped = f"; did you mean `update {cluster} {image} {name}`?" if what == "SERVICE" and \
                not _looks_like_image(image) else ""
            raise CommandError(f"{name!r} is {kind}, given where the {what} goes: the image comes last"
                               f"{swapped}", 2)


def _minutes(seconds: float) -> str:
    """Format SECONDS left as whole minutes, rounded up (4m); under a minute, as seconds (45s)."""
    if seconds >= 60:
        return f"{int(-(-seconds // 60))}m"
    return f"{int(-(-seconds // 1))}s"


def _live_line(progress: Progress, rollout: bool) -> str:
    """Return the progress line redrawn on a terminal: the most telling first, short enough for 80 columns."""
    d = progress.deployment
    assert d is not None
    parts = [f"{d.revision} {d.running}/{d.desired} running, {d.pending} pending, {d.failed} failed"]
    if progress.bake_left is not None:
        parts.append(f"bake {_minutes(progress.bake_left)} left")
    if rollout:
        parts.append(f"{progress.old_running} old draining")
    parts.append(f"{int(progress.elapsed)}s")
    return "; ".join(parts)


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """Return how a wait ended, for JSON output."""
    doc: dict[str, Any] = {"state": outcome.state, "reason": outcome.reason,
                           "elapsedSeconds": round(outcome.elapsed, 1)}
    if outcome.deployment is not None:
        doc["serviceDeploymentArn"] = outcome.deployment.arn
        doc["serviceDeploymentStatus"] = outcome.deployment.status
    return doc


class RolloutCommands(EcsCommands):
    """What commands that start a rollout share: waiting, progress lines, outcomes, interrupts (no commands)."""

    DEFAULT_CATEGORY = CATEGORY

    # shared -----------------------------------------------------------------------------------
    def _waiting(self, args: argparse.Namespace) -> bool:
        """Say whether to follow the change: --wait/--no-wait, else flags needing it, else the shell's setting."""
        goal = getattr(args, "wait_until", None)
        if goal is not None and not goal.ends_rollout and getattr(args, "deregister_old", False):
            raise CommandError(f"--deregister-old acts once the rollout is over, so it cannot go with --wait-until "
                               f"{goal}, which ends the wait on the way", 2)
        needs = [flag for flag, given in (("--rollback", getattr(args, "rollback", False)),
                                          ("--deregister-old", getattr(args, "deregister_old", False)),
                                          ("--wait-until", goal is not None)) if given]
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

    def _say(self, args: argparse.Namespace, line: str, indent: int = 2) -> None:
        """Print a human line: stdout for text output (folded on a terminal), stderr when stdout carries JSON."""
        if self._json(args):
            self.ctx.presenter.note(line)
        else:
            self.ctx.presenter.prose(line, indent)

    def _reporters(self, args: argparse.Namespace, rollout: bool = True) -> Reporters:
        """Return (on_progress, on_event, done): a live line on a terminal, timestamped lines elsewhere."""
        ctx = self.ctx
        live = ctx.presenter.live and not self._json(args)
        last: dict[str, str] = {}
        # Progress is stamped on ECS's clock, as events are: from when ECS created the deployment followed
        # (else from now), plus the injected clock's elapsed time; never before a line already printed.
        clock: dict[str, datetime] = {}

        def stamp_progress(progress: Progress) -> str:
            if "anchor" not in clock:
                sd, d = progress.service_deployment, progress.deployment
                created = (sd.created_at if sd else None) or (d.created_at if rollout and d else None)
                anchor = created if created is not None and created.tzinfo is not None else \
                    datetime.now().astimezone()
                clock["anchor"] = anchor - timedelta(seconds=progress.elapsed)
            when = clock["anchor"] + timedelta(seconds=progress.elapsed)
            shown = max(when, clock["printed"]) if "printed" in clock else when
            clock["printed"] = shown
            return _stamp(shown)

        def on_progress(progress: Progress) -> None:
            d = progress.deployment
            if d is None:
                return
            state = f"{d.revision}: {d.running}/{d.desired} running, {d.pending} pending, {d.failed} failed"
            if rollout:
                state += f"; old tasks draining {progress.old_running}"
            key = state
            if progress.bake_left is not None:
                state += f"; bake time left {_minutes(progress.bake_left)}"
                # a log gets a line a minute (and one for the last minute), not one a poll
                key += f"; bake {_minutes(progress.bake_left) if progress.bake_left >= 60 else '<1m'}"
            line = f"{state}; {int(progress.elapsed)}s elapsed"
            if live:
                ctx.presenter.progress(_live_line(progress, rollout))
            elif last.get("state") != key:
                last["state"] = key
                stamp = stamp_progress(progress)
                self._say(args, f"{stamp} {line}", len(stamp) + 1)
            else:
                stamp_progress(progress)

        def on_event(event: ServiceEvent) -> None:
            if live:
                ctx.presenter.clear_progress()
            if event.created_at is not None and event.created_at.tzinfo is not None:
                clock["printed"] = max(clock.get("printed", event.created_at), event.created_at)
            stamp = _stamp(event.created_at)
            self._say(args, f"{stamp} {event.message}", len(stamp) + 1)

        def done() -> None:
            if live:
                ctx.presenter.clear_progress()

        return on_progress, on_event, done

    def _watch(self, args: argparse.Namespace) -> Watch:
        """Return how to follow a rollout: the command's timeout and clock, a fresh set of reporters."""
        from ..operations.rollout import Watch

        on_progress, on_event, done = self._reporters(args)
        env = self.ctx.environment
        goal = getattr(args, "wait_until", None)
        return Watch(args.timeout, env.sleep, env.monotonic, on_progress, on_event, self.ctx.presenter.note, done,
                     say=lambda line: self._say_between(args, line), **({"goal": goal} if goal else {}))

    def _say_between(self, args: argparse.Namespace, line: str) -> None:
        """Say LINE (a stage reached, a hook waiting) above the live progress line, if one is drawn."""
        if self.ctx.presenter.live and not self._json(args):
            self.ctx.presenter.clear_progress()
        self._say(args, line)

    @staticmethod
    def _refuse_goal(args: argparse.Namespace, service: Service, stopping: bool = False) -> None:
        """Refuse, before anything changes, a --wait-until goal SERVICE's deployment cannot reach."""
        from ..operations import OperationError
        from ..operations.goals import refusal

        goal = getattr(args, "wait_until", None)
        if goal is None:
            return
        if stopping and not goal.ends_rollout:
            raise OperationError(f"--wait-until {goal}: stopping a deployment rolls it back without stages or "
                                 f"pauses to wait for; wait until deployed or stable")
        refusal(goal, service)

    def _finish(self, args: argparse.Namespace, outcome: Outcome, what: str) -> None:
        """Report OUTCOME of WHAT in one line and set the exit status: 0, 1 (failed) or 3 (timed out)."""
        if outcome.state == "REACHED":
            self._say(args, f"{what} reached {args.wait_until}: {outcome.reason} ({int(outcome.elapsed)}s)")
            return
        if outcome.ok:
            self._say(args, f"{what} done: {outcome.reason} ({int(outcome.elapsed)}s)")
            return
        if outcome.state == "TIMEOUT":
            self.ctx.fail(f"{what} timed out: {outcome.reason}", EXIT_TIMEOUT)
        else:
            self.ctx.fail(f"{what} failed: {outcome.reason}", EXIT_FAILED)


class DeployCommands(RolloutCommands):
    """Commands that change which task definition a service runs, or how many tasks."""

    DEFAULT_CATEGORY = CATEGORY

    # update -----------------------------------------------------------------------------------
    def _image_args(self, args: argparse.Namespace, image: str | None) -> dict[str | None, str]:
        return image_args(args, image)

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
        if has_changes and len(change_positionals(names)) == 2:
            cluster, service = self.required(names, ("cluster", "service"),
                                             "update [CLUSTER] [SERVICE] [IMAGE] [--image C=IMAGE]")
            return cluster, service, None
        usage = "update [CLUSTER] [SERVICE] IMAGE|:TAG"
        try:
            cluster, service, image = self.required(names, ("cluster", "service", "image"), usage)
        except CommandError as exc:
            self._missing_image(names, usage, exc)
            raise
        _refuse_swapped(cluster, service, image)
        return cluster, service, image

    def _missing_image(self, names: list[str], usage: str, error: CommandError) -> None:
        """When NAMES end with a service rather than an image, say that the IMAGE is missing (not a name)."""
        if not names or _looks_like_image(names[-1]):
            return
        try:
            cluster, service = self.required(names, ("cluster", "service"), usage)
        except CommandError:
            return
        if _looks_like_image(service) or _looks_like_image(cluster):
            return
        raise CommandError(f"missing IMAGE|:TAG after service {service} (cluster {cluster}): say what to deploy, "
                           f"e.g. `update {cluster} {service} :TAG`; usage: {usage}", 2) from error

    @with_argparser(update_parser)
    @with_category(CATEGORY)
    @mutating
    def do_update(self, args: argparse.Namespace) -> None:
        """Deploy a new image (or :tag) to a service, optionally waiting for the rollout."""
        self._update(args)

    def _update(self, args: argparse.Namespace) -> None:
        """Parse, run the update operation, and present what it reports."""
        from ..operations import deploy

        if args.schedule is not None:  # issue 22: a scheduled task's target, not a service
            from .schedules import update_schedule

            update_schedule(self, args)
            return
        cluster, service, image = self._update_names(args)
        images = self._image_args(args, image)
        set_env, unset_env = self._env_args(args)
        if not (images or set_env or unset_env):
            raise CommandError("nothing to change: give an IMAGE, --image, --env or --unset-env", 2)
        if args.keep < 1:
            raise CommandError("--keep must be 1 or more (the new revision is always kept)", 2)
        request = deploy.UpdateRequest(cluster, service, images, set_env, unset_env, wait=self._waiting(args),
                                       rollback=args.rollback, deregister_old=args.deregister_old, keep=args.keep,
                                       dry_run=args.dry_run, verify=not args.no_verify,
                                       **({"goal": args.wait_until} if args.wait_until else {}))
        report = UpdatePresenter(self, args, cluster, service)
        try:
            with refused():
                deploy.update(self.ctx.gateway, request, report, lambda: self._watch(args))
        finally:
            report.close()

    # rollback ---------------------------------------------------------------------------------
    @with_argparser(rollback_parser)
    @with_category(CATEGORY)
    @mutating
    def do_rollback(self, args: argparse.Namespace) -> None:
        """Point a service back at its previous ACTIVE revision, or the one named."""
        from ..operations import rollback
        from ..operations.rollout import watch_rollout

        ctx = self.ctx
        names = list(args.names)
        revision: int | None = None
        if names and names[-1].isdigit():  # any digit, so that ² or ١٢ is refused, not taken for a service
            revision = self._number(numbers.revision, names.pop())
        cluster, service = self.required(names, ("cluster", "service"), "rollback [CLUSTER] [SERVICE] [REVISION]")
        waiting = self._waiting(args)
        with refused():
            choice = rollback.choose(ctx.gateway, cluster, service, revision)
            self._refuse_goal(args, choice.service, stopping=isinstance(choice, rollback.Stop))
        if isinstance(choice, rollback.Stop):
            self._stop_deployment(args, cluster, service, choice, waiting)
            return
        chosen = choice
        svc, target = chosen.service, chosen.task_definition
        if not args.yes and ctx.asks_confirmation:
            self._show_rollback_diff(args, svc.task_definition_arn, target)
        if not self.go_ahead(args, f"Roll {cluster}/{service} back from {svc.revision} to {target.label}?"):
            return
        updated = rollback.go_back(ctx.gateway, cluster, service, chosen)
        ctx.names.invalidate("services", cluster)
        primary = updated.primary
        deployment_id = primary.id if primary else None
        arn = updated.current_service_deployment
        fresh = arn if arn and arn != svc.current_service_deployment else None
        doc: dict[str, Any] = {"cluster": cluster, "service": service, "from": svc.revision, "to": target.label,
                               "deployment": deployment_id, "serviceDeploymentArn": fresh}
        try:
            named = fresh.rsplit("/", 1)[-1] if fresh else deployment_id or "-"
            self._say(args, f"{service} in {cluster}: {svc.revision} -> {target.label}; deployment {named}")
            if waiting:
                outcome = watch_rollout(ctx.gateway, cluster, service, deployment_id, {e.id for e in updated.events},
                                        self._watch(args))
                doc["outcome"] = outcome_json(outcome)
                self._finish(args, outcome, f"rollback to {target.label}")
        finally:
            if self._json(args):
                ctx.presenter.json(doc)

    def _stop_deployment(self, args: argparse.Namespace, cluster: str, service: str, chosen: rollback.Stop,
                         waiting: bool) -> None:
        """Have ECS roll back the deployment still going (StopServiceDeployment ROLLBACK), and follow it."""
        from ..operations import rollback
        from ..operations.rollout import watch_deployment, watch_rollout

        ctx, d = self.ctx, chosen.deployment
        if not self.go_ahead(args, f"Stop deployment {d.id} of {cluster}/{service} ({d.status}) and let ECS roll "
                                   f"back to {chosen.back_to}?"):
            return
        rollback.stop(ctx.gateway, chosen)
        ctx.names.invalidate("services", cluster)
        doc: dict[str, Any] = {"cluster": cluster, "service": service, "serviceDeploymentArn": d.arn,
                               "stopType": "ROLLBACK", "to": chosen.back_to}
        try:
            self._say(args, f"{service} in {cluster}: stopped deployment {d.id}; ECS rolls back to "
                            f"{chosen.back_to}")
            if waiting:
                seen = {e.id for e in chosen.service.events}
                outcome = watch_deployment(ctx.gateway, cluster, service, d.arn, None, seen, self._watch(args),
                                           expect_rollback=True) or watch_rollout(
                    ctx.gateway, cluster, service, None, seen, self._watch(args))
                doc["outcome"] = outcome_json(outcome)
                self._finish(args, outcome, f"rollback to {chosen.back_to}")
        finally:
            if self._json(args):
                ctx.presenter.json(doc)
    def _show_rollback_diff(self, args: argparse.Namespace, current_arn: str, target: TaskDefinition) -> None:
        """Show how the revision a rollback goes back to differs from the one running, as `update` does."""
        from ..operations import deploy
        from ..render import diff as diffs

        ctx = self.ctx
        current = ctx.gateway.task_definition(current_arn)
        text = diffs.taskdef_diff(deploy.registrable(current), deploy.registrable(target), current.label,
                                  target.label, show_secrets=ctx.view(args).show_secrets)
        ctx.presenter.show(diffs.diff_renderable(text, ctx.presenter.color) if text else "no change")

    # scale ------------------------------------------------------------------------------------
    @with_argparser(scale_parser)
    @with_category(CATEGORY)
    @mutating
    def do_scale(self, args: argparse.Namespace) -> None:
        """Set how many tasks a service runs."""
        from ..operations import scale
        from . import scaling

        ctx = self.ctx
        names = list(args.names)
        if scaling.bounds_asked(args):
            scaling.change_bounds(self, args, names, self._json(args))
            return
        if not names:
            raise CommandError(f"missing COUNT; usage: {scaling.USAGE}", 2)
        count = self._number(numbers.desired_count, names.pop())
        cluster, service = self.required(names, ("cluster", "service"), "scale [CLUSTER] [SERVICE] COUNT")
        waiting = self._waiting(args)
        target = ctx.gateway.submit(ctx.gateway.scalable_target, cluster, service)  # beside DescribeServices
        svc = ctx.gateway.describe_service(cluster, service)
        warning = scaling.count_warning(self, target, count)
        doc: dict[str, Any] = {"cluster": cluster, "service": service, "from": svc.desired, "to": count}
        if warning:
            doc["warning"] = warning
        if args.dry_run:
            if self._json(args):
                ctx.presenter.json({**doc, "dryRun": True})
            else:
                ctx.presenter.line(f"dry run: {service} in {cluster} would go from {svc.desired} to {count} "
                                   "desired tasks; nothing changed")
            return
        if not self.go_ahead(args, f"Scale {cluster}/{service} from {svc.desired} to {count} tasks?"):
            return
        updated = scale.scale(ctx.gateway, cluster, service, count)
        ctx.names.invalidate("services", cluster)
        try:
            self._say(args, f"{service} in {cluster}: desired {svc.desired} -> {count}")
            if waiting:
                on_progress, on_event, done = self._reporters(args, rollout=False)
                env = ctx.environment
                try:
                    outcome = scale.follow_scale(ctx.gateway, cluster, service, timeout=args.timeout,
                                                  sleep=env.sleep, monotonic=env.monotonic,
                                                  on_progress=on_progress, on_event=on_event,
                                                  seen_events={e.id for e in updated.events})
                finally:
                    done()
                doc["outcome"] = outcome_json(outcome)
                self._finish(args, outcome, f"scale to {count}")
        finally:
            if self._json(args):
                ctx.presenter.json(doc)


class UpdatePresenter:
    """Present what the update operation reports, and gather the JSON document it ends with."""

    def __init__(self, commands: RolloutCommands, args: argparse.Namespace, cluster: str, service: str) -> None:
        self.commands = commands
        self.ctx = commands.ctx
        self.args = args
        self.cluster = cluster
        self.service = service
        self.as_json = commands._json(args)
        self.doc: dict[str, Any] | None = None
        self.family = ""

    def review(self, planned: deploy.Planned) -> bool:
        """Show the diff; on a dry run stop there, else ask (unless --yes) whether to deploy."""
        ctx, args, current, plan = self.ctx, self.args, planned.current, planned.plan
        asking = not args.yes and ctx.asks_confirmation
        # Only a dry run and the question show the diff: a one-shot --yes neither builds it nor imports render.
        diff_text = plan_diff(ctx, args, plan) if args.dry_run or asking else ""
        going = planned.superseding
        replaces = f" It replaces {going}, which has not ended." if going else ""
        review = Review({"cluster": self.cluster, "service": self.service}, f"{self.service} in {self.cluster}",
                        f"note: the new revision equals {current.label}; ECS will replace the tasks anyway",
                        f"Deploy this to {self.cluster}/{self.service}?{replaces}",
                        (f"note: it would replace {going}, which has not ended",) if going else ())
        return review_change(ctx, dry_run=args.dry_run, asking=asking, as_json=self.as_json, plan=plan,
                             diff_text=diff_text, review=review)

    def deployed(self, deployed: deploy.Deployed) -> None:
        ctx, new, plan = self.ctx, deployed.new, deployed.plan
        self.family = new.family
        ctx.names.invalidate("tags", self.cluster, self.service)
        ctx.names.invalidate("revisions", new.family)
        ctx.names.invalidate("services", self.cluster)
        self.doc = {"cluster": self.cluster, "service": self.service, "from": deployed.current.label,
                    "to": new.label, "taskDefinitionArn": new.arn, "deployment": deployed.deployment_id,
                    "serviceDeploymentArn": deployed.service_deployment_arn,
                    "images": [c.__dict__ for c in plan.images], "env": plan.env_changes}
        old = deployed.superseded
        if old is not None:
            self.doc["supersedes"] = {"deployment": old.id, "revision": old.revision, "state": old.state}
        if self.as_json:
            if old is not None:
                ctx.presenter.note(f"note: deployment {deployed.rollout_id} replaces {old}, which had not ended")
            return
        for change in plan.images:
            ctx.presenter.line(f"{change.container}: {change.old} -> {change.new}")
        for line in plan.env_changes:
            ctx.presenter.line(f"environment {line}")
        replaces = f", replacing {old}, which had not ended" if old is not None else ""
        ctx.presenter.line(f"registered {new.label}; {self.service} in {self.cluster} now runs it "
                           f"(was {deployed.current.label}); deployment {deployed.rollout_id}{replaces}")

    def finished(self, outcome: Outcome, what: str) -> None:
        if self.doc is not None:
            self.doc["outcome"] = outcome_json(outcome)
        self.commands._finish(self.args, outcome, what)

    def deregistered(self, labels: list[str]) -> None:
        if self.doc is not None:
            self.doc["deregistered"] = labels
        if labels:
            self.ctx.names.invalidate("revisions", self.family)

    def rolled_back(self, result: RolledBack) -> None:
        if self.doc is not None:
            self.doc["rollback"] = {"to": result.to, "deployment": result.deployment,
                                    **outcome_json(result.outcome)}

    def say(self, line: str) -> None:
        self.commands._say(self.args, line)

    def note(self, line: str) -> None:
        self.ctx.presenter.note(line)

    def fail(self, line: str) -> None:
        self.ctx.fail(line)

    def close(self) -> None:
        """Print the JSON document once something was deployed (even when the rollout was interrupted)."""
        if self.as_json and self.doc is not None:
            self.ctx.presenter.json(self.doc)

"""Change what runs: update, rollback, scale, with waiting, dry runs and rollback on failure."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from cmd2 import with_argparser, with_category

from .. import deploy
from ..deploy import Outcome, Progress
from ..model import ServiceEvent, TaskDefinition
from ..scope import SCOPE_RULE
from ..shell import CommandError, Parser
from .common import EcsCommands, positional_completer

CATEGORY = "Deploy"
DEFAULT_TIMEOUT = 600.0
EXIT_FAILED = 1
EXIT_TIMEOUT = 3


def duration(text: str) -> float:
    """Parse 90, 90s, 10m or 1h into seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = text.strip().lower()
    try:
        value = float(text[:-1]) * units[text[-1]] if text and text[-1] in units else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use 90, 90s, 10m or 1h)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("a duration must be positive")
    return value


def add_wait_flags(parser: argparse.ArgumentParser) -> None:
    wait = parser.add_mutually_exclusive_group()
    wait.add_argument("--wait", dest="wait", action="store_true", default=None,
                      help="follow the rollout until it completes or fails (default in the interactive shell)")
    wait.add_argument("--no-wait", dest="wait", action="store_false",
                      help="return once ECS accepted the change (default in scripts, like ecsman)")
    parser.add_argument("--timeout", type=duration, default=DEFAULT_TIMEOUT, metavar="DURATION",
                        help="how long --wait waits (default 10m)")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")


def update_parser() -> Parser:
    parser = Parser(description="Deploy a new image: register a revision identical to the service's current "
                                "task definition but for the image, and point the service at it.",
                    epilog="IMAGE is a full reference (repo/app:1.2, host:5000/app:1.2, repo@sha256:...) "
                           "or :TAG to keep the repository and change only the tag. " + SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="NAME", help="[CLUSTER] [SERVICE] [IMAGE|:TAG]",
                        choices_provider=positional_completer(("cluster", "service", "image")))
    parser.add_argument("--container", metavar="NAME", help="container whose image IMAGE replaces (default: first)")
    parser.add_argument("--image", action="append", default=[], metavar="CONTAINER=IMAGE",
                        help="set a container's image (repeatable)")
    parser.add_argument("--env", action="append", nargs=2, default=[], metavar=("CONTAINER", "KEY=VALUE"),
                        help="set an environment variable in the new revision (repeatable)")
    parser.add_argument("--unset-env", action="append", nargs=2, default=[], metavar=("CONTAINER", "KEY"),
                        help="remove an environment variable in the new revision (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="show the task definition diff, change nothing")
    parser.add_argument("--rollback", action="store_true",
                        help="when the rollout fails or times out, go back to the previous revision")
    parser.add_argument("--deregister-old", action="store_true",
                        help="after a successful rollout, deregister older revisions of the family")
    parser.add_argument("--keep", type=int, default=3, metavar="N",
                        help="with --deregister-old, revisions to keep including the new one (default 3)")
    parser.add_argument("--output", choices=["text", "json"], default=None, help="text or json")
    add_wait_flags(parser)
    return parser


def rollback_parser() -> Parser:
    parser = Parser(description="Point a service back at its previous (or the named) revision.",
                    epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="*", metavar="NAME", help="[CLUSTER] [SERVICE] [REVISION]",
                        choices_provider=positional_completer(("cluster", "service")))
    parser.add_argument("--output", choices=["text", "json"], default=None, help="text or json")
    add_wait_flags(parser)
    return parser


def scale_parser() -> Parser:
    parser = Parser(description="Set a service's desired task count.", epilog=SCOPE_RULE)
    parser.add_argument("names", nargs="+", metavar="NAME", help="[CLUSTER] [SERVICE] COUNT",
                        choices_provider=positional_completer(("cluster", "service")))
    parser.add_argument("--output", choices=["text", "json"], default=None, help="text or json")
    add_wait_flags(parser)
    return parser


def _stamp(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") if when else "-"


class DeployCommands(EcsCommands):
    """Commands that change which task definition a service runs, or how many tasks."""

    DEFAULT_CATEGORY = CATEGORY

    # shared -----------------------------------------------------------------------------------
    def _waiting(self, args: argparse.Namespace) -> bool:
        return self.app.wait if args.wait is None else bool(args.wait)

    def _json(self, args: argparse.Namespace) -> bool:
        return (args.output or self.app.output) == "json"

    def _say(self, args: argparse.Namespace, line: str) -> None:
        """Print a human line: stdout for text output, stderr when stdout carries JSON."""
        if self._json(args):
            self.app.note(line)
        else:
            self.app.poutput(line)

    def _reporters(self, args: argparse.Namespace) -> tuple[Any, Any, Any]:
        app = self.app
        live = app.environment.stdout_isatty and not self._json(args)
        last: dict[str, str] = {}

        def on_progress(progress: Progress) -> None:
            d = progress.deployment
            if d is None:
                return
            line = (f"{d.revision}: {d.running}/{d.desired} running, {d.pending} pending, {d.failed} failed; "
                    f"old tasks running {progress.old_running}; {int(progress.elapsed)}s elapsed")
            if live:
                app.stdout.write("\r\x1b[2K" + line)
                app.stdout.flush()
            elif last.get("line") != line.rsplit(";", 1)[0]:
                last["line"] = line.rsplit(";", 1)[0]
                self._say(args, f"{_stamp(datetime.now())} {line}")

        def on_event(event: ServiceEvent) -> None:
            if live:
                app.stdout.write("\r\x1b[2K")
            self._say(args, f"{_stamp(event.created_at)} {event.message}")

        def done() -> None:
            if live:
                app.stdout.write("\r\x1b[2K")
                app.stdout.flush()

        return on_progress, on_event, done

    def _follow(self, args: argparse.Namespace, cluster: str, service: str, deployment_id: str | None,
                seen: set[str]) -> Outcome:
        on_progress, on_event, done = self._reporters(args)
        env = self.app.environment
        try:
            return deploy.follow_rollout(self.app.gateway, cluster, service, deployment_id,
                                         timeout=args.timeout, sleep=env.sleep, monotonic=env.monotonic,
                                         on_progress=on_progress, on_event=on_event, seen_events=seen)
        finally:
            done()

    def _finish(self, args: argparse.Namespace, outcome: Outcome, what: str) -> None:
        if outcome.ok:
            self._say(args, f"{what} rolled out: {outcome.reason} ({int(outcome.elapsed)}s)")
            return
        if outcome.state == "TIMEOUT":
            self.app.fail(f"{what} timed out: {outcome.reason}", EXIT_TIMEOUT)
        else:
            self.app.fail(f"{what} failed: {outcome.reason}", EXIT_FAILED)

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
            images[name] = value
        return images

    def _update_names(self, args: argparse.Namespace) -> tuple[str, str, str | None]:
        names = list(args.names)
        has_changes = bool(args.image or args.env or args.unset_env)
        if has_changes and (not names or not (names[-1].startswith((":", "@")) or ("/" in names[-1]
                                              and not names[-1].startswith("/")))):
            cluster, service = self.required(names, ("cluster", "service"),
                                             "update [CLUSTER] [SERVICE] [IMAGE] [--image C=IMAGE]")
            return cluster, service, None
        cluster, service, image = self.required(names, ("cluster", "service", "image"),
                                                "update [CLUSTER] [SERVICE] IMAGE|:TAG")
        return cluster, service, image

    @with_argparser(update_parser)
    @with_category(CATEGORY)
    def do_update(self, args: argparse.Namespace) -> None:
        """Deploy a new image (or :tag) to a service, optionally waiting for the rollout."""
        from ..render import diff as diffs

        app = self.app
        cluster, service, image = self._update_names(args)
        images = self._image_args(args, image)
        set_env = []
        for container, pair in args.env:
            key, sep, value = pair.partition("=")
            if not sep or not key:
                raise CommandError(f"--env wants CONTAINER KEY=VALUE, not {container} {pair}", 2)
            set_env.append((container, key, value))
        unset_env = [(container, key) for container, key in args.unset_env]
        if not (images or set_env or unset_env):
            raise CommandError("nothing to change: give an IMAGE, --image, --env or --unset-env", 2)

        gateway = app.gateway
        svc = gateway.describe_services(cluster, [service])[0]
        current = gateway.task_definition(svc.task_definition_arn)
        try:
            plan = deploy.plan_update(current, images, set_env, unset_env)
        except deploy.PlanError as exc:
            raise CommandError(str(exc)) from None
        diff_text = diffs.taskdef_diff(deploy.registrable(current), plan.spec, current.label,
                                       f"{current.family}:(next)")
        if args.dry_run:
            if self._json(args):
                app.show_json({"cluster": cluster, "service": service, "current": current.label,
                               "dryRun": True, "diff": diff_text,
                               "images": [c.__dict__ for c in plan.images], "env": plan.env_changes})
            else:
                app.poutput(f"dry run: {service} in {cluster} would move from {current.label} to a new revision")
                app.show(diffs.diff_renderable(diff_text, app.use_color) if diff_text else "no change")
            return
        if not plan.changed:
            app.note(f"note: the new revision equals {current.label}; ECS will roll the tasks anyway")
        if app.confirm and app.environment.interactive and not args.yes:
            app.show(diffs.diff_renderable(diff_text, app.use_color))
            if not app.confirmed(f"Deploy this to {cluster}/{service}?"):
                app.poutput("cancelled; nothing changed")
                return

        new_td = gateway.register_task_definition(plan.spec)
        try:
            updated = gateway.update_service(cluster, service, task_definition=new_td.arn)
        except Exception as exc:
            cleanup = self._deregister_orphan(new_td)
            raise CommandError(f"UpdateService failed, the service still runs {current.label}: "
                               f"{str(exc).splitlines()[0]}; {cleanup}") from None
        app.completion.invalidate("tags", cluster, service)
        app.completion.invalidate("revisions", new_td.family)
        app.completion.invalidate("services", cluster)
        primary = updated.primary
        seen = {e.id for e in updated.events}
        self._report_update(args, cluster, service, current, new_td, plan, primary.id if primary else None)
        if not self._waiting(args):
            return
        outcome = self._follow(args, cluster, service, primary.id if primary else None, seen)
        self._finish(args, outcome, f"{new_td.label}")
        if outcome.ok:
            if args.deregister_old:
                self._deregister_old(args, cluster, new_td, args.keep)
            return
        if args.rollback:
            self._roll_back(args, cluster, service, current)

    def _deregister_orphan(self, td: TaskDefinition) -> str:
        try:
            self.app.gateway.deregister_task_definition(td.arn)
        except Exception as exc:
            return f"could not deregister the orphan revision {td.label}: {str(exc).splitlines()[0]}"
        return f"deregistered the orphan revision {td.label}"

    def _report_update(self, args: argparse.Namespace, cluster: str, service: str, old: TaskDefinition,
                       new: TaskDefinition, plan: deploy.Plan, deployment_id: str | None) -> None:
        if self._json(args):
            self.app.show_json({"cluster": cluster, "service": service, "from": old.label, "to": new.label,
                                "taskDefinitionArn": new.arn, "deployment": deployment_id,
                                "images": [c.__dict__ for c in plan.images], "env": plan.env_changes})
            return
        for change in plan.images:
            self.app.poutput(f"{change.container}: {change.old} -> {change.new}")
        for line in plan.env_changes:
            self.app.poutput(f"environment {line}")
        self.app.poutput(f"registered {new.label}; {service} in {cluster} now runs it "
                         f"(was {old.label}); deployment {deployment_id}")

    def _roll_back(self, args: argparse.Namespace, cluster: str, service: str, to: TaskDefinition) -> None:
        gateway = self.app.gateway
        self._say(args, f"rolling back {service} to {to.label}")
        updated = gateway.update_service(cluster, service, task_definition=to.arn)
        primary = updated.primary
        outcome = self._follow(args, cluster, service, primary.id if primary else None,
                               {e.id for e in updated.events})
        if outcome.ok:
            self._say(args, f"rolled back: {service} runs {to.label} again ({outcome.reason})")
        else:
            self.app.perror(f"error: rollback to {to.label} did not settle: {outcome.reason}")

    def _deregister_old(self, args: argparse.Namespace, cluster: str, new: TaskDefinition, keep: int) -> None:
        gateway = self.app.gateway
        keep = max(1, keep)
        in_use: set[str] = set()
        for svc in gateway.list_services(cluster):
            in_use.add(svc.task_definition_arn)
            in_use.update(dep.task_definition_arn for dep in svc.deployments)
        active = [r for r in gateway.revisions(new.family) if r[2] == "ACTIVE" and r[0] <= new.revision]
        old = active[: max(0, len(active) - keep)]
        gone = []
        for number, arn, _ in old:
            if arn in in_use:
                continue
            gateway.deregister_task_definition(arn)
            gone.append(f"{new.family}:{number}")
        self._say(args, f"deregistered {', '.join(gone)}" if gone else "no old revisions to deregister")

    # rollback ---------------------------------------------------------------------------------
    @with_argparser(rollback_parser)
    @with_category(CATEGORY)
    def do_rollback(self, args: argparse.Namespace) -> None:
        """Point a service back at its previous ACTIVE revision, or the one named."""
        app = self.app
        names = list(args.names)
        revision: str | None = None
        if names and names[-1].isdigit():
            revision = names.pop()
        cluster, service = self.required(names, ("cluster", "service"), "rollback [CLUSTER] [SERVICE] [REVISION]")
        gateway = app.gateway
        svc = gateway.describe_services(cluster, [service])[0]
        family, current = svc.revision.rsplit(":", 1)
        if revision is not None:
            target = gateway.task_definition(f"{family}:{revision}")
        else:
            older = [r for r in gateway.revisions(family) if r[2] == "ACTIVE" and r[0] < int(current)]
            if not older:
                raise CommandError(f"{svc.revision} has no earlier ACTIVE revision to roll back to")
            target = gateway.task_definition(older[-1][1])
        if target.arn == svc.task_definition_arn:
            raise CommandError(f"{service} already runs {target.label}")
        if not app.confirmed(f"Roll {cluster}/{service} back from {svc.revision} to {target.label}?"):
            app.poutput("cancelled; nothing changed")
            return
        updated = gateway.update_service(cluster, service, task_definition=target.arn)
        primary = updated.primary
        if self._json(args):
            app.show_json({"cluster": cluster, "service": service, "from": svc.revision, "to": target.label,
                           "deployment": primary.id if primary else None})
        else:
            app.poutput(f"{service} in {cluster}: {svc.revision} -> {target.label}; deployment "
                        f"{primary.id if primary else '-'}")
        app.completion.invalidate("services", cluster)
        if self._waiting(args):
            outcome = self._follow(args, cluster, service, primary.id if primary else None,
                                   {e.id for e in updated.events})
            self._finish(args, outcome, f"rollback to {target.label}")

    # scale ------------------------------------------------------------------------------------
    @with_argparser(scale_parser)
    @with_category(CATEGORY)
    def do_scale(self, args: argparse.Namespace) -> None:
        """Set how many tasks a service runs."""
        app = self.app
        names = list(args.names)
        count_text = names.pop()
        if not count_text.isdigit():
            raise CommandError(f"COUNT must be a whole number, not {count_text!r}", 2)
        count = int(count_text)
        cluster, service = self.required(names, ("cluster", "service"), "scale [CLUSTER] [SERVICE] COUNT")
        gateway = app.gateway
        svc = gateway.describe_services(cluster, [service])[0]
        if not app.confirmed(f"Scale {cluster}/{service} from {svc.desired} to {count} tasks?"):
            app.poutput("cancelled; nothing changed")
            return
        gateway.update_service(cluster, service, desired_count=count)
        if self._json(args):
            app.show_json({"cluster": cluster, "service": service, "from": svc.desired, "to": count})
        else:
            app.poutput(f"{service} in {cluster}: desired {svc.desired} -> {count}")
        app.completion.invalidate("services", cluster)
        if self._waiting(args):
            on_progress, on_event, done = self._reporters(args)
            env = app.environment
            try:
                outcome = deploy.follow_scale(gateway, cluster, service, timeout=args.timeout, sleep=env.sleep,
                                              monotonic=env.monotonic, on_progress=on_progress,
                                              on_event=on_event)
            finally:
                done()
            self._finish(args, outcome, f"scale to {count}")

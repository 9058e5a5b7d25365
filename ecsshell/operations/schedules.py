"""Scheduled ECS tasks: list them with their next run, and point one at a new image as `update` does a service."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..model import Revision, ScheduledTask, TaskDefinition, arn_name
from . import OperationError, cron
from .deploy import Plan, deregister_orphan, first_line, plan_update, register_safely

if TYPE_CHECKING:
    from .gateway import Gateway


@dataclass(frozen=True)
class Row:
    """A scheduled task and when it next runs (None: disabled, over, or not to be told, as a rule's rate)."""

    task: ScheduledTask
    next_run: datetime | None


def next_run(task: ScheduledTask, now: datetime) -> datetime | None:
    """Return when TASK next runs after NOW, if it is enabled and that can be told."""
    if task.state != "ENABLED":
        return None
    return cron.next_run(task.expression, now, timezone=task.timezone, start=task.start_date, end=task.end_date,
                         anchor=task.start_date or task.created_at)


def listing(gateway: Gateway, cluster: str | None, now: datetime) -> list[Row]:
    """Return the schedules and rules that run ECS tasks (in CLUSTER), by cluster and name, with next runs."""
    found = sorted(gateway.scheduled_tasks(cluster), key=lambda t: (t.cluster, t.name, t.kind, t.group, t.target_id))
    return [Row(task, next_run(task, now)) for task in found]


def described(task: ScheduledTask) -> str:
    """Return how messages name TASK: `schedule GROUP/NAME` (NAME in the default group) or `rule NAME`."""
    return f"schedule {task.label}" if task.kind == "schedule" else f"rule {task.name}"


def find(gateway: Gateway, ref: str, cluster: str | None = None) -> ScheduledTask:
    """Return the one scheduled task REF names: NAME, GROUP/NAME (a schedule) or rule/NAME (in CLUSTER, if given)."""
    group, _, name = ref.rpartition("/")
    found = [t for t in gateway.scheduled_tasks(None, name)
             if not group or (t.kind == "rule" if group == "rule" else t.kind == "schedule" and t.group == group)]
    if not found:
        known = {t.label: t for t in gateway.scheduled_tasks()}
        close = [label for label, t in known.items()
                 if difflib.get_close_matches(ref, [label, t.name], n=1, cutoff=0.75)][:3]
        hint = f" (did you mean: {', '.join(close)}?)" if close else " (see `schedules`)"
        raise OperationError(f"no schedule or scheduled rule named {ref} runs ECS tasks{hint}")
    labels = sorted({t.label for t in found})
    if len(labels) > 1:
        raise OperationError(f"{ref} names {len(labels)} scheduled tasks ({', '.join(labels)}): name one of them")
    if len(found) > 1:
        ids = ", ".join(t.target_id for t in found)
        raise OperationError(f"rule {name} has {len(found)} ECS targets ({ids}): ecsshell changes a rule with one")
    task = found[0]
    if cluster and cluster not in (task.cluster, task.cluster_arn):
        raise OperationError(f"{described(task)} runs tasks in cluster {task.cluster}, not {cluster}: "
                             "nothing was registered")
    return task


@dataclass(frozen=True)
class Planned:
    """The scheduled task, the revision it runs, and the plan of the next one."""

    task: ScheduledTask
    current: TaskDefinition
    plan: Plan
    listed: Future[list[Revision]] | None = None  # the family's ACTIVE revisions, asked for ahead


def plan_next(gateway: Gateway, ref: str, cluster: str | None, images: dict[str | None, str],
              set_env: list[tuple[str, str, str]], unset_env: list[tuple[str, str]], *, ahead: bool = True) -> Planned:
    """Plan the next revision of the task definition REF's schedule or rule runs (AHEAD: list its family meanwhile)."""
    task = find(gateway, ref, cluster)
    family = arn_name(task.task_definition_arn).rpartition(":")[0]
    listed = gateway.submit(gateway.active_revisions, family) if ahead and family else None
    current = gateway.task_definition(task.task_definition_arn)
    plan = plan_update(current, images, set_env, unset_env)
    return Planned(task, current, plan, listed if current.family == family else None)


@dataclass(frozen=True)
class Retargeted:
    """The registered revision a scheduled task's ECS target now names."""

    task: ScheduledTask  # as it was before
    current: TaskDefinition
    new: TaskDefinition
    plan: Plan




def _reread(gateway: Gateway, task: ScheduledTask) -> tuple[ScheduledTask | None, str]:
    """Return TASK as AWS holds it now, or None and why it could not be read."""
    try:
        again = gateway.reread_scheduled_task(task)
    except Exception as exc:
        return None, first_line(exc)
    return again, "" if again is not None else "it runs no ECS task any more"


def point(gateway: Gateway, task: ScheduledTask, current: TaskDefinition, new: TaskDefinition,
          note: Callable[[str], None]) -> None:
    """Point TASK's ECS target at NEW; on failure leave it on CURRENT (restored if need be) and NEW deregistered."""
    call, what = operation(task), described(task)
    try:
        gateway.retarget_scheduled_task(task, new.arn)
        return
    except Exception as exc:
        error = first_line(exc)
    now, why = _reread(gateway, task)  # an answer lost after the change was made must not orphan a revision in use
    if now is not None and now.task_definition_arn == new.arn:
        note(f"note: {call} reported an error ({error}) but {what} runs {new.label}")
        return
    if now is not None:
        raise OperationError(f"{call} failed, so {what} still runs {now.task_definition}: {error}; "
                             f"{deregister_orphan(gateway, new)}") from None
    try:  # not known where it points: send the target it had again, then the new revision is in no one's way
        gateway.retarget_scheduled_task(task, current.arn)
    except Exception as again:
        raise OperationError(f"{call} failed: {error}; could not check {what} ({why}) nor restore its target "
                             f"({first_line(again)}), so {new.label} stays registered: see `schedules "
                             f"{task.cluster}`") from None
    raise OperationError(f"{call} failed: {error}; could not check {what} ({why}), so its target was restored to "
                         f"{current.label}; {deregister_orphan(gateway, new)}") from None


def after_interrupt(gateway: Gateway, task: ScheduledTask, current: TaskDefinition, new: TaskDefinition) -> str:
    """Leave nothing half done after Ctrl-C between register and retarget; say what AWS holds."""
    what = described(task)
    now, why = _reread(gateway, task)
    if now is None:
        return f"interrupted: could not check {what} ({why}); {new.label} stays registered (see `schedules`)"
    if now.task_definition_arn == new.arn:
        return f"interrupted after {operation(task)} went through: {what} now runs {new.label}"
    return f"interrupted before {operation(task)} completed: {what} still runs {now.task_definition}; " + \
        deregister_orphan(gateway, new)


def retarget(gateway: Gateway, planned: Planned, note: Callable[[str], None]) -> Retargeted:
    """Register PLANNED's revision and point the scheduled task at it; undo the registration on failure or Ctrl-C."""
    registered = register_safely(gateway, planned.plan.spec, say=note, listed=planned.listed)
    new = registered.task_definition
    try:
        if registered.note:
            note(f"note: {registered.note}")
        point(gateway, planned.task, planned.current, new, note)
    except KeyboardInterrupt:
        note(after_interrupt(gateway, planned.task, planned.current, new))
        raise
    return Retargeted(planned.task, planned.current, new, planned.plan)


def operation(task: ScheduledTask) -> str:
    """Return the call that changes TASK's target: UpdateSchedule or PutTargets."""
    return "UpdateSchedule" if task.kind == "schedule" else "PutTargets"

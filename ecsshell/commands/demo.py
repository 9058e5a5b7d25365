"""The guided tour of the demo world."""

from __future__ import annotations

import argparse

from cmd2 import with_argparser, with_category

from .common import EcsCommands
from .plumbing import CommandParser

CATEGORY = "Shell"

TOUR = [
    ("ls", "every cluster in the region, with service and task counts"),
    ("use prod", "select the prod cluster: the prompt shows it, TAB completes its services"),
    ("ls", "prod's services: counts, revisions, images, deployments, target groups"),
    ("ls web", "one service in detail: deployments, tasks, containers (add -v for env and secrets)"),
    ("check payments", "a service whose last deployment failed: check says why and exits 1"),
    ("check legacy", "a service still running tasks of an old revision"),
    ("tasks web", "web's running tasks: short id, revision, status, health (--stopped: why they stopped)"),
    ("why payments", "why payments does not run, from its stopped tasks and events, and what to do next"),
    ("watch -n 1 --count 2 tasks web", "re-run a command that only reads, in place, until Ctrl-C (here: twice)"),
    ("update web :1.4.0", "deploy a new tag; the rollout is followed until it completes"),
    ("ls web -events 5", "the rollout's events"),
    ("taskdefs", "task definition families and their latest revisions"),
    ("taskdefs web latest", "the newest web revision in full"),
    ("register sample_task.json", "register a task definition from a file"),
    ("run migrate --like api --wait", "run a one-off migration with api's network settings; get its exit code"),
    ("logs web", "the service's CloudWatch Logs lines, merged across tasks"),
    ("deployments /releases/storefront", "a blue/green service's deployments: status, stage, revisions"),
    ("continue /releases/storefront --wait --timeout 30m",
     "approve the blue/green deployment paused at its PAUSE hook, and follow its stages to the end"),
    ("trace payments", "the life of payments' latest failed task: pulled, started, its last lines, its exit"),
    ("schedules batch", "the EventBridge schedule and rule that run batch's jobs, and when they next run"),
    ("verify web :1.6.0", "before deploying 1.6.0: its image is in ECR, its secrets, roles and log groups exist "
                          "(`verify notifications` finds one missing)"),
    ("metrics", "CPU and memory of prod's services from CloudWatch, busiest first, with sparklines (`top`: live)"),
    ("ls / --regions all", "the clusters of every Region ECS offers, at once (the demo has two)"),
    ("ls / --profiles env,staging", "the clusters of two accounts in one table (profile staging is another)"),
    ("diff /staging/web web", "how prod's web differs from staging's: task definition, digests, settings"),
    ("promote /staging/web web --dry-run", "ship to prod exactly the digests staging runs (a dry run)"),
]


class DemoCommands(EcsCommands):
    """The tour."""

    DEFAULT_CATEGORY = CATEGORY

    @with_argparser(CommandParser(description="Suggest the next commands to try, in order."))
    @with_category(CATEGORY)
    def do_tour(self, _: argparse.Namespace) -> None:
        """Suggest commands to try, in order (made for `ecsshell --demo`)."""
        from rich.console import Group

        from ..render.wrap import Folded, Numbered

        self.ctx.presenter.show(Group(Folded("A walk through ecsshell (type each command at the prompt):"),
                                      Numbered(TOUR)))

"""Views: model objects drawn as rich renderables, one module per area of ECS."""

from __future__ import annotations

from ecsshell.render.views.checks import check_report, cluster_check
from ecsshell.render.views.clusters import clusters_table
from ecsshell.render.views.diagnose import why_report
from ecsshell.render.views.load_balancers import load_balancers_view
from ecsshell.render.views.service_detail import events_view, service_detail
from ecsshell.render.views.services import services_table
from ecsshell.render.views.taskdefs import families_table, revisions_table, task_definition_view
from ecsshell.render.views.tasks import run_result, task_detail, task_list, tasks_table

__all__ = [
    "check_report",
    "cluster_check",
    "clusters_table",
    "events_view",
    "families_table",
    "load_balancers_view",
    "revisions_table",
    "run_result",
    "service_detail",
    "services_table",
    "task_definition_view",
    "task_detail",
    "task_list",
    "tasks_table",
    "why_report",
]

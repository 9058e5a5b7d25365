"""Turn results and model objects into rich text, JSON documents and highlighted task definitions.

The package owns pure functions only: they take what commands gathered (model objects, query
answers, findings) and return renderables, strings or JSON-ready documents, and do no I/O,
print nothing and read no environment. `widgets` holds the rich building blocks, `views` one
module per area (clusters, services, service detail, task definitions, tasks, load balancers,
checks), `jsonout` the JSON documents, `taskdef` and `diff` highlighted task definitions, `text`
the one conversion of a renderable to a string. The secret rules it applies live in
`ecsshell.secrets`.

It may import `ecsshell.model`, `ecsshell.queries`, `ecsshell.images`, `ecsshell.secrets`, rich,
pygments and the standard library (but none of its modules that do I/O); never `ecsshell.aws`,
`commands`, `shell`, `cli` or `emulator`, nor boto3
(tests/test_layers.py checks).
"""

from __future__ import annotations

from ecsshell.render.diff import diff_renderable, taskdef_diff
from ecsshell.render.jsonout import dumps, service_document, to_jsonable
from ecsshell.render.taskdef import highlighted, task_definition_json
from ecsshell.render.text import to_text
from ecsshell.render.views import (
    check_report,
    clusters_table,
    families_table,
    load_balancers_view,
    revisions_table,
    run_result,
    service_detail,
    services_table,
    task_definition_view,
    tasks_table,
)
from ecsshell.secrets import env_pairs, is_secret_name, mask

__all__ = [
    "check_report",
    "clusters_table",
    "diff_renderable",
    "dumps",
    "env_pairs",
    "families_table",
    "highlighted",
    "is_secret_name",
    "load_balancers_view",
    "mask",
    "revisions_table",
    "run_result",
    "service_detail",
    "service_document",
    "services_table",
    "task_definition_json",
    "task_definition_view",
    "taskdef_diff",
    "tasks_table",
    "to_jsonable",
    "to_text",
]

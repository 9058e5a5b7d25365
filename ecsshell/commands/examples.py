"""Two or three examples per command, shown at the end of `help CMD` and run by the tests against the demo world.

A trailing `# exits N` says the status the example ends with (0 when there is none). The tests run
them in this order in one demo world, so an example that changes ECS leaves it fit for the next.
"""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "ls": ("ls", "ls prod", "ls prod web -events 5"),
    "check": ("check prod web", "check prod payments       # exits 1", "check prod               # exits 1"),
    "use": ("use prod", "use prod web", "use /"),
    "profile": ("profile", "profile env"),
    "region": ("region", "region us-east-1"),
    "refresh": ("refresh",),
    "tasks": ("tasks prod web", "tasks batch", "tasks prod payments --stopped"),
    "why": ("why prod web", "why prod payments         # exits 1", "why prod legacy --output json   # exits 1"),
    "trace": ("trace prod payments", "trace prod web --output json"),
    "exec": ("exec prod web", "exec prod web --container envoy", "exec prod web 'cat /etc/hosts'"),
    "forward": ("forward prod web 8080:80", "forward prod web 6379 --host cache.prod.internal"),
    "logs": ("logs prod web", "logs prod api --since 1h", "logs prod web --container envoy"),
    "taskdefs": ("taskdefs", "taskdefs web", "taskdefs web latest"),
    "register": ("register sample_task.json -y",),
    "run": ("run prod migrate --like api -y", "run prod report --like api --count 2 -y"),
    "update": ("update prod web :1.4.0 --dry-run", "update prod web --container envoy :v1.28.0.0-prod --dry-run",
               "update prod api :2.5.0 --no-wait -y"),
    "rollback": ("rollback prod api --no-wait -y", "rollback prod web 1 --no-wait -y"),
    "scale": ("scale prod api 4 --no-wait -y", "scale staging worker 0 --no-wait -y", "scale prod web --max 12 -y"),
    "stop": ("stop prod nosuchtask --reason 'node drain'   # exits 1",),
    "deployments": ("deployments releases storefront", "deployments prod web --output json"),
    "continue": ("continue prod web -y      # exits 1", "continue releases storefront -y"),
    "watch": ("watch --count 1 ls prod", "watch -n 1 --count 2 tasks prod web"),
    "diff": ("diff staging/web prod/web     # exits 1", "diff prod/api sample_task.json   # exits 1"),
    "promote": ("promote staging/web prod/web --dry-run",),
    "tour": ("tour",),
    "login": ("login dev --no-browser",),
    "whoami": ("whoami", "whoami --output json"),
    "schedules": ("schedules /", "schedules batch", "schedules / --output json"),
    "verify": ("verify prod web :1.6.0", "verify prod notifications # exits 1", "verify prod web --output json"),
    "metrics": ("metrics prod", "metrics prod web --since 1h", "metrics prod --output json"),
    "top": ("top prod --count 1", "top prod -n 30 --count 2"),
}


def examples_text(command: str, width: int | None = None) -> str:
    """Return COMMAND's examples as the closing section of its help, or "": each folded between words to WIDTH."""
    lines = EXAMPLES.get(command)
    if not lines:
        return ""
    from ..render.wrap import fold_rows

    rows = []
    for line in lines:
        example = f"  {line}"
        for lead, start, end in fold_rows(example, width or len(example), 6):  # a folded example: 4 further in
            rows.append(" " * lead + example[start:end] + "\n")
    return "\nExamples:\n" + "".join(rows)

"""Time the services table at scale: 2,000 rows at 80 and 200 columns and to a pipe (no width).

Run: PYTHONPATH=. python tests/benchmarks/bench_render.py [ROWS]
Prints milliseconds per render (best of three) for ecsshell's table and, for comparison, for the
same rows through a plain rich Table folding every cell (what ecsshell drew with before).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ecsshell.model import ContainerDef, Deployment, Service, TaskDefinition
from ecsshell.render.text import to_text
from ecsshell.render.views import services_table
from ecsshell.render.views.services import container_images, deployment_summary, load_balancer_labels

ACCOUNT = "123456789012"
ECR = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
WIDTHS: tuple[int | None, ...] = (80, 200, None)


def world(rows: int) -> tuple[list[Service], dict[str, TaskDefinition]]:
    """Return ROWS services (as the scale world makes them) and their task definitions."""
    services, defs = [], {}
    for i in range(rows):
        name = f"svc-{i:04d}"
        arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{name}:5"
        deployment = Deployment(f"ecs-svc/{i:019d}", "PRIMARY", arn, 1, 1, 0, 0, "COMPLETED", None, T0, T0)
        services.append(Service(name, f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/scale/{name}",
                                f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/scale", "ACTIVE", 1, 1, 0, arn, "EC2",
                                deployments=(deployment,)))
        defs[arn] = TaskDefinition(arn, name, 5, "ACTIVE", (ContainerDef("app", f"{ECR}/{name}:1.5.0"),))
    return services, defs


def rich_table(services: list[Service], defs: dict[str, TaskDefinition]) -> RenderableType:
    """Return the same rows as a rich Table folding every cell (the way ecsshell drew tables before)."""
    table = Table(show_edge=False, pad_edge=False, collapse_padding=True, expand=False, box=None)
    for header in ("service", "status", "desired", "running", "pending", "task definition", "images",
                   "deployments", "load balancers"):
        table.add_column(header, overflow="fold")
    for s in services:
        table.add_row(*(Text(str(v)) for v in (s.name, s.status, s.desired, s.running, s.pending, s.revision,
                                               container_images(defs.get(s.task_definition_arn)),
                                               deployment_summary(s), load_balancer_labels(s) or "-")))
    return Group(Text(f"{len(services)} services"), table)


def best_ms(render: Callable[[], object], repeat: int = 3) -> float:
    """Return the fastest of REPEAT runs of RENDER, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        render()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def measure(rows: int) -> dict[str, dict[str, float]]:
    """Return {variant: {width label: ms}} for ROWS rows."""
    services, defs = world(rows)
    out: dict[str, dict[str, float]] = {"ecsshell": {}, "rich Table": {}}
    for width in WIDTHS:
        label = "pipe" if width is None else f"{width} cols"
        color = width is not None
        out["ecsshell"][label] = best_ms(lambda w=width, c=color: to_text(  # type: ignore[misc]
            services_table("scale", services, defs, total=rows), width=w, color=c))
        out["rich Table"][label] = best_ms(lambda w=width, c=color: to_text(  # type: ignore[misc]
            rich_table(services, defs), width=w, color=c), repeat=1)
    return out


def main(argv: list[str]) -> None:
    rows = int(argv[0]) if argv else 2000
    results = measure(rows)
    labels = list(next(iter(results.values())))
    print(f"services table, {rows} rows, ms (best of runs; terminals in colour)")
    print(f"{'':12}" + "".join(f"{label:>10}" for label in labels))
    for variant, figures in results.items():
        print(f"{variant:12}" + "".join(f"{figures[label]:>10.0f}" for label in labels))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Time the services table at scale: 2,000 rows at 80 and 200 columns and to a pipe (no width).

Run: PYTHONPATH=. python tests/benchmarks/bench_render.py [ROWS]
Prints milliseconds per render (best of three) for ecsshell's table (one line per service, and
`--wide` with whole values) and, for comparison, for the same rows through a plain rich Table
folding every cell (what ecsshell drew with before). Then the
whole way to the screen: the shell's presenter rendering the table and writing it to a terminal (a
pseudo-terminal that `cat` reads away) or to a pipe (/dev/null), once writing through cmd2's rich
console as every line went before, once written directly as the shell does now.
"""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ecsshell.model import ContainerDef, Deployment, Service, TaskDefinition
from ecsshell.presenter import Presenter
from ecsshell.render.jsonout import services_document
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
    out: dict[str, dict[str, float]] = {"ecsshell": {}, "--wide": {}, "rich Table": {}}
    for width in WIDTHS:
        label = "pipe" if width is None else f"{width} cols"
        color = width is not None
        out["ecsshell"][label] = best_ms(lambda w=width, c=color: to_text(  # type: ignore[misc]
            services_table("scale", services, defs, total=rows), width=w, color=c))
        out["--wide"][label] = best_ms(lambda w=width, c=color: to_text(  # type: ignore[misc]
            services_table("scale", services, defs, total=rows, wide=True), width=w, color=c))
        out["rich Table"][label] = best_ms(lambda w=width, c=color: to_text(  # type: ignore[misc]
            rich_table(services, defs), width=w, color=c), repeat=1)
    return out


@contextlib.contextmanager
def terminal() -> Iterator[IO[str]]:
    """Yield the writing end of a pseudo-terminal whose output another process reads away, as a terminal would."""
    master, slave = os.openpty()
    reader = subprocess.Popen(["cat"], stdin=master, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(master)
    try:
        with open(slave, "w", encoding="utf-8") as screen:
            yield screen
    finally:
        reader.terminate()
        reader.wait()


def _show(presenter: Presenter, services: list[Service], defs: dict[str, TaskDefinition]) -> None:
    presenter.show(services_table("scale", services, defs, total=len(services)))


def _show_json(presenter: Presenter, services: list[Service], defs: dict[str, TaskDefinition]) -> None:
    presenter.json(services_document("scale", services, defs, total=len(services)))


def shown(rows: int) -> dict[str, dict[str, float]]:
    """Return {way of writing: {width label: ms}} for the presenter showing ROWS rows, render and write."""
    from ecsshell import lines
    from ecsshell.environment import Environment
    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    services, defs = world(rows)
    out: dict[str, dict[str, float]] = {"through rich": {}, "direct": {}}
    with (tempfile.TemporaryDirectory() as home, terminal() as screen, open(os.devnull, "w") as pipe,
          open(os.devnull) as nothing):
        for width in WIDTHS:
            label = "pipe" if width is None else f"{width} cols"
            env = {"HOME": home, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home, "XDG_STATE_HOME": home,
                   "COLUMNS": str(width or 80), "TERM": "xterm-256color"}
            shell = EcsShell(Environment(stdin=nothing, stdout=screen if width else pipe, stderr=pipe,
                                         env=env, stdout_isatty=width is not None), Options(), interactive=False)
            presenter = shell._make_presenter()
            jobs: dict[str, Callable[[], object]] = {label: functools.partial(_show, presenter, services, defs)}
            if width is None:  # `ls --output json`: the document scripts read, one line a field
                jobs["json"] = functools.partial(_show_json, presenter, services, defs)
            for way in out:
                direct = lines.verbatim
                if way == "through rich":  # what every line did before: cmd2's console decodes and re-encodes
                    lines.verbatim = lambda *_args, **_kwargs: None  # type: ignore[assignment]
                try:
                    for name, job in jobs.items():
                        out[way][name] = best_ms(job)
                finally:
                    lines.verbatim = direct
    return out


def print_figures(title: str, results: dict[str, dict[str, float]]) -> None:
    """Print RESULTS ({row: {column: ms}}) under TITLE, one aligned row each."""
    labels = list(next(iter(results.values())))
    print(title)
    print(f"{'':12}" + "".join(f"{label:>10}" for label in labels))
    for variant, figures in results.items():
        print(f"{variant:12}" + "".join(f"{figures[label]:>10.0f}" for label in labels))


def main(argv: list[str]) -> None:
    rows = int(argv[0]) if argv else 2000
    print_figures(f"services table, {rows} rows, ms (best of runs; terminals in colour)", measure(rows))
    print_figures(f"\nshown by the shell (render and write), {rows} rows, ms (best of runs; json to the pipe)",
                  shown(rows))


if __name__ == "__main__":
    main(sys.argv[1:])

"""ECS Exec: pick the task and container, open the session, and lay out the session-manager-plugin's arguments.

The plugin is called as the AWS CLI's `ecs execute-command` calls it: the session JSON, the region,
"StartSession", the profile name (or ""), the request parameters `{"Target": "ecs:CLUSTER_TASKID_RUNTIMEID"}`,
and the endpoint URL. Plugins newer than 1.2.497.0 read the session JSON from the environment variable
named in its place, which keeps the session token off the process list.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import ExecSession, Service, Task, arn_name
from . import OperationError
from .tasks import service_or_task

if TYPE_CHECKING:
    from .gateway import Gateway

PLUGIN = "session-manager-plugin"
PLUGIN_URL = "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"
DEFAULT_COMMAND = "/bin/sh"
SESSION_ENV = "AWS_SSM_START_SESSION_RESPONSE"
LAST_VERSION_WITHOUT_ENV = (1, 2, 497, 0)


@dataclass(frozen=True)
class ExecTarget:
    """The running task and container an exec opens a shell in."""

    cluster: str
    task: Task
    container: str
    runtime_id: str
    service: str | None = None
    others: tuple[str, ...] = ()  # the task's other containers, for the note that names --container


def _enable_hint(cluster: str, service: str | None, purpose: str = "exec into") -> str:
    if service:
        return (f"turn it on with `aws ecs update-service --cluster {cluster} --service {service} "
                f"--enable-execute-command --force-new-deployment` and {purpose} a new task")
    return "run a new task with `aws ecs run-task --enable-execute-command ...`"


def oldest(_service: Service, tasks: list[Task]) -> Task:
    """Return the running task that started first (exec's choice among a service's tasks)."""
    return sorted(tasks, key=lambda t: (t.started_at is None, t.started_at, t.id))[0]


def pick(gateway: Gateway, cluster: str, name: str, container: str | None,
         choose: Callable[[Service, list[Task]], Task] = oldest, purpose: str = "exec into") -> ExecTarget:
    """Return the task (a running task of service NAME, or task NAME) and container to exec into, or refuse.

    CHOOSE picks among a service's running tasks with ECS Exec on; PURPOSE says what for, in a refusal.
    """
    found = service_or_task(gateway, cluster, name)
    service: str | None = None
    if isinstance(found, Service):
        service = found.name
        if not found.enable_execute_command:
            raise OperationError(f'ECS Exec is off for service "{service}" in cluster "{cluster}": '
                                 f"{_enable_hint(cluster, service, purpose)}")
        running = [t for t in gateway.service_tasks(cluster, service) if t.last_status == "RUNNING"]
        enabled = [t for t in running if t.enable_execute_command]
        if not running:
            fix = f"start one with `scale {cluster} {service} 1`" if not found.desired else \
                f"`why {cluster} {service}` says why"
            raise OperationError(f'service "{service}" in cluster "{cluster}" has no running task to {purpose}: {fix}')
        if not enabled:
            raise OperationError(f'the running tasks of service "{service}" were started before ECS Exec was '
                                 f"turned on: {_enable_hint(cluster, service, purpose)}")
        task = choose(found, enabled)
    else:
        task = found
        group = task.group or ""
        service = group.removeprefix("service:") if group.startswith("service:") else None
        if task.last_status != "RUNNING":
            raise OperationError(f"task {task.id} is {task.last_status}: ECS Exec needs a running task")
        if not task.enable_execute_command:
            raise OperationError(f"task {task.id} was started without ECS Exec (enableExecuteCommand is off): "
                                 f"{_enable_hint(cluster, service, purpose)}")
    names = [c.name for c in task.containers]
    chosen = container or (names[0] if names else "")
    match = next((c for c in task.containers if c.name == chosen), None)
    if match is None:
        raise OperationError(f'task {task.id} has no container "{chosen}" (it has: {", ".join(names)})')
    if not match.runtime_id:
        raise OperationError(f"container {chosen} of task {task.id} has no runtime id yet: try again in a moment")
    return ExecTarget(cluster, task, chosen, match.runtime_id, service, tuple(n for n in names if n != chosen))


def open_session(gateway: Gateway, target: ExecTarget, command: str) -> ExecSession:
    """Call ExecuteCommand (interactive) for TARGET running COMMAND."""
    return gateway.execute_command(target.cluster, target.task.arn, target.container, command)


def version_of(text: str) -> tuple[int, ...]:
    """Return the plugin's `--version` output as numbers (empty when it says none)."""
    numbers = []
    for part in text.strip().split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers)


def plugin_argv(session: Mapping[str, str], request: Mapping[str, Any], *, region: str, profile: str,
                endpoint_url: str, version: str, env: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """Return the session-manager-plugin's argv and environment for SESSION and REQUEST, as the AWS CLI lays them.

    Plugins after LAST_VERSION_WITHOUT_ENV read the session from the environment, never from argv.
    """
    document = json.dumps(dict(session))
    environment = dict(env)
    first = document
    if version_of(version) > LAST_VERSION_WITHOUT_ENV:
        environment[SESSION_ENV] = document
        first = SESSION_ENV
    return [PLUGIN, first, region, "StartSession", profile, json.dumps(dict(request)), endpoint_url], environment


def plugin_call(session: ExecSession, target: ExecTarget, *, region: str, profile: str, endpoint_url: str,
                version: str, env: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """Return the session-manager-plugin's argv and environment for an exec session."""
    request = {"Target": f"ecs:{arn_name(session.cluster_arn)}_{target.task.id}_{target.runtime_id}"}
    return plugin_argv(session.session(), request, region=region, profile=profile, endpoint_url=endpoint_url,
                       version=version, env=env)


# running the plugin -------------------------------------------------------------------------------
FORWARDED = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class PluginEnd:
    """How the session-manager-plugin ended: its return code as subprocess gives it (-N: killed by signal N)."""

    returncode: int

    @property
    def status(self) -> int:
        """Return the exit status a shell would give: the plugin's, or 128 + N when signal N killed it."""
        return 128 - self.returncode if self.returncode < 0 else self.returncode

    def reason(self) -> str:
        """Say in a few words how the plugin ended (for a failure line)."""
        if self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = f"signal {-self.returncode}"
            return f"{PLUGIN} was killed by {name} (exit {self.status})"
        return f"{PLUGIN} exited with status {self.status}"


def _terminal_reaches_it() -> bool:
    """Say whether a Ctrl-C typed at our terminal reaches the plugin by itself (we run in its foreground group)."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError, AttributeError):
        return False


def run_plugin(argv: list[str], env: Mapping[str, str]) -> PluginEnd:
    """Run the plugin to its end; a SIGINT or SIGTERM sent meanwhile is passed on to it, then handled as before.

    The plugin owns the session: SIGTERM ends it, and a SIGINT that did not come from the terminal (where the
    plugin gets Ctrl-C itself) is sent on. When the plugin has ended, the signal goes to the handler that was in
    place (the shell's one interrupt path), so a script or one-shot run stops with 130 or 143.
    """
    if threading.current_thread() is not threading.main_thread():
        return PluginEnd(subprocess.run(argv, env=dict(env), check=False).returncode)
    received: list[int] = []
    child: list[subprocess.Popen[bytes]] = []

    def forward(signum: int, _frame: Any) -> None:
        received.append(signum)
        if child and (signum == signal.SIGTERM or not _terminal_reaches_it()):
            with contextlib.suppress(OSError):
                child[0].send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        child.append(subprocess.Popen(argv, env=dict(env)))
        if received:  # a signal that came before the plugin existed
            forward(received.pop(), None)
        returncode = child[0].wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        signum = signal.SIGTERM if signal.SIGTERM in received else signal.SIGINT
        _deliver(signum, previous[signum])
    return PluginEnd(returncode)


def _deliver(signum: int, handler: Any) -> None:
    """Hand SIGNUM to HANDLER, the one in place before the plugin ran (default: the signal's own action)."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)

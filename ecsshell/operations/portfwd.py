"""Port forwarding through ECS Exec: pick the task, open the SSM session, lay out the session-manager-plugin's call.

The session is opened as `aws ssm start-session` opens it: StartSession with the document
AWS-StartPortForwardingSession (`portNumber`, `localPortNumber`), or with a remote host
AWS-StartPortForwardingSessionToRemoteHost (adds `host`), to the target `ecs:CLUSTER_TASKID_RUNTIMEID`.
The plugin then gets what the AWS CLI gives it: the session JSON (SessionId, TokenValue, StreamUrl), the
region, "StartSession", the profile name (or ""), the request's parameters as JSON, and the SSM endpoint.
Plugins newer than 1.2.497.0 read the session JSON from the environment variable named in its place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..model import PortSession, Service, Task, arn_name
from . import OperationError
from .exec import ExecTarget, pick, plugin_argv

if TYPE_CHECKING:
    from .gateway import Gateway

PORT_DOCUMENT = "AWS-StartPortForwardingSession"
REMOTE_HOST_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"
HEALTH_RANK = {"HEALTHY": 0, "UNHEALTHY": 2}  # anything else (UNKNOWN, none): no health check says otherwise
USAGE = "LOCAL[:REMOTE] takes port numbers from 1 to 65535, e.g. 8080 or 8080:80"


@dataclass(frozen=True)
class Ports:
    """The local port the plugin listens on, and the port it reaches on the task (or the remote host)."""

    local: int
    remote: int


def parse_ports(text: str) -> Ports:
    """Read LOCAL[:REMOTE] (REMOTE defaults to LOCAL); refuse anything else with status 2."""
    local, _, remote = text.partition(":")
    numbers = []
    for part in (local, remote or local):
        if not part.isdigit() or not 1 <= int(part) <= 65535:
            raise OperationError(f"bad port {text!r}: {USAGE}", 2)
        numbers.append(int(part))
    return Ports(numbers[0], numbers[1])


def healthiest(service: Service, tasks: list[Task]) -> Task:
    """Return the running task to forward to: HEALTHY before UNKNOWN before UNHEALTHY, then the newest
    deployment's (the service's task definition), then the latest started."""
    floor = datetime.min.replace(tzinfo=UTC)

    def rank(task: Task) -> tuple[int, int, float, str]:
        started = task.started_at or floor
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        return (HEALTH_RANK.get(task.health or "", 1), task.task_definition_arn != service.task_definition_arn,
                -started.timestamp(), task.id)

    return min(tasks, key=rank)


def choose(gateway: Gateway, cluster: str, name: str, container: str | None) -> ExecTarget:
    """Return the task (the healthiest running task of service NAME, or task NAME) and container to forward to."""
    return pick(gateway, cluster, name, container, healthiest, "forward to")


@dataclass(frozen=True)
class Forward:
    """One port forward asked for: the task and container, the ports, and the remote host (if any)."""

    target: ExecTarget
    ports: Ports
    host: str | None = None

    @property
    def ssm_target(self) -> str:
        cluster = arn_name(self.target.task.cluster_arn or self.target.cluster)
        return f"ecs:{cluster}_{self.target.task.id}_{self.target.runtime_id}"

    @property
    def document(self) -> str:
        return REMOTE_HOST_DOCUMENT if self.host else PORT_DOCUMENT

    def parameters(self) -> dict[str, list[str]]:
        """Return the document's parameters, as StartSession takes them (each a list of strings)."""
        params = {"portNumber": [str(self.ports.remote)], "localPortNumber": [str(self.ports.local)]}
        if self.host:
            params["host"] = [self.host]
        return params

    def request(self) -> dict[str, Any]:
        """Return StartSession's request, as the AWS CLI hands it to the plugin."""
        return {"Target": self.ssm_target, "DocumentName": self.document, "Parameters": self.parameters()}

    def describe(self) -> str:
        """Say in one line where localhost's port leads."""
        task = self.target.task
        health = f", {task.health}" if task.health and task.health != "UNKNOWN" else ""
        through = f"task {task.id} ({task.revision}{health}), container {self.target.container}"
        where = f"{self.host}:{self.ports.remote} through {through}" if self.host else \
            f"port {self.ports.remote} of {through}"
        return f"forwarding localhost:{self.ports.local} to {where} in {self.target.cluster}; Ctrl-C ends it"


def open_session(gateway: Gateway, forward: Forward) -> PortSession:
    """Call StartSession for FORWARD."""
    return gateway.start_session(forward.ssm_target, forward.document, forward.parameters())


def plugin_call(session: PortSession, forward: Forward, *, region: str, profile: str, endpoint_url: str,
                version: str, env: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """Return the session-manager-plugin's argv and environment, laid out as `aws ssm start-session` lays them."""
    return plugin_argv(session.session(), forward.request(), region=region, profile=profile,
                       endpoint_url=endpoint_url, version=version, env=env)

"""ExecuteCommand, which moto lacks: the SSM session ECS Exec opens into a running task's container.

ECS refuses it, as the real service does, for a task started without `enableExecuteCommand`, a task
that is not RUNNING, and an unknown task or container. The session it answers is made up (no
session-manager-plugin can open it) but shaped as ECS's: sessionId, streamUrl and tokenValue.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from moto.core.responses import ActionResult
from moto.ecs import exceptions, responses

NOT_ENABLED = ("The execute command failed because execute command was not enabled when the task was run or the "
               "execute command agent isn\u2019t running. Wait and try again or run a new task with execute command "
               "enabled and try again.")
NOT_INTERACTIVE = "Interactive is the only mode supported currently."


def install() -> None:
    """Give moto's ECS responses an ExecuteCommand action."""
    responses.EC2ContainerServiceResponse.execute_command = _execute_command  # type: ignore[attr-defined]


def _find_task(backend: Any, cluster_name: str, ref: str) -> Any:
    wanted = ref.rsplit("/", 1)[-1]
    for arn, task in backend.tasks.get(cluster_name, {}).items():
        if arn == ref or task.id == wanted:
            return task
    raise exceptions.InvalidParameterException("The referenced task was not found.")


def _execute_command(self: Any) -> ActionResult:
    backend = self.ecs_backend
    cluster = backend._get_cluster(self._get_param("cluster", "default"))
    task = _find_task(backend, cluster.name, str(self._get_param("task") or ""))
    if not self._get_param("interactive"):
        raise exceptions.InvalidParameterException(NOT_INTERACTIVE)
    if task.last_status != "RUNNING" or not getattr(task, "enable_execute_command", False):
        raise exceptions.InvalidParameterException(NOT_ENABLED)
    name = self._get_param("container")
    containers = list(task.containers)
    if name is None and len(containers) > 1:
        raise exceptions.InvalidParameterException(
            "Task has more than one container; a container name must be specified.")
    container = next((c for c in containers if name is None or c.name == name), None)
    if container is None:
        raise exceptions.InvalidParameterException(f"The container {name} was not found in the task.")
    session_id = f"ecs-execute-command-{secrets.token_hex(9)}"
    region = backend.region_name
    session = {
        "sessionId": session_id,
        "streamUrl": f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session_id}"
                     "?role=publish_subscribe&cell-number=AAEAAQ",
        "tokenValue": base64.b64encode(secrets.token_bytes(96)).decode(),
    }
    return ActionResult({"clusterArn": cluster.arn, "containerArn": container.container_arn,
                         "containerName": container.name, "interactive": True, "session": session,
                         "taskArn": task.task_arn})

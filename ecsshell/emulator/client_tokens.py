"""RunTask's clientToken, which moto ignores: a retried RunTask with the same token starts nothing new.

As ECS does (see "Ensuring idempotency" in the ECS API reference): a token belongs to one cluster; the
same token with the same parameters answers the first call's tasks again; the same token with other
parameters is refused with ConflictException naming the tasks already started. A call that failed
before it started anything leaves no token behind.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.ecs import exceptions, responses

CONFLICT = "The clientToken is already associated with a RunTask request that has different parameters."


class ConflictException(exceptions.ECSException):
    """ECS's answer to a token used again with other parameters: the tasks it started name the conflict."""

    code = "ConflictException"

    def __init__(self, task_arns: list[str]) -> None:
        super().__init__(CONFLICT)
        self.resourceIds = task_arns


def install() -> None:
    """Wrap moto's RunTask response (and the shims already on it) with clientToken idempotency, once."""
    original = responses.EC2ContainerServiceResponse.run_task
    if getattr(original, "_ecsshell_tokens", False):
        return

    @functools.wraps(original)
    def run_task(self: Any) -> Any:
        token = self._get_param("clientToken")
        if not token:
            return original(self)
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        params = {k: v for k, v in json.loads(self.body or "{}").items() if k != "clientToken"}
        seen: dict[tuple[str, str], tuple[dict[str, Any], Any]] = backend.__dict__.setdefault("emu_run_tokens", {})
        key = (cluster.arn, str(token))
        if key in seen:
            first_params, answer = seen[key]
            if first_params != params:
                data = answer.result if hasattr(answer, "result") else answer
                raise ConflictException([t.task_arn for t in data.get("tasks") or []])
            return answer
        answer = original(self)
        seen[key] = (params, answer)
        return answer

    run_task._ecsshell_tokens = True  # type: ignore[attr-defined]
    responses.EC2ContainerServiceResponse.run_task = run_task  # type: ignore[method-assign]

"""SSM StartSession, TerminateSession and DescribeSessions, which moto lacks: sessions into ECS tasks.

`forward` (and the AWS CLI's `ssm start-session`) opens a Session Manager session whose target is a
container of a task, `ecs:CLUSTER_TASKID_RUNTIMEID`. As SSM does, StartSession answers TargetNotConnected
when that container does not run the ECS Exec agent (the task is not RUNNING, was started without
enableExecuteCommand, or the runtime id is not the container's), and InvalidDocument for a document that
is not a Session document. The session it answers is made up (no session-manager-plugin can open it)
but shaped as SSM's: SessionId, TokenValue and StreamUrl. Each session is kept in the SSM backend with
the request's Parameters, so a test can read what was asked; DescribeSessions lists them.
"""

from __future__ import annotations

import base64
import importlib.abc
import importlib.machinery
import importlib.util
import secrets
import sys
import types
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ecs.models import ecs_backends

# The Session documents AWS owns that reach into a managed node (or an ECS task) and the parameters each needs.
DOCUMENTS: dict[str, frozenset[str]] = {
    "AWS-StartPortForwardingSession": frozenset(),
    "AWS-StartPortForwardingSessionToRemoteHost": frozenset({"host"}),
    "AWS-StartInteractiveCommand": frozenset({"command"}),
    "AWS-StartSSHSession": frozenset(),
    "SSM-SessionManagerRunShell": frozenset(),
}
OWNER = "arn:aws:iam::{account}:user/emulated"
RESPONSES = "moto.ssm.responses"
_clock: list[Callable[[str], Any]] = []  # region -> the world (its scheduler's emulated clock), given by install


def install(world_for: Callable[[str], Any]) -> None:
    """Give moto's SSM responses the three session actions; WORLD_FOR(region) gives the world whose clock they read.

    moto's SSM is patched when moto first imports it (on the first SSM request): the demo's start never pays it.
    """
    _clock.append(world_for)
    module = sys.modules.get(RESPONSES)
    if module is not None:
        _patch(module)
    elif not any(isinstance(finder, _PatchOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())


def _patch(module: Any) -> None:
    cls = module.SimpleSystemManagerResponse
    cls.start_session = _start_session
    cls.terminate_session = _terminate_session
    cls.describe_sessions = _describe_sessions


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patch moto's SSM responses as they are imported, then step aside."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != RESPONSES:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        loader = spec.loader if spec is not None else None
        if loader is not None:
            run = loader.exec_module

            def exec_module(module: types.ModuleType) -> None:
                run(module)
                _patch(module)

            loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def sessions(backend: Any) -> dict[str, dict[str, Any]]:
    """Return the sessions BACKEND (an SSM backend) has opened, by id, with each request's Parameters."""
    found: dict[str, dict[str, Any]] = backend.__dict__.setdefault("ecsshell_sessions", {})
    return found


def _now(region: str) -> datetime:
    world = _clock[-1](region) if _clock else None
    return world.scheduler.now() if world is not None else datetime.now(UTC)


def _error(code: str, message: str) -> Exception:
    return JsonRESTError(code, message)


def _connected(account: str, region: str, target: str) -> bool:
    """Say whether TARGET (`ecs:CLUSTER_TASKID_RUNTIMEID`) names a running container with the ECS Exec agent."""
    cluster, _, rest = target.removeprefix("ecs:").partition("_")
    task_id, _, runtime_id = rest.partition("_")
    backend = ecs_backends[account][region]
    for task in backend.tasks.get(cluster, {}).values():
        if task.id != task_id or task.last_status != "RUNNING" or not getattr(task, "enable_execute_command", False):
            continue
        return any(getattr(c, "runtime_id", None) == runtime_id for c in task.containers)
    return False


def _start_session(self: Any) -> ActionResult:
    target = str(self._get_param("Target") or "")
    document = self._get_param("DocumentName") or "SSM-SessionManagerRunShell"
    parameters = self._get_param("Parameters") or {}
    if document not in DOCUMENTS:
        raise _error("InvalidDocument", f"Document {document} does not exist or is not a Session document.")
    missing = sorted(DOCUMENTS[document] - set(parameters))
    if missing:
        raise _error("ValidationException", f"Parameter {missing[0]} is required by document {document}.")
    if not target.startswith("ecs:") or not _connected(self.current_account, self.region, target):
        raise _error("TargetNotConnected", f"{target} is not connected.")
    session_id = f"emulated-{secrets.token_hex(9)}"
    sessions(self.ssm_backend)[session_id] = {
        "SessionId": session_id, "Target": target, "Status": "Connected", "StartDate": _now(self.region),
        "DocumentName": document, "Owner": OWNER.format(account=self.current_account),
        "Reason": self._get_param("Reason"), "Parameters": parameters}
    return ActionResult({
        "SessionId": session_id,
        "TokenValue": base64.b64encode(secrets.token_bytes(96)).decode(),
        "StreamUrl": f"wss://ssmmessages.{self.region}.amazonaws.com/v1/data-channel/{session_id}"
                     "?role=publish_subscribe&cell-number=AAEAAQ",
    })


def _terminate_session(self: Any) -> ActionResult:
    session_id = str(self._get_param("SessionId") or "")
    found = sessions(self.ssm_backend).get(session_id)
    if found is not None and found["Status"] != "Terminated":
        found.update(Status="Terminated", EndDate=_now(self.region))
    return ActionResult({"SessionId": session_id})


def _describe_sessions(self: Any) -> ActionResult:
    state = self._get_param("State")
    if state not in ("Active", "History"):
        raise _error("ValidationException", "State must be Active or History.")
    active = state == "Active"
    listed = [{k: v for k, v in s.items() if k != "Parameters" and v is not None}
              for s in sessions(self.ssm_backend).values() if (s["Status"] != "Terminated") == active]
    return ActionResult({"Sessions": listed})

"""Who may do what in the emulated world: actions denied to a principal, and access keys that have expired.

moto's own IAM enforcement is all or nothing for the process (every caller needs a policy for every
call). Tests want one refusal at a time, answered as AWS answers it: AccessDeniedException (JSON
protocols: ECS, logs) or AccessDenied (query protocols: IAM, STS, ELB) naming the principal, the
action and the resource, and ExpiredTokenException / ExpiredToken for keys marked expired.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from .faults import FaultReply

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/")
EXPIRED_MESSAGE = "The security token included in the request is expired"
_QUERY_ERROR = ('<ErrorResponse xmlns="https://{service}.amazonaws.com/doc/"><Error><Type>Sender</Type>'
                "<Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request}</RequestId>"
                "</ErrorResponse>")


@dataclass(frozen=True)
class Request:
    """What the refusal rules look at: the signing key, Region and service, the action and its JSON body."""

    key: str
    region: str
    service: str
    operation: str
    json_protocol: bool
    body: bytes

    @property
    def action(self) -> str:
        return f"{self.service}:{self.operation}"


def request_of(environ: dict[str, Any], operation: str, body: bytes) -> Request | None:
    """Read a SigV4-signed request's key, Region and service (None: not signed)."""
    found = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION") or ""))
    if found is None:
        return None
    return Request(found.group(1), found.group(2), found.group(3), operation,
                   bool(environ.get("HTTP_X_AMZ_TARGET")), body)


class Access:
    """The world's refusals: actions denied (to one principal or to all) and expired access keys."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._denied: dict[str, set[str] | None] = {}  # action -> principal ARNs refused (None: everyone)
        self._expired: set[str] = set()

    def deny(self, *actions: str, principal: str | None = None) -> None:
        """Refuse ACTIONS (ecs:UpdateService, iam:ListAccountAliases) to PRINCIPAL, or to everyone.

        PRINCIPAL is a caller's ARN, or a role's assumed-role ARN without the session name (all its sessions).
        """
        with self._lock:
            for action in actions:
                if principal is None:
                    self._denied[action] = None
                else:
                    known = self._denied.setdefault(action, set())
                    if known is not None:
                        known.add(principal)

    def expire(self, key: str) -> None:
        """Answer every call signed with access key KEY as AWS answers expired credentials."""
        with self._lock:
            self._expired.add(key)

    def clear(self) -> None:
        with self._lock:
            self._denied.clear()
            self._expired.clear()

    def reply_for(self, environ: dict[str, Any], operation: str, body: bytes) -> FaultReply | None:
        """Return the refusal this request gets, or None when it may go on."""
        with self._lock:
            if not self._denied and not self._expired:
                return None
            request = request_of(environ, operation, body)
            if request is None:
                return None
            if request.key in self._expired:
                code = "ExpiredTokenException" if request.json_protocol else "ExpiredToken"
                return _error(request, 400, code, EXPIRED_MESSAGE)
            if request.action not in self._denied:
                return None
            refused = self._denied[request.action]
        principal = caller_arn(environ, request.key, request.region)
        if refused is not None and not any(principal == p or principal.startswith(p + "/") for p in refused):
            return None
        message = (f"User: {principal} is not authorized to perform: {request.action} on resource: "
                   f"{resource_of(request, principal)} because no identity-based policy allows the "
                   f"{request.action} action")
        if request.json_protocol:
            return _error(request, 400, "AccessDeniedException", message)
        return _error(request, 403, "AccessDenied", message)


def _error(request: Request, status: int, code: str, message: str) -> FaultReply:
    if request.json_protocol:
        return FaultReply(status, json.dumps({"__type": code, "message": message}))
    body = _QUERY_ERROR.format(service=request.service, code=code, message=message, request=uuid.uuid4())
    return FaultReply(status, body, "text/xml")


def caller_arn(environ: dict[str, Any], key: str, region: str) -> str:
    """Return the ARN STS GetCallerIdentity gives for KEY (moto's users, assumed roles, else its default)."""
    from moto.iam.models import get_account_id_from  # loaded with the world already
    from moto.sts.models import sts_backends

    account = str(environ.get("HTTP_X_MOTO_ACCOUNT_ID") or "") or get_account_id_from(key)
    return str(sts_backends[account]["aws"].get_caller_identity(key, region)[1])


def resource_of(request: Request, principal: str) -> str:
    """Return the ARN of the ECS resource a call acts on, as AWS names it in a refusal ("*" for a listing)."""
    account = principal.split(":")[4] if principal.count(":") >= 5 else "123456789012"
    try:
        params = json.loads(request.body or b"{}") if request.json_protocol else {}
    except ValueError:
        params = {}
    if not isinstance(params, dict) or request.service != "ecs":
        return "*"
    base = f"arn:aws:ecs:{request.region}:{account}"
    cluster = str(params.get("cluster") or "default").rpartition("/")[2]
    if params.get("service"):
        return f"{base}:service/{cluster}/{str(params['service']).rpartition('/')[2]}"
    if params.get("taskDefinition"):
        return f"{base}:task-definition/{str(params['taskDefinition']).rpartition('/')[2]}"
    if params.get("cluster"):
        return f"{base}:cluster/{cluster}"
    return "*"

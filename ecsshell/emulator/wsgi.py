"""The WSGI layer in front of moto: recording, faults, and ECS paging and batch limits."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol
from urllib.parse import parse_qs

from .faults import THROTTLE_BODY, Faults
from .identity import Access
from .recorder import Recorder
from .schedules import rest_operation
from .throttle import Throttle

ECS_PREFIX = "AmazonEC2ContainerServiceV20141113."

# operation -> (result key, default page size, maximum page size)
PAGED: dict[str, tuple[str, int, int]] = {
    "ListServices": ("serviceArns", 10, 100),
    "ListClusters": ("clusterArns", 100, 100),
    "ListTasks": ("taskArns", 100, 100),
    "ListTaskDefinitions": ("taskDefinitionArns", 100, 100),
    "ListTaskDefinitionFamilies": ("families", 100, 100),
    "ListContainerInstances": ("containerInstanceArns", 100, 100),
}
# operation -> (request key, most names one call may carry)
BATCHED: dict[str, tuple[str, int]] = {
    "DescribeServices": ("services", 10),
    "DescribeTasks": ("tasks", 100),
    "DescribeClusters": ("clusters", 100),
    "DescribeContainerInstances": ("containerInstances", 100),
}

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Handler = Callable[[dict[str, Any]], dict[str, Any]]  # an ECS operation moto lacks: request -> answer
Place = Callable[[str, str], AbstractContextManager[Any]]  # (account, region) -> where `backend()` answers meanwhile


class Shim(Protocol):
    """A service (or a check) answered before moto: it names its operations and serves them, or passes (None)."""

    def operation(self, environ: dict[str, Any]) -> str | None: ...

    def serve(self, operation: str, environ: dict[str, Any], body: bytes,
              start_response: StartResponse) -> Iterable[bytes] | None: ...


CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/")


def caller_of(environ: dict[str, Any]) -> tuple[str, str] | None:
    """Return the (account, region) a SigV4-signed request is for, as moto decides the account."""
    match = CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION") or ""))
    if match is None:
        return None
    from moto.iam.models import get_account_id_from  # start-up time: moto loads when the world starts

    account = str(environ.get("HTTP_X_MOTO_ACCOUNT_ID") or "") or get_account_id_from(match.group(1))
    return account, match.group(2)


class ClientError(Exception):
    """An error answered to the client as ECS would: HTTP 400 with a typed JSON body."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def signed_region(environ: dict[str, Any]) -> str:
    """Return the Region a SigV4 request was signed for (`Credential=KEY/DATE/REGION/SERVICE/...`), or ""."""
    found = CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION") or ""))
    return found.group(2) if found else ""


def operation_of(environ: dict[str, Any], body: bytes) -> str:
    """Name the API operation of a request, for JSON (X-Amz-Target) and query protocols."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    if body and b"Action=" in body:
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return rest_operation(environ) or environ.get("REQUEST_METHOD", "") + " " + environ.get("PATH_INFO", "")


def encode_token(operation: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([operation, offset]).encode()).decode()


def decode_token(operation: str, token: str) -> int:
    try:
        op, offset = json.loads(base64.urlsafe_b64decode(token.encode()))
        if op != operation or not isinstance(offset, int) or offset < 0:
            raise ValueError(token)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ClientError("InvalidParameterException", "Invalid nextToken.") from exc
    return offset


def page_window(operation: str, request: dict[str, Any]) -> tuple[int, int]:
    """Take maxResults and nextToken out of REQUEST for a PAGED operation; return (offset, size)."""
    _, default, most = PAGED[operation]
    size = request.pop("maxResults", None)
    if size is None:
        size = default
    if not isinstance(size, int) or not 1 <= size <= most:
        raise ClientError("InvalidParameterException", f"maxResults must be between 1 and {most}, got {size}.")
    token = request.pop("nextToken", None)
    return (decode_token(operation, token) if token else 0), size


def paged(operation: str, answer: dict[str, Any], window: tuple[int, int]) -> dict[str, Any]:
    """Cut ANSWER (every item of a PAGED operation) to WINDOW's page, with the nextToken of the next one."""
    key = PAGED[operation][0]
    offset, size = window
    items = answer.get(key, [])
    answer[key] = items[offset:offset + size]
    answer.pop("nextToken", None)
    if offset + size < len(items):
        answer["nextToken"] = encode_token(operation, offset + size)
    return answer


class EmulatorApp:
    """Wrap moto's app so that it counts calls, injects faults and pages like ECS."""

    def __init__(self, moto_app: WSGIApp, recorder: Recorder, faults: Faults, lock: Any,
                 throttle: Throttle | None = None, handlers: Mapping[str, Handler] | None = None,
                 place: Place | None = None, shims: Iterable[Shim] = (), access: Access | None = None) -> None:
        self.moto_app = moto_app
        self.shims = tuple(shims)  # services moto lacks, answered first (see sso.py)
        self.access = access  # refusals by principal and expired keys (identity.py)
        self.recorder = recorder
        self.faults = faults
        self.lock = lock
        self.throttle = throttle or Throttle()
        self.handlers = dict(handlers or {})  # ECS operations answered here, not by moto
        self.place = place  # makes the handlers answer for the caller's account and Region

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        operation = next(filter(None, (shim.operation(environ) for shim in self.shims)), None) \
            or operation_of(environ, body)
        self.recorder.begin(operation)
        try:
            for shim in self.shims:
                served = shim.serve(operation, environ, body, start_response)
                if served is not None:
                    return served
            delay = self.faults.delay_for(operation)
            if delay:
                time.sleep(delay)
            refusal = self.access.reply_for(environ, operation, body) if self.access is not None else None
            if refusal is not None:  # AWS checks the credentials and the policy before anything else
                return self._reply(start_response, refusal.status, refusal.body, refusal.content_type)
            if environ.get("HTTP_X_AMZ_TARGET", "").startswith(ECS_PREFIX) and not self.throttle.admit(
                    operation, caller_of(environ) if self.throttle.enabled else None):  # each account and Region
                return self._reply(start_response, 400, THROTTLE_BODY, "application/x-amz-json-1.1")
            json_call = bool(environ.get("HTTP_X_AMZ_TARGET"))  # a denial is answered in JSON: ECS, logs
            fault = self.faults.reply_for(operation, signed_region(environ) if json_call else "")
            if fault is not None and not fault.after_apply:
                return self._reply(start_response, fault.status, fault.body, fault.content_type)
            if fault is not None:  # the change is made, but the caller hears only of a failure
                self._dispatch(environ, lambda *_: None, operation, body)
                return self._reply(start_response, fault.status, fault.body, fault.content_type)
            return self._dispatch(environ, start_response, operation, body)
        finally:
            self.recorder.end()

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse, operation: str,
                  body: bytes) -> list[bytes]:
        """Answer the request through the ECS shims or moto itself."""
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        is_ecs = target.startswith(ECS_PREFIX)
        if target in self.handlers:  # another service's operation answered here, keyed by its whole X-Amz-Target
            return self._handled(environ, start_response, self.handlers[target], body)
        if is_ecs and operation in self.handlers:
            return self._handled(environ, start_response, self.handlers[operation], body)
        if is_ecs and (operation in PAGED or operation in BATCHED):
            return self._ecs_shimmed(environ, start_response, operation, body)
        status, headers, out = self._call_moto(environ, body)
        start_response(status, headers)
        return [out]

    def _call_moto(self, environ: dict[str, Any], body: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
        environ = dict(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        with self.lock:
            chunks = self.moto_app(environ, capture)
            try:
                out = b"".join(chunks)
            finally:
                close = getattr(chunks, "close", None)
                if close:
                    close()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(out))))
        return captured["status"], headers, out

    @staticmethod
    def _reply(start_response: StartResponse, status: int, body: str, content_type: str) -> list[bytes]:
        data = body.encode()
        reason = {400: "Bad Request", 403: "Forbidden", 429: "Too Many Requests", 500: "Internal Server Error",
                  502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")
        start_response(f"{status} {reason}", [("Content-Type", content_type),
                                              ("Content-Length", str(len(data)))])
        return [data]

    def _handled(self, environ: dict[str, Any], start_response: StartResponse, handler: Handler,
                 body: bytes) -> list[bytes]:
        """Answer an ECS operation moto lacks through HANDLER, under the world lock, for the caller's place."""
        try:
            request = json.loads(body or b"{}")
            caller = caller_of(environ) if self.place is not None else None
            with self.lock, (self.place(*caller) if self.place is not None and caller else nullcontext()):
                answer = handler(request)
        except ClientError as err:
            payload = json.dumps({"__type": err.code, "message": err.message})
            return self._reply(start_response, 400, payload, "application/x-amz-json-1.1")
        return self._reply(start_response, 200, json.dumps(answer), "application/x-amz-json-1.1")

    def _ecs_shimmed(self, environ: dict[str, Any], start_response: StartResponse, operation: str,
                     body: bytes) -> list[bytes]:
        try:
            request = json.loads(body or b"{}")
            if operation in BATCHED:
                key, most = BATCHED[operation]
                names = request.get(key) or []
                if len(names) > most:
                    raise ClientError("InvalidParameterException",
                                      f"{key} can have at most {most} items, {len(names)} were given.")
                status, headers, out = self._call_moto(environ, body)
                start_response(status, headers)
                return [out]
            window = page_window(operation, request)  # before moto is asked: a bad token is refused at once
            status, headers, out = self._call_moto(environ, json.dumps(request).encode())
            if not status.startswith("200"):
                start_response(status, headers)
                return [out]
            answer = paged(operation, json.loads(out), window)
            return self._reply(start_response, 200, json.dumps(answer), "application/x-amz-json-1.1")
        except ClientError as err:
            payload = json.dumps({"__type": err.code, "message": err.message})
            return self._reply(start_response, 400, payload, "application/x-amz-json-1.1")


def answer(app: Callable[..., Iterable[bytes]], environ: dict[str, Any],
           write: Callable[[bytes], Any] = lambda _data: None) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call the WSGI APP with ENVIRON; return its status line, headers and whole body (WRITE: WSGI's write())."""
    captured: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers]
        return write

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    status, headers = captured
    return status, headers, body

"""Errors the AWS gateway raises, and the translation of botocore's exceptions into them."""

from __future__ import annotations

import re
from typing import Any

from botocore import exceptions as bx

from ..errors import AwsError, one_line
from ..secrets import MASK, is_secret_name, scrub_text

THROTTLE_CODES = frozenset({
    "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
    "TooManyRequests", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
    "ProvisionedThroughputExceededException", "SlowDown", "PriorRequestNotComplete",
})
DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException",
    "NotAuthorized",
})
BAD_CREDENTIAL_CODES = frozenset({
    "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
    "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure", "MissingAuthenticationToken",
    "IncompleteSignature", "InvalidAccessKeyId", "RequestExpired",
})
NO_CREDENTIALS_HINT = "pass -cred PROFILE, -cred env, or set AWS_PROFILE"
# Parameters whose values botocore must not echo back: they may carry secrets.
_SENSITIVE_PARAMETER = re.compile(r"environment|secret|dockerLabels|command|entryPoint|options|healthCheck"
                                  r"|linuxParameters|repositoryCredentials|tags|overrides", re.IGNORECASE)
_ECHOED_VALUE = ", value: "
_AFTER_VALUE = (", type: ", ", valid ")
_NOT_AWS_BODY = re.compile(r"\s*<|.*</?(?:html|body|head|title)\b", re.IGNORECASE | re.DOTALL)
_NAMED = re.compile(r'(cluster|service|task definition|family|target group|load balancer|log group|task)'
                    r' "([^"]*)"')


class NotFound(AwsError):
    """The cluster, service, task definition or other resource asked for does not exist."""


class ConfigError(AwsError):
    """The profile, credentials, region or endpoint settings are unusable."""


class Throttled(AwsError):
    """AWS kept throttling a call until the retries ran out."""


class AccessDenied(AwsError):
    """The credentials work but lack the permission for a call: ACTION (ecs:UpdateService), refused to PRINCIPAL."""

    def __init__(self, message: str, *, action: str = "", principal: str = "", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.action = action
        self.principal = principal

    def short(self) -> str:
        """Return the refusal in the few words a fan-out row has room for: `denied: ecs:ListClusters`."""
        return f"denied: {self.action}" if self.action else self.message


def _names(context: str) -> dict[str, str]:
    """Return the quoted names in CONTEXT by kind, e.g. {'cluster': 'prod'}."""
    found: dict[str, str] = {}
    for kind, name in _NAMED.findall(context):
        found.setdefault(kind, name)
    return found


def _q(name: str) -> str:
    return f'"{name}"'


def translate(exc: BaseException, operation: str, context: str = "", *, service: str = "ECS",
              retried: bool = True, prefix: str = "") -> AwsError:
    """Return the AwsError that explains EXC, raised by OPERATION on CONTEXT (e.g. 'cluster "prod"').

    PREFIX is the service's IAM action prefix (ecs, elasticloadbalancing, logs): a refusal names the action.
    """
    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, bx.ClientError):
        return _client_error(exc, operation, context, service, retried, prefix)
    if isinstance(exc, bx.BotoCoreError):
        return _botocore_error(exc, operation)
    return AwsError(f"{operation} failed: {type(exc).__name__}: {exc}", operation=operation)


def _client_error(exc: bx.ClientError, operation: str, context: str, service: str, retried: bool,
                  prefix: str) -> AwsError:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error") or {}
    code = str(error.get("Code") or "")
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    raw_message = str(error.get("Message") or "")
    kw: dict[str, Any] = {"operation": operation, "code": code}
    if _is_not_aws_error(code, raw_message, status):  # e.g. a proxy's HTML page: summarised, never pasted
        summary = f"HTTP {status} from the endpoint (an answer that is not AWS's)"
        if status == 429:
            return Throttled(f"AWS throttled {operation} ({summary}) and retries ran out", **kw)
        return AwsError(f"{operation} failed: {summary}" + ("; retries ran out" if status >= 500 else ""), **kw)
    message = one_line(raw_message) or code or "no message"
    names = _names(context)

    if code == "ClusterNotFoundException":
        if "cluster" in names:
            return NotFound(f"cluster {_q(names['cluster'])} not found", **kw)
        return NotFound(f"cluster not found ({operation}: {message})", **kw)
    if code in ("ServiceNotFoundException", "ServiceNotActiveException"):
        what = "not found" if code == "ServiceNotFoundException" else "is not active"
        where = f" in cluster {_q(names['cluster'])}" if "cluster" in names else ""
        if "service" in names:
            return NotFound(f"service {_q(names['service'])} {what}{where}", **kw)
        return NotFound(f"service {what}{where} ({operation}: {message})", **kw)
    if _is_task_definition_missing(code, message):
        if "task definition" in names:
            return NotFound(f"task definition {_q(names['task definition'])} not found", **kw)
        if "family" in names:
            return NotFound(f"task definition family {_q(names['family'])} not found", **kw)
        return NotFound(f"task definition not found ({operation}: {message})", **kw)
    if "task" in names and "referenced task was not found" in message.lower():
        where = f" in cluster {_q(names['cluster'])}" if "cluster" in names else ""
        return NotFound(f"task {_q(names['task'])} not found{where}", **kw)
    ending = "and retries ran out" if retried else "(not retried, as it creates something)"
    if code in THROTTLE_CODES or status == 429:
        return Throttled(f"AWS throttled {operation} ({message}) {ending}", **kw)
    if code in DENIED_CODES or code.startswith("AccessDenied"):
        return denied(message, f"{prefix}:{operation}" if prefix else operation, context, **kw)
    if code in BAD_CREDENTIAL_CODES:
        return ConfigError(f"AWS rejected the credentials on {operation} ({code}: {message})", **kw)
    if "NotFound" in code or code == "ResourceNotFoundException":
        if context:
            return NotFound(f"{context} not found", **kw)
        return NotFound(f"{operation}: {message}", **kw)
    if status >= 500:
        return AwsError(f"AWS failed {operation} with HTTP {status} ({message}) {ending}", **kw)
    return AwsError(f"{service} refused {operation}: {message}", **kw)


# AWS's refusal: "User: ARN is not authorized to perform: ACTION [on resource: RESOURCE] [because ...]".
_REFUSAL = re.compile(r"(?:User: (?P<principal>\S+) )?is not authorized to perform: (?P<action>[\w-]+:\w+)"
                      r"(?: on resource: (?P<resource>\S+))?(?:\s+(?P<why>(?:because|with an explicit deny).*))?",
                      re.IGNORECASE)


def denied(message: str, action_of: str, context: str = "", principal: str = "", **kw: Any) -> AccessDenied:
    """Return the refusal of ACTION_OF (the call's action, prefix:Name) on CONTEXT, naming who was refused.

    The action and principal come from AWS's message when it gives them (the action may be another
    than the call's own: UpdateService needs iam:PassRole), else PRINCIPAL as already known.
    """
    found = _REFUSAL.search(message)
    action, resource, why = action_of, "", ""
    if found:
        principal = found["principal"] or principal
        action, resource = found["action"], found["resource"] or ""
        why = (found["why"] or "").rstrip(". ")
        why = why.removeprefix("because ")
    text = f"not allowed: {action}"
    if principal:
        text += f" for {principal}"
    if action.rpartition(":")[2].lower() != action_of.rpartition(":")[2].lower():
        text += f" (needed by {action_of})"
        if resource and resource != "*":
            text += f" on {resource}"
    elif context:
        text += f" on {context}"
    if why:
        text += f" ({why})"
    elif not found and message and message != kw.get("code"):
        text += f" ({message})"
    return AccessDenied(text, action=action, principal=principal, **kw)


def with_principal(error: AccessDenied, principal: str) -> AccessDenied:
    """Return ERROR naming PRINCIPAL as the one refused (AWS's message did not name it)."""
    if error.principal or not principal:
        return error
    text = error.message.replace(f"not allowed: {error.action}", f"not allowed: {error.action} for {principal}", 1)
    return AccessDenied(text, action=error.action, principal=principal, operation=error.operation,
                        code=error.code, details=error.details)


def _is_not_aws_error(code: str, message: str, status: int) -> bool:
    """Say whether an error answer came from something other than AWS (an HTML page, a proxy's text)."""
    if _NOT_AWS_BODY.match(message[:2000]):
        return True
    return status >= 300 and (not code or code == str(status))  # botocore's code when the body had none


MOST_PROBLEMS_SHOWN = 6
_UNKNOWN = re.compile(r'Unknown parameter in (?P<where>\S+): "(?P<name>[^"]*)", must be one of: (?P<known>.*)')
_WRONG_TYPE = re.compile(r"Invalid type for parameter (?P<where>\S+), value: (?P<value>.*), "
                         r"type: <class '(?P<type>\w+)'>, valid types: (?P<valid>.*)")
_MISSING = re.compile(r'Missing required parameter in (?P<where>\S+): "(?P<name>[^"]*)"')
_TYPE_NAMES = {"int": "an integer", "str": "a string", "bool": "true or false", "list": "a list", "tuple": "a list",
               "dict": "an object", "float": "a number", "NoneType": "null", "datetime": "a date"}


def _problem(line: str) -> str:
    """Return one of botocore's validation lines as a short phrase: where, what is wrong, what ECS wants."""
    import difflib

    found = _UNKNOWN.fullmatch(line)
    if found:
        known = [k.strip() for k in found["known"].split(",")]
        close = difflib.get_close_matches(found["name"], known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f'{found["where"]}: unknown field "{found["name"]}"{hint}'
    found = _WRONG_TYPE.fullmatch(line)
    if found:
        wanted = " or ".join(dict.fromkeys(_TYPE_NAMES.get(t, t) for t in re.findall(r"<class '(\w+)'>",
                                                                                   found["valid"])))
        given = _TYPE_NAMES.get(found["type"], found["type"])
        value = "" if found["type"] == "NoneType" else f"{found['value']} "  # as _hide_echoed_value left it
        return f"{found['where']}: {value}({given}) where ECS wants {wanted}" if value else \
            f"{found['where']}: {given} where ECS wants {wanted}"
    found = _MISSING.fullmatch(line)
    if found:
        return f'{found["where"]}: "{found["name"]}" is missing'
    return line


def _hide_echoed_value(line: str) -> str:
    """Mask the value botocore echoes in a validation line unless it is a short, harmless scalar."""
    head, sep, rest = line.partition(_ECHOED_VALUE)
    if not sep:
        return line
    cut = next((at for at in (rest.rfind(marker) for marker in _AFTER_VALUE) if at >= 0), -1)
    value, tail = (rest[:cut], rest[cut:]) if cut >= 0 else (rest, "")
    parameter = head.rsplit(" ", 1)[-1]
    harmless = (len(value) <= 40 and not value.startswith(("{", "[", "(")) and scrub_text(value) == value
                and not _SENSITIVE_PARAMETER.search(parameter) and not is_secret_name(parameter))
    return f"{head}{sep}{value if harmless else MASK}{tail}"


def _is_task_definition_missing(code: str, message: str) -> bool:
    if code == "TaskDefinitionNotFoundException":
        return True
    squeezed = "".join(message.lower().split())
    return code in ("ClientException", "InvalidParameterException") and (
        "unabletodescribetaskdefinition" in squeezed
        or ("taskdefinition" in squeezed and ("doesnotexist" in squeezed or "notfound" in squeezed)))


def _botocore_error(exc: bx.BotoCoreError, operation: str) -> AwsError:
    kwargs = getattr(exc, "kwargs", {}) or {}
    kw: dict[str, Any] = {"operation": operation, "code": type(exc).__name__}
    if isinstance(exc, bx.NoCredentialsError):
        return ConfigError(f"no AWS credentials found: {NO_CREDENTIALS_HINT}", **kw)
    if isinstance(exc, bx.PartialCredentialsError):
        return ConfigError(f"incomplete AWS credentials from {kwargs.get('provider', 'the environment')}: "
                           f"{kwargs.get('cred_var', 'a value')} is missing", **kw)
    if isinstance(exc, bx.ProfileNotFound):
        return ConfigError(f"AWS profile {_q(str(kwargs.get('profile', '')))} not found in the AWS config "
                           "or credentials files", **kw)
    if isinstance(exc, bx.CredentialRetrievalError):
        return ConfigError(f"cannot get AWS credentials from {kwargs.get('provider', 'the provider')}: "
                           f"{kwargs.get('error_msg', exc)}", **kw)
    if isinstance(exc, (bx.SSOError, bx.TokenRetrievalError, bx.NoAuthTokenError)):
        return ConfigError(f"AWS SSO login needed or expired ({exc}): run `ecsshell login PROFILE`", **kw)
    if isinstance(exc, bx.ConfigParseError):
        return ConfigError(f"cannot parse the AWS config file {kwargs.get('path', '')}: {exc}", **kw)
    if isinstance(exc, bx.NoRegionError):
        return ConfigError("no AWS region set: pass -region REGION or set AWS_REGION", **kw)
    if isinstance(exc, bx.ReadTimeoutError):
        return AwsError(f"AWS did not answer {operation} in time at {kwargs.get('endpoint_url', '?')}", **kw)
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ConnectionClosedError)):
        reason = kwargs.get("error") or type(exc).__name__
        return AwsError(f"cannot reach AWS at {kwargs.get('endpoint_url', '?')}: {reason}", **kw)
    if isinstance(exc, bx.ParamValidationError):
        report = str(kwargs.get("report") or exc).splitlines()
        problems = [_problem(_hide_echoed_value(r.strip())) for r in report if r.strip()
                    and not r.startswith("Parameter validation failed")]
        joined = "; ".join(problems)
        if len(problems) <= 3 and len(joined) <= 160:  # short enough to read on one line
            return AwsError(f"invalid request for {operation}: {joined}", **kw)
        shown = problems[:MOST_PROBLEMS_SHOWN] + ([f"... and {len(problems) - MOST_PROBLEMS_SHOWN} more"]
                                                  if len(problems) > MOST_PROBLEMS_SHOWN else [])
        return AwsError(f"invalid request for {operation}: {len(problems)} problems", details=tuple(shown), **kw)
    if isinstance(exc, (bx.UnknownEndpointError, bx.InvalidEndpointConfigurationError,
                        bx.EndpointResolutionError)):
        return ConfigError(f"bad AWS endpoint or region for {operation}: {exc}", **kw)
    return AwsError(f"{operation} failed: {exc}", **kw)

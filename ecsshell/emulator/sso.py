"""An emulated IAM Identity Center: the SSO OIDC device flow (sso-oidc) and the portal's GetRoleCredentials (sso).

moto has neither. Both are rest-json services whose calls botocore sends unsigned (`smithy.api#noAuth`),
so a request without a SigV4 Authorization header to one of their paths is answered here, before moto.
Answers follow botocore's models: errors carry `x-amzn-ErrorType` and the body AWS sends (`error`,
`error_description` for sso-oidc; `message` for the portal). A device code is approved once it has been
polled `approve_after` times (None: only when the test calls `approve`). GetRoleCredentials assumes the
role in moto's STS, so the keys it gives act in that account as everywhere else in the world.

It also stands in for the MFA device behind `mfa_serial`: STS AssumeRole with a SerialNumber succeeds
only with `mfa_code`, as AWS refuses a wrong one, and each (SerialNumber, TokenCode) is kept in `mfa_calls`.
"""

from __future__ import annotations

import calendar
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

StartResponse = Callable[..., Any]
OIDC_OPERATIONS = {("POST", "/client/register"): "RegisterClient",
                   ("POST", "/device_authorization"): "StartDeviceAuthorization",
                   ("POST", "/token"): "CreateToken"}
PORTAL_OPERATIONS = {("GET", "/federation/credentials"): "GetRoleCredentials"}
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"
DEVICE_EXPIRES_IN = 600  # seconds, as AWS answers
POLL_INTERVAL = 1
TOKEN_EXPIRES_IN = 8 * 3600
CLIENT_SECRET_DAYS = 90
ROLE_SECONDS = 3600
STATUS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized", 403: "403 Forbidden"}


class OidcError(Exception):
    """An sso-oidc or portal error: its type (x-amzn-ErrorType), HTTP status and body."""

    def __init__(self, code: str, status: int, body: dict[str, str]) -> None:
        super().__init__(code)
        self.code, self.status, self.body = code, status, body


def _oidc_error(code: str, error: str, description: str, status: int = 400) -> OidcError:
    return OidcError(code, status, {"error": error, "error_description": description})


@dataclass
class _Device:
    client_id: str
    user_code: str
    expires: float  # on the world's clock
    polls: int = 0
    last_poll: float | None = None
    approved: bool = False


@dataclass
class _Client:
    secret: str
    refresh: bool  # registered with the refresh_token grant (an sso-session's `aws sso login`)
    scopes: list[str] = field(default_factory=list)


class IdentityCenter:
    """The emulated sso-oidc and portal endpoints, and the MFA device; `reset` forgets every client and token."""

    def __init__(self, lock: Any, clock: Callable[[], float], region: str,
                 assume: Callable[[str, str, str], dict[str, Any]]) -> None:
        self.lock = lock
        self.clock = clock  # the world's emulated seconds: polls and expiry count on it
        self.region = region
        self.assume = assume  # (account, role, user) -> moto's assumed role keys
        self._guard = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._guard:
            self.approve_after: int | None = 2
            self.device_expires_in = DEVICE_EXPIRES_IN  # seconds a device code may wait for its approval
            self.user = "alice"
            self.mfa_code = "123456"
            self.mfa_calls: list[tuple[str, str]] = []
            self.clients: dict[str, _Client] = {}
            self.devices: dict[str, _Device] = {}
            self.tokens: dict[str, float] = {}  # access token -> when it expires
            self.refresh_tokens: dict[str, str] = {}  # refresh token -> client id

    def approve(self, user_code: str | None = None) -> int:
        """Approve the device authorizations with USER_CODE (all when None), as a person in the browser does."""
        with self._guard:
            found = [d for d in self.devices.values() if user_code is None or d.user_code == user_code]
            for device in found:
                device.approved = True
            return len(found)

    # the WSGI side ---------------------------------------------------------------------------
    def operation(self, environ: dict[str, Any]) -> str | None:
        """Name the SSO operation an unsigned request is, or None when it is not one of ours."""
        if str(environ.get("HTTP_AUTHORIZATION") or "").startswith("AWS4-"):
            return None
        key = (str(environ.get("REQUEST_METHOD") or ""), str(environ.get("PATH_INFO") or ""))
        return OIDC_OPERATIONS.get(key) or PORTAL_OPERATIONS.get(key)

    def serve(self, operation: str, environ: dict[str, Any], body: bytes,
              start_response: StartResponse) -> Iterable[bytes] | None:
        """Answer OPERATION if it is ours (or an AssumeRole with a wrong MFA code); None lets moto answer."""
        if operation == "AssumeRole":
            return self._check_mfa(body, start_response)
        if operation not in OIDC_OPERATIONS.values() and operation not in PORTAL_OPERATIONS.values():
            return None
        try:
            if operation == "GetRoleCredentials":
                query = {k: v[0] for k, v in parse_qs(str(environ.get("QUERY_STRING") or "")).items()}
                answer = self._role_credentials(query, str(environ.get("HTTP_X_AMZ_SSO_BEARER_TOKEN") or ""))
            else:
                request = json.loads(body or b"{}")
                with self._guard:
                    answer = getattr(self, f"_{operation}")(request)
        except OidcError as err:
            return _reply(start_response, err.status, err.body, err.code)
        except ValueError:
            return _reply(start_response, 400, {"error": "invalid_request", "error_description": "Invalid JSON"},
                          "InvalidRequestException")
        return _reply(start_response, 200, answer)

    # sso-oidc --------------------------------------------------------------------------------
    def _RegisterClient(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("clientType") != "public":
            raise _oidc_error("InvalidClientMetadataException", "invalid_client_metadata",
                              "Invalid client type: only public clients are supported")
        client_id, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(48)
        grants = request.get("grantTypes") or []
        self.clients[client_id] = _Client(secret, REFRESH_GRANT in grants, list(request.get("scopes") or []))
        now = int(time.time())
        return {"clientId": client_id, "clientSecret": secret, "clientIdIssuedAt": now,
                "clientSecretExpiresAt": now + CLIENT_SECRET_DAYS * 86400}

    def _client(self, request: dict[str, Any]) -> _Client:
        client = self.clients.get(str(request.get("clientId")))
        if client is None or client.secret != request.get("clientSecret"):
            raise _oidc_error("InvalidClientException", "invalid_client", "Invalid client credentials", 401)
        return client

    def _StartDeviceAuthorization(self, request: dict[str, Any]) -> dict[str, Any]:
        self._client(request)
        if not str(request.get("startUrl") or "").startswith("https://"):
            raise OidcError("InvalidRequestException", 400, {"error": "invalid_request", "reason": "",
                                                              "error_description": "Invalid start URL"})
        device_code = secrets.token_urlsafe(32)
        letters = "BCDFGHJKLMNPQRSTVWXZ"
        user_code = "".join(secrets.choice(letters) for _ in range(4)) + "-" + \
            "".join(secrets.choice(letters) for _ in range(4))
        self.devices[device_code] = _Device(str(request["clientId"]), user_code, self.clock() + self.device_expires_in)
        uri = f"https://device.sso.{self.region}.amazonaws.com/"
        return {"deviceCode": device_code, "userCode": user_code, "verificationUri": uri,
                "verificationUriComplete": f"{uri}?user_code={user_code}", "expiresIn": self.device_expires_in,
                "interval": POLL_INTERVAL}

    def _CreateToken(self, request: dict[str, Any]) -> dict[str, Any]:
        client = self._client(request)
        grant = request.get("grantType")
        if grant == REFRESH_GRANT:
            owner = self.refresh_tokens.pop(str(request.get("refreshToken")), None)
            if owner != request.get("clientId"):
                raise _oidc_error("InvalidGrantException", "invalid_grant", "Invalid refresh token provided")
            return self._token(client, str(owner))
        if grant != DEVICE_GRANT:
            raise _oidc_error("UnsupportedGrantTypeException", "unsupported_grant_type",
                              f"Unsupported grant type: {grant}")
        device = self.devices.get(str(request.get("deviceCode")))
        if device is None or device.client_id != request.get("clientId"):
            raise _oidc_error("InvalidGrantException", "invalid_grant", "Invalid device code provided")
        now = self.clock()
        if now >= device.expires:
            raise _oidc_error("ExpiredTokenException", "expired_token", "Device code has expired")
        too_soon = device.last_poll is not None and now - device.last_poll < POLL_INTERVAL
        device.last_poll, device.polls = now, device.polls + 1
        if too_soon:
            raise _oidc_error("SlowDownException", "slow_down", "Client is polling too quickly")
        if self.approve_after is not None and device.polls > self.approve_after:
            device.approved = True
        if not device.approved:
            raise _oidc_error("AuthorizationPendingException", "authorization_pending",
                              "Authorization is still pending")
        del self.devices[str(request["deviceCode"])]  # a device code gives one token
        return self._token(client, str(request["clientId"]))

    def _token(self, client: _Client, client_id: str) -> dict[str, Any]:
        token = "aoa" + secrets.token_urlsafe(48)
        self.tokens[token] = self.clock() + TOKEN_EXPIRES_IN
        answer: dict[str, Any] = {"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_EXPIRES_IN}
        if client.refresh:
            refresh = "aorAAAA" + secrets.token_urlsafe(48)
            self.refresh_tokens[refresh] = client_id
            answer["refreshToken"] = refresh
        return answer

    # the portal ------------------------------------------------------------------------------
    def _role_credentials(self, query: dict[str, str], bearer: str) -> dict[str, Any]:
        with self._guard:
            expires = self.tokens.get(bearer)
        if expires is None or self.clock() >= expires:
            raise OidcError("UnauthorizedException", 401, {"message": "Session token not found or invalid"})
        account, role = query.get("account_id", ""), query.get("role_name", "")
        if not (account.isdigit() and len(account) == 12) or not role:
            raise OidcError("InvalidRequestException", 400, {"message": "Invalid request"})
        with self.lock:
            keys = self.assume(account, role, self.user)
        return {"roleCredentials": keys}

    # STS AssumeRole with an MFA code ------------------------------------------------------------
    def _check_mfa(self, body: bytes, start_response: StartResponse) -> Iterable[bytes] | None:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        serial = form.get("SerialNumber")
        if serial is None:
            return None
        code = form.get("TokenCode", "")
        with self._guard:
            self.mfa_calls.append((serial, code))
            right = code == self.mfa_code
        if right:
            return None
        error = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                 '<Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time '
                 'pass code. </Message></Error><RequestId>' + secrets.token_hex(16) + '</RequestId></ErrorResponse>')
        data = error.encode()
        start_response("403 Forbidden", [("Content-Type", "text/xml"), ("Content-Length", str(len(data)))])
        return [data]


def _reply(start_response: StartResponse, status: int, body: dict[str, Any], error: str = "") -> list[bytes]:
    data = json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
               ("x-amzn-RequestId", secrets.token_hex(16))]
    if error:
        headers.append(("x-amzn-ErrorType", error))
    start_response(STATUS.get(status, f"{status} Error"), headers)
    return [data]


def moto_role_keys(account: str, role: str, user: str, region: str) -> dict[str, Any]:
    """Assume role ROLE of ACCOUNT in moto's STS as USER; return the portal's RoleCredentials (expiry in ms)."""
    from moto.sts.models import sts_backends  # start-up time: moto loads when the world starts

    arn = f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_{role}_0123456789abcdef"
    assumed = sts_backends[account]["aws"].assume_role(region, user, arn, "", ROLE_SECONDS, "")
    return {"accessKeyId": assumed.access_key_id, "secretAccessKey": assumed.secret_access_key,
            "sessionToken": assumed.session_token,
            "expiration": calendar.timegm(assumed.expiration.utctimetuple()) * 1000}

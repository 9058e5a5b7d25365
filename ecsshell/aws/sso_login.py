"""Sign in to an SSO profile by the OIDC device flow against sso-oidc, and save the token where botocore reads it.

The cache file has the keys botocore's SSOTokenLoader and SSOTokenProvider read: startUrl, region,
accessToken, expiresAt (UTC, "Z"), and for an sso-session the client registration (clientId,
clientSecret, registrationExpiresAt) and the refreshToken, so that botocore can refresh it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore import UNSIGNED
from botocore import exceptions as bx
from botocore.config import Config

from ..operations.login import DeviceAuthorization
from ..private_files import write_private
from .errors import AwsError, ConfigError, translate
from .sso import cache_dir, dumps, quoted

CLIENT_NAME = "ecsshell"
DEFAULT_SCOPES = ("sso:account:access",)  # what `aws configure sso` writes when none are given
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"


@dataclass(frozen=True)
class SsoProfile:
    """An SSO profile's settings, from the profile or its [sso-session NAME] section."""

    profile: str
    start_url: str
    region: str
    session_name: str | None  # None for the older form (sso_start_url in the profile itself)
    scopes: tuple[str, ...]

    @property
    def cache_key(self) -> str:
        """Return the token cache's key: the sha1 of the session name, or of the start URL (botocore's)."""
        return hashlib.sha1((self.session_name or self.start_url).encode("utf-8")).hexdigest()

    def cache_path(self, env: Mapping[str, str]) -> Path:
        return cache_dir(env) / f"{self.cache_key}.json"


def sso_profile(profile: str, full_config: Mapping[str, Any]) -> SsoProfile:
    """Return PROFILE's SSO settings from botocore's FULL_CONFIG; ConfigError when it is not an SSO profile."""
    section = (full_config.get("profiles") or {}).get(profile)
    if section is None:
        raise ConfigError(f"AWS profile {quoted(profile)} not found in the AWS config or credentials files")
    session_name = section.get("sso_session")
    if session_name is not None:
        session = (full_config.get("sso_sessions") or {}).get(session_name)
        if session is None:
            raise ConfigError(f"profile {quoted(profile)} names sso_session {quoted(session_name)}, but the "
                              f"AWS config file has no [sso-session {quoted(session_name)}] section")
        settings = {**section, **session}
        scopes = tuple(s.strip() for s in str(session.get("sso_registration_scopes") or "").split(",") if s.strip())
    else:
        settings, scopes = dict(section), ()
    missing = [key for key in ("sso_start_url", "sso_region") if not settings.get(key)]
    if missing:
        if session_name is None and "sso_start_url" not in section:
            raise ConfigError(f"profile {quoted(profile)} is not an SSO profile (it has neither sso_session "
                              "nor sso_start_url)")
        raise ConfigError(f"SSO profile {quoted(profile)} lacks {' and '.join(missing)}")
    return SsoProfile(profile, str(settings["sso_start_url"]), str(settings["sso_region"]), session_name,
                      scopes or (DEFAULT_SCOPES if session_name is not None else ()))


class OidcAuthorizer:
    """The device flow against sso-oidc for one SSO profile; `poll` writes the token cache when approved."""

    def __init__(self, sso: SsoProfile, client: Any, env: Mapping[str, str]) -> None:
        self.sso = sso
        self.client = client
        self.env = env
        self.registration: dict[str, Any] = {}
        self.saved: Path | None = None

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        try:
            return dict(getattr(self.client, method)(**params))
        except (bx.BotoCoreError, bx.ClientError) as exc:
            raise translate(exc, method, service="SSO OIDC") from exc

    def start(self) -> DeviceAuthorization:
        """Register a public client (with the session's scopes) and start a device authorization."""
        extra: dict[str, Any] = {}
        if self.sso.session_name is not None:  # a token that can be refreshed, as `aws sso login` asks for
            extra = {"scopes": list(self.sso.scopes), "grantTypes": [DEVICE_GRANT, REFRESH_GRANT]}
        name = f"{CLIENT_NAME}-{self.sso.session_name}" if self.sso.session_name else CLIENT_NAME
        self.registration = self._call("register_client", clientName=name, clientType="public", **extra)
        answer = self._call("start_device_authorization", clientId=self.registration["clientId"],
                            clientSecret=self.registration["clientSecret"], startUrl=self.sso.start_url)
        uri = str(answer.get("verificationUri") or "")
        return DeviceAuthorization(verification_uri=uri,
                                   verification_uri_complete=str(answer.get("verificationUriComplete") or uri),
                                   user_code=str(answer.get("userCode") or ""),
                                   device_code=str(answer["deviceCode"]), interval=int(answer.get("interval") or 5),
                                   expires_in=int(answer.get("expiresIn") or 600))

    def poll(self, authorization: DeviceAuthorization) -> str:
        """Ask once for the token: "pending", "slow_down", or "done" once it is written to the cache."""
        try:
            token = self.client.create_token(grantType=DEVICE_GRANT, deviceCode=authorization.device_code,
                                             clientId=self.registration["clientId"],
                                             clientSecret=self.registration["clientSecret"])
        except bx.ClientError as exc:
            code = str((exc.response.get("Error") or {}).get("Code") or "")
            if code == "AuthorizationPendingException":
                return "pending"
            if code == "SlowDownException":
                return "slow_down"
            if code == "ExpiredTokenException":
                raise AwsError(f"the sign-in code {authorization.user_code} expired before it was approved: "
                               "run login again", code=code) from None
            if code == "AccessDeniedException":
                raise AwsError(f"the sign-in with code {authorization.user_code} was refused", code=code) from None
            raise translate(exc, "CreateToken", service="SSO OIDC") from exc
        except bx.BotoCoreError as exc:
            raise translate(exc, "CreateToken", service="SSO OIDC") from exc
        self.saved = self.save(dict(token))
        return "done"

    def save(self, token: Mapping[str, Any]) -> Path:
        """Write TOKEN to the cache file botocore reads (0600 in a 0700 folder); return its path."""
        now = datetime.now(UTC)  # botocore and the AWS CLI read expiresAt against the real clock
        entry: dict[str, Any] = {"startUrl": self.sso.start_url, "region": self.sso.region,
                                 "accessToken": token["accessToken"],
                                 "expiresAt": now + timedelta(seconds=int(token.get("expiresIn") or 3600))}
        if self.sso.session_name is not None:
            entry["clientId"] = self.registration["clientId"]
            entry["clientSecret"] = self.registration["clientSecret"]
            expires = self.registration.get("clientSecretExpiresAt")
            entry["registrationExpiresAt"] = (datetime.fromtimestamp(int(expires), UTC) if expires
                                              else now + timedelta(days=90))
            if token.get("refreshToken"):
                entry["refreshToken"] = token["refreshToken"]
        path = self.sso.cache_path(self.env)
        write_private(path, dumps(entry))
        return path


def oidc_config(sso: SsoProfile) -> Config:
    """Return the sso-oidc client's settings: the SSO Region, unsigned calls, one attempt for CreateToken's polls."""
    return Config(region_name=sso.region, signature_version=UNSIGNED,
                  retries={"mode": "standard", "total_max_attempts": 1})


def load_profile(core: Any, profile: str) -> SsoProfile:
    """Return PROFILE's SSO settings from the AWS config files botocore session CORE reads."""
    try:
        config = core.full_config
    except bx.BotoCoreError as exc:
        raise translate(exc, "reading the AWS config files") from exc
    return sso_profile(profile, config)


def authorizer(core: Any, sso: SsoProfile, endpoint: str | None, env: Mapping[str, str]) -> OidcAuthorizer:
    """Return the device flow for SSO against sso-oidc in its Region (at ENDPOINT when one is configured)."""
    try:
        client = core.create_client("sso-oidc", region_name=sso.region, endpoint_url=endpoint,
                                    config=oidc_config(sso))
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, "creating the sso-oidc client") from exc
    return OidcAuthorizer(sso, client, env)

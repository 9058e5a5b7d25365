"""Where a profile's credentials come from, when they expire, and what to say when they fail or expire."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore import exceptions as bx

from ..errors import AwsError
from ..plain import quoted
from .errors import BAD_CREDENTIAL_CODES, ConfigError, translate

PROCESS = "custom-process"
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
STILL_EXPIRED = "refreshed credentials are still expired"  # botocore's RuntimeError when a refresh gives stale ones
# botocore's credential provider METHOD -> what whoami calls it
SOURCES = {
    "env": "environment variables", "explicit": "environment variables (-cred env)",
    "shared-credentials-file": "shared credentials file", "config-file": "config file",
    "ec2-credentials-file": "EC2 credentials file", "boto-config": "boto config file",
    "sso": "SSO", "custom-process": "credential process", "assume-role": "assume role",
    "assume-role-with-web-identity": "web identity", "container-role": "container (task role)",
    "iam-role": "instance metadata (instance role)", "login": "aws login",
}


@dataclass(frozen=True)
class Source:
    """Where the credentials came from: botocore's METHOD, described, and when they expire (None: never or unknown)."""

    method: str
    description: str
    expires: datetime | None
    refreshable: bool
    temporary: bool


def profile_config(core: Any, profile: str) -> Mapping[str, Any]:
    """Return PROFILE's section of the AWS config files ({} when there is none or they cannot be read)."""
    try:
        return dict(core.full_config.get("profiles", {}).get(profile) or {})
    except bx.BotoCoreError:
        return {}


def source_of(credentials: Any, config: Mapping[str, Any]) -> Source:
    """Describe CREDENTIALS (botocore's, loaded) of a profile whose config section is CONFIG."""
    method = str(getattr(credentials, "method", "") or "")
    text = SOURCES.get(method, method or "unknown")
    if method == "assume-role":
        origin = (f"source profile {quoted(str(config['source_profile']))}" if config.get("source_profile")
                  else f"credential source {config.get('credential_source', '?')}")
        text += f" {config.get('role_arn', '')} ({origin})"
    elif method == PROCESS and config.get("credential_process"):
        text += f" ({config['credential_process']})"
    elif method == "sso":
        text += f" ({config.get('sso_session') or config.get('sso_start_url') or 'IAM Identity Center'})"
    # botocore keeps a refreshable credential's expiry private; it is read, never changed
    expires = getattr(credentials, "_expiry_time", None)
    refreshable = callable(getattr(credentials, "refresh_needed", None))
    frozen = getattr(credentials, "_frozen_credentials", None) or credentials  # read without a refresh
    return Source(method, text, expires if isinstance(expires, datetime) else None, refreshable,
                  bool(getattr(frozen, "token", None)))


def access_key(credentials: Any) -> str | None:
    """Return the access key id CREDENTIALS hold now, without refreshing them (None: no credentials)."""
    frozen = getattr(credentials, "_frozen_credentials", None) or credentials  # botocore's, read only
    return getattr(frozen, "access_key", None)


def expiry_text(source: Source) -> str:
    """Say when the credentials expire: a UTC time, never (static keys), or unknown."""
    if source.expires is not None:
        return f"{source.expires.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    if source.temporary:
        return "unknown (temporary keys with no expiry given)"
    return "never (static keys)"


def is_expired_answer(exc: BaseException) -> bool:
    """Say whether EXC is AWS's refusal of expired credentials, or botocore's of a refresh that gave stale ones."""
    if isinstance(exc, bx.ClientError):
        return str((exc.response.get("Error") or {}).get("Code") or "") in EXPIRED_CODES
    return isinstance(exc, RuntimeError) and STILL_EXPIRED in str(exc)


def _refresh_hint(method: str, profile: str, config: Mapping[str, Any]) -> str:
    """Say how the user gets fresh credentials of this kind."""
    name = quoted(profile)
    if method in ("shared-credentials-file", "config-file"):
        return f"put fresh keys in profile {name}'s section of the AWS credentials file"
    if method == "sso":
        return f"run `ecsshell login {profile}`" if profile.isprintable() and " " not in profile else \
            f"run `ecsshell login` for profile {name}"
    if method == PROCESS:
        return f"check its credential process ({config.get('credential_process', '?')}), which gave expired ones"
    if method == "assume-role" and config.get("source_profile"):
        return f"refresh the credentials of its source profile {quoted(str(config['source_profile']))}"
    return "refresh them where they come from"


def expired(profile: str, source: Source | None, config: Mapping[str, Any], exc: BaseException,
            operation: str) -> ConfigError:
    """Return the one line for credentials AWS (or botocore) found expired: which, when, and what to do."""
    method = source.method if source else ""
    when = f" at {expiry_text(source)}" if source and source.expires else ""
    if method in ("env", "explicit"):  # nothing to refresh in a running process: its environment is fixed
        return ConfigError(f"the credentials from the environment variables expired{when}: export fresh "
                           "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN and start ecsshell "
                           "again", operation=operation, code="ExpiredToken")
    kind = f" ({SOURCES.get(method, method)})" if method else ""
    return ConfigError(f"credentials for profile {quoted(profile)}{kind} expired{when}: "
                       f"{_refresh_hint(method, profile, config)}, and run the command again",
                       operation=operation, code="ExpiredToken")


def credential_error(exc: BaseException, operation: str, profile: str, source: Source | None,
                     config: Mapping[str, Any]) -> AwsError | None:
    """Return the line that explains a credential failure of PROFILE (None: EXC is no such failure)."""
    if is_expired_answer(exc):
        return expired(profile, source, config, exc, operation)
    if isinstance(exc, bx.CredentialRetrievalError):
        kwargs = getattr(exc, "kwargs", {}) or {}
        lines = [line.strip() for line in str(kwargs.get("error_msg") or "").splitlines() if line.strip()]
        said = lines[-1] if lines else "no message"  # a traceback's last line says what went wrong
        what = "its credential process failed" if kwargs.get("provider") == PROCESS else \
            f"getting credentials from {kwargs.get('provider', 'its provider')} failed"
        return ConfigError(f"profile {quoted(profile)}: {what}: {said}", operation=operation,
                           code="CredentialRetrievalError")
    if isinstance(exc, bx.ClientError):
        code = str((exc.response.get("Error") or {}).get("Code") or "")
        if code in BAD_CREDENTIAL_CODES:
            error = translate(exc, operation)
            return ConfigError(f"profile {quoted(profile)}: {error}", operation=operation, code=code)
    return None


class CheckedProcess:
    """A credential process botocore runs whose failures all end as its CredentialRetrievalError.

    botocore turns a non-zero exit into that error with the process's stderr; a process that cannot
    start, or prints no JSON, would raise an OSError or a JSON error instead. Those become an exit
    status of 1 with a message on stderr, and an exit with nothing on stderr says its status.
    """

    def __init__(self, args: list[str], **kwargs: Any) -> None:
        self.returncode: int | None = None
        self._failure = ""
        self._process: subprocess.Popen[bytes] | None = None
        try:
            self._process = subprocess.Popen(args, **kwargs)
        except OSError as exc:
            self._failure = f"cannot run {args[0] if args else 'it'}: {exc.strerror or exc}"

    def communicate(self, *args: Any, **kwargs: Any) -> tuple[bytes, bytes]:
        if self._process is None:
            self.returncode = 1
            return b"", self._failure.encode()
        out, err = self._process.communicate(*args, **kwargs)
        self.returncode = self._process.returncode
        if self.returncode != 0 and not (err or b"").strip():
            err = f"it exited with status {self.returncode} and wrote nothing on stderr".encode()
        elif self.returncode == 0:
            try:
                json.loads(out or b"")
            except ValueError:
                self.returncode, err = 1, b"it printed no JSON credentials on stdout"
        return out or b"", err or b""

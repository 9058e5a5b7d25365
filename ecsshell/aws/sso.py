"""SSO (IAM Identity Center) profiles in a session: botocore reads the token cache ecsshell's HOME points at,
and a missing or expired token is one line saying to run `login`.

The token cache is the AWS CLI's: `~/.aws/sso/cache/<sha1 of the sso-session name, or of the start URL
for the older form>.json`. botocore fixes that folder when it is imported (from os.environ's HOME);
ecsshell reads HOME from its own environment, so `bind` points a session's SSO providers at the folder
`login` (sso_login.py) writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore import UNSIGNED
from botocore import exceptions as bx
from botocore.config import Config
from botocore.credentials import SSOProvider
from botocore.tokens import SSOTokenProvider
from botocore.utils import JSONFileCache

from .errors import ConfigError

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # botocore's and the AWS CLI's, always UTC


class LoginNeeded(ConfigError):
    """An SSO profile's token is missing or expired: `login PROFILE` gets a new one."""

    def __init__(self, profile: str, state: str) -> None:
        name = quoted(profile)
        super().__init__(f"SSO login for profile {name} {state}: run ecsshell login {name}", code="SSOLogin")
        self.profile = profile


def quoted(name: str) -> str:
    """Return NAME fit for a message and a command line: escapes for what is not printable, shell quoting."""
    import shlex

    return shlex.quote("".join(c if c.isprintable() else repr(c)[1:-1] for c in name))


def cache_dir(env: Mapping[str, str]) -> Path:
    """Return the folder of SSO tokens botocore and the AWS CLI read, under ENV's HOME."""
    return Path(env.get("HOME") or Path.home()) / ".aws" / "sso" / "cache"


def dumps(value: Any) -> str:
    """Return VALUE as the token cache's JSON: dates as botocore writes them (UTC, "Z")."""
    return json.dumps(value, default=lambda o: o.strftime(TIME_FORMAT) if isinstance(o, datetime) else o)


class _TokenProvider(SSOTokenProvider):
    """botocore's SSO token provider, whose refresh goes where the session's other clients go."""

    def __init__(self, session: Any, cache: JSONFileCache, profile_name: str,
                 client_creator: Callable[..., Any]) -> None:
        super().__init__(session, cache=cache, profile_name=profile_name)
        self._create = client_creator

    @property
    def _client(self) -> Any:  # botocore's is a cached property, made by the session itself
        private: Any = self
        config = Config(region_name=private._sso_config["sso_region"], signature_version=UNSIGNED)
        return self._create("sso-oidc", config=config)


def bind(provider: SSOProvider, session: Any, env: Mapping[str, str]) -> None:
    """Make PROVIDER read the token cache under ENV's HOME, and explain a missing or expired token in one line."""
    private: Any = provider  # its token cache, token provider and profile are private, and not in the stubs
    cache = JSONFileCache(str(cache_dir(env)), dumps_func=dumps)
    profile = str(private._profile_name)
    private._token_cache = cache
    private._token_provider = _TokenProvider(session, cache, profile, private._client_creator)
    load = provider.load

    def load_explained() -> Any:
        credentials: Any = load()
        if credentials is not None:  # botocore's DeferredRefreshableCredentials: fetched on first use
            credentials._refresh_using = explained(credentials._refresh_using, profile)
        return credentials

    private.load = load_explained


def explained(fetch: Callable[[], Any], profile: str) -> Callable[[], Any]:
    """Wrap FETCH so that botocore's SSO token errors become LoginNeeded for PROFILE."""
    def fetch_explained() -> Any:
        try:
            return fetch()
        except bx.SSOTokenLoadError:
            raise LoginNeeded(profile, "missing") from None
        except (bx.UnauthorizedSSOTokenError, bx.TokenRetrievalError):
            raise LoginNeeded(profile, "expired") from None

    return fetch_explained


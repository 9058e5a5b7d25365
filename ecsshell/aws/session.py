"""Build the AWS session ecsshell uses: profile, credentials, region and endpoint rules."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.loaders
import botocore.session
from botocore import exceptions as bx
from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES, ConfigChainFactory
from botocore.credentials import (
    AssumeRoleProvider,
    AssumeRoleWithWebIdentityProvider,
    ContainerProvider,
    EnvProvider,
    ProcessProvider,
    SSOProvider,
)

from ..endpoints import ENV_PROFILE, configured_endpoint
from ..plain import quoted, visible
from . import mfa, sso
from .credentials import CheckedProcess
from .errors import ConfigError, translate

DEFAULT_REGION = "us-west-2"  # ecsman's default, kept for compatibility
KEY_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
MOST_PROFILES_LISTED = 10

# The one process-wide cache left in aws/, on purpose: a botocore loader holds only the service models
# and endpoint data read from botocore's own files, the same for every session, profile and endpoint,
# so sharing it changes no answer; building one per session would re-read those JSON files each time.
_loader: list[botocore.loaders.Loader] = []
_loader_lock = threading.Lock()


@dataclass
class Settings:
    """What the user chose on the command line (or in the shell) about reaching AWS."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    retry_mode: str = "adaptive"  # botocore slows its own sends when ECS throttles, instead of only backing off
    max_attempts: int = 5
    max_workers: int = 16
    profile_source: str = "from -cred"  # how the profile was named, for messages (a target: its path or --profiles)
    prompter: Callable[[str], str] | None = None  # asks for an MFA code (the shell's masked input); None: refuse
    role_cache: dict[str, Any] | None = None  # assumed roles' credentials, kept for the shell's session


class Session:
    """A botocore session bound to a Region: what ecsshell used of boto3.Session, without importing boto3.

    boto3 adds resources and S3 transfers, which ecsshell never uses, and importing it (s3transfer
    with it) costs about 20 ms of every one-shot run's start-up.
    """

    def __init__(self, core: botocore.session.Session, region: str) -> None:
        core.set_config_variable("region", region)
        self.core = core
        self.region_name = region

    def client(self, name: str, **kwargs: Any) -> Any:
        """Return a new botocore client for service NAME (region_name defaults to the session's)."""
        kwargs.setdefault("region_name", self.region_name)
        client = self.core.create_client(name, **kwargs)
        mfa.unlock(self.core)  # a role needing an MFA code asks for it now, in the main thread
        return client

    def get_credentials(self) -> Any:
        """Return the credentials botocore's chain finds, or None."""
        return self.core.get_credentials()

    def in_region(self, region: str) -> Session:
        """Return a Session on the same botocore session (one set of credentials), whose clients go to REGION."""
        bound = object.__new__(Session)
        bound.core, bound.region_name = self.core, region
        return bound


def botocore_session(env: Mapping[str, str]) -> botocore.session.Session:
    """Return a botocore session whose settings and credentials come from ENV, not os.environ."""
    from .hooks import install

    install()  # botocore's event setup, cheaper for every session and client (hooks.py)
    environ = dict(env)
    session = botocore.session.Session()
    if not environ.get("AWS_DATA_PATH"):
        session.register_component("data_loader", _shared_loader())
    chain = ConfigChainFactory(session=session, environ=environ)
    store = session.get_component("config_store")
    for name, (config_name, env_names, default, convert) in BOTOCORE_DEFAUT_SESSION_VARIABLES.items():
        store.set_config_provider(name, chain.create_config_chain(
            instance_name=name, env_var_names=env_names, config_property_names=config_name,
            default=default, conversion_func=convert))
    return session


class ModelLoader(botocore.loaders.Loader):
    """botocore's loader, less its look into every service's folder before it loads one model.

    botocore lists the ~450 services it ships (some 900 directory reads, about 20 ms of every one-shot
    run) only to check that the one asked for is among them; that service's own folder answers as well.
    The rest is botocore's `load_service_model`, through the loader's public methods.
    """

    @botocore.loaders.instance_cache
    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        """Load SERVICE_NAME's TYPE_NAME model (the latest API version unless given), with its extras."""
        if not self.offers(service_name, type_name):
            return super().load_service_model(service_name, type_name, api_version)  # botocore's own error
        if api_version is None:
            api_version = self.determine_latest_version(service_name, type_name)
        model = self.load_data(os.path.join(service_name, api_version, type_name))
        extras = []
        for kind in self.extras_types:
            with contextlib.suppress(bx.DataNotFoundError):  # most models have none
                extras.append(self.load_data(os.path.join(service_name, api_version, f"{type_name}.{kind}-extras")))
        botocore.loaders.ExtrasProcessor().process(model, extras)
        return model

    def offers(self, service_name: str, type_name: str) -> bool:
        """Say whether a search path has a TYPE_NAME file for SERVICE_NAME (botocore's test, for one service)."""
        for location in self.search_paths:
            folder = os.path.join(location, service_name)
            if os.path.isdir(folder) and any(self.file_loader.exists(os.path.join(folder, version, type_name))
                                             for version in os.listdir(folder)):
                return True
        return False


def _shared_loader() -> botocore.loaders.Loader:
    """Return one service-model loader for every session, so models are parsed once per process."""
    with _loader_lock:
        if not _loader:
            _loader.append(ModelLoader())
        return _loader[0]


def _bind_credential_env(session: botocore.session.Session, env: Mapping[str, str],
                         settings: Settings | None = None) -> None:
    """Make the session's credential chain read ENV where it would read os.environ.

    Its STS and SSO clients (assume-role and SSO profiles) also take the endpoint ENV or SETTINGS give,
    as every other client does, so a profile's role is assumed where its calls go (an emulator too).
    """
    resolver = session.get_component("credential_provider")
    for provider in resolver.providers:
        if isinstance(provider, EnvProvider):
            provider.environ = dict(env)
        elif isinstance(provider, ContainerProvider):
            provider._environ = dict(env)  # type: ignore[attr-defined]  # private, and not in the stubs
        elif isinstance(provider, AssumeRoleProvider | AssumeRoleWithWebIdentityProvider | SSOProvider):
            private: Any = provider  # _client_creator is private, and not in the stubs
            private._client_creator = _with_endpoints(private._client_creator, settings or Settings(), env)
            if isinstance(provider, SSOProvider):
                sso.bind(provider, session, env)
            elif isinstance(provider, AssumeRoleProvider):
                mfa.bind(provider, (settings or Settings()).prompter, (settings or Settings()).role_cache)
        elif isinstance(provider, ProcessProvider):  # its failures all become botocore's one error (credentials.py)
            provider._popen = CheckedProcess  # type: ignore[attr-defined]  # private, and not in the stubs


def _with_endpoints(create: Callable[..., Any], settings: Settings, env: Mapping[str, str]) -> Callable[..., Any]:
    def client_creator(service_name: str, **kwargs: Any) -> Any:
        endpoint = endpoint_url(settings, env, service_name)
        if endpoint and "endpoint_url" not in kwargs:
            kwargs["endpoint_url"] = endpoint
        return create(service_name, **kwargs)

    return client_creator


def _profiles(session: botocore.session.Session) -> list[str]:
    try:
        return sorted(session.available_profiles)
    except bx.BotoCoreError as exc:
        raise translate(exc, "reading the AWS config files") from exc


def list_profiles(env: Mapping[str, str]) -> list[str]:
    """Return the profile names in the AWS config and credentials files that ENV points at."""
    try:
        return _profiles(botocore_session(env))
    except ConfigError:
        return []


def _unknown_profile(name: str, source: str, known: list[str]) -> ConfigError:
    message = f'AWS profile "{visible(name)}" ({source}) not found in the AWS config or credentials files'
    if not known:
        message += " (they define no profiles)"
    elif len(known) <= MOST_PROFILES_LISTED:
        message += f" (known: {', '.join(visible(k) for k in known)})"
    else:
        message += f" ({len(known)} profiles are defined)"
    return ConfigError(message)


def _profile_region(session: botocore.session.Session) -> str | None:
    try:
        region = session.get_scoped_config().get("region")
    except bx.BotoCoreError:
        return None
    return str(region) if region else None


def make_session(settings: Settings, env: Mapping[str, str]) -> tuple[Session, str, str]:
    """Return (session, region, how the credentials and region were chosen) for SETTINGS in ENV."""
    if settings.profile:
        profile, source = settings.profile, settings.profile_source
    elif env.get("ECSCREDENTIAL"):
        profile, source = env["ECSCREDENTIAL"], "from ECSCREDENTIAL"
    else:
        profile, source = None, ""

    profile_region: tuple[str, str] | None = None
    if profile == ENV_PROFILE:
        missing = [name for name in KEY_VARS if not env.get(name)]
        if missing:
            raise ConfigError(f"-cred env needs {' and '.join(missing)} set in the environment")
        quiet = {k: v for k, v in env.items() if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")}
        core = botocore_session(quiet)
        core.set_credentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"],
                             env.get("AWS_SESSION_TOKEN") or None)
        how = "-cred env" if settings.profile else "ECSCREDENTIAL=env"
        credentials = f"keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ({how})"
    elif profile:
        core = botocore_session(env)
        known = _profiles(core)
        if profile not in known:
            usable = [ENV_PROFILE] if all(env.get(name) for name in KEY_VARS) else []  # `env` works here too
            raise _unknown_profile(profile, source, sorted({*known, *usable}))
        core.set_config_variable("profile", profile)
        _bind_credential_env(core, env, settings)
        credentials = f"profile {quoted(profile)} ({source})"
        region = _profile_region(core)
        profile_region = (region, f"from profile {quoted(profile)}") if region else None
    else:
        core = botocore_session(env)
        env_profile = env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE")
        if env_profile:
            known = _profiles(core)
            if env_profile not in known:
                raise _unknown_profile(env_profile, "from AWS_PROFILE", known)
        _bind_credential_env(core, env, settings)
        if env.get("AWS_ACCESS_KEY_ID"):
            credentials = "keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        elif env_profile:
            credentials = f"profile {quoted(env_profile)} (from AWS_PROFILE)"
        else:
            credentials = "the default AWS credential chain (default profile, SSO, instance role)"
        region = _profile_region(core)
        profile_region = (region, f"from profile {quoted(env_profile or 'default')}") if region else None

    if settings.region:
        region_choice = (settings.region, "from -region")
    elif env.get("AWS_REGION"):
        region_choice = (env["AWS_REGION"], "from AWS_REGION")
    elif env.get("AWS_DEFAULT_REGION"):
        region_choice = (env["AWS_DEFAULT_REGION"], "from AWS_DEFAULT_REGION")
    elif profile_region:
        region_choice = profile_region
    else:
        region_choice = (DEFAULT_REGION, "the default, as in ecsman")
    region, region_source = region_choice
    if not REGION_NAME.fullmatch(region):
        raise ConfigError(f"{region!r} ({region_source}) is not an AWS Region name (like us-east-1 or eu-west-2)")
    try:
        session = Session(core, region)
    except bx.BotoCoreError as exc:
        raise translate(exc, "creating the AWS session") from exc
    return session, region, f"credentials: {credentials}; region {region} ({region_source})"


# The shape of every AWS Region name (us-east-1, us-gov-west-1, cn-north-1, eu-central-2, ...).
REGION_NAME = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")


def endpoint_url(settings: Settings, env: Mapping[str, str], client: str = "ecs") -> str | None:
    """Return the endpoint CLIENT should use however it was set (flag, environment, profile), None for AWS's."""
    return configured_endpoint(client, env, flag=settings.endpoint_url, profile=settings.profile)


def known_regions() -> list[str]:
    """Return the regions where ECS is offered, from botocore's bundled endpoint data (no network)."""
    session = botocore_session({})
    return sorted(session.get_available_regions("ecs"))

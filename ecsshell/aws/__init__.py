"""The AWS gateway: the only part of ecsshell that talks to boto3."""

from .errors import AccessDenied, AwsError, ConfigError, NotFound, Throttled, translate
from .gateway import Gateway
from .session import Settings, list_profiles, make_session

__all__ = [
    "AccessDenied",
    "AwsError",
    "ConfigError",
    "Gateway",
    "NotFound",
    "Settings",
    "Throttled",
    "list_profiles",
    "make_session",
    "translate",
]

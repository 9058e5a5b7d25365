"""The AWS gateway: the only part of ecsshell that talks to boto3.

The package owns sessions and credentials (`session`), clients with their retry settings, paged,
batched and concurrent calls (`gateway`, `pool`), translation of every botocore error into one
line (`errors`), the journal of mutating calls and the read-only guard (`journal`), and the
conversion of answers into the frozen dataclasses of `ecsshell.model` (`convert`). It may import
boto3, botocore, `ecsshell.model`, `ecsshell.plain` and `ecsshell.secrets`; never commands, shell, render or cli
(tests/test_layers.py checks). Inside it, `load_balancers`, `logs` and `scaling` (Application Auto
Scaling) stand below the gateway.
"""

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

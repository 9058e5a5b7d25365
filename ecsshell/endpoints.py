"""Where a client's calls go: the endpoint URL however it was set, resolved as botocore resolves it.

Standard library only, so the completion names can be keyed by endpoint without loading the SDK.
The order is botocore's: the -endpoint flag, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the
profile's `services` section, the profile's `endpoint_url`; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
(or the profile's ignore_configured_endpoint_urls) leaves only the flag.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping

# client name -> suffix of its service-specific endpoint variable (AWS_ENDPOINT_URL_<SUFFIX>); lowered,
# the key of its entry in a `[services NAME]` section of the AWS config file
ENDPOINT_SUFFIX = {
    "ecs": "ECS",
    "elbv2": "ELASTIC_LOAD_BALANCING_V2",
    "elb": "ELASTIC_LOAD_BALANCING",
    "logs": "CLOUDWATCH_LOGS",
    "sts": "STS",
    "ssm": "SSM",
    "iam": "IAM",
    "scheduler": "SCHEDULER",
    "events": "EVENTBRIDGE",
    "application-autoscaling": "APPLICATION_AUTO_SCALING",
    "ecr": "ECR",
    "secretsmanager": "SECRETS_MANAGER",
    "cloudwatch": "CLOUDWATCH",
    "organizations": "ORGANIZATIONS",  # a fan-out's --accounts org
    "account": "ACCOUNT",  # and --regions all (account:ListRegions, else ec2:DescribeRegions)
    "ec2": "EC2",
}
ENV_PROFILE = "env"  # `-cred env`: keys from the environment; its endpoints come from the default profile
MAX_CONFIG_BYTES = 4 * 1024 * 1024


def _true(value: object) -> bool:
    return str(value or "").strip().lower() == "true"


# The last config file parsed, by (path, size, mtime): a fan-out asks for every client of every profile,
# and a config of 200 profiles took 5 ms to parse each time. Read only; a changed file is parsed again.
_parsed: list[tuple[tuple[str, int, int], configparser.RawConfigParser]] = []


def _config(env: Mapping[str, str]) -> configparser.RawConfigParser | None:
    """Return the AWS config file ENV points at, parsed leniently; None when there is none or it is unreadable."""
    path = os.path.expanduser(env.get("AWS_CONFIG_FILE") or "~/.aws/config")
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        stat = os.stat(path)
        if stat.st_size > MAX_CONFIG_BYTES:
            return None
        key = (path, stat.st_size, stat.st_mtime_ns)
        last = _parsed[-1] if _parsed else None
        if last is not None and last[0] == key:
            return last[1]
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error, UnicodeDecodeError):
        return None
    _parsed[:] = [(key, parser)]
    return parser


def _section(parser: configparser.RawConfigParser, profile: str) -> Mapping[str, str]:
    """Return PROFILE's section ([default] or [profile NAME]), empty when the file has none."""
    for name in ((f"profile {profile}", profile) if profile != "default" else ("default", "profile default")):
        if parser.has_section(name):
            return dict(parser.items(name))
    return {}


def _nested(text: str) -> dict[str, str]:
    """Return the `key = value` lines of a nested config value (`ecs =` then indented lines)."""
    pairs = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            pairs[key.strip()] = value.strip()
    return pairs


def configured_endpoint(client: str, env: Mapping[str, str], *, flag: str | None = None,
                        profile: str | None = None) -> str | None:
    """Return the endpoint CLIENT's calls go to when it is not AWS's own (None for AWS's), as botocore decides."""
    if flag:
        return flag
    name = profile or env.get("ECSCREDENTIAL") or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE")
    if not name or name == ENV_PROFILE:
        name = "default"
    parser = None if _true(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) else _config(env)
    section = _section(parser, name) if parser is not None else {}
    if _true(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) or _true(section.get("ignore_configured_endpoint_urls")):
        return None
    suffix = ENDPOINT_SUFFIX.get(client, client.upper().replace("-", "_"))  # sso-oidc: AWS_ENDPOINT_URL_SSO_OIDC
    found = env.get(f"AWS_ENDPOINT_URL_{suffix}") or env.get("AWS_ENDPOINT_URL")
    if found:
        return found
    services = section.get("services")
    if parser is not None and services and parser.has_section(f"services {services}"):
        nested = parser.get(f"services {services}", suffix.lower(), fallback="")
        found = _nested(nested).get("endpoint_url")
        if found:
            return found
    return section.get("endpoint_url") or None

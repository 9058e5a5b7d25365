"""Put task definitions and service settings in one canonical form, so only real differences remain.

ECS answers with defaults a file leaves out (`essential: true`, `protocol: tcp`, `cpu: 0`, the
host port of an awsvpc mapping), with empty lists a file never wrote, and in its own order; a
file may write `"0.25 vCPU"` where ECS says `"256"`. Every default filled in here is the one the
botocore ECS model documents (or what ECS itself echoes), so an omitted default is no difference.
Pure functions on JSON-like documents: no AWS, no I/O.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..model import registration

# Container fields whose `false` (or 0) is what ECS assumes when they are left out.
_FALSE_BY_DEFAULT = ("privileged", "readonlyRootFilesystem", "interactive", "pseudoTerminal", "disableNetworking")
# Lists of a container whose order means nothing to ECS, and what sorts them.
_CONTAINER_SETS: dict[str, Callable[[Any], str]] = {
    "environment": lambda item: str(item.get("name", "")) if isinstance(item, Mapping) else str(item),
    "secrets": lambda item: str(item.get("name", "")) if isinstance(item, Mapping) else str(item),
    "environmentFiles": lambda item: json.dumps(item, sort_keys=True),
    "mountPoints": lambda item: json.dumps(item, sort_keys=True),
    "volumesFrom": lambda item: json.dumps(item, sort_keys=True),
    "ulimits": lambda item: str(item.get("name", "")) if isinstance(item, Mapping) else str(item),
    "dependsOn": lambda item: str(item.get("containerName", "")) if isinstance(item, Mapping) else str(item),
    "systemControls": lambda item: str(item.get("namespace", "")) if isinstance(item, Mapping) else str(item),
    "extraHosts": lambda item: json.dumps(item, sort_keys=True),
    "links": str,
}
_HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}  # botocore: HealthCheck's documentation
FARGATE_EPHEMERAL_DEFAULT_GIB = 20  # Fargate's minimum, and what a task gets when it asks for none
_VCPU = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*vcpu\s*$", re.IGNORECASE)
_GB = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*gb\s*$", re.IGNORECASE)


def _units(value: Any, pattern: re.Pattern[str]) -> Any:
    """Return task cpu or memory as ECS stores it: a string of units ("0.25 vCPU" -> "256", "1 GB" -> "1024")."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(int(value))
    text = str(value).strip()
    found = pattern.match(text)
    if found:
        return str(int(float(found.group(1)) * 1024))
    return text


def _json_key(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def prune(value: Any) -> Any:
    """Drop unset values (None, [], {}) recursively: ECS does not tell an empty list from a missing one."""
    if isinstance(value, Mapping):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list | tuple):
        return [prune(v) for v in value]
    return value


def _port_mapping(mapping: Any, network_mode: str) -> Any:
    """Fill a port mapping's defaults: protocol tcp; in awsvpc and host mode the host port is the container port."""
    if not isinstance(mapping, Mapping):
        return mapping
    port = dict(mapping)
    port.setdefault("protocol", "tcp")
    if network_mode in ("awsvpc", "host") and port.get("hostPort") is None and "containerPort" in port:
        port["hostPort"] = port["containerPort"]
    if network_mode == "bridge" and port.get("hostPort") == 0:
        port.pop("hostPort")  # 0 asks for a dynamic port, as leaving it out does
    return port


def container(definition: Mapping[str, Any], network_mode: str) -> dict[str, Any]:
    """Return one container definition in canonical form (defaults filled, order-free lists sorted)."""
    c = copy.deepcopy(dict(definition))
    c.setdefault("essential", True)
    c.setdefault("versionConsistency", "enabled")
    if c.get("cpu") == 0:
        c.pop("cpu")
    for name in _FALSE_BY_DEFAULT:
        if c.get(name) is False:
            c.pop(name)
    if isinstance(c.get("portMappings"), list):
        c["portMappings"] = sorted((_port_mapping(p, network_mode) for p in c["portMappings"]), key=_json_key)
    for name, key in _CONTAINER_SETS.items():
        if isinstance(c.get(name), list):
            c[name] = sorted(c[name], key=key)
    health = c.get("healthCheck")
    if isinstance(health, Mapping):
        filled = {**_HEALTH_CHECK_DEFAULTS, **health}
        if filled.get("startPeriod") == 0:
            filled.pop("startPeriod")  # 0 is "off", the default
        c["healthCheck"] = filled
    log = c.get("logConfiguration")
    if isinstance(log, Mapping) and isinstance(log.get("secretOptions"), list):
        c["logConfiguration"] = {**log, "secretOptions": sorted(log["secretOptions"], key=_json_key)}
    return c


def task_definition(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return a task definition (describe answer, register input or bare) in canonical form.

    Read-only fields go (the model's READ_ONLY_TASK_DEFINITION_FIELDS), defaults are filled in, lists
    whose order means nothing are sorted, and empty values are dropped.
    """
    td = copy.deepcopy(registration(document))
    network_mode = str(td.get("networkMode") or "bridge")  # botocore: "the default is bridge"
    td["networkMode"] = network_mode
    for name, pattern in (("cpu", _VCPU), ("memory", _GB)):
        if name in td:
            td[name] = _units(td[name], pattern)
    if isinstance(td.get("containerDefinitions"), list):
        td["containerDefinitions"] = sorted(
            (container(c, network_mode) for c in td["containerDefinitions"] if isinstance(c, Mapping)),
            key=lambda c: str(c.get("name", "")))
    for name, key in (("requiresCompatibilities", str), ("placementConstraints", _json_key),
                      ("volumes", lambda v: str(v.get("name", "")) if isinstance(v, Mapping) else str(v)),
                      ("tags", lambda t: str(t.get("key", "")) if isinstance(t, Mapping) else str(t)),
                      ("inferenceAccelerators", _json_key)):
        if isinstance(td.get(name), list):
            td[name] = sorted(td[name], key=key)
    storage = td.get("ephemeralStorage")
    if isinstance(storage, Mapping) and storage.get("sizeInGiB") == FARGATE_EPHEMERAL_DEFAULT_GIB:
        td.pop("ephemeralStorage")
    proxy = td.get("proxyConfiguration")
    if isinstance(proxy, Mapping) and isinstance(proxy.get("properties"), list):
        td["proxyConfiguration"] = {**proxy, "properties": sorted(proxy["properties"], key=_json_key)}
    pruned = prune(td)
    return pruned if isinstance(pruned, dict) else {}


def _deployment_configuration(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Fill a REPLICA service's deployment defaults (200/100, no circuit breaker, ROLLING, alarms off)."""
    c = copy.deepcopy(dict(config or {}))
    c.setdefault("maximumPercent", 200)
    c.setdefault("minimumHealthyPercent", 100)
    c.setdefault("strategy", "ROLLING")
    breaker = {"enable": False, "rollback": False, **(c.get("deploymentCircuitBreaker") or {})}
    c["deploymentCircuitBreaker"] = breaker
    alarms = c.get("alarms")
    if isinstance(alarms, Mapping):
        names = sorted(alarms.get("alarmNames") or [])
        if not names and not alarms.get("enable") and not alarms.get("rollback"):
            c.pop("alarms")
        else:
            c["alarms"] = {**alarms, "alarmNames": names}
    return c


def _network(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Sort subnets and security groups, and fill assignPublicIp (DISABLED unless given)."""
    c = copy.deepcopy(dict(config or {}))
    vpc = c.get("awsvpcConfiguration")
    if isinstance(vpc, Mapping):
        c["awsvpcConfiguration"] = {**vpc, "subnets": sorted(vpc.get("subnets") or []),
                                    "securityGroups": sorted(vpc.get("securityGroups") or []),
                                    "assignPublicIp": vpc.get("assignPublicIp") or "DISABLED"}
    return c


def service_settings(desired: int, deployment_configuration: Mapping[str, Any] | None,
                     network_configuration: Mapping[str, Any] | None,
                     load_balancers: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the settings of a service that `diff` compares, in canonical form."""
    settings = {
        "desiredCount": desired,
        "deploymentConfiguration": _deployment_configuration(deployment_configuration),
        "networkConfiguration": _network(network_configuration),
        "loadBalancers": sorted(load_balancers, key=_json_key),
    }
    pruned = prune(settings)
    return pruned if isinstance(pruned, dict) else {}

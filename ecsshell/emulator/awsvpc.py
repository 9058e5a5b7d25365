"""awsvpc networking as ECS does it: security groups may be left out, and a VPC without DNS host names works.

moto requires `securityGroups` in every awsvpcConfiguration (HTTP 500 without it) and reads an ENI's
private DNS name, which it sets only when the VPC has DNS host names. ECS takes a configuration
without security groups (the VPC's default group is used) and runs tasks in any VPC; the private
DNS name of an ENI is always `ip-A-B-C-D.<region>.compute.internal` (ec2.internal in us-east-1).
"""

from __future__ import annotations

import copy
import functools
import inspect
from typing import Any

_installed = False


def _default_group(account: str, region: str, subnet_id: str) -> list[str]:
    """Return [the default security group of SUBNET_ID's VPC], or [] when moto has none."""
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[account][region]
    try:
        subnet = backend.get_subnet(subnet_id)
        group = backend.get_security_group_from_name("default", vpc_id=subnet.vpc_id)
    except Exception:  # an unknown subnet is for moto's own validation to refuse
        return []
    return [group.id] if group is not None else []


def _completed(config: Any, account: str, region: str) -> Any:
    """Return CONFIG with the default security group added to an awsvpcConfiguration that names none."""
    vpc = config.get("awsvpcConfiguration") if isinstance(config, dict) else None
    if not isinstance(vpc, dict) or vpc.get("securityGroups") or not vpc.get("subnets"):
        return config
    done = copy.deepcopy(config)
    done["awsvpcConfiguration"]["securityGroups"] = _default_group(account, region, vpc["subnets"][0])
    return done


def _private_dns_name(self: Any, name: str) -> Any:
    """Answer an ENI's private DNS name from its address when moto set none (a VPC without DNS host names)."""
    if name != "private_dns_name":
        raise AttributeError(name)
    from moto.ec2.utils import generate_dns_from_ip

    return generate_dns_from_ip(self.__dict__.get("private_ip_address") or "0.0.0.0")


def install() -> None:
    """Apply the awsvpc shims to moto's ECS and EC2 classes, once per process."""
    global _installed
    if _installed:
        return
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface
    from moto.ecs import models

    validate = models.Service._validate_network

    @functools.wraps(validate)
    def validate_network(self: Any, nc: Any) -> Any:
        return validate(self, _completed(nc, self._account_id, self.region_name))

    task_init = models.Task.__init__
    signature = inspect.signature(task_init)

    @functools.wraps(task_init)
    def init(*args: Any, **kwargs: Any) -> None:
        bound = signature.bind(*args, **kwargs)
        backend = bound.arguments["backend"]
        bound.arguments["networking_configuration"] = _completed(
            bound.arguments.get("networking_configuration"), backend.account_id, backend.region_name)
        task_init(*bound.args, **bound.kwargs)

    models.Service._validate_network = validate_network  # type: ignore[method-assign]
    models.Task.__init__ = init  # type: ignore[method-assign]
    NetworkInterface.__getattr__ = _private_dns_name  # type: ignore[attr-defined]
    _installed = True

"""ListServices and ListTaskDefinitions answered from moto's backend directly, paged as ECS pages them.

moto builds every service's ARN through a property that reads an account setting and the
environment, and then serializes the whole list through its model-walking serializer, only for
the WSGI layer to cut one page of it: about 7 ms a page for 2,000 services, on the path of every
listing's chain of pages. This answers the same from the backend's services (sorted, as moto sorts
them, so pages are stable), with the same filters (launchType, schedulingStrategy) and errors.
Unlike moto, a cluster's services are those whose key starts with "CLUSTER:", so cluster `web`
no longer lists the services of cluster `myweb`.

ListTaskDefinitions is the same story at a larger scale: a walk of every revision asks for pages of
an account's whole list (10,000 ARNs for 2,000 families of 5), which moto serialized and the
ordering patch re-sorted (parsing every ARN) on every page, about 25 ms a page. This takes them
family by family from the backend in ECS's order (family name, then revision; reversed for DESC).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .wsgi import ClientError, page_window, paged

Backend = Callable[[], Any]  # moto's ECS backend for the caller's account and Region


def handlers(backend: Backend) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    """Return the listing operations answered here, for the WSGI layer."""
    return {"ListServices": lambda request: list_services(backend(), request),
            "ListTaskDefinitions": lambda request: list_task_definitions(backend(), request)}


def list_services(ecs: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Answer ListServices for REQUEST from moto's backend ECS."""
    from moto.core.exceptions import ServiceException  # moto loads with the world: start-up time
    from moto.utilities.utils import get_partition

    window = page_window("ListServices", request)
    try:
        cluster = ecs._get_cluster(str(request.get("cluster") or "default"))
    except ServiceException as err:
        raise ClientError(str(err.code), str(err.message)) from err
    strategy, launch_type = request.get("schedulingStrategy"), request.get("launchType")
    prefix = cluster.name + ":"
    long_arns = ecs.enable_long_arn_for_name(name="serviceLongArnFormat")
    base = f"arn:{get_partition(ecs.region_name)}:ecs:{ecs.region_name}:{ecs.account_id}:service/"
    arns = sorted(
        f"{base}{service.cluster_name}/{service.name}" if long_arns else f"{base}{service.name}"
        for key, service in list(ecs.services.items())
        if key.startswith(prefix)
        and (strategy is None or service.scheduling_strategy == strategy)
        and (launch_type is None or service.launch_type == launch_type))
    return paged("ListServices", {"serviceArns": arns}, window)


def list_task_definitions(ecs: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Answer ListTaskDefinitions for REQUEST from moto's backend ECS: one family (familyPrefix) or all."""
    window = page_window("ListTaskDefinitions", request)
    status = str(request.get("status") or "ACTIVE")
    family = request.get("familyPrefix")
    definitions = dict(ecs.task_definitions)  # a snapshot: a registration may be adding a family meanwhile
    families = [str(family)] if family else sorted(definitions)
    arns = [definition.arn for name in families
            for _, definition in sorted((definitions.get(name) or {}).items())
            if definition.status == status]
    if request.get("sort") == "DESC":
        arns.reverse()
    return paged("ListTaskDefinitions", {"taskDefinitionArns": arns}, window)

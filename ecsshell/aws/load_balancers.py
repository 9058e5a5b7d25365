"""Describe the load balancers behind services: ALB/NLB target groups and classic ELBs, concurrently."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from ..model import LoadBalancer, Service, TargetGroup, TargetHealth, target_group_label
from ..plain import plain_json
from . import convert
from .caller import Caller, ClientName
from .errors import NotFound

ARN_BATCH = 20  # elbv2 DescribeTargetGroups / DescribeLoadBalancers, elb DescribeLoadBalancers
UNATTACHED = "unattached"  # kind of the stand-in LoadBalancer holding target groups no load balancer uses


def _listener_label(listener: dict[str, Any]) -> str:
    head = f"{listener.get('Protocol') or '?'}:{listener.get('Port') or '?'}"
    targets: list[str] = []
    for action in listener.get("DefaultActions") or []:
        kind = action.get("Type") or "?"
        if kind == "forward":
            forward = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            arns = [action["TargetGroupArn"]] if action.get("TargetGroupArn") else [
                g.get("TargetGroupArn", "") for g in forward]
            targets.extend(target_group_label(a) for a in arns if a)
        elif kind == "redirect":
            config = action.get("RedirectConfig") or {}
            protocol, port = config.get("Protocol", "#{protocol}"), config.get("Port", "#{port}")
            targets.append(f"redirect {protocol}:{port}")
        else:
            targets.append(kind)
    return f"{head} -> {', '.join(targets) or 'nothing'}"


def _classic_listener_label(description: dict[str, Any]) -> str:
    listener = description.get("Listener") or {}
    return (f"{listener.get('Protocol', '?')}:{listener.get('LoadBalancerPort', '?')} -> "
            f"{listener.get('InstanceProtocol', listener.get('Protocol', '?'))}:"
            f"{listener.get('InstancePort', '?')}")


class _Lookup:
    """One load_balancers() run: the gateway, and what each stage found."""

    def __init__(self, gateway: Caller) -> None:
        self.gw = gateway

    # elbv2 ---------------------------------------------------------------------------------------
    def _each_found(self, api: ClientName, method: str, what: str, param: str, key: str,
                    names: list[str]) -> list[dict[str, Any]]:
        """Describe NAMES in one call; when some are gone, describe the rest one by one."""
        try:
            answer = self.gw.call(api, method, f'{what} "{names[0]}"', **{param: names})
            return list(plain_json(answer.get(key) or []))  # no control sequence from AWS reaches the model
        except NotFound:
            if len(names) == 1:
                return []
            return [found for name in names for found in self._each_found(api, method, what, param, key, [name])]

    def target_groups(self, arns: list[str]) -> list[dict[str, Any]]:
        """Describe ARNS (at most ARN_BATCH), skipping the ones that are gone."""
        return self._each_found("elbv2", "describe_target_groups", "target group", "TargetGroupArns",
                                "TargetGroups", arns)

    def _health(self, api: ClientName, method: str, what: str, key: str, to_health: Callable[[Any], TargetHealth],
                **params: Any) -> list[TargetHealth]:
        """Return the health list METHOD answers under KEY, or none when the balancer or group is gone."""
        try:
            answer = self.gw.call(api, method, what, **params)
        except NotFound:
            return []
        return [to_health(item) for item in answer.get(key) or []]

    def target_health(self, arn: str) -> list[TargetHealth]:
        return self._health("elbv2", "describe_target_health", f'target group "{arn}"', "TargetHealthDescriptions",
                            convert.target_health, TargetGroupArn=arn)

    def v2_load_balancers(self, arns: list[str]) -> list[dict[str, Any]]:
        return self._each_found("elbv2", "describe_load_balancers", "load balancer", "LoadBalancerArns",
                                "LoadBalancers", arns)

    def listeners(self, arn: str) -> list[str]:
        try:
            pages = self.gw.pages("elbv2", "describe_listeners", "Listeners", f'load balancer "{arn}"',
                                  token_in="Marker", token_out="NextMarker", LoadBalancerArn=arn)
            return [_listener_label(plain_json(listener)) for page in pages for listener in page]
        except NotFound:
            return []

    # classic ELB -----------------------------------------------------------------------------------
    def classic(self, names: list[str]) -> list[dict[str, Any]]:
        return self._each_found("elb", "describe_load_balancers", "load balancer", "LoadBalancerNames",
                                "LoadBalancerDescriptions", names)

    def instance_health(self, name: str) -> list[TargetHealth]:
        return self._health("elb", "describe_instance_health", f'load balancer "{name}"', "InstanceStates",
                            convert.instance_health, LoadBalancerName=name)


def _run(gateway: Caller, jobs: list[Callable[[], Any]]) -> list[Any]:
    return gateway.map(lambda job: job(), jobs)


def load_balancers(gateway: Caller, services: Iterable[Service]) -> list[LoadBalancer]:
    """Return the load balancers of SERVICES' target groups and classic ELBs, by name."""
    tg_arns: list[str] = []
    classic_names: list[str] = []
    for service in services:
        for ref in service.load_balancers:
            if ref.target_group_arn:
                tg_arns.append(ref.target_group_arn)
            elif ref.load_balancer_name:
                classic_names.append(ref.load_balancer_name)
    tg_arns = list(dict.fromkeys(tg_arns))
    classic_names = list(dict.fromkeys(classic_names))
    look = _Lookup(gateway)

    # Stage 1: everything known from the services alone.
    jobs: list[Callable[[], Any]] = []
    tg_batches = [tg_arns[i:i + ARN_BATCH] for i in range(0, len(tg_arns), ARN_BATCH)]
    elb_batches = [classic_names[i:i + ARN_BATCH] for i in range(0, len(classic_names), ARN_BATCH)]
    jobs += [partial(look.target_groups, b) for b in tg_batches]
    jobs += [partial(look.target_health, a) for a in tg_arns]
    jobs += [partial(look.classic, b) for b in elb_batches]
    jobs += [partial(look.instance_health, n) for n in classic_names]
    results = iter(_run(gateway, jobs))
    groups = [g for _ in tg_batches for g in next(results)]
    health = {arn: next(results) for arn in tg_arns}
    classic = [lb for _ in elb_batches for lb in next(results)]
    instance_health = {name: next(results) for name in classic_names}

    # Stage 2: the ALBs/NLBs the target groups belong to, and their listeners.
    lb_arns = list(dict.fromkeys(a for g in groups for a in g.get("LoadBalancerArns") or []))
    lb_batches = [lb_arns[i:i + ARN_BATCH] for i in range(0, len(lb_arns), ARN_BATCH)]
    jobs = [partial(look.v2_load_balancers, b) for b in lb_batches]
    jobs += [partial(look.listeners, a) for a in lb_arns]
    results = iter(_run(gateway, jobs))
    v2 = [lb for _ in lb_batches for lb in next(results)]
    listeners = {arn: next(results) for arn in lb_arns}

    target_groups = [
        TargetGroup(arn=str(g.get("TargetGroupArn") or ""), name=str(g.get("TargetGroupName") or ""),
                    port=g.get("Port"), protocol=g.get("Protocol"),
                    load_balancer_arns=tuple(g.get("LoadBalancerArns") or ()),
                    targets=tuple(health.get(str(g.get("TargetGroupArn") or ""), ())))
        for g in groups]
    out: list[LoadBalancer] = []
    attached: set[str] = set()
    for data in v2:
        arn = str(data.get("LoadBalancerArn") or "")
        mine = tuple(tg for tg in target_groups if arn in tg.load_balancer_arns)
        attached.update(tg.arn for tg in mine)
        out.append(LoadBalancer(name=str(data.get("LoadBalancerName") or ""),
                                kind=str(data.get("Type") or "application"), dns_name=data.get("DNSName"),
                                arn=arn, listeners=tuple(listeners.get(arn, ())), target_groups=mine))
    for tg in target_groups:
        if tg.arn not in attached:
            out.append(LoadBalancer(name=tg.name, kind=UNATTACHED, dns_name=None, target_groups=(tg,)))
    for data in classic:
        name = str(data.get("LoadBalancerName") or "")
        out.append(LoadBalancer(
            name=name, kind="classic", dns_name=data.get("DNSName"),
            listeners=tuple(_classic_listener_label(d) for d in data.get("ListenerDescriptions") or []),
            instances=tuple(instance_health.get(name, ()))))
    return sorted(out, key=lambda lb: (lb.name, lb.kind))

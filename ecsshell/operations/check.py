"""Check a service: what is wrong with it, its tasks and its targets, kept apart from how it is printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..model import LoadBalancer, Service, ServiceDeployment, Task
from .deployments import current_deployment, current_deployments, deployment_findings, digest_findings

if TYPE_CHECKING:
    from .gateway import Gateway

STUCK_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class CheckReport:
    """A checked service, its RUNNING tasks, and one line per problem found."""

    cluster: str
    service: Service
    tasks: list[Task]
    findings: list[str] = field(default_factory=list)

    @property
    def ok_line(self) -> str:
        svc = self.service
        state = svc.primary.rollout_state if svc.primary and svc.primary.rollout_state else svc.status
        return (f"OK: service {svc.name} in {self.cluster}: {svc.running}/{svc.desired} running "
                f"{svc.revision}, rollout {state}")

    @property
    def summary(self) -> str:
        """Return the OK line, or the service's findings joined on one line."""
        if not self.findings:
            return self.ok_line
        return f"service {self.service.name} in {self.cluster}: {'; '.join(self.findings)}"

    def document(self) -> dict[str, Any]:
        """Return the check: the service's name, counts and task definition in ECS's names, and the findings."""
        svc = self.service
        return {"cluster": self.cluster, "serviceName": svc.name, "ok": not self.findings, "findings": self.findings,
                "taskDefinition": svc.task_definition_arn, "desiredCount": svc.desired,
                "runningCount": svc.running, "pendingCount": svc.pending}


def _now(service: Service) -> datetime:
    """Use the newest timestamp ECS reported as 'now', so the check needs no clock of its own."""
    stamps = [d.updated_at for d in service.deployments if d.updated_at]
    stamps += [e.created_at for e in service.events if e.created_at]
    return max([*stamps, datetime.now(UTC)])


def _says_unable(service: Service) -> bool:
    """Say whether ECS's newest events report that the service cannot start its tasks."""
    return any("unable to consistently start tasks" in e.message for e in service.events[:5])


def findings_for(service: Service, tasks: list[Task], lbs: list[LoadBalancer],
                 deployment: ServiceDeployment | None = None) -> list[str]:
    """Return one line per problem found in SERVICE, its RUNNING tasks, its targets and its service deployment."""
    found: list[str] = []
    running = [t for t in tasks if t.last_status == "RUNNING"]
    if not running:
        found.append(f"service {service.name} has no RUNNING tasks (desired {service.desired})")
    elif len(running) < service.desired:
        found.append(f"service {service.name} runs {len(running)} of {service.desired} desired tasks")
    for task in tasks:
        if task.task_definition_arn != service.task_definition_arn:
            found.append(f"task {task.id} uses {task.revision} but service definition is {service.revision}")
    found += digest_findings(service, tasks)
    found += deployment_findings(deployment, service)
    now = _now(service)
    for d in service.deployments:
        # the PRIMARY is the current service deployment's rollout: named by its id and status, as `deployments`
        ident = deployment.id if deployment is not None and d.status == "PRIMARY" else d.id
        if d.rollout_state == "FAILED":
            reason = f": {d.rollout_reason}" if d.rollout_reason else ""
            if deployment is not None and d.status == "PRIMARY":
                if deployment.status == "ROLLBACK_FAILED":
                    continue  # deployment_findings says so
                found.append(f"deployment {ident} ({d.revision}) {deployment.status}{reason}")
            else:
                found.append(f"deployment {ident} ({d.revision}) FAILED{reason}")
        elif d.status == "PRIMARY" and d.rollout_state == "IN_PROGRESS":
            started = d.created_at or d.updated_at
            age = now - started if started else timedelta(0)
            failing = d.failed > 0 and d.running < d.desired and _says_unable(service)
            if age > STUCK_AFTER or failing:
                why = "; ECS says it is unable to consistently start tasks" if failing else ""
                found.append(f"deployment {ident} ({d.revision}) stuck IN_PROGRESS for "
                             f"{int(age.total_seconds() // 60)} minutes ({d.running}/{d.desired} "
                             f"running, {d.failed} failed){why}")
    for lb in lbs:
        for group in lb.target_groups:
            bad = [t for t in group.targets if not t.healthy]
            if bad:
                reasons = sorted({f"{t.reason}: {t.description}" if t.description else (t.reason or t.state)
                                  for t in bad})
                found.append(f"target group {group.name}: {len(bad)} of {len(group.targets)} targets "
                             f"unhealthy ({'; '.join(reasons)})")
        bad_instances = [t for t in lb.instances if not t.healthy]
        if bad_instances:
            found.append(f"load balancer {lb.name}: {len(bad_instances)} of {len(lb.instances)} instances "
                         f"OutOfService")
    return found


def check_service(gateway: Gateway, cluster: str, service: str) -> CheckReport:
    """Fetch SERVICE, its RUNNING tasks and its targets, and list what is wrong."""
    svc = gateway.describe_services(cluster, [service])[0]
    tasks_future = gateway.submit(gateway.service_tasks, cluster, service)
    deployment_future = gateway.submit(current_deployment, gateway, svc)
    lbs = gateway.load_balancers([svc]) if svc.load_balancers else []
    tasks = tasks_future.result()
    return CheckReport(cluster, svc, tasks, findings_for(svc, tasks, lbs, deployment_future.result()))


def _check_described(gateway: Gateway, cluster: str, svc: Service,
                     deployment: ServiceDeployment | None = None) -> CheckReport:
    """Check SVC, already described, fetching only its RUNNING tasks and its targets."""
    tasks = gateway.service_tasks(cluster, svc.name)
    lbs = gateway.load_balancers([svc]) if svc.load_balancers else []
    return CheckReport(cluster, svc, tasks, findings_for(svc, tasks, lbs, deployment))


@dataclass(frozen=True)
class ClusterCheck:
    """Every service of a cluster checked, by service name."""

    cluster: str
    reports: list[CheckReport]

    @property
    def ok(self) -> bool:
        return all(not r.findings for r in self.reports)

    def document(self) -> dict[str, Any]:
        return {"cluster": self.cluster, "ok": self.ok, "services": [r.document() for r in self.reports]}


def check_cluster(gateway: Gateway, cluster: str) -> ClusterCheck:
    """Check every service of CLUSTER, concurrently, and return the reports by service name."""
    services = gateway.list_services(cluster)
    current = current_deployments(gateway, services)  # 20 a call, not one per service
    reports = gateway.map(lambda svc: _check_described(gateway, cluster, svc, current.get(svc.arn)), services)
    return ClusterCheck(cluster, sorted(reports, key=lambda r: r.service.name))

"""A cluster that tests tables at every width: digest-pinned ECR images, long names, several containers.

Cluster `wide` holds services whose names run from 3 to 26 characters, images in ECR pinned by
digest or tagged, services of one, two and three containers (the essential one not always first),
and one rollout left in progress (PRIMARY and ACTIVE deployments, both shown in `--wide`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ecsshell.emulator import World
from ecsshell.images import short

ACCOUNT = "123456789012"
ECR = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
CLUSTER = "wide"


def digest(seed: str) -> str:
    """Return a sha256 digest made from SEED."""
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


@dataclass(frozen=True)
class Spec:
    """One service of the wide cluster: its name, its containers' (name, image, essential), its desired count."""

    name: str
    containers: tuple[tuple[str, str, bool], ...]
    desired: int = 1


SIDECAR = ("envoy", "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.2.0-prod", False)
XRAY = ("xray", "public.ecr.aws/xray/aws-xray-daemon:3.3.13", False)
SPECS = (
    Spec("api", (("api", f"{ECR}/api@{digest('api')}", True),), desired=2),
    Spec("web", (("web", f"{ECR}/web:1.5.0", True), SIDECAR), desired=3),
    Spec("payments-reconciliation", (("app", f"{ECR}/payments-reconciliation@{digest('pr')}", True),)),
    Spec("notifications-dispatcher", (SIDECAR, ("dispatcher", f"{ECR}/notifications-dispatcher:2024.11.3", True),
                                      XRAY)),
    Spec("gateway", (("gateway", f"{ECR}/gateway@{digest('gw')}", True), SIDECAR), desired=2),
    Spec("ledger", (("ledger", f"{ECR}/ledger:3.0.0", True),)),
    Spec("svc-00", (("app", f"{ECR}/svc-00:1.0.0", True),)),
    Spec("search-indexer-backfill", (("indexer", f"{ECR}/search-indexer-backfill@{digest('sib')}", True),
                                     XRAY)),
)
ROLLING = "ledger"  # left mid-rollout: a new revision IN_PROGRESS beside the old one


def definition(container: tuple[str, str, bool]) -> dict[str, Any]:
    name, image, essential = container
    return {"name": name, "image": image, "essential": essential, "memory": 128}


def wide_world(world: World) -> dict[str, Any]:
    """Build cluster `wide`; return its name, services and the tokens each service's row may show."""
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    for spec in SPECS:
        ecs.register_task_definition(family=spec.name, networkMode="bridge", requiresCompatibilities=["EC2"],
                                     containerDefinitions=[definition(c) for c in spec.containers])
        ecs.create_service(cluster=CLUSTER, serviceName=spec.name, taskDefinition=spec.name, desiredCount=spec.desired,
                           launchType="EC2")
    world.advance(10)
    rolling = next(s for s in SPECS if s.name == ROLLING)
    ecs.register_task_definition(family=ROLLING, networkMode="bridge", requiresCompatibilities=["EC2"],
                                 containerDefinitions=[definition(("ledger", f"{ECR}/ledger:3.1.0", True))])
    ecs.update_service(cluster=CLUSTER, service=ROLLING, taskDefinition=f"{ROLLING}:2")
    images = {s.name: short_form(s) for s in SPECS}
    images[ROLLING] = "ledger:3.1.0"
    revisions = {s.name: f"{s.name}:{2 if s.name == ROLLING else 1}" for s in rolling and SPECS}
    return {"cluster": CLUSTER, "services": [s.name for s in SPECS], "images": images, "revisions": revisions}


def short_form(spec: Spec) -> str:
    """Return the short images a table shows for SPEC: the essential container's, then `+name` per other."""
    main = next(c for c in spec.containers if c[2])
    return " ".join([short(main[1]), *(f"+{c[0]}" for c in spec.containers if c is not main)])

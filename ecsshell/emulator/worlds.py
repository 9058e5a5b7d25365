"""Ready-made emulated ECS worlds for tests and the demo, built through the real AWS APIs.

`small_world` and `demo_world` create everything with boto3 clients from `world.api(...)` (which
call the emulator in-process, through everything but the socket), so they exercise the API ecsshell
uses; only emulated time, the scheduler's marks (broken revisions, unhealthy targets, exit codes)
and the EC2 network and instances, which ecsshell never reads, are set directly. `scale_world` creates through boto3
for up to `API_LIMIT` services and directly on moto's ECS backend (under `world.lock`) above that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import metrics, schedules, verify
from .scaling import demo_scaling

if TYPE_CHECKING:
    from .server import World

ACCOUNT = "123456789012"
ECR = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
WORKER_DIGEST = "sha256:" + "4f3c2b1a09e8d7c6" * 4
API_LIMIT = 100  # scale_world creates more services than this directly on the backend
HOOK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRoleForLoadBalancers"
QUIET_SECONDS = 900.0  # emulated time between the world's deployment waves
# releases/storefront's bake: the demo's clock is the wall clock, so the tour's `continue --wait` waits
# it out for real; one minute (ECS's shortest bake but none) shows the stage without a 10-minute wait
DEMO_BAKE_MINUTES = 1


@dataclass
class Spec:
    """A service a world creates: one image per task definition revision, oldest first."""

    cluster: str
    name: str
    family: str
    images: list[str]
    desired: int = 2
    port: int = 8080
    target_group: str | None = None
    classic_elb: str | None = None
    sidecar: bool = False
    launch_type: str = "FARGATE"
    breaker: bool = True  # the deployment circuit breaker
    cpu: str = "512"
    memory: str = "1024"
    environment: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def _prod(name: str, images: list[str], **kw: Any) -> Spec:
    return Spec("prod", name, name, images, **kw)


def _staging(name: str, images: list[str], **kw: Any) -> Spec:
    return Spec("staging", name, f"staging-{name}", images, **kw)


SMALL_SPECS: list[Spec] = [
    _prod("web", [f"{ECR}/web:1.4.0", f"{ECR}/web:1.4.1", f"{ECR}/web:1.5.0"], desired=3,
          target_group="prod-web", sidecar=True, tags={"team": "frontend"}),
    _prod("api", ["registry.example.com:5000/team/api:2.3.0", "registry.example.com:5000/team/api:2.4.0",
                  "registry.example.com:5000/team/api:2.4.1"], port=5000, target_group="prod-api",
          tags={"team": "platform"}),
    _prod("worker", [f"{ECR}/worker:3.0.2", f"{ECR}/worker@{WORKER_DIGEST}"], port=9000,
          environment={"QUEUE_URL": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs"}),
    _prod("payments", [f"{ECR}/payments:5.1.0"], port=8443, tags={"team": "payments"}),
    _prod("search", [f"{ECR}/search:0.9.3", f"{ECR}/search:0.9.4"], target_group="prod-search"),
    _prod("legacy", [f"{ECR}/legacy:2019.11"], launch_type="EC2", classic_elb="prod-legacy",
          cpu="256", memory="512", breaker=False),
    _staging("web", [f"{ECR}/web:1.5.0", f"{ECR}/web:1.6.0-rc1"], desired=1, sidecar=True),
    _staging("api", ["registry.example.com:5000/team/api:2.5.0-beta"], desired=1, port=5000),
    _staging("worker", [f"{ECR}/worker:3.1.0"], desired=1, port=9000),
]

DEMO_SPECS: list[Spec] = [
    _prod("auth", [f"{ECR}/auth:1.0.0", f"{ECR}/auth:1.1.0", f"{ECR}/auth:1.1.1", f"{ECR}/auth:1.2.0"],
          target_group="prod-auth"),
    _prod("checkout", [f"{ECR}/checkout:7.2.0", f"{ECR}/checkout:7.3.0", f"{ECR}/checkout:7.3.2"], desired=3),
    _prod("notifications", [f"{ECR}/notifications:0.4.0", f"{ECR}/notifications:0.5.0"], desired=1,
          port=9100),
    _staging("payments", [f"{ECR}/payments:5.1.0", f"{ECR}/payments:5.2.0"], desired=1, port=8443),
    _staging("search", [f"{ECR}/search:0.9.4", f"{ECR}/search:1.0.0-rc2"], desired=1),
]

LOG_LINES: dict[str, list[str]] = {
    "web": ["web {tag} starting on :8080", "connected to api at http://api.internal:5000",
            "GET /health 200 2ms", "GET / 200 41ms"],
    "api": ["api {tag} booting (workers=4)", "migrations up to date", "listening on 0.0.0.0:5000",
            "GET /v1/orders 200 18ms"],
    "worker": ["worker ready: polling jobs queue", "job 81fa processed in 1.2s"],
    "payments": ["payments starting (tls on :8443)", "connected to ledger db", "POST /v1/charges 201 87ms"],
    "legacy": ["Starting legacy on port 8080", "WARN deprecated config key 'db.pool'",
               "java.lang.IllegalStateException: schema version 41 != 42"],
    "migrate": ["running 3 pending migrations", "migration 0042_add_orders_index ok", "done in 4.1s"],
    "report": ["building daily revenue report", "report written to s3://reports/daily.csv"],
}


# building blocks ------------------------------------------------------------------------------
def container(spec: Spec, image: str, region: str) -> dict[str, Any]:
    """Return a realistic main container definition for SPEC running IMAGE."""
    awsvpc = spec.launch_type == "FARGATE"
    env = {"APP_ENV": spec.cluster, "LOG_LEVEL": "info", "PORT": str(spec.port),
           "DB_PASSWORD": "hunter2-do-not-print", "API_KEY": "ak_live_51Hf3kQ2eZvKYlo2C0",
           **spec.environment}
    secrets_prefix = f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/{spec.cluster}/{spec.name}"
    definition: dict[str, Any] = {
        "name": spec.name,
        "image": image,
        "essential": True,
        "cpu": 0,
        "portMappings": [{"containerPort": spec.port, "hostPort": spec.port if awsvpc or spec.classic_elb else 0,
                          "protocol": "tcp", "name": f"{spec.name}-{spec.port}", "appProtocol": "http"}],
        "environment": [{"name": k, "value": v} for k, v in env.items()],
        "secrets": [
            {"name": "DATABASE_URL", "valueFrom": f"{secrets_prefix}/DATABASE_URL"},
            {"name": "SESSION_SECRET",
             "valueFrom": f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{spec.cluster}/{spec.name}-Xy12Ab"},
        ],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": f"/ecs/{spec.family}", "awslogs-region": region,
            "awslogs-stream-prefix": spec.family}},
        "healthCheck": {"command": ["CMD-SHELL", f"curl -fsS http://localhost:{spec.port}/health || exit 1"],
                        "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 15},
        "ulimits": [{"name": "nofile", "softLimit": 65536, "hardLimit": 65536}],
        "stopTimeout": 30,
    }
    if not awsvpc:
        definition["memoryReservation"] = 256
    if spec.sidecar:
        definition["dependsOn"] = [{"containerName": "envoy", "condition": "HEALTHY"}]
    return definition


def envoy(spec: Spec, region: str) -> dict[str, Any]:
    """Return an App Mesh envoy sidecar container definition for SPEC."""
    return {
        "name": "envoy",
        "image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.2.0-prod",
        "essential": True,
        "cpu": 64,
        "memoryReservation": 128,
        "user": "1337",
        "portMappings": [{"containerPort": 9901, "hostPort": 9901, "protocol": "tcp"}],
        "environment": [{"name": "APPMESH_RESOURCE_ARN",
                         "value": f"arn:aws:appmesh:{region}:{ACCOUNT}:mesh/{spec.cluster}/virtualNode/{spec.name}"},
                        {"name": "ENVOY_LOG_LEVEL", "value": "warn"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": f"/ecs/{spec.family}", "awslogs-region": region,
            "awslogs-stream-prefix": spec.family}},
        "healthCheck": {"command": ["CMD-SHELL",
                                    "curl -s http://localhost:9901/server_info | grep state | grep -q LIVE"],
                        "interval": 5, "timeout": 2, "retries": 3, "startPeriod": 10},
        "ulimits": [{"name": "nofile", "softLimit": 15000, "hardLimit": 15000}],
    }


def task_definition(spec: Spec, image: str, region: str) -> dict[str, Any]:
    """Return register_task_definition arguments for SPEC's revision running IMAGE."""
    containers = [container(spec, image, region)]
    if spec.sidecar:
        containers.append(envoy(spec, region))
    awsvpc = spec.launch_type == "FARGATE"
    return {
        "family": spec.family,
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/{spec.family}-task",
        "executionRoleArn": EXECUTION_ROLE,
        "networkMode": "awsvpc" if awsvpc else "bridge",
        "requiresCompatibilities": ["FARGATE"] if awsvpc else ["EC2"],
        "cpu": spec.cpu,
        "memory": spec.memory,
        "containerDefinitions": containers,
        "tags": [{"key": "service", "value": spec.name}, {"key": "env", "value": spec.cluster}],
    }


def job_definition(family: str, image: str, command: list[str], region: str) -> dict[str, Any]:
    """Return register_task_definition arguments for a FARGATE batch job FAMILY."""
    return {
        "family": family,
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/{family}-task",
        "executionRoleArn": EXECUTION_ROLE,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "1024",
        "memory": "2048",
        "containerDefinitions": [{
            "name": family,
            "image": image,
            "essential": True,
            "command": command,
            "environment": [{"name": "APP_ENV", "value": "batch"}, {"name": "DB_PASSWORD", "value": "batch-secret"},
                            {"name": "REPORT_BUCKET", "value": "s3://reports"}],
            "secrets": [{"name": "DATABASE_URL",
                         "valueFrom": f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/batch/DATABASE_URL"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": f"/ecs/{family}", "awslogs-region": region, "awslogs-stream-prefix": family}},
            "ulimits": [{"name": "nofile", "softLimit": 4096, "hardLimit": 8192}],
        }],
    }


def client(world: World, service: str) -> Any:
    """Return WORLD's in-process boto3 client for SERVICE (made once per world: clients cost ~30 ms)."""
    return world.api(service)


class Builder:
    """Creates a world's network, load balancers, clusters and services through boto3."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.region = world.region
        self.ecs = client(world, "ecs")
        self.elbv2 = client(world, "elbv2")
        self.out: dict[str, Any] = {"clusters": [], "services": {}, "target_groups": {}, "task_definitions": {}}

    # network and load balancers ----------------------------------------------------------------
    def network(self) -> None:
        """Create the VPC (DNS hostnames on), two subnets and security group ecs-services, on moto's EC2 backend.

        Directly, not through the EC2 API: ecsshell never calls EC2, and reading EC2's model (for a
        client and again for moto's router) costs about 50 MB and 0.1 s of every demo's start.
        """
        with self.world.lock:
            ec2 = self.world.backend("ec2", ACCOUNT, self.region)
            vpc = ec2.create_vpc("10.0.0.0/16", "default", ipv6_cidr_block_network_border_group=self.region).id
            ec2.modify_vpc_attribute(vpc, "enable_dns_hostnames", True)
            subnets = [ec2.create_subnet(vpc, f"10.0.{i}.0/24", availability_zone=f"{self.region}{zone}").id
                       for i, zone in ((1, "a"), (2, "b"))]
            group = ec2.create_security_group("ecs-services", "ECS services", vpc_id=vpc).id
        self.out.update(vpc=vpc, subnets=subnets, security_group=group, network_configuration={
            "awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group], "assignPublicIp": "DISABLED"}})

    def load_balancers(self, target_groups: list[tuple[str, int, str]]) -> None:
        """Create the ALB prod-alb, HTTP:80 forwarding to the first target group, rules for the rest."""
        alb = self.elbv2.create_load_balancer(Name="prod-alb", Subnets=self.out["subnets"],
                                              SecurityGroups=[self.out["security_group"]], Scheme="internet-facing",
                                              Type="application")["LoadBalancers"][0]
        arns: dict[str, str] = {}
        for name, port, _path in target_groups:
            arns[name] = self.elbv2.create_target_group(
                Name=name, Protocol="HTTP", Port=port, VpcId=self.out["vpc"], TargetType="ip",
                HealthCheckPath="/health", HealthCheckIntervalSeconds=15, HealthyThresholdCount=2,
                Matcher={"HttpCode": "200"})["TargetGroups"][0]["TargetGroupArn"]
        first = target_groups[0][0]
        listener = self.elbv2.create_listener(
            LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": arns[first]}])["Listeners"][0]
        for priority, (name, _port, path) in enumerate(target_groups[1:], start=10):
            self.elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=priority,
                                   Conditions=[{"Field": "path-pattern", "Values": [path]}],
                                   Actions=[{"Type": "forward", "TargetGroupArn": arns[name]}])
        self.out.update(alb_arn=alb["LoadBalancerArn"], alb_dns=alb["DNSName"],
                        listener_arn=listener["ListenerArn"])
        self.out["target_groups"].update(arns)

    def classic_elb(self, name: str, port: int) -> None:
        client(self.world, "elb").create_load_balancer(
            LoadBalancerName=name, Subnets=self.out["subnets"], SecurityGroups=[self.out["security_group"]],
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP",
                        "InstancePort": port}])
        self.out["classic_elb"] = name

    def container_instances(self, cluster: str, count: int) -> list[str]:
        """Start COUNT EC2 instances (on moto's EC2 backend, as `network`) and register them as CLUSTER's."""
        with self.world.lock:  # what moto's RunInstances answer passes its backend for these parameters
            reservation = self.world.backend("ec2", ACCOUNT, self.region).run_instances(
                "ami-0c55b159cbfafe1f0", count, None, [], instance_type="m5.large", is_instance_type_default=False,
                placement=None, placement_hostid=None, region_name=self.region, subnet_id=self.out["subnets"][0],
                key_name=None, security_group_ids=[self.out["security_group"]], nics=[], private_ip=None,
                associate_public_ip=None, tags={"instance": {"Name": f"ecs-{cluster}"}}, ebs_optimized=False,
                disable_api_stop=False, instance_market_options={}, instance_initiated_shutdown_behavior=None,
                launch_template={}, hibernation_options={}, iam_instance_profile_name=None,
                iam_instance_profile_arn=None, monitoring_state="disabled", ipv6_address_count=None,
                metadata_options={}, client_token="ABCDE")
            instances = [instance.id for instance in reservation.instances]
        arns = []
        for instance in instances:
            document = json.dumps({"instanceId": instance, "region": self.region})
            answer = self.ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=document)
            arns.append(answer["containerInstance"]["containerInstanceArn"])
        self.out.setdefault("container_instances", {})[cluster] = arns
        return arns

    # ECS ------------------------------------------------------------------------------------------
    def clusters(self, names: list[str]) -> None:
        for name in names:
            self.ecs.create_cluster(clusterName=name, tags=[{"key": "env", "value": name}],
                                    settings=[{"name": "containerInsights", "value": "enabled"}])
            self.out["clusters"].append(name)

    def register(self, spec: Spec, image: str) -> str:
        arn: str = self.ecs.register_task_definition(
            **task_definition(spec, image, self.region))["taskDefinition"]["taskDefinitionArn"]
        self.out["task_definitions"].setdefault(spec.family, []).append(arn)
        return arn

    def create_service(self, spec: Spec, task_definition_arn: str) -> None:
        params: dict[str, Any] = dict(
            cluster=spec.cluster, serviceName=spec.name, taskDefinition=task_definition_arn,
            desiredCount=spec.desired, launchType=spec.launch_type, enableExecuteCommand=spec.launch_type == "FARGATE",
            deploymentConfiguration={"deploymentCircuitBreaker": {"enable": spec.breaker, "rollback": False},
                                     "maximumPercent": 200, "minimumHealthyPercent": 100},
            tags=[{"key": "env", "value": spec.cluster}] + [{"key": k, "value": v} for k, v in spec.tags.items()],
            propagateTags="SERVICE")
        if spec.launch_type == "FARGATE":
            params["networkConfiguration"] = self.out["network_configuration"]
            params["platformVersion"] = "LATEST"
        if spec.target_group:
            params["loadBalancers"] = [{"targetGroupArn": self.out["target_groups"][spec.target_group],
                                        "containerName": spec.name, "containerPort": spec.port}]
            params["healthCheckGracePeriodSeconds"] = 60
        elif spec.classic_elb:
            params["loadBalancers"] = [{"loadBalancerName": spec.classic_elb, "containerName": spec.name,
                                        "containerPort": spec.port}]
        answer = self.ecs.create_service(**params)
        self.out["services"].setdefault(spec.cluster, []).append(answer["service"]["serviceArn"])

    def deploy(self, spec: Spec, task_definition_arn: str) -> None:
        self.ecs.update_service(cluster=spec.cluster, service=spec.name, taskDefinition=task_definition_arn)

    def roll_out(self, specs: list[Spec]) -> None:
        """Create SPECS on their first revision, then deploy each later revision in waves."""
        revisions = {spec.family + spec.cluster: [self.register(spec, image) for image in spec.images]
                     for spec in specs}
        for spec in specs:
            self.create_service(spec, revisions[spec.family + spec.cluster][0])
        self.world.advance(5)
        for wave in range(1, max(len(spec.images) for spec in specs)):
            self.world.scheduler.skip(QUIET_SECONDS)
            for spec in specs:
                if wave < len(spec.images):
                    self.deploy(spec, revisions[spec.family + spec.cluster][wave])
            self.world.advance(7)


def _build(world: World, specs: list[Spec], demo: bool) -> dict[str, Any]:
    """Build the small world's shape with SPECS; see `small_world`."""
    scheduler = world.scheduler
    for family, lines in LOG_LINES.items():
        scheduler.log_lines[family] = lines
    waves = max(len(spec.images) for spec in specs)
    scheduler.backdate(QUIET_SECONDS * (waves + 2))
    b = Builder(world)
    b.network()
    groups = [("prod-web", 8080, "/*"), ("prod-api", 5000, "/api/*"), ("prod-search", 8080, "/search/*")]
    if demo:
        groups.append(("prod-auth", 8080, "/auth/*"))
    b.load_balancers(groups)
    b.classic_elb("prod-legacy", 8080)
    b.clusters(["prod", "staging", "batch", "sandbox"])
    b.container_instances("prod", 2)
    b.roll_out(specs)

    # batch: one-off jobs that finish by themselves
    images = {"migrate": (f"{ECR}/api-migrate:2.4.1", ["python", "manage.py", "migrate"]),
              "report": (f"{ECR}/report:1.3.0", ["python", "-m", "reports.daily"])}
    for family, (image, command) in images.items():
        for revision_image in (image + "-rc1", image):
            answer = b.ecs.register_task_definition(**job_definition(family, revision_image, command, world.region))
            b.out["task_definitions"].setdefault(family, []).append(answer["taskDefinition"]["taskDefinitionArn"])
    scheduler.skip(QUIET_SECONDS)
    scheduler.exit_after("migrate", 8, 0)
    network = b.out["network_configuration"]
    ran = b.ecs.run_task(cluster="batch", taskDefinition="migrate", launchType="FARGATE",
                         networkConfiguration=network, startedBy="ecsshell-demo")["tasks"]
    world.advance(13)
    b.out["batch_tasks"] = [t["taskArn"] for t in ran]

    # what `check` should find: a failed deployment, a stuck rollout on an old revision, bad targets
    scheduler.skip(QUIET_SECONDS / 2)
    payments = next(s for s in specs if s.cluster == "prod" and s.name == "payments")
    legacy = next(s for s in specs if s.cluster == "prod" and s.name == "legacy")
    broken_payments = b.register(payments, f"{ECR}/payments:5.2.0")
    broken_legacy = b.register(legacy, f"{ECR}/legacy:2020.02")
    scheduler.break_revision(broken_payments, "Essential container in task exited")
    scheduler.break_revision(broken_legacy, "CannotPullContainerError: pull image manifest has been retried 5 "
                                            "time(s): failed to resolve ref")
    scheduler.mark_unhealthy(b.out["task_definitions"]["search"][-1])
    b.deploy(payments, broken_payments)
    b.deploy(legacy, broken_legacy)
    world.advance(20)

    if demo:
        _staged_services(world, b)
        b.out["schedules"] = schedules.scheduled_jobs(world, b.out)  # issue 22: the demo's two schedules
        demo_scaling(world)  # prod/web: a scalable target, a CPU target tracking policy, two activities

    scheduler.catch_up(behind=6)
    if demo:  # after catching up with the wall clock: the demo's metrics end now
        metrics.seed(world, [(s.cluster, s.name) for s in specs] + [("releases", "storefront"), ("releases", "ledger")])
    scheduler.exit_after("report", 90, 0)
    ran = b.ecs.run_task(cluster="batch", taskDefinition="report", launchType="FARGATE",
                         networkConfiguration=network, startedBy="cron/daily-report")["tasks"]
    world.advance(4)
    b.out["batch_tasks"] += [t["taskArn"] for t in ran]

    verify.stock(world, demo)  # ECR images, and the demo's secrets, parameters, roles and log groups
    out = b.out
    out.update(
        failed_service=("prod", "payments"), failed_task_definition=broken_payments,
        stuck_service=("prod", "legacy"), stuck_task_definition=broken_legacy,
        old_task_definition=out["task_definitions"]["legacy"][0],
        unhealthy_service=("prod", "search"), unhealthy_task_definition=out["task_definitions"]["search"][-1],
        multi_container_service=("prod", "web"),
        digest_image=f"{ECR}/worker@{WORKER_DIGEST}",
        port_registry_image="registry.example.com:5000/team/api:2.4.1",
        run_families=["migrate", "report"],
        empty_cluster="sandbox",
    )
    return out


def staged_service(world: World, cluster: str, name: str, strategy: str = "BLUE_GREEN",
                   images: tuple[str, ...] = ("nginx:1.26", "nginx:1.27"), desired: int = 2,
                   hooks: list[dict[str, Any]] | None = None, load_balancer: dict[str, Any] | None = None,
                   network: dict[str, Any] | None = None, deploy: bool = True, **config: Any) -> dict[str, Any]:
    """Create a FARGATE service NAME in CLUSTER deploying with STRATEGY, one revision per image.

    The service starts on the first image and settles (5 emulated seconds); with DEPLOY it is then
    updated to the last image, so `world.advance` walks the staged deployment (hooks: its
    lifecycleHooks; CONFIG: more deploymentConfiguration, e.g. bakeTimeInMinutes=5 or
    canaryConfiguration={...}). Return the task definition ARNs and the service deployment ARN.
    """
    ecs = client(world, "ecs")
    if not ecs.describe_clusters(clusters=[cluster])["clusters"]:
        ecs.create_cluster(clusterName=cluster)
    definitions = [ecs.register_task_definition(
        family=name, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        executionRoleArn=EXECUTION_ROLE,
        containerDefinitions=[{"name": name, "image": image, "essential": True,
                               "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]}],
    )["taskDefinition"]["taskDefinitionArn"] for image in images]
    configuration = {"strategy": strategy, "maximumPercent": 200, "minimumHealthyPercent": 100,
                     "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                     "lifecycleHooks": hooks or [], **config}
    params: dict[str, Any] = dict(cluster=cluster, serviceName=name, taskDefinition=definitions[0],
                                  desiredCount=desired, launchType="FARGATE", deploymentConfiguration=configuration)
    if load_balancer:
        params["loadBalancers"] = [load_balancer]
    if network:
        params["networkConfiguration"] = network
    ecs.create_service(**params)
    world.advance(5)
    if deploy and len(definitions) > 1:
        ecs.update_service(cluster=cluster, service=name, taskDefinition=definitions[-1])
    current = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    return {"task_definitions": definitions, "service_deployment": current["currentServiceDeployment"]}


def _staged_services(world: World, b: Builder) -> None:
    """Give the demo cluster releases: storefront (BLUE_GREEN, paused by a PAUSE hook) and ledger (a CANARY)."""
    elbv2 = b.elbv2
    groups = {color: elbv2.create_target_group(
        Name=f"storefront-{color}", Protocol="HTTP", Port=8080, VpcId=b.out["vpc"], TargetType="ip",
        HealthCheckPath="/health")["TargetGroups"][0]["TargetGroupArn"] for color in ("blue", "green")}
    production = elbv2.create_rule(ListenerArn=b.out["listener_arn"], Priority=50,
                                   Conditions=[{"Field": "path-pattern", "Values": ["/shop/*"]}],
                                   Actions=[{"Type": "forward", "TargetGroupArn": groups["blue"]}])["Rules"][0]
    test_listener = elbv2.create_listener(LoadBalancerArn=b.out["alb_arn"], Protocol="HTTP", Port=8080,
                                          DefaultActions=[{"Type": "forward", "TargetGroupArn": groups["green"]}])
    test = elbv2.create_rule(ListenerArn=test_listener["Listeners"][0]["ListenerArn"], Priority=50,
                             Conditions=[{"Field": "path-pattern", "Values": ["/shop/*"]}],
                             Actions=[{"Type": "forward", "TargetGroupArn": groups["green"]}])["Rules"][0]
    balancer = {"targetGroupArn": groups["blue"], "containerName": "storefront", "containerPort": 8080,
                "advancedConfiguration": {"alternateTargetGroupArn": groups["green"],
                                          "productionListenerRule": production["RuleArn"],
                                          "testListenerRule": test["RuleArn"], "roleArn": HOOK_ROLE}}
    pause = {"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
             "timeoutConfiguration": {"timeoutInMinutes": 1440, "action": "ROLLBACK"}}
    smoke = {"targetType": "AWS_LAMBDA", "roleArn": HOOK_ROLE, "lifecycleStages": ["POST_SCALE_UP"],
             "hookTargetArn": f"arn:aws:lambda:{world.region}:{ACCOUNT}:function:smoke-test"}
    network = b.out["network_configuration"]
    b.ecs.create_cluster(clusterName="releases", tags=[{"key": "env", "value": "releases"}])
    b.out["clusters"].append("releases")
    storefront = staged_service(world, "releases", "storefront", "BLUE_GREEN",
                                (f"{ECR}/storefront:3.1.0", f"{ECR}/storefront:3.2.0"), hooks=[smoke, pause],
                                load_balancer=balancer, network=network, bakeTimeInMinutes=DEMO_BAKE_MINUTES)
    ledger = staged_service(world, "releases", "ledger", "CANARY", (f"{ECR}/ledger:1.8.0", f"{ECR}/ledger:1.9.0"),
                            desired=3, network=network, bakeTimeInMinutes=5,
                            canaryConfiguration={"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 180})
    world.advance(12)  # storefront waits at its PAUSE hook, ledger runs its canary
    b.out["target_groups"].update({f"storefront-{color}": arn for color, arn in groups.items()})
    b.out["services"]["releases"] = [f"arn:aws:ecs:{world.region}:{ACCOUNT}:service/releases/{name}"
                                     for name in ("storefront", "ledger")]
    b.out["task_definitions"]["storefront"] = storefront["task_definitions"]
    b.out["task_definitions"]["ledger"] = ledger["task_definitions"]
    b.out.update(blue_green_service=("releases", "storefront"), paused_deployment=storefront["service_deployment"],
                 canary_service=("releases", "ledger"), canary_deployment=ledger["service_deployment"])


def small_world(world: World) -> dict[str, Any]:
    """Build clusters prod, staging, batch and sandbox with a handful of services; return their names.

    prod: web (web + envoy, behind prod-alb via target group prod-web), api (port-registry image,
    prod-api), worker (digest-pinned image), payments (last deployment FAILED, old revision still
    running), legacy (EC2 behind classic ELB prod-legacy; rollout stuck, tasks on the old revision),
    search (targets unhealthy). staging: web, api, worker. batch: families migrate and report, one
    finished and one running task. sandbox: empty.
    """
    return _build(world, SMALL_SPECS, demo=False)


def demo_world(world: World) -> dict[str, Any]:
    """Build what `ecsshell --demo` shows: the small world plus more services and revisions.

    Also cluster releases: storefront (BLUE_GREEN behind target groups storefront-blue/-green, its
    deployment paused by a PAUSE hook at POST_TEST_TRAFFIC_SHIFT: `paused_deployment`; it bakes
    DEMO_BAKE_MINUTES once continued) and ledger
    (a CANARY at 10% for 3 hours: `canary_deployment`).
    """
    return _build(world, SMALL_SPECS + DEMO_SPECS, demo=True)


# scale -------------------------------------------------------------------------------------------
def scale_world(world: World, services: int, cluster: str = "scale", revisions: int = 5,
                direct: bool | None = None) -> dict[str, Any]:
    """Create SERVICES services in CLUSTER, each on the last of REVISIONS revisions of its own family.

    Through boto3 when DIRECT is False (or None and SERVICES <= API_LIMIT), else directly on moto's
    ECS backend under the world lock (milliseconds per hundred services). Services start with no
    running tasks (desired 1, PRIMARY deployment IN_PROGRESS); `world.advance(4)` starts them all.
    """
    if direct is None:
        direct = services > API_LIMIT
    ecs = client(world, "ecs")
    ecs.create_cluster(clusterName=cluster)
    names = [f"svc-{i:04d}" for i in range(services)]

    def definition(name: str, revision: int) -> dict[str, Any]:
        return {"name": "app", "image": f"{ECR}/{name}:1.{revision}.0", "essential": True, "memory": 256,
                "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}],
                "environment": [{"name": "SERVICE", "value": name}]}

    if direct:
        with world.lock:
            backend = world.backend("ecs")
            for name in names:
                for revision in range(1, revisions + 1):
                    backend.register_task_definition(name, [definition(name, revision)], network_mode="bridge",
                                                     requires_compatibilities=["EC2"], cpu="256", memory="512",
                                                     execution_role_arn=EXECUTION_ROLE)
                backend.create_service(cluster, name, 1, f"{name}:{revisions}", launch_type="EC2")
    else:
        for name in names:
            for revision in range(1, revisions + 1):
                ecs.register_task_definition(family=name, containerDefinitions=[definition(name, revision)],
                                             networkMode="bridge", requiresCompatibilities=["EC2"], cpu="256",
                                             memory="512", executionRoleArn=EXECUTION_ROLE)
            ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=f"{name}:{revisions}",
                               desiredCount=1, launchType="EC2")
    prefix = f"arn:aws:ecs:{world.region}:{ACCOUNT}"
    return {"cluster": cluster, "services": names, "direct": direct,
            "service_arns": [f"{prefix}:service/{cluster}/{name}" for name in names],
            "task_definitions": [f"{prefix}:task-definition/{name}:{revisions}" for name in names]}


# several accounts and Regions (issue 14) ---------------------------------------------------------
FLEET_KEYS = {"staging": "111111111111"}  # profile -> account, with an IAM user's access keys
FLEET_ROLES = {"prod": ("staging", "222222222222")}  # profile -> (source profile, account): assume-role
FLEET_REGIONS = ("us-east-1", "eu-west-1")


def place_services(world: World, account: str, region: str, cluster: str, names: list[str],
                   image_tag: str = "1.0.0") -> list[str]:
    """Create CLUSTER in ACCOUNT and REGION with services NAMES on one api task definition; return their ARNs."""
    ecs = world.api("ecs", account=account, region=region)
    ecs.create_cluster(clusterName=cluster)
    image = f"{account}.dkr.ecr.{region}.amazonaws.com/api:{image_tag}"
    arn = ecs.register_task_definition(
        family="api", containerDefinitions=[{"name": "api", "image": image, "memory": 256, "essential": True}],
        requiresCompatibilities=["FARGATE"], cpu="256", memory="512")["taskDefinition"]["taskDefinitionArn"]
    return [ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=arn, desiredCount=1,
                               launchType="FARGATE")["service"]["serviceArn"] for name in names]


def fleet_world(world: World, directory: Path) -> dict[str, Any]:
    """Build two accounts in two Regions and write their AWS profiles in DIRECTORY; return the environment.

    Profile staging (access keys, account 111111111111) and prod (assumes a role in 222222222222 from
    staging's keys) each have cluster web in us-east-1 and eu-west-1 with services api and one named
    after the place (`staging-us-east-1`, ...), so a run shows which backend answered.
    """
    env = world.profiles(directory, FLEET_KEYS, roles=FLEET_ROLES)
    accounts = {**FLEET_KEYS, **{profile: account for profile, (_, account) in FLEET_ROLES.items()}}
    places = {}
    for profile, account in accounts.items():
        for region in FLEET_REGIONS:
            places[(profile, region)] = place_services(world, account, region, "web", ["api", f"{profile}-{region}"])
    world.advance(5)
    return {"env": env, "accounts": accounts, "regions": list(FLEET_REGIONS), "services": places}


def demo_fleet(world: World, directory: Path) -> dict[str, str]:
    """Add to the demo a second Region (eu-west-1: cluster prod) and a profile staging (its own account)."""
    env = demo_profiles(world, directory)
    demo_places(world)
    return env


def demo_profiles(world: World, directory: Path) -> dict[str, str]:
    """Write the demo's AWS profile staging (an IAM user's keys in its own account) in DIRECTORY."""
    return world.profiles(directory, FLEET_KEYS)


def demo_places(world: World) -> None:
    """Add the demo's second Region (eu-west-1: cluster prod) and profile staging's cluster staging."""
    place_services(world, ACCOUNT, "eu-west-1", "prod", ["web", "api"], "1.5.0")
    place_services(world, FLEET_KEYS["staging"], world.region, "staging", ["web", "api"], "1.6.0-rc1")
    world.advance(5)

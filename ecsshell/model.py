"""Plain data the gateway returns and the renderers draw: no boto3 here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Fields of DescribeTaskDefinition's taskDefinition that RegisterTaskDefinition does not accept
# (botocore's ECS model: the members of TaskDefinition missing from RegisterTaskDefinitionRequest).
READ_ONLY_TASK_DEFINITION_FIELDS = frozenset({
    "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
    "registeredBy", "deregisteredAt", "deleteRequestedAt",
})


def registration(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Return SPEC (register input or describe output) as RegisterTaskDefinition parameters."""
    document = dict(spec)
    tags = None
    inner = document.get("taskDefinition")
    if isinstance(inner, Mapping):
        tags = document.get("tags")
        document = dict(inner)
    params = {k: v for k, v in document.items()
              if k not in READ_ONLY_TASK_DEFINITION_FIELDS and k != "ResponseMetadata"}
    if tags:
        params["tags"] = tags
    if not params.get("tags"):
        params.pop("tags", None)
    return params


def arn_name(arn: str | None) -> str:
    """Return the last path element of an ARN: a task id, a service name, `family:revision` (or the text)."""
    if not arn:
        return ""
    return arn.rsplit("/", 1)[-1]


def target_group_label(arn: str) -> str:
    """Return `tg/NAME` for a target group ARN (`tg/` and the ARN's last part when it has no name in it)."""
    parts = arn.split(":")[-1].split("/")
    return f"tg/{parts[1] if len(parts) > 1 else parts[0]}"


@dataclass(frozen=True, order=True)
class Revision:
    """One revision of a task definition family, as ListTaskDefinitions names it (ordered by number)."""

    family: str
    number: int
    arn: str
    status: str  # ACTIVE | INACTIVE | DELETE_IN_PROGRESS

    @property
    def label(self) -> str:
        return f"{self.family}:{self.number}"

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"


@dataclass(frozen=True)
class Cluster:
    name: str
    arn: str
    status: str
    active_services: int
    running_tasks: int
    pending_tasks: int
    container_instances: int
    # The members of ECS's answer no field above holds, as ECS returned them (for JSON output only).
    other_members: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class LoadBalancerRef:
    """A service's link to a classic ELB or an ALB/NLB target group."""

    container_name: str | None
    container_port: int | None
    target_group_arn: str | None = None
    load_balancer_name: str | None = None

    @property
    def label(self) -> str:
        if self.target_group_arn:
            return target_group_label(self.target_group_arn)
        return f"elb/{self.load_balancer_name}"


@dataclass(frozen=True)
class Deployment:
    id: str
    status: str  # PRIMARY | ACTIVE | INACTIVE
    task_definition_arn: str
    desired: int
    running: int
    pending: int
    failed: int
    rollout_state: str | None  # IN_PROGRESS | COMPLETED | FAILED
    rollout_reason: str | None
    created_at: datetime | None
    updated_at: datetime | None
    # The members of ECS's answer no field above holds, as ECS returned them (for JSON output only).
    other_members: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def revision(self) -> str:
        return arn_name(self.task_definition_arn)


@dataclass(frozen=True)
class ServiceEvent:
    id: str
    created_at: datetime | None
    message: str


@dataclass(frozen=True)
class Service:
    name: str
    arn: str
    cluster_arn: str
    status: str
    desired: int
    running: int
    pending: int
    task_definition_arn: str
    launch_type: str | None
    deployments: tuple[Deployment, ...] = ()
    events: tuple[ServiceEvent, ...] = ()  # newest first, as ECS returns them
    load_balancers: tuple[LoadBalancerRef, ...] = ()
    network_configuration: dict[str, Any] | None = None
    created_at: datetime | None = None
    deployment_controller: str | None = None  # ECS | CODE_DEPLOY | EXTERNAL (None: ECS, the default)
    deployment_configuration: dict[str, Any] | None = None  # strategy, bake time, hooks, circuit breaker
    current_service_deployment: str | None = None  # the ARN of the service deployment ECS runs or ran last
    current_revisions: tuple[RevisionSummary, ...] = ()  # currentServiceRevisions
    enable_execute_command: bool = False
    # The members of ECS's answer no field above holds, as ECS returned them (for JSON output only).
    other_members: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def revision(self) -> str:
        return arn_name(self.task_definition_arn)

    @property
    def strategy(self) -> str:
        """Return the deployment strategy: ROLLING unless the configuration names another."""
        return str((self.deployment_configuration or {}).get("strategy") or "ROLLING")

    @property
    def controller(self) -> str:
        """Return who deploys the service: ECS, CODE_DEPLOY or EXTERNAL."""
        return self.deployment_controller or "ECS"

    @property
    def cluster(self) -> str:
        return arn_name(self.cluster_arn)

    @property
    def primary(self) -> Deployment | None:
        return next((d for d in self.deployments if d.status == "PRIMARY"), None)


@dataclass(frozen=True)
class TaskContainer:
    name: str
    last_status: str | None
    exit_code: int | None = None
    reason: str | None = None
    health: str | None = None
    image: str | None = None
    image_digest: str | None = None  # the digest the task runs (ECS resolved the tag at deploy time)
    runtime_id: str | None = None  # the container runtime's id (ECS Exec's target needs it)
    # The members of ECS's answer no field above holds, as ECS returned them (for JSON output only).
    other_members: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Task:
    arn: str
    task_definition_arn: str
    last_status: str
    desired_status: str
    health: str | None
    group: str | None
    launch_type: str | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    stopped_reason: str | None = None
    containers: tuple[TaskContainer, ...] = ()
    cluster_arn: str | None = None
    stop_code: str | None = None  # TaskFailedToStart | EssentialContainerExited | UserInitiated | ...
    created_at: datetime | None = None
    pull_started_at: datetime | None = None
    pull_stopped_at: datetime | None = None
    network_interface_id: str | None = None  # the awsvpc ENI, from the task's attachments
    private_ipv4_address: str | None = None
    enable_execute_command: bool = False
    # The members of ECS's answer no field above holds, as ECS returned them (for JSON output only).
    other_members: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def id(self) -> str:
        return arn_name(self.arn)

    @property
    def revision(self) -> str:
        return arn_name(self.task_definition_arn)


@dataclass(frozen=True)
class ContainerDef:
    name: str
    image: str
    cpu: int | None = None
    memory: int | None = None
    memory_reservation: int | None = None
    essential: bool = True
    port_mappings: tuple[dict[str, Any], ...] = ()
    command: tuple[str, ...] = ()
    entry_point: tuple[str, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()
    secrets: tuple[tuple[str, str], ...] = ()  # (name, valueFrom): never a value
    log_configuration: dict[str, Any] | None = None
    health_check: dict[str, Any] | None = None


@dataclass(frozen=True)
class TaskDefinition:
    arn: str
    family: str
    revision: int
    status: str
    containers: tuple[ContainerDef, ...]
    cpu: str | None = None
    memory: str | None = None
    network_mode: str | None = None
    task_role_arn: str | None = None
    execution_role_arn: str | None = None
    requires_compatibilities: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    # The whole DescribeTaskDefinition answer (taskDefinition plus tags), for JSON output and updates.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def label(self) -> str:
        return f"{self.family}:{self.revision}"

    def container(self, name: str) -> ContainerDef | None:
        return next((c for c in self.containers if c.name == name), None)


@dataclass(frozen=True)
class Family:
    name: str
    latest_revision: int | None  # latest ACTIVE revision
    latest_arn: str | None


@dataclass(frozen=True)
class TargetHealth:
    target_id: str
    port: int | None
    state: str  # healthy | unhealthy | initial | draining | unused | unavailable | InService | OutOfService
    reason: str | None = None
    description: str | None = None

    @property
    def healthy(self) -> bool:
        return self.state in ("healthy", "InService")


@dataclass(frozen=True)
class TargetGroup:
    arn: str
    name: str
    port: int | None
    protocol: str | None
    load_balancer_arns: tuple[str, ...] = ()
    targets: tuple[TargetHealth, ...] = ()

    @property
    def healthy_count(self) -> int:
        return sum(1 for t in self.targets if t.healthy)

    @property
    def unhealthy_count(self) -> int:
        return sum(1 for t in self.targets if not t.healthy)


@dataclass(frozen=True)
class LoadBalancer:
    name: str
    kind: str  # classic | application | network
    dns_name: str | None
    arn: str | None = None
    listeners: tuple[str, ...] = ()  # e.g. "HTTP:80 -> forward tg/web"
    target_groups: tuple[TargetGroup, ...] = ()
    instances: tuple[TargetHealth, ...] = ()  # classic ELB instance health


@dataclass(frozen=True)
class RunFailure:
    arn: str | None
    reason: str
    detail: str | None = None


@dataclass(frozen=True)
class ExecSession:
    """The SSM session ExecuteCommand opened into one container; its token is a secret, never printed."""

    cluster_arn: str
    task_arn: str
    container_name: str
    session_id: str
    container_arn: str | None = None
    stream_url: str = field(default="", repr=False)
    token_value: str = field(default="", repr=False)

    def session(self) -> dict[str, str]:
        """Return the session as ExecuteCommand answered it, for the session-manager-plugin alone."""
        return {"sessionId": self.session_id, "streamUrl": self.stream_url, "tokenValue": self.token_value}


@dataclass(frozen=True)
class LogEvent:
    timestamp: datetime
    task_id: str
    container: str
    message: str
    event_id: str | None = None  # CloudWatch's id: two equal lines in one millisecond stay two


# service deployments and service revisions ---------------------------------------------------------
# The lifecycle stages of a service deployment in the order ECS goes through them (the AWS guide,
# "Deployment lifecycle stages"; not botocore's enum order, which is not promised to be stable).
LIFECYCLE_STAGES = (
    "RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME",
    "CLEAN_UP",
)
DEPLOYMENT_RUNNING = frozenset({"PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED",
                                "ROLLBACK_IN_PROGRESS"})
DEPLOYMENT_FAILED = frozenset({"STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})


def stage_index(stage: str | None) -> int:
    """Return STAGE's position in LIFECYCLE_STAGES, or -1 for none or an unknown one."""
    return LIFECYCLE_STAGES.index(stage) if stage in LIFECYCLE_STAGES else -1


@dataclass(frozen=True)
class RevisionSummary:
    """A service revision as a deployment or a service counts it (ServiceRevisionSummary)."""

    arn: str
    requested: int = 0
    running: int = 0
    pending: int = 0
    test_traffic_weight: float | None = None
    production_traffic_weight: float | None = None


@dataclass(frozen=True)
class ContainerImage:
    """The image of one container of a service revision, and the digest ECS resolved it to."""

    container_name: str
    image: str
    image_digest: str | None = None


@dataclass(frozen=True)
class ServiceRevision:
    """What one revision of a service runs (DescribeServiceRevisions)."""

    arn: str
    service_arn: str
    cluster_arn: str
    task_definition_arn: str
    container_images: tuple[ContainerImage, ...] = ()
    launch_type: str | None = None
    created_at: datetime | None = None

    @property
    def revision(self) -> str:
        return arn_name(self.task_definition_arn)


@dataclass(frozen=True)
class LifecycleHook:
    """One lifecycle hook of a service deployment (lifecycleHookDetails)."""

    hook_id: str
    target_type: str  # AWS_LAMBDA | PAUSE
    status: str  # AWAITING_ACTION | IN_PROGRESS | SUCCEEDED | FAILED | TIMED_OUT
    target_arn: str | None = None
    expires_at: datetime | None = None
    timeout_action: str | None = None  # ROLLBACK | CONTINUE

    @property
    def awaiting(self) -> bool:
        return self.status == "AWAITING_ACTION"


@dataclass(frozen=True)
class DeploymentRollback:
    """Why and when ECS rolled a service deployment back, and to which revision."""

    reason: str | None
    started_at: datetime | None
    service_revision_arn: str | None


@dataclass(frozen=True)
class ServiceDeployment:
    """One service deployment (DescribeServiceDeployments, or a ListServiceDeployments brief)."""

    arn: str
    service_arn: str
    cluster_arn: str
    status: str
    status_reason: str | None = None
    lifecycle_stage: str | None = None
    target: RevisionSummary | None = None
    sources: tuple[RevisionSummary, ...] = ()
    hooks: tuple[LifecycleHook, ...] = ()
    rollback: DeploymentRollback | None = None
    circuit_breaker: dict[str, Any] | None = None
    alarms: dict[str, Any] | None = None
    deployment_configuration: dict[str, Any] | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    stopped_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def id(self) -> str:
        return arn_name(self.arn)

    @property
    def strategy(self) -> str:
        return str((self.deployment_configuration or {}).get("strategy") or "ROLLING")

    @property
    def running(self) -> bool:
        return self.status in DEPLOYMENT_RUNNING

    @property
    def awaiting(self) -> LifecycleHook | None:
        """Return the hook the deployment waits on for someone to act, if any."""
        return next((h for h in self.hooks if h.awaiting), None)


@dataclass(frozen=True)
class RolloutFacts:
    """What `ls CLUSTER SERVICE` tells of how a service is deployed: strategy, the running deployment, images."""

    strategy: str
    deployment: ServiceDeployment | None = None  # the current service deployment, while it runs
    traffic: str = ""  # how traffic is split between revisions, when ECS gives weights
    bake_left: float | None = None  # seconds of bake time left, while it bakes
    waiting: str = ""  # the hook it waits at, and how to go on
    revisions: tuple[ServiceRevision, ...] = ()  # the service revisions running, with image digests


@dataclass(frozen=True)
class PortSession:
    """The SSM session StartSession opened (port forwarding into a task); its token is a secret, never printed."""

    session_id: str
    stream_url: str = field(default="", repr=False)
    token_value: str = field(default="", repr=False)

    def session(self) -> dict[str, str]:
        """Return the session as StartSession answered it, for the session-manager-plugin alone."""
        return {"SessionId": self.session_id, "TokenValue": self.token_value, "StreamUrl": self.stream_url}


# a task's life (trace) ----------------------------------------------------------------------------
TRACE_PHASES = (0, 1, 2)  # begin, during, end: at one second, a task's start comes before its events, its end after


@dataclass(frozen=True)
class TraceMoment:
    """One line of a task's timeline: when, from where (task, container, service, log), and what."""

    at: datetime
    source: str
    message: str
    container: str | None = None
    phase: int = 1  # TRACE_PHASES: begin 0, during 1, end 2


@dataclass(frozen=True)
class TaskTrace:
    """A task's life: the task as ECS describes it, its service (if any), the timeline in order, and notes."""

    cluster: str
    task: Task
    service: str | None
    moments: tuple[TraceMoment, ...]
    notes: tuple[str, ...] = ()

    @property
    def origin(self) -> datetime | None:
        """Return the moment offsets count from: the task's creation (else its first moment)."""
        created = self.task.created_at
        start = created.replace(tzinfo=UTC) if created and created.tzinfo is None else created
        return start or (self.moments[0].at if self.moments else None)

    def offset(self, moment: TraceMoment) -> float:
        """Return seconds from the task's creation to MOMENT (negative for events just before it)."""
        origin = self.origin
        return (moment.at - origin).total_seconds() if origin else 0.0


@dataclass(frozen=True)
class Identity:
    """Who the session acts as: STS's caller identity, and the profile, credentials and Region behind it."""

    user_id: str
    account: str
    arn: str
    profile: str
    source: str  # botocore's credential method (env, sso, custom-process, assume-role, ...)
    source_text: str  # the same, described: "assume role arn:... (source profile "dev")"
    region: str
    aliases: tuple[str, ...] = ()
    alias_readable: bool = True  # iam:ListAccountAliases was allowed
    expires: datetime | None = None  # None: static keys, or temporary ones whose expiry is not given
    expiry: str = "never (static keys)"  # when they expire, said


@dataclass(frozen=True)
class ScheduledTask:
    """An EventBridge Scheduler schedule, or one ECS target of an EventBridge rule, that runs ECS tasks."""

    kind: str  # "schedule" (EventBridge Scheduler) or "rule" (an EventBridge rule's target)
    name: str
    group: str  # the schedule group; for a rule, its event bus
    arn: str  # the schedule's or the rule's
    expression: str  # cron(...), rate(...) or at(...)
    state: str  # ENABLED | DISABLED
    task_definition_arn: str
    cluster_arn: str
    timezone: str = "UTC"
    target_id: str = ""  # a rule's target Id
    created_at: datetime | None = None  # a schedule's CreationDate (rules have none)
    start_date: datetime | None = None
    end_date: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)  # GetSchedule, or Rule+Target

    @property
    def label(self) -> str:
        """Return how commands name it: NAME for the default group, GROUP/NAME, or rule/NAME."""
        if self.kind == "rule":
            return f"rule/{self.name}"
        return self.name if self.group == "default" else f"{self.group}/{self.name}"

    @property
    def cluster(self) -> str:
        return arn_name(self.cluster_arn)

    @property
    def task_definition(self) -> str:
        return arn_name(self.task_definition_arn)


# Application Auto Scaling of a service's desired count (aws/scaling.py) ------------------------------
SUSPENDED_LABELS = {"DynamicScalingInSuspended": "scale-in", "DynamicScalingOutSuspended": "scale-out",
                    "ScheduledScalingSuspended": "scheduled scaling"}


@dataclass(frozen=True)
class ScalableTarget:
    """A service's scalable target (ecs:service:DesiredCount); `document` is AWS's ScalableTarget as answered."""

    resource_id: str
    min_capacity: int
    max_capacity: int
    suspended: tuple[str, ...] = ()  # what is suspended: scale-in, scale-out, scheduled scaling
    document: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def outside(self, count: int) -> str:
        """Return "" when COUNT lies within min and max, else which bound it crosses: "minimum" or "maximum"."""
        if count < self.min_capacity:
            return "minimum"
        if count > self.max_capacity:
            return "maximum"
        return ""


@dataclass(frozen=True)
class ScalingPolicy:
    """A scaling policy of a scalable target; `document` is AWS's ScalingPolicy as answered."""

    name: str
    policy_type: str  # TargetTrackingScaling | StepScaling | PredictiveScaling
    document: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ScalingActivity:
    """One scaling activity, newest first as AWS lists them; `document` is AWS's ScalingActivity."""

    start: datetime | None
    status: str
    description: str
    cause: str
    document: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class AutoScaling:
    """What Application Auto Scaling holds for one service; `denied` says why it could not be read."""

    target: ScalableTarget | None = None
    policies: tuple[ScalingPolicy, ...] = ()
    activities: tuple[ScalingActivity, ...] = ()
    denied: str = ""


@dataclass(frozen=True)
class EcrImage:
    """An image an ECR repository holds: its digest, tags, when it was pushed and its size."""

    registry_id: str
    repository: str
    digest: str
    tags: tuple[str, ...] = ()
    pushed_at: datetime | None = None
    size_bytes: int | None = None


@dataclass(frozen=True)
class Check:
    """One check before a deploy: what is checked (NAME, TARGET), whether it holds (None: not checked), and why."""

    name: str  # image, secret, parameter, task role, execution role, log group
    target: str  # the image, secret ARN, parameter, role ARN or log group checked (never a value)
    ok: bool | None
    detail: str = ""
    image: EcrImage | None = None  # what ECR answered for an image found


# CloudWatch metrics (issue 22: `metrics`, `top`, the metrics line of `ls CLUSTER SERVICE`) -----------
@dataclass(frozen=True)
class MetricSeries:
    """One MetricDataResult of GetMetricData: a metric's datapoints, oldest first."""

    id: str
    label: str
    timestamps: tuple[datetime, ...] = ()
    values: tuple[float, ...] = ()
    status_code: str = "Complete"
    messages: tuple[tuple[str, str], ...] = ()  # (Code, Value)

    @property
    def now(self) -> float | None:
        """Return the latest datapoint, or None when there is none."""
        return self.values[-1] if self.values else None

    @property
    def average(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None

    @property
    def peak(self) -> float | None:
        return max(self.values) if self.values else None


@dataclass(frozen=True)
class ServiceMetrics:
    """A service's AWS/ECS CPUUtilization and MemoryUtilization over one window."""

    cluster: str
    service: str
    cpu: MetricSeries
    memory: MetricSeries

    @property
    def has_data(self) -> bool:
        return bool(self.cpu.values or self.memory.values)


@dataclass(frozen=True)
class MetricsReport:
    """`metrics`: a cluster's services (or one) with their CPU and memory over [start, end), busiest first."""

    cluster: str
    start: datetime
    end: datetime
    period: int  # seconds per datapoint
    services: tuple[Service, ...] = ()
    metrics: tuple[ServiceMetrics, ...] = ()  # in the order of `services`

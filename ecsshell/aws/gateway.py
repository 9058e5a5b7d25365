"""The AWS gateway: every ECS call ecsshell makes, concurrent where it pays, returning model objects."""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import itertools
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, as_completed, wait
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore import exceptions as bx
from botocore.config import Config

from ..endpoints import ENDPOINT_SUFFIX
from ..model import (
    Cluster,
    EcrImage,
    ExecSession,
    Family,
    Identity,
    LoadBalancer,
    LogEvent,
    PortSession,
    Revision,
    RunFailure,
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    ScheduledTask,
    Service,
    ServiceDeployment,
    ServiceMetrics,
    ServiceRevision,
    Task,
    TaskDefinition,
    arn_name,
    registration,
)
from . import convert, deployments, identity, load_balancers, logs, metrics, scaling, schedules, verify
from .cache import TaskDefinitionCache, stable
from .caller import ClientName
from .credentials import access_key, is_expired_answer
from .errors import AwsError, NotFound
from .journal import Journal
from .pool import WorkerPool, chunked, distinct, prefetched
from .revisions import REVISION_BATCH, RevisionImages, as_task_definition
from .session import Session, Settings, endpoint_url, make_session

if TYPE_CHECKING:  # the boto3 stubs are a test dependency only: nothing here is needed at run time
    from botocore.client import BaseClient
    from botocore.config import _RetryDict
    from types_boto3_ecs import ECSClient
    from types_boto3_ecs.type_defs import DescribeTaskDefinitionResponseTypeDef, RunTaskResponseTypeDef

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int], None]

SERVICE_PAGE = 100  # ListServices maxResults (ECS's maximum; its default is 10)
LIST_PAGE = 100  # maximum page of the other ECS List* calls
WALK_FAMILIES_PER_PAGE = 8  # `families` walks every revision while each page finishes this many families
SUGGEST_PAGES = 5  # a "did you mean" after a NotFound looks at this many pages of names at most
SERVICE_BATCH = 10  # DescribeServices names per call
TASK_BATCH = 100  # DescribeTasks / DescribeClusters per call
RUN_BATCH = 10  # RunTask count per call
LABELS = {"ecs": "ECS", "elbv2": "ELB", "elb": "ELB", "logs": "CloudWatch Logs", "sts": "STS", "ssm": "SSM",
          "iam": "IAM", "scheduler": "EventBridge Scheduler", "events": "EventBridge",
          "application-autoscaling": "Application Auto Scaling", "ecr": "ECR", "secretsmanager": "Secrets Manager",
          "cloudwatch": "CloudWatch"}

def retry_settings(settings: Settings, env: Mapping[str, str]) -> Settings:
    """Honour the standard AWS_MAX_ATTEMPTS and AWS_RETRY_MODE variables over our defaults."""
    attempts = env.get("AWS_MAX_ATTEMPTS", "")
    mode = env.get("AWS_RETRY_MODE", "")
    if attempts.isdigit() and int(attempts) > 0:
        settings = dataclasses.replace(settings, max_attempts=int(attempts))
    if mode in ("legacy", "standard", "adaptive"):
        settings = dataclasses.replace(settings, retry_mode=mode)
    return settings


class Translated:
    """A boto3 client whose calls raise a translated AwsError and answer without ResponseMetadata.

    A call AWS refuses for expired credentials is sent once more when the gateway finds fresher ones.
    """

    def __init__(self, gateway: Gateway, api: ClientName, context: str, *, once: bool,
                 region: str | None = None) -> None:
        self._gateway = gateway
        self._api = api
        self._context = context
        self._once = once
        self._region = region  # None: the gateway's own

    def __getattr__(self, method: str) -> Callable[..., dict[str, Any]]:
        gateway, api, once, region = self._gateway, self._api, self._once, self._region

        def translated(**params: Any) -> dict[str, Any]:
            for attempt in (1, 2):
                client = gateway.client(api, once=once, region=region)
                try:
                    with gateway.gate or contextlib.nullcontext():  # one bound shared by a fan-out's gateways
                        answer = dict(getattr(client, method)(**params))
                except (bx.ClientError, bx.BotoCoreError, RuntimeError) as exc:
                    if attempt == 1 and is_expired_answer(exc) and gateway.renew_credentials(client):
                        continue  # refused at the door, so nothing was done: the same call, fresh credentials
                    if isinstance(exc, RuntimeError) and not is_expired_answer(exc):
                        raise
                    operation = client.meta.method_to_api_mapping.get(method, method)
                    raise identity.explain(gateway, exc, operation, self._context, service=LABELS.get(api, api),
                                           retried=not once, prefix=client.meta.service_model.signing_name) from exc
                answer.pop("ResponseMetadata", None)
                return answer
            raise AssertionError("unreachable")  # the second attempt returns or raises

        return translated


class Gateway:
    """The only door to AWS: lazily built shared clients, one bounded pool, translated errors."""

    def __init__(self, session: Session, region: str, endpoint_url: str | None, settings: Settings,
                 *, description: str = "", endpoints: Mapping[str, str | None] | None = None,
                 cache: TaskDefinitionCache | None = None, gate: AbstractContextManager[Any] | None = None) -> None:
        self.session = session
        self.gate = gate  # held around each call: shared by gateways whose calls are bounded together
        self.cache = cache
        self.region = region
        self.endpoint_url = endpoint_url
        self.settings = settings
        self.description = description
        self._endpoints = dict(endpoints or {})
        self._config = Config(
            retries=cast("_RetryDict", {"mode": settings.retry_mode, "max_attempts": settings.max_attempts}),
            max_pool_connections=settings.max_workers + 4,
            connect_timeout=5,
            read_timeout=30,
        )
        # A call that creates something must not be repeated blindly: a retry after an answer lost on
        # the way back makes a second one (an extra revision, extra tasks). Those calls go out once.
        self._once_config = self._config.merge(Config(retries=cast("_RetryDict", {
            "mode": settings.retry_mode, "total_max_attempts": 1})))
        self._clients: dict[str, BaseClient] = {}
        self._clients_lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()
        self.journal = Journal()  # read-only refusal, and the changes made (for a message if a run stops)
        self._pool = WorkerPool(settings.max_workers, "ecsshell-aws")
        self.known_caller: dict[str, str] | None = None  # STS GetCallerIdentity's answer, once asked (identity.py)
        self.remake: Callable[[], Session] | None = None  # a new session, its credentials loaded afresh

    @classmethod
    def connect(cls, settings: Settings, env: Mapping[str, str] | None = None,
                cache: TaskDefinitionCache | None = None, gate: AbstractContextManager[Any] | None = None) -> Gateway:
        """Build a gateway from SETTINGS and the environment ENV (os.environ when omitted), with CACHE and GATE."""
        environ: Mapping[str, str] = os.environ if env is None else env
        settings = retry_settings(settings, environ)
        session, region, description = make_session(settings, environ)
        endpoints = {name: endpoint_url(settings, environ, name) for name in ENDPOINT_SUFFIX}
        gateway = cls(session, region, endpoints["ecs"], settings, description=description, endpoints=endpoints,
                      cache=cache, gate=gate)
        gateway.remake = lambda: make_session(settings, environ)[0]
        return gateway

    # plumbing ------------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the worker pool, cancelling work not yet started."""
        self._pool.shutdown()

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def read_only(self) -> bool:
        """Say whether calls that change AWS are refused before they are sent."""
        return self.journal.read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self.journal.read_only = value

    @property
    def changes(self) -> list[str]:
        """Return what the calls made since the list was last cleared changed in AWS."""
        return self.journal.changes

    def reset_calls(self) -> None:
        """Zero the count of API calls made."""
        with self._calls_lock:
            self.calls.clear()

    def _count(self, model: Any = None, **_: Any) -> None:
        with self._calls_lock:
            self.calls[getattr(model, "name", "?")] += 1

    def client(self, name: ClientName, *, once: bool = False, region: str | None = None) -> BaseClient:
        """Return the shared boto3 client for service NAME (ONCE: one that never retries; in REGION if another)."""
        region = region if region and region != self.region else None
        key = (f"{name} once" if once else name) + (f"@{region}" if region else "")
        with self._clients_lock:
            client = self._clients.get(key)
            if client is None:
                endpoint = self._endpoints.get(name, self.endpoint_url)
                try:
                    client = cast("BaseClient", self.session.client(
                        name, region_name=region or self.region, endpoint_url=endpoint,
                        config=self._once_config if once else self._config))
                except (bx.BotoCoreError, bx.ClientError) as exc:
                    raise identity.explain(self, exc, f"creating the {name} client") from exc
                except ValueError as exc:
                    raise AwsError(f"bad AWS endpoint {endpoint!r} for {name}: {exc}") from exc
                client.meta.events.register("before-parameter-build", self.journal.remember_params)
                client.meta.events.register("before-call", self.journal.before_call)
                client.meta.events.register("before-call", self._count)
                client.meta.events.register("after-call", self.journal.after_call)
                attach = getattr(self.gate, "attach", None)  # a CallBound holds its slot per attempt, not per call
                if attach is not None:
                    attach(client)
                self._clients[key] = client
            return client

    def ecs(self, context: str = "", *, once: bool = False) -> ECSClient:
        """Return the ECS client, typed, whose calls raise AwsError (ONCE: never retried)."""
        return cast("ECSClient", self._translated("ecs", context, once))

    def call(self, api: ClientName, method: str, context: str = "", /, **params: Any) -> dict[str, Any]:
        """Call METHOD of API's client with PARAMS; translate any failure into an AwsError."""
        return dict(getattr(self._translated(api, context, False), method)(**params))

    def call_in(self, region: str | None, api: ClientName, method: str, context: str = "", /,
                **params: Any) -> dict[str, Any]:
        """Call METHOD like `call`, with API's client in REGION (None: the gateway's own)."""
        return dict(getattr(Translated(self, api, context, once=False, region=region), method)(**params))

    def call_once(self, api: ClientName, method: str, context: str = "", /, **params: Any) -> dict[str, Any]:
        """Call METHOD like `call`, but with no automatic retry: for calls that create something."""
        return dict(getattr(self._translated(api, context, True), method)(**params))

    def _translated(self, api: ClientName, context: str, once: bool) -> Translated:
        return Translated(self, api, context, once=once)

    def pages(self, api: ClientName, method: str, key: str, context: str = "", /, *, token_in: str = "nextToken",
              token_out: str = "nextToken", **params: Any) -> Iterator[list[Any]]:
        """Yield the KEY items of each page of a paged call, fetching the next page on demand."""
        token = None
        while True:
            if token:
                params[token_in] = token
            answer = self.call(api, method, context, **params)
            yield list(answer.get(key) or [])
            token = answer.get(token_out)
            if not token:
                return

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]:
        """Run FN(*ARGS) on the pool (inline when already on a pool thread, so nothing deadlocks)."""
        return self._pool.submit(fn, *args)

    @staticmethod
    def gather(futures: Sequence[Future[R]]) -> list[R]:
        """Return the futures' results in order; on the first failure cancel the rest and raise it."""
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in futures:
            if future in done and future.exception() is not None:
                for other in futures:
                    other.cancel()
                raise future.exception()  # type: ignore[misc]
        return [f.result() for f in futures]

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Apply FN to every item concurrently; results in the items' order."""
        listed = list(items)
        if len(listed) <= 1:
            return [fn(item) for item in listed]
        return self.gather([self.submit(fn, item) for item in listed])

    def fan_out(self, pages: Iterator[list[str]], batch: int, describe: Callable[[list[str]], list[R]],
                on_progress: Progress | None = None) -> list[R]:
        """Describe each page's items in BATCH-sized calls on the pool while the next page is fetched."""
        submitted: list[tuple[Future[list[R]], int]] = []
        try:
            listed = 0
            for page in pages:
                for names in chunked(page, batch):
                    submitted.append((self.submit(describe, names), len(names)))
                listed += len(page)
                if on_progress is not None:
                    on_progress(sum(n for f, n in submitted if f.done() and not f.exception()), listed)
            sizes = {id(f): n for f, n in submitted}
            described = 0
            for future in as_completed([f for f, _ in submitted]):
                future.result()
                described += sizes[id(future)]
                if on_progress is not None:
                    on_progress(described, listed)
        except BaseException:
            for future, _ in submitted:
                future.cancel()
            raise
        return [item for future, _ in submitted for item in future.result()]

    # clusters ------------------------------------------------------------------------------------
    def _describe_clusters(self, names: list[str]) -> list[Cluster]:
        answer = self.ecs().describe_clusters(clusters=names)
        return [convert.cluster(c) for c in answer.get("clusters") or []]

    def list_clusters(self) -> list[Cluster]:
        """Return every cluster with its counts, by name."""
        pages = self.pages("ecs", "list_clusters", "clusterArns", maxResults=LIST_PAGE)
        return sorted(self.fan_out(pages, TASK_BATCH, self._describe_clusters), key=lambda c: c.name)

    def has_cluster(self, name: str) -> bool:
        """Say whether ECS has an ACTIVE (not INACTIVE) cluster NAME."""
        try:
            self.describe_cluster(name)
        except NotFound:
            return False
        return True

    def describe_cluster(self, name: str) -> Cluster:
        """Return cluster NAME; NotFound when it is missing or INACTIVE."""
        context = f'cluster "{name}"'
        answer = self.ecs(context).describe_clusters(clusters=[name])
        for data in answer.get("clusters") or []:
            found = convert.cluster(data)
            if found.status != "INACTIVE":
                return found
        hint = self._suggest(name, "list_clusters", "clusterArns", maxResults=LIST_PAGE)
        raise NotFound(f"{context} not found{hint}", operation="DescribeClusters")

    def _suggest(self, name: str, method: str, key: str, **params: Any) -> str:
        """Return ' (did you mean: A, B?)' naming what exists close to NAME, or ''; call only after a NotFound."""
        try:
            pages = itertools.islice(self.pages("ecs", method, key, **params), SUGGEST_PAGES)
            names = [arn_name(arn) for page in pages for arn in page]
        except AwsError:
            return ""
        close = difflib.get_close_matches(name, names, n=3)
        return f" (did you mean: {', '.join(close)}?)" if close else ""

    # services ------------------------------------------------------------------------------------
    def _describe_service_batch(self, cluster: str, names: list[str], strict: bool,
                                on_batch: Callable[[list[Any]], None] | None = None) -> list[Service]:
        context = f'cluster "{cluster}"'
        if strict and len(names) == 1:
            context = f'service "{names[0]}" in cluster "{cluster}"'
        answer = self.ecs(context).describe_services(cluster=cluster, services=names)
        if on_batch is not None:
            on_batch(list(answer.get("services") or []))
        services = [convert.service(s) for s in answer.get("services") or []]
        if strict:
            present = {s.name for s in services if s.status != "INACTIVE"} | {
                s.arn for s in services if s.status != "INACTIVE"}
            for name in names:
                if name not in present and arn_name(name) not in present:
                    hint = self._suggest(arn_name(name), "list_services", "serviceArns", cluster=cluster,
                                         maxResults=SERVICE_PAGE)
                    raise NotFound(f'service "{arn_name(name)}" not found in cluster "{cluster}"{hint}',
                                   operation="DescribeServices")
        return services

    def list_services(self, cluster: str, *, on_progress: Progress | None = None,
                      on_batch: Callable[[list[Any]], None] | None = None) -> list[Service]:
        """Return CLUSTER's services by name; ON_PROGRESS(described, listed) runs on this thread.

        ON_BATCH gets each DescribeServices answer's raw services on the pool thread that described them.
        """
        # Each page of 100 ARNs is split into DescribeServices batches of 10 on the pool at once,
        # so describing overlaps with fetching the next page: ceil(N/100) + ceil(N/10) calls in all.
        pages = self.pages("ecs", "list_services", "serviceArns", f'cluster "{cluster}"',
                           cluster=cluster, maxResults=SERVICE_PAGE)
        try:
            found = self.fan_out(pages, SERVICE_BATCH, lambda names: self._describe_service_batch(
                cluster, names, strict=False, on_batch=on_batch), on_progress)
        except NotFound as exc:
            if exc.message != f'cluster "{cluster}" not found':
                raise
            hint = self._suggest(cluster, "list_clusters", "clusterArns", maxResults=LIST_PAGE)
            raise NotFound(exc.message + hint, operation=exc.operation, code=exc.code) from None
        return sorted(found, key=lambda s: s.name)

    def services_and_images(self, cluster: str, *, on_progress: Progress | None = None, full: bool = False
                            ) -> tuple[list[Service], dict[str, TaskDefinition]]:
        """Return CLUSTER's services by name and their task definitions by ARN, holding at least the images.

        The images come from the services' current service revisions, 20 a DescribeServiceRevisions
        call sent as each DescribeServices batch returns (and from the persistent cache for those
        described before): ceil(N/100) + ceil(N/10) + ceil(N/20) calls. DescribeTaskDefinition is
        asked only for services whose revision cannot be described, and for FULL (`ls -v`), which
        needs the whole task definitions (with status and tags) anyway.
        """
        if full:
            services = self.list_services(cluster, on_progress=on_progress)
            return services, self.task_definitions({s.task_definition_arn for s in services
                                                    if s.task_definition_arn}, full=True)
        images = RevisionImages(self._describe_revisions, self.cache.revisions if self.cache is not None else None)
        current: dict[str, list[str]] = {}  # service ARN -> its current revisions' ARNs

        def seen(raw: list[Any]) -> None:
            arns = {str(s.get("serviceArn") or ""): [str(r.get("arn") or "") for r in
                                                     s.get("currentServiceRevisions") or []] for s in raw}
            current.update(arns)  # one key per service, each written by one thread
            images.add(arn for listed in arns.values() for arn in listed)

        services = self.list_services(cluster, on_progress=on_progress, on_batch=seen)
        images.finish()
        found: dict[str, TaskDefinition] = {}
        missing = set()
        for service in services:
            if not service.task_definition_arn or service.task_definition_arn in found:
                continue
            revision = images.matching(current.get(service.arn, []), service.task_definition_arn)
            if revision is None:
                missing.add(service.task_definition_arn)
            else:
                found[service.task_definition_arn] = convert.task_definition(
                    cast("DescribeTaskDefinitionResponseTypeDef", as_task_definition(revision)))
        found.update(self.task_definitions(missing - set(found)))
        return services, found

    def _describe_revisions(self, arns: list[str]) -> list[dict[str, Any]]:
        """Describe up to 20 service revisions; those ECS cannot describe are left out."""
        answer = self.ecs("service revisions").describe_service_revisions(serviceRevisionArns=arns[:REVISION_BATCH])
        return [dict(r) for r in answer.get("serviceRevisions") or []]

    def describe_services(self, cluster: str, names: list[str]) -> list[Service]:
        """Return services NAMES of CLUSTER in the order asked; NotFound for a missing or INACTIVE one."""
        wanted = distinct(names)
        batches = self.map(lambda batch: self._describe_service_batch(cluster, batch, strict=True),
                           chunked(wanted, SERVICE_BATCH))
        by_key: dict[str, Service] = {}
        for service in (s for batch in batches for s in batch):
            by_key[service.name] = by_key[service.arn] = service
        return [by_key.get(n) or by_key[arn_name(n)] for n in wanted]

    def describe_service(self, cluster: str, name: str) -> Service:
        """Return service NAME of CLUSTER; NotFound when it is missing or INACTIVE."""
        return self.describe_services(cluster, [name])[0]

    def update_service(self, cluster: str, service: str, *, task_definition: str | None = None,
                       desired_count: int | None = None, force_new_deployment: bool = False) -> Service:
        """Point SERVICE at a task definition, change its desired count, or force a new deployment."""
        params: dict[str, Any] = {"cluster": cluster, "service": service}
        context = f'service "{service}" in cluster "{cluster}"'
        if task_definition is not None:
            params["taskDefinition"] = task_definition
            context += f' with task definition "{task_definition}"'
        if desired_count is not None:
            params["desiredCount"] = desired_count
        if force_new_deployment:
            params["forceNewDeployment"] = True
        answer = self.ecs(context).update_service(**params)
        return convert.service(answer.get("service") or {})

    # task definitions ------------------------------------------------------------------------------
    def _describe_task_definition(self, ref: str) -> dict[str, Any]:
        return dict(self.ecs(f'task definition "{ref}"').describe_task_definition(taskDefinition=ref,
                                                                                include=["TAGS"]))

    def task_definition(self, ref: str) -> TaskDefinition:
        """Return the task definition REF: 'family' (latest ACTIVE), 'family:rev' or an ARN, always from ECS."""
        return convert.task_definition(cast("DescribeTaskDefinitionResponseTypeDef",
                                            self._describe_task_definition(ref)))

    def task_definitions(self, arns: Iterable[str], *, missing_ok: bool = False, full: bool = False
                         ) -> dict[str, TaskDefinition]:
        """Describe each distinct ARN once, keyed as given (MISSING_OK skips deleted ones).

        Without FULL only what cannot change is returned (no status, no tags), so the persistent cache
        can answer for any ARN it holds and the rest are described concurrently and stored for next
        time. FULL asks ECS for every one and keeps status and tags (for `ls -v`).
        """
        def one(ref: str) -> dict[str, Any] | None:
            try:
                return self._describe_task_definition(ref)
            except NotFound:
                if missing_ok:
                    return None
                raise

        wanted = [a for a in distinct(arns) if a]
        answers = self.cache.get(wanted) if self.cache is not None and not full else {}
        missing = [a for a in wanted if a not in answers]
        fresh = {ref: answer for ref, answer in zip(missing, self.map(one, missing), strict=True)
                 if answer is not None}
        if self.cache is not None and fresh:
            self.cache.put(fresh.values())
        answers.update({ref: answer if full else stable(answer) for ref, answer in fresh.items()})
        return {ref: convert.task_definition(cast("DescribeTaskDefinitionResponseTypeDef", answers[ref]))
                for ref in wanted if ref in answers}

    def _latest_active(self, family: str) -> Family:
        answer = self.ecs(f'family "{family}"').list_task_definitions(familyPrefix=family, status="ACTIVE",
                                                                     sort="DESC", maxResults=1)
        for arn in answer.get("taskDefinitionArns") or []:
            found = convert.revision(arn, "ACTIVE")
            if found is not None and found.family == family:
                return Family(name=family, latest_revision=found.number, latest_arn=arn)
        return Family(name=family, latest_revision=None, latest_arn=None)

    def families(self, status: str = "ACTIVE") -> list[Family]:
        """Return every task definition family (of STATUS) with its latest ACTIVE revision, by name.

        The families are listed on the pool while this thread walks every ACTIVE revision in order,
        100 a page: ceil(F/100) + ceil(R/100) calls for F families and R revisions, where asking
        family by family would take F more. The walk goes on while its pages finish at least
        WALK_FAMILIES_PER_PAGE families each on average; where families have many revisions it stops,
        and the families it has not finished are asked one ListTaskDefinitions each, concurrently.
        """
        listing = prefetched(self._pool, self.pages("ecs", "list_task_definition_families", "families",
                                                    status=status, maxResults=LIST_PAGE))
        latest, finished = self._walk_active_revisions()
        walked: list[Family] = []

        def unfinished() -> Iterator[list[str]]:
            """Yield each page of families with those the walk finished taken out (and kept in WALKED)."""
            for page in listing:
                done = [n for n in page if finished is None or n in finished]
                walked.extend(Family(name=n, latest_revision=latest[n].number, latest_arn=latest[n].arn)
                              if n in latest else Family(name=n, latest_revision=None, latest_arn=None)
                              for n in done)
                yield [n for n in page if n not in done]

        asked = self.fan_out(unfinished(), 1, lambda names: [self._latest_active(names[0])])
        return sorted({f.name: f for f in walked + asked}.values(), key=lambda f: f.name)

    def _walk_active_revisions(self) -> tuple[dict[str, Revision], set[str] | None]:
        """Return the latest ACTIVE revision of each family walked, and the families finished (None: all).

        ListTaskDefinitions lists by family, then by revision ascending, so a family is finished once
        the next one has begun; the walk stops early when it finishes too few families a page.
        """
        latest: dict[str, Revision] = {}
        token = None
        pages = 0
        while True:
            params: dict[str, Any] = {"status": "ACTIVE", "sort": "ASC", "maxResults": LIST_PAGE}
            if token:
                params["nextToken"] = token
            answer = self.call("ecs", "list_task_definitions", "task definitions", **params)
            pages += 1
            for arn in answer.get("taskDefinitionArns") or []:
                found = convert.revision(arn, "ACTIVE")
                if found is not None:
                    latest.pop(found.family, None)  # re-inserted: the dict's last key is the family walked last
                    latest[found.family] = found
            token = answer.get("nextToken")
            if not token:
                return latest, None
            if len(latest) - 1 < WALK_FAMILIES_PER_PAGE * pages:
                last = next(reversed(latest), None)
                return latest, {family for family in latest if family != last}

    def _listed_revisions(self, family: str, status: str) -> list[Revision]:
        """Return FAMILY's revisions of STATUS (not those of families that merely start with FAMILY)."""
        out = []
        for page in self.pages("ecs", "list_task_definitions", "taskDefinitionArns", f'family "{family}"',
                               familyPrefix=family, status=status, maxResults=LIST_PAGE):
            for arn in page:
                found = convert.revision(arn, status)
                if found is not None and found.family == family:
                    out.append(found)
        return out

    def revisions(self, family: str) -> list[Revision]:
        """Return every ACTIVE and INACTIVE revision of FAMILY, ascending; NotFound when there is none."""
        found = [r for part in self.map(lambda status: self._listed_revisions(family, status),
                                        ["ACTIVE", "INACTIVE"]) for r in part]
        if not found:
            raise NotFound(f'task definition family "{family}" not found', operation="ListTaskDefinitions")
        return sorted(set(found))

    def active_revisions(self, family: str) -> list[Revision]:
        """Return FAMILY's ACTIVE revisions, ascending; none for an unknown family."""
        return sorted(self._listed_revisions(family, "ACTIVE"))

    def register_task_definition(self, spec: Mapping[str, Any]) -> TaskDefinition:
        """Register SPEC (register-task-definition input or describe-task-definition output), trying once."""
        params = registration(spec)
        context = f'task definition "{params.get("family", "")}"'
        answer = self.ecs(context, once=True).register_task_definition(**params)
        if "tags" not in answer:  # ECS echoes the tags; keep what was registered if an endpoint does not
            answer["tags"] = list(params.get("tags") or [])
        return convert.task_definition(answer)

    def deregister_task_definition(self, arn: str) -> None:
        """Mark task definition ARN (or family:rev) INACTIVE."""
        self.ecs(f'task definition "{arn}"').deregister_task_definition(taskDefinition=arn)

    # tasks ---------------------------------------------------------------------------------------
    def _describe_task_batch(self, cluster: str, arns: list[str]) -> list[Task]:
        answer = self.ecs(f'cluster "{cluster}"').describe_tasks(cluster=cluster, tasks=arns)
        return [convert.task(t) for t in answer.get("tasks") or []]

    def describe_tasks(self, cluster: str, arns: Iterable[str]) -> list[Task]:
        """Describe tasks ARNS of CLUSTER, 100 a call, concurrently (unknown ARNs are left out)."""
        batches = self.map(lambda batch: self._describe_task_batch(cluster, batch),
                           chunked(distinct(arns), TASK_BATCH))
        return [t for batch in batches for t in batch]

    def _tasks(self, cluster: str, context: str, **params: Any) -> list[Task]:
        pages = self.pages("ecs", "list_tasks", "taskArns", context, cluster=cluster,
                           maxResults=LIST_PAGE, **params)
        found = self.fan_out(pages, TASK_BATCH, lambda arns: self._describe_task_batch(cluster, arns))
        return sorted(found, key=lambda t: t.id)

    def service_tasks(self, cluster: str, service: str, desired_status: str = "RUNNING") -> list[Task]:
        """Return SERVICE's tasks whose desired status is DESIRED_STATUS, by task id."""
        return self._tasks(cluster, f'service "{service}" in cluster "{cluster}"', serviceName=service,
                           desiredStatus=desired_status)

    def cluster_tasks(self, cluster: str, desired_status: str = "RUNNING",
                      family: str | None = None) -> list[Task]:
        """Return CLUSTER's tasks (of FAMILY, if given) whose desired status is DESIRED_STATUS."""
        params: dict[str, Any] = {"desiredStatus": desired_status}
        if family:
            params["family"] = family
        return self._tasks(cluster, f'cluster "{cluster}"', **params)

    def run_task(self, cluster: str, task_definition: str, *, count: int = 1, launch_type: str | None = None,
                 network_configuration: dict[str, Any] | None = None, started_by: str = "ecsshell",
                 client_token: str | None = None) -> tuple[list[Task], list[RunFailure]]:
        """Start COUNT tasks of TASK_DEFINITION in CLUSTER; return the tasks and ECS's failures.

        With CLIENT_TOKEN each call (of up to 10 tasks) carries a token of its own made from it, so ECS
        answers a retried call with the tasks it already started: those calls are retried as any other.
        Without one a call goes out once, as a retry could start its tasks twice.
        """
        context = f'task definition "{task_definition}" in cluster "{cluster}"'

        def run(batch: tuple[int, int]) -> RunTaskResponseTypeDef:
            index, n = batch
            params: dict[str, Any] = {"cluster": cluster, "taskDefinition": task_definition, "count": n,
                                      "startedBy": started_by}
            if launch_type:
                params["launchType"] = launch_type
            if network_configuration:
                params["networkConfiguration"] = network_configuration
            if client_token:
                params["clientToken"] = f"{client_token}-{index}"
            return self.ecs(context, once=not client_token).run_task(**params)

        sizes = [min(RUN_BATCH, count - start) for start in range(0, max(count, 0), RUN_BATCH)] or [count]
        answers = self.map(run, list(enumerate(sizes)))
        tasks = [convert.task(t) for a in answers for t in a.get("tasks") or []]
        failures = [convert.run_failure(f) for a in answers for f in a.get("failures") or []]
        return tasks, failures

    def started_task_arns(self, cluster: str, started_by: str) -> list[str]:
        """Return the ARNs of CLUSTER's tasks STARTED_BY started that are to run (desired status RUNNING)."""
        pages = self.pages("ecs", "list_tasks", "taskArns", f'cluster "{cluster}"', cluster=cluster,
                           startedBy=started_by, maxResults=LIST_PAGE)
        return [arn for page in pages for arn in page]

    def stop_task(self, cluster: str, task: str, reason: str) -> Task:
        """Stop TASK (id or ARN) of CLUSTER, recording REASON; return the task as ECS reports it."""
        answer = self.ecs(f'task "{task}" in cluster "{cluster}"').stop_task(cluster=cluster, task=task,
                                                                             reason=reason)
        return convert.task(answer.get("task") or {})

    # service deployments and revisions (aws/deployments.py) ---------------------------------------
    def list_service_deployments(self, cluster: str, service: str,
                                 status: list[str] | None = None) -> list[ServiceDeployment]:
        """Return SERVICE's service deployment briefs (of STATUS, if given), every page."""
        return deployments.list_service_deployments(self, cluster, service, status)

    def describe_service_deployments(self, arns: Iterable[str]) -> list[ServiceDeployment]:
        """Describe service deployments ARNS, 20 a call, concurrently, in the order asked."""
        return deployments.describe_service_deployments(self, arns)

    def describe_service_revisions(self, arns: Iterable[str]) -> dict[str, ServiceRevision]:
        """Describe service revisions ARNS, 20 a call, concurrently, keyed by ARN."""
        return deployments.describe_service_revisions(self, arns)

    def stop_service_deployment(self, arn: str, stop_type: str = "ROLLBACK") -> str:
        """Stop service deployment ARN, rolling back (ROLLBACK) or leaving it where it is (ABORT)."""
        return deployments.stop_service_deployment(self, arn, stop_type)

    def continue_service_deployment(self, arn: str, hook_id: str, action: str = "CONTINUE") -> str:
        """Resume service deployment ARN paused at hook HOOK_ID, going on (CONTINUE) or back (ROLLBACK)."""
        return deployments.continue_service_deployment(self, arn, hook_id, action)
    def ecs_endpoint(self) -> str:
        """Return the URL the ECS client calls (the session-manager-plugin wants it)."""
        return str(self.client("ecs").meta.endpoint_url)

    def execute_command(self, cluster: str, task: str, container: str, command: str) -> ExecSession:
        """Open an interactive ECS Exec session running COMMAND in CONTAINER of TASK (sent once: no retry)."""
        answer = self.ecs(f'task "{task}" in cluster "{cluster}"', once=True).execute_command(
            cluster=cluster, task=task, container=container, command=command, interactive=True)
        return convert.exec_session(answer)

    # load balancers and logs ---------------------------------------------------------------------
    def load_balancers(self, services: Iterable[Service]) -> list[LoadBalancer]:
        """Describe the load balancers, target groups and target health behind SERVICES."""
        return load_balancers.load_balancers(self, services)

    def log_events(self, group: str, stream_names_or_prefix: str | Sequence[str], start_time_ms: int,
                   end_time_ms: int | None = None) -> list[LogEvent]:
        """Return GROUP's events in the streams named (a list) or under a prefix (a str), oldest first."""
        return logs.log_events(self, group, stream_names_or_prefix, start_time_ms, end_time_ms)

    def last_log_events(self, group: str, streams: Sequence[str], end_time_ms: int, limit: int) -> list[LogEvent]:
        """Return the last LIMIT events of GROUP's STREAMS before END_TIME_MS, oldest first."""
        return logs.last_log_events(self, group, streams, end_time_ms, limit)

    # SSM sessions into tasks (port forwarding) ------------------------------------------------
    def ssm_endpoint(self) -> str:
        """Return the URL the SSM client calls (the session-manager-plugin wants it for a port forward)."""
        return str(self.client("ssm").meta.endpoint_url)

    def start_session(self, target: str, document: str, parameters: Mapping[str, list[str]]) -> PortSession:
        """Open an SSM session to TARGET with DOCUMENT and its PARAMETERS (sent once: no retry)."""
        answer = self.call_once("ssm", "start_session", f'target "{target}"', Target=target, DocumentName=document,
                                Parameters=dict(parameters))
        return PortSession(session_id=str(answer.get("SessionId") or ""),
                           stream_url=str(answer.get("StreamUrl") or ""),
                           token_value=str(answer.get("TokenValue") or ""))

    def terminate_session(self, session_id: str) -> None:
        """End SSM session SESSION_ID (one no plugin will open)."""
        self.call_once("ssm", "terminate_session", f'session "{session_id}"', SessionId=session_id)
    # identity (aws/identity.py, aws/credentials.py) -------------------------------------------------
    def whoami(self) -> Identity:
        """Return who the credentials are: profile, their source and expiry, account and alias, caller ARN, Region."""
        return identity.whoami(self)

    def renew_credentials(self, failed: BaseClient) -> bool:
        """After AWS refused FAILED's credentials as expired, load them afresh; say whether they changed.

        A client made since FAILED already has fresher ones. The session is made again (its credential
        process run, its role assumed, its files read anew); it replaces the old one only when its keys differ.
        """
        with self._clients_lock:
            if failed not in self._clients.values():
                return True  # another call renewed them meanwhile
            if self.remake is None:
                return False
            old = access_key(self.session.get_credentials())
            try:
                session = self.remake()
                fresh = session.get_credentials()
                renewed = fresh is not None and fresh.get_frozen_credentials().access_key != old
            except (AwsError, bx.BotoCoreError, RuntimeError):
                return False  # the refusal's own line says what to do
            if renewed:
                self.session = session
                self._clients.clear()
            return renewed

    # scheduled tasks (EventBridge Scheduler and rules) -----------------------------------------------
    def scheduled_tasks(self, cluster: str | None = None, name: str | None = None) -> list[ScheduledTask]:
        """Return the schedules and scheduled rules' targets that run ECS tasks (in CLUSTER; named NAME)."""
        return schedules.scheduled_tasks(self, cluster, name)

    def reread_scheduled_task(self, task: ScheduledTask) -> ScheduledTask | None:
        """Return TASK as AWS holds it now, or None when it is gone or runs no ECS task any more."""
        return schedules.reread(self, task)

    def retarget_scheduled_task(self, task: ScheduledTask, task_definition_arn: str) -> None:
        """Point TASK's ECS target at TASK_DEFINITION_ARN (UpdateSchedule or PutTargets, all else resent)."""
        schedules.retarget(self, task, task_definition_arn)


    # Application Auto Scaling of a service's desired count (aws/scaling.py) -----------------------
    def scalable_target(self, cluster: str, service: str) -> ScalableTarget | None:
        """Return SERVICE's scalable target (ecs:service:DesiredCount), or None when it has none."""
        return scaling.scalable_target(self, cluster, service)

    def scaling_policies(self, cluster: str, service: str) -> list[ScalingPolicy]:
        """Return SERVICE's scaling policies, by name."""
        return scaling.scaling_policies(self, cluster, service)

    def scaling_activities(self, cluster: str, service: str, count: int) -> list[ScalingActivity]:
        """Return SERVICE's COUNT most recent scaling activities, newest first."""
        return scaling.scaling_activities(self, cluster, service, count)

    def register_scalable_target(self, cluster: str, service: str, *, min_capacity: int | None = None,
                                 max_capacity: int | None = None) -> None:
        """Set SERVICE's scalable target's min and/or max capacity (sent once: no retry)."""
        scaling.register_scalable_target(self, cluster, service, min_capacity=min_capacity,
                                         max_capacity=max_capacity)

    # checks before a deploy (aws/verify.py) ------------------------------------------------------
    def ecr_images(self, region: str | None, registry_id: str, repository: str,
                   image_ids: list[dict[str, str]]) -> list[EcrImage]:
        """Describe IMAGE_IDS of REPOSITORY in one call; AwsError coded ImageNotFoundException if any is missing."""
        return verify.ecr_images(self, region, registry_id, repository, image_ids)

    def recent_ecr_tags(self, region: str | None, registry_id: str, repository: str) -> list[str]:
        """Return the tags of REPOSITORY's most recently pushed images, newest first."""
        return verify.recent_ecr_tags(self, region, registry_id, repository)

    def secret_exists(self, region: str | None, secret_id: str) -> bool:
        """Say whether Secrets Manager has SECRET_ID (never asking for its value)."""
        return verify.secret_exists(self, region, secret_id)

    def missing_parameters(self, region: str | None, names: Iterable[str]) -> set[str]:
        """Return which of NAMES (at most 10) SSM does not have."""
        return verify.missing_parameters(self, region, names)

    def role_exists(self, name: str) -> bool:
        """Say whether IAM has role NAME."""
        return verify.role_exists(self, name)

    def log_group_exists(self, region: str | None, name: str) -> bool:
        """Say whether CloudWatch Logs has log group NAME."""
        return verify.log_group_exists(self, region, name)

    # CloudWatch metrics (aws/metrics.py) ---------------------------------------------------------
    def service_metrics(self, cluster: str, services: Sequence[str], start: datetime, end: datetime,
                        period: int) -> list[ServiceMetrics]:
        """Return SERVICES' AWS/ECS CPU and memory in [START, END) by PERIOD seconds, 500 queries a call."""
        return metrics.service_metrics(self, cluster, services, start, end, period)
    # a fan-out target's gateway lives only as long as the target ---------------------------------
    def release(self) -> None:
        """Stop the pool and close every client's connections: a fan-out target is done with this gateway."""
        self._pool.shutdown()
        with self._clients_lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


if TYPE_CHECKING:  # mypy checks that this gateway has every call the operations make, typed alike
    from ..operations.gateway import Gateway as OperationsGateway

    _satisfies: type[OperationsGateway] = Gateway

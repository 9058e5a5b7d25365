"""Names for TAB completion, fetched from ECS in the background and served from a cache.

The pgcli completion-refresher pattern: a worker builds a fresh list and swaps it in under a lock;
a keystroke reads whatever is there and never waits on AWS longer than a bounded time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cmd2 import Choices, CompletionError, CompletionItem

if TYPE_CHECKING:
    from .aws.gateway import Gateway

Key = tuple[str, ...]
Item = tuple[str, str]  # (value, description shown in the menu)

TTL_SECONDS = 60.0
WAIT_SECONDS = 0.4  # the longest a keystroke waits for a fetch already under way


@dataclass
class Entry:
    items: list[Item]
    fetched_at: float


class CompletionCache:
    """Cached names per kind (clusters, services of a cluster, families, ...), refreshed in the background."""

    def __init__(self, gateway: Callable[[], Gateway], *, on_change: Callable[[], None] = lambda: None,
                 ttl: float = TTL_SECONDS, wait: float = WAIT_SECONDS) -> None:
        self._gateway = gateway  # the current profile's and region's gateway, whenever a fetch runs
        self._on_change = on_change
        self.ttl = ttl
        self.wait = wait
        self._lock = threading.Lock()
        self._entries: dict[Key, Entry] = {}
        self._inflight: dict[Key, Future[list[Item]]] = {}
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ecsshell-names")
        self._generation = 0
        self.fetches = 0  # how many fetches reached AWS (for tests)

    # state -------------------------------------------------------------------------------------
    @property
    def refreshing(self) -> bool:
        with self._lock:
            return any(not f.done() for f in self._inflight.values())

    def clear(self) -> None:
        """Forget every name (after a profile or region switch)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._inflight.clear()

    def invalidate(self, *key: str) -> None:
        """Drop KEY (or every key starting with it) and fetch it again in the background."""
        with self._lock:
            stale = [k for k in self._entries if k[: len(key)] == key]
            for k in stale:
                del self._entries[k]
        for k in stale:
            self._start(k)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # fetching ----------------------------------------------------------------------------------
    def _fetcher(self, key: Key) -> Callable[[], list[Item]]:
        kind, args = key[0], key[1:]
        return lambda: getattr(self, f"_fetch_{kind}")(*args)

    def _start(self, key: Key) -> Future[list[Item]]:
        with self._lock:
            running = self._inflight.get(key)
            if running is not None and not running.done():
                return running
            generation = self._generation
            fetch = self._fetcher(key)

            def work() -> list[Item]:
                self.fetches += 1
                items = fetch()
                with self._lock:
                    if generation == self._generation:
                        self._entries[key] = Entry(items, time.monotonic())
                return items

            future = self._executor.submit(work)
            self._inflight[key] = future
        # the toolbar shows "refreshing names..." while a fetch runs: redraw as it starts and ends
        self._on_change()
        future.add_done_callback(lambda _: self._on_change())
        return future

    def get(self, *key: str) -> list[Item]:
        """Return the names for KEY from the cache, waiting briefly only when there are none yet."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            if time.monotonic() - entry.fetched_at > self.ttl:
                self._start(key)
            return entry.items
        future = self._start(key)
        try:
            return future.result(timeout=self.wait)
        except FutureTimeout:
            raise CompletionError(f"fetching {key[0]} from ECS... press TAB again in a moment") from None
        except Exception as exc:
            with self._lock:
                self._inflight.pop(key, None)
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CompletionError(f"cannot list {key[0]}: {message}") from None

    def prefetch(self, *key: str) -> None:
        """Start fetching KEY in the background unless it is cached and fresh."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry.fetched_at > self.ttl:
            self._start(key)

    def prefetch_services(self, cluster: str) -> None:
        self.prefetch("services", cluster)

    # what each kind fetches --------------------------------------------------------------------
    def _fetch_clusters(self) -> list[Item]:
        return [(c.name, f"{c.active_services} services, {c.running_tasks} running")
                for c in self._gateway().list_clusters()]

    def _fetch_services(self, cluster: str) -> list[Item]:
        return [(s.name, f"{s.running}/{s.desired} running, {s.revision}")
                for s in self._gateway().list_services(cluster)]

    def _fetch_tasks(self, cluster: str) -> list[Item]:
        return [(t.id, f"{t.revision} {t.last_status.lower()} {t.group or ''}".rstrip())
                for t in self._gateway().cluster_tasks(cluster)]

    def _fetch_families(self) -> list[Item]:
        return [(f.name, f"latest {f.latest_revision}") for f in self._gateway().families()]

    def _fetch_revisions(self, family: str) -> list[Item]:
        gateway = self._gateway()
        revisions = [r for r in gateway.revisions(family) if r.active][-20:]
        defs = gateway.task_definitions([r.arn for r in revisions])
        items = []
        for revision in reversed(revisions):
            td = defs.get(revision.arn)
            image = td.containers[0].image if td and td.containers else ""
            items.append((str(revision.number), image))
        return items

    def _service_task_definition(self, cluster: str, service: str) -> Any:
        gateway = self._gateway()
        svc = gateway.describe_services(cluster, [service])[0]
        return gateway.task_definition(svc.task_definition_arn)

    def _fetch_containers(self, cluster: str, service: str) -> list[Item]:
        td = self._service_task_definition(cluster, service)
        return [(c.name, c.image) for c in td.containers]

    def _fetch_tags(self, cluster: str, service: str, container: str = "") -> list[Item]:
        """List the tags CONTAINER (default: the first, which `update` replaces) ran in recent revisions."""
        from .images import InvalidImageReference, parse

        gateway = self._gateway()
        td = self._service_task_definition(cluster, service)
        name = container or (td.containers[0].name if td.containers else "")
        revisions = [r for r in gateway.revisions(td.family) if r.active][-20:]
        defs = gateway.task_definitions([r.arn for r in revisions])
        seen: dict[str, str] = {}
        for revision in reversed(revisions):
            definition = defs.get(revision.arn)
            for each in definition.containers if definition else ():
                if each.name != name:
                    continue
                try:
                    tag = parse(each.image).tag
                except InvalidImageReference:
                    continue
                if tag and f":{tag}" not in seen:
                    seen[f":{tag}"] = f"{each.name} in {revision.label}"
        return list(seen.items())

    # cmd2 glue ---------------------------------------------------------------------------------
    def choices(self, *key: str) -> Choices:
        """Return cmd2 Choices (value plus menu description) for KEY."""
        return Choices([CompletionItem(value, display_meta=meta) for value, meta in self.get(*key)])

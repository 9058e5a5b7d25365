"""Names for TAB completion, fetched from ECS in the background and served from a cache.

The pgcli completion-refresher pattern: a worker builds a fresh list and swaps it in under a lock;
a keystroke reads whatever is there and never waits on AWS longer than a bounded time. Names are
stale-while-revalidate: what a previous run saved (see `saved_names`) is offered at once and
refreshed in the background, and a cluster's service names are offered page by page as
ListServices answers, before DescribeServices adds each one's note.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from cmd2 import Choices, CompletionError, CompletionItem

from .model import arn_name

if TYPE_CHECKING:
    from .aws.gateway import Gateway

Key = tuple[str, ...]
Item = tuple[str, str]  # (value, description shown in the menu)
Publish = Callable[[list[Item]], None]

TTL_SECONDS = 60.0
WAIT_SECONDS = 0.4  # the longest a keystroke waits for a fetch already under way
SERVICE_PAGE = 100  # ListServices' largest page
SERVICE_BATCH = 10  # DescribeServices' largest batch
# a word followed by a space or a `/`: complete on the line, so its services may be wanted next
_COMPLETE_WORD = re.compile(r"[^\s/]+(?=[\s/])")


class NameStore(Protocol):
    """Where names are kept between runs (`saved_names.SavedNames`)."""

    def load(self, key: Key) -> tuple[list[Item], float] | None: ...

    def save(self, key: Key, items: list[Item]) -> None: ...


@dataclass
class Entry:
    items: list[Item]
    fetched_at: float  # monotonic; -inf for names from a previous run (always refreshed once)
    partial: bool = False  # the first pages of a listing still under way


class CompletionCache:
    """Cached names per kind (clusters, services of a cluster, families, ...), refreshed in the background."""

    def __init__(self, gateway: Callable[[], Gateway], *, on_change: Callable[[], None] = lambda: None,
                 ttl: float = TTL_SECONDS, wait: float = WAIT_SECONDS,
                 store: Callable[[], NameStore | None] = lambda: None) -> None:
        self._gateway = gateway  # the current profile's and region's gateway, whenever a fetch runs
        self._store = store  # the current profile's and region's saved names, if kept
        self._on_change = on_change
        self.ttl = ttl
        self.wait = wait
        self._lock = threading.Lock()
        self._published = threading.Condition(self._lock)
        self._entries: dict[Key, Entry] = {}
        self._loaded: set[Key] = set()  # keys looked up in the saved names already
        self._inflight: dict[Key, Future[list[Item]]] = {}
        self._menus: dict[Key, tuple[list[Item], list[CompletionItem]]] = {}  # menu items of the names served
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ecsshell-names")
        self._generation = 0
        self.fetches = 0  # how many fetches reached AWS (for tests)

    # state -------------------------------------------------------------------------------------
    @property
    def refreshing(self) -> bool:
        with self._lock:
            return any(not f.done() for f in self._inflight.values())

    def listing(self) -> bool:
        """Say whether some names served are the first pages of a listing still under way."""
        with self._lock:
            return any(e.partial for e in self._entries.values())

    def clear(self) -> None:
        """Forget every name (after a profile or region switch)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._loaded.clear()
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

    def _entry(self, key: Key) -> Entry | None:
        """Return KEY's entry, reading the names a previous run saved the first time KEY is asked for."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None or key in self._loaded:
                return entry
            self._loaded.add(key)
            generation = self._generation
        store = self._store()
        saved = store.load(key) if store is not None else None
        if saved is None:
            return None
        with self._lock:
            if generation != self._generation:
                return None
            entry = self._entries.setdefault(key, Entry(saved[0], float("-inf")))
        return entry

    def _stale(self, key: Key, entry: Entry) -> bool:
        if entry.partial:
            with self._lock:
                running = self._inflight.get(key)
            return running is None or running.done()
        return time.monotonic() - entry.fetched_at > self.ttl

    # fetching ----------------------------------------------------------------------------------
    def _fetcher(self, key: Key, publish: Publish) -> Callable[[], list[Item]]:
        kind, args = key[0], key[1:]
        if kind == "services":
            return lambda: self._fetch_services(args[0], publish=publish)
        return lambda: getattr(self, f"_fetch_{kind}")(*args)

    def _start(self, key: Key) -> Future[list[Item]]:
        with self._lock:
            running = self._inflight.get(key)
            if running is not None and not running.done():
                return running
            generation = self._generation
            store = self._store()

            def publish(items: list[Item]) -> None:
                """Offer the names listed so far, unless fuller names are served meanwhile."""
                with self._published:
                    current = self._entries.get(key)
                    if generation == self._generation and (current is None or current.partial):
                        self._entries[key] = Entry(items, time.monotonic(), partial=True)
                        self._published.notify_all()

            fetch = self._fetcher(key, publish)

            def work() -> list[Item]:
                self.fetches += 1
                items = fetch()
                with self._published:
                    if generation == self._generation:
                        self._entries[key] = Entry(items, time.monotonic())
                    self._published.notify_all()
                if store is not None and generation == self._generation:
                    store.save(key, items)
                return items

            future = self._executor.submit(work)
            self._inflight[key] = future
        # the toolbar shows "refreshing names..." while a fetch runs: redraw as it starts and ends
        self._on_change()
        future.add_done_callback(lambda _: self._done(key))
        return future

    def _done(self, key: Key) -> None:
        with self._published:
            self._published.notify_all()
        self._on_change()

    def get(self, *key: str) -> list[Item]:
        """Return the names for KEY from the cache, waiting briefly only when there are none yet."""
        entry = self._entry(key)
        if entry is not None:
            if self._stale(key, entry):
                self._start(key)
            return entry.items
        future = self._start(key)
        deadline = time.monotonic() + self.wait
        with self._published:
            while key not in self._entries and not future.done() and time.monotonic() < deadline:
                self._published.wait(max(0.0, deadline - time.monotonic()))
            entry = self._entries.get(key)
        if entry is not None:
            return entry.items
        if not future.done():
            raise CompletionError(f"fetching {key[0]} from ECS... press TAB again in a moment")
        exc = future.exception()
        if exc is None:
            return future.result()
        with self._lock:
            self._inflight.pop(key, None)
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CompletionError(f"cannot list {key[0]}: {message}") from None

    def prefetch(self, *key: str) -> None:
        """Start fetching KEY in the background unless it is cached and fresh (saved names count as stale)."""
        entry = self._entry(key)
        if entry is None or self._stale(key, entry):
            self._start(key)

    def prefetch_services(self, cluster: str) -> None:
        self.prefetch("services", cluster)

    def watch_line(self, line: str) -> None:
        """Start fetching the services of each known cluster LINE names in full (`ls prod ` or `/prod/`)."""
        with self._lock:
            clusters = self._entries.get(("clusters",))
        if clusters is None:
            return
        known = {name for name, _ in clusters.items}
        for word in _COMPLETE_WORD.findall(line)[1:]:  # the first word is the command
            if word in known:
                self.prefetch_services(word)

    # what each kind fetches --------------------------------------------------------------------
    def _fetch_clusters(self) -> list[Item]:
        return [(c.name, f"{c.active_services} services, {c.running_tasks} running")
                for c in self._gateway().list_clusters()]

    def _fetch_services(self, cluster: str, *, publish: Publish) -> list[Item]:
        """List the names page by page (offering each page's), describing each page in batches meanwhile."""
        gateway = self._gateway()
        with self._lock:
            served = self._entries.get(("services", cluster))
        previous = dict(served.items) if served is not None else {}  # notes to show until the new ones come
        names: list[str] = []
        batches = []
        for page in gateway.pages("ecs", "list_services", "serviceArns", f'cluster "{cluster}"', cluster=cluster,
                                  maxResults=SERVICE_PAGE):
            page_names = [arn_name(arn) for arn in page]
            names += page_names
            batches += [gateway.submit(self._service_notes, cluster, page_names[i:i + SERVICE_BATCH])
                        for i in range(0, len(page_names), SERVICE_BATCH)]
            publish([(name, previous.get(name, "")) for name in sorted(names)])
        notes = dict(previous)
        for batch in batches:
            notes.update(batch.result())
        return [(name, notes.get(name, "")) for name in sorted(names)]

    def _service_notes(self, cluster: str, names: list[str]) -> dict[str, str]:
        """Return each service's menu note (running/desired, revision); none for a batch ECS refuses."""
        try:
            services = self._gateway().describe_services(cluster, names)
        except Exception:
            return {}
        return {s.name: f"{s.running}/{s.desired} running, {s.revision}" for s in services}

    def _fetch_tasks(self, cluster: str) -> list[Item]:
        return [(t.id, f"{t.revision} {t.last_status.lower()} {t.group or ''}".rstrip())
                for t in self._gateway().cluster_tasks(cluster)]

    def _fetch_families(self) -> list[Item]:
        """List family names only (one call a page): their revisions are fetched when a family is named."""
        pages = self._gateway().pages("ecs", "list_task_definition_families", "families", status="ACTIVE",
                                      maxResults=SERVICE_PAGE)
        return [(name, "") for name in sorted({name for page in pages for name in page})]

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
        """Return cmd2 Choices (value plus menu description) for KEY, built once per list of names."""
        items = self.get(*key)
        built = self._menus.get(key)
        if built is None or built[0] is not items:
            built = self._menus[key] = (items, [CompletionItem(value, display_meta=meta) for value, meta in items])
        return Choices(list(built[1]))

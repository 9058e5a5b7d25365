"""The gateway's worker pool, and small helpers for it: batching, de-duplication, ready futures."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class WorkerPool:
    """A bounded thread pool that knows its own threads, so work it gives itself runs inline."""

    def __init__(self, max_workers: int, name: str) -> None:
        self._mine = threading.local()  # per pool: another gateway's worker is not one of ours
        self._executor = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix=name,
                                            initializer=self._mark)

    def _mark(self) -> None:
        self._mine.active = True

    def in_worker(self) -> bool:
        """Tell whether the current thread is one of this pool's workers."""
        return bool(getattr(self._mine, "active", False))

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]:
        """Run FN(*ARGS) on the pool (inline when already on one of its threads, so nothing deadlocks)."""
        if self.in_worker():
            try:
                return done_future(fn(*args))
            except Exception as exc:
                return failed_future(exc)
        return self._executor.submit(fn, *args)

    def shutdown(self) -> None:
        """Stop the workers, cancelling work not yet started."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Yield SIZE-long slices of ITEMS (the last may be shorter)."""
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def distinct(items: Iterable[T]) -> list[T]:
    """Return ITEMS without repeats, first occurrence first."""
    return list(dict.fromkeys(items))


def done_future(value: T) -> Future[T]:
    """Return a future already holding VALUE."""
    future: Future[T] = Future()
    future.set_result(value)
    return future


def failed_future(exc: BaseException) -> Future[Any]:
    """Return a future already holding the exception EXC."""
    future: Future[Any] = Future()
    future.set_exception(exc)
    return future


def prefetched(pool: WorkerPool, pages: Iterator[list[T]]) -> Iterator[list[T]]:
    """Fetch PAGES on POOL from now on, and yield each as it arrives (inline when already on the pool)."""
    arrived: queue.SimpleQueue[tuple[list[T] | None, BaseException | None]] = queue.SimpleQueue()

    def fetch() -> None:
        try:
            for page in pages:
                arrived.put((page, None))
            arrived.put((None, None))
        except BaseException as exc:  # handed to the reader, who raises it
            arrived.put((None, exc))

    pool.submit(fetch)

    def read() -> Iterator[list[T]]:
        while True:
            page, error = arrived.get()
            if error is not None:
                raise error
            if page is None:
                return
            yield page

    return read()

"""Small helpers for the gateway's worker pool: batching, de-duplication, worker detection."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_worker = threading.local()


def mark_worker() -> None:
    """Flag the current thread as one of the pool's workers."""
    _worker.active = True


def in_worker() -> bool:
    """Tell whether the current thread is one of the pool's workers."""
    return bool(getattr(_worker, "active", False))


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

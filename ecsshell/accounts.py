"""Which account each profile acts in: asked of STS once per profile per session, in the background."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from .config import AccountLabel

if TYPE_CHECKING:
    from .aws.caller import Caller

UNKNOWN = ""  # STS did not answer: the toolbar says so, and the session does not ask again
LOOK_UP_WAIT = 30.0  # the longest `profile` waits for a background lookup already under way
ANSI = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36"}


class Accounts:
    """Account ids by profile, looked up off the prompt's path; labels and colours from the config."""

    def __init__(self, labels: Callable[[], Mapping[str, AccountLabel]], on_change: Callable[[], None]) -> None:
        self._read_labels = labels  # read from the config on first need
        self._labels: dict[str, AccountLabel] | None = None
        self._on_change = on_change  # called (from the worker) when an account id arrives
        self._lock = threading.Lock()
        self._ids: dict[str, str] = {}  # profile -> account id (UNKNOWN when STS failed)
        self._asked: set[str] = set()
        self._pending: dict[str, Future[None]] = {}  # profile -> its background lookup
        self._executor: ThreadPoolExecutor | None = None

    def account(self, profile: str) -> str | None:
        """Return PROFILE's account id, UNKNOWN when STS failed, or None while it is not known yet."""
        with self._lock:
            return self._ids.get(profile)

    def look_up(self, profile: str, caller: Callable[[], Caller | None]) -> None:
        """Ask STS for PROFILE's account in the background, once per session.

        CALLER gives PROFILE's gateway, or None when the session has left PROFILE meanwhile (asked again later).
        """
        with self._lock:
            if profile in self._asked:
                return
            self._asked.add(profile)
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecsshell-account")
            executor = self._executor

        def work() -> None:
            from .aws.account import account_id

            try:
                gateway = caller()
                if gateway is None:
                    with self._lock:
                        self._asked.discard(profile)
                    return
                found = account_id(gateway)
            except Exception as exc:  # no credentials, no network: the toolbar says unknown, the shell goes on
                if getattr(exc, "code", None) == "MfaCodeNeeded":  # asked in the main thread: look again after it
                    with self._lock:
                        self._asked.discard(profile)
                    return
                found = UNKNOWN
            with self._lock:
                self._ids[profile] = found
            self._on_change()

        future = executor.submit(work)
        with self._lock:
            self._pending[profile] = future

    def look_up_now(self, profile: str, caller: Caller) -> str:
        """Return PROFILE's account id, asking STS through CALLER now unless it is known (UNKNOWN on failure)."""
        from .aws.account import account_id
        from .aws.errors import AwsError

        with self._lock:
            pending = self._pending.get(profile)
        if pending is not None:  # a background lookup is under way: its answer, not a second call
            with contextlib.suppress(CancelledError, TimeoutError):
                pending.result(timeout=LOOK_UP_WAIT)
        with self._lock:
            known = self._ids.get(profile)
            self._asked.add(profile)
        if known is not None:
            return known
        try:
            found = account_id(caller)
        except AwsError:
            found = UNKNOWN
        with self._lock:
            self._ids[profile] = found
        return found

    def label(self, account: str | None) -> AccountLabel | None:
        """Return the config's label for ACCOUNT, if it has one."""
        if not account:
            return None
        if self._labels is None:
            self._labels = dict(self._read_labels())
        return self._labels.get(account)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)


def coloured(text: str, colour: str | None, *, enabled: bool) -> str:
    """Return TEXT in COLOUR (bold) for a terminal prompt, or TEXT as it is."""
    code = ANSI.get(colour or "")
    if not (enabled and code):
        return text
    return f"\x1b[1;{code}m{text}\x1b[0m"

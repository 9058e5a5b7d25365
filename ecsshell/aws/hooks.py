"""Make botocore's event setup cheaper for each session and client, answering exactly as botocore does.

A fan-out makes a botocore session per account and a client per target (issue 23: a thousand).
Measured with yappi over 200 targets, two of botocore's own steps were a quarter of the client's CPU:
- every handler registered (some 200 a session, 30 a client) is checked for `**kwargs` with
  `inspect.getfullargspec`; for a plain function or method that is one flag of its code object
  (CO_VARKEYWORDS), read here, and anything else still goes to botocore's check;
- every client copies the session's EventAliaser with an empty cache of aliased event names, so each
  client works out the same names again (a loop over some forty aliases, splitting the name in each);
  aliasers with botocore's own aliases share one cache here (the names depend on the aliases alone).
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

_installed = threading.Lock()
_done: list[bool] = []
SHARED_ALIASES: dict[str, str] = {}  # event name -> its aliased name, for botocore's own EVENT_ALIASES


def accepts_kwargs(func: Any, original: Any) -> bool:
    """Say whether FUNC takes **kwargs: from its code object when it has one, else by ORIGINAL (botocore's)."""
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    if inspect.isfunction(func) or inspect.ismethod(func):
        return bool(code is not None and code.co_flags & inspect.CO_VARKEYWORDS)
    return bool(original(func))


def install() -> None:
    """Patch botocore.hooks once: the **kwargs check and a shared cache of aliased event names."""
    with _installed:
        if _done:
            return
        import botocore.hooks as hooks

        original = hooks.accepts_kwargs
        setattr(hooks, "accepts_kwargs", lambda func: accepts_kwargs(func, original))  # noqa: B010  # the stubs' type is wrong
        aliaser_init = hooks.EventAliaser.__init__
        default = hooks.EVENT_ALIASES

        def init(self: Any, event_emitter: Any, event_aliases: Any = None) -> None:
            aliaser_init(self, event_emitter, event_aliases)
            if self._event_aliases is default or self._event_aliases == default:
                self._alias_name_cache = SHARED_ALIASES

        setattr(hooks.EventAliaser, "__init__", init)  # noqa: B010
        _done.append(True)

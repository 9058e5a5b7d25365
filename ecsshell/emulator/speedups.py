"""Make moto's response serializer cheaper per call, so the emulator is not what a benchmark measures.

moto's serializer asks, for every member of every shape of every answer, which attribute names may
hold it (explicit aliases, the model's names, class and shape prefixes, snake_case): about a third
of a DescribeServices call's CPU. The answer depends only on the object's class, the key and the
shape, never on the object's values, so it is remembered per (class, key, shape).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_installed = False


def install() -> None:
    """Remember the attribute names moto's serializer tries, once per process."""
    global _installed
    if _installed:
        return
    from moto.core import serialize  # moto loads with the world, not on import: start-up time

    picker = serialize.XFormedAttributePicker
    original = picker.get_possible_keys
    remembered: dict[tuple[type, str, int], tuple[Any, tuple[str, ...]]] = {}  # ... -> (shape, names)

    def get_possible_keys(self: Any, context: Any) -> Iterator[str]:
        obj = context.obj
        meta = getattr(obj, "Meta", None)
        if meta is not None and "Meta" in getattr(obj, "__dict__", {}):  # aliases of this object alone
            return original(self, context)
        key = (type(obj), context.key, id(context.shape))
        found = remembered.get(key)
        if found is None or found[0] is not context.shape:  # holding the shape, its id is never reused
            if len(remembered) > 100_000:
                remembered.clear()
            found = remembered[key] = (context.shape, tuple(original(self, context)))
        return iter(found[1])

    setattr(picker, "get_possible_keys", get_possible_keys)  # noqa: B010 (a method of a class of moto)
    _installed = True

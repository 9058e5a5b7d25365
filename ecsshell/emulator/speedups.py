"""Make moto's answers cheaper per call, so the emulator is not what a benchmark measures.

Three costs, each removed without changing a byte of any answer:
- moto's serializer asks, for every member of every shape of every answer, which attribute names may
  hold it (explicit aliases, the model's names, class and shape prefixes, snake_case). The answer
  depends only on the object's class, the key and the shape, never on the object's values, so it is
  remembered per (class, key, shape).
- Each member's value then went through a context object, a generator and a string of the key's path
  built for the response transformers; `get_value` now does the same lookups directly, and builds the
  path only for a key that some transformer's path can end with.
- moto's dispatcher lists its own package folder (a directory read and a stat per service) on every
  request to recognise a backend's name; that list is fixed once moto is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_installed = False
_MISSING = object()
_replaced: list[tuple[Any, str, Any, Any]] = []  # (owner, name, moto's own, ours)


def _replace(owner: Any, name: str, ours: Any) -> None:
    _replaced.append((owner, name, getattr(owner, name), ours))
    setattr(owner, name, ours)


def install() -> None:
    """Apply every speed-up, once per process."""
    global _installed
    if _installed:
        return
    from moto import backends
    from moto.core import serialize  # moto loads with the world, not on import: start-up time

    possible_keys = _remember_possible_keys(serialize)
    _direct_get_value(serialize, possible_keys)
    modules = tuple(backends.list_of_moto_modules())
    _replace(backends, "list_of_moto_modules", lambda: modules)
    _installed = True


@contextmanager
def uninstalled() -> Iterator[None]:
    """Answer with moto's own code meanwhile (for tests that compare the two, under the world's lock)."""
    for owner, name, theirs, _ in _replaced:
        setattr(owner, name, theirs)
    try:
        yield
    finally:
        for owner, name, _, ours in _replaced:
            setattr(owner, name, ours)


KeysOf = Callable[[Any, str, Any], "tuple[str, ...] | None"]  # (object, key, shape) -> names to try


def _remember_possible_keys(serialize: Any) -> KeysOf:
    """Remember the names the picker tries; return a lookup of them (None: the object has its own aliases)."""
    picker = serialize.XFormedAttributePicker
    context_of = serialize.AttributePickerContext
    original = picker.get_possible_keys
    remembered: dict[tuple[type, str, int], tuple[Any, tuple[str, ...]]] = {}  # ... -> (shape, names)
    plain_picker: list[Any] = []  # get_possible_keys uses no state of its picker

    def keys_of(obj: Any, key: str, shape: Any) -> tuple[str, ...] | None:
        if getattr(obj, "Meta", None) is not None and "Meta" in getattr(obj, "__dict__", {}):
            return None  # aliases of this object alone
        remember = (type(obj), key, id(shape))
        found = remembered.get(remember)
        if found is None or found[0] is not shape:  # holding the shape, its id is never reused
            if len(remembered) > 100_000:
                remembered.clear()
            if not plain_picker:
                plain_picker.append(picker())
            names = tuple(original(plain_picker[0], context_of(obj=obj, key=key, shape=shape)))
            found = remembered[remember] = (shape, names)
        return found[1]

    def get_possible_keys(self: Any, context: Any) -> Iterator[str]:
        names = keys_of(context.obj, context.key, context.shape)
        return original(self, context) if names is None else iter(names)

    _replace(picker, "get_possible_keys", get_possible_keys)
    return keys_of


def _direct_get_value(serialize: Any, keys_of: KeysOf) -> None:
    """Make ResponseSerializer.get_value do what XFormedAttributePicker does, without its overhead."""
    from moto.core.utils import get_value as moto_get_value

    serializer = serialize.ResponseSerializer
    original = serializer.get_value
    picker_class = serialize.XFormedAttributePicker

    def transformer_keys(transformers: dict[str, Any]) -> tuple[frozenset[str], tuple[str, ...]]:
        """Return the keys a dotted transformer path ends with, and the paths without a dot."""
        dotted = frozenset(path.rsplit(".", 1)[1] for path in transformers if "." in path)
        return dotted, tuple(path for path in transformers if "." not in path)

    def get_value(self: Any, value: Any, key: str, shape: Any) -> Any:
        picker = self._value_picker
        if type(picker) is not picker_class:
            return original(self, value, key, shape)
        names = keys_of(value, key, shape)
        if names is None:
            return original(self, value, key, shape)
        found: Any = _MISSING
        keyed = hasattr(value, "__getitem__")  # as moto's get_value asks, once rather than per name
        for name in names:
            if "." in name:
                found = moto_get_value(value, name, _MISSING)
            elif keyed:
                try:
                    found = value[name]
                except (KeyError, IndexError, TypeError, AttributeError):
                    found = _MISSING
            else:
                found = getattr(value, name, _MISSING)
            if found is not _MISSING:
                break
        else:
            found = None
        transformers = picker.response_transformers
        if transformers:
            # A serializer answers one request, during which its response's transformers stay as they are.
            endings = self.__dict__.get("_ecsshell_endings")
            if endings is None:
                endings = self.__dict__["_ecsshell_endings"] = transformer_keys(transformers)
            dotted, plain = endings
            # A path "a.b.key" can end the member's path only for this key; a path without a dot, for any
            # key ending with it. Otherwise no transformer applies, and the path need not be built.
            if key in dotted or (plain and any(key.endswith(path) for path in plain)):
                key_path = f"{'.'.join(self.path)}.{key}"
                for transform_path, transform in transformers.items():
                    if key_path.endswith(transform_path):
                        found = transform(found)
                        break
        return found

    _replace(serializer, "get_value", get_value)

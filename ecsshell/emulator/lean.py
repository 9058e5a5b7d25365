"""Import moto's ECS parts without reading what the emulator does not use until something asks for it.

Importing `moto.ecs` imports all of moto's EC2 models, and with them (measured, issue 20):
- each of moto's module-level `boto3.Session()`s reads botocore's 1.2 MB endpoints.json anew
  (a dozen times, about 0.25 s each under load), and the world's boto3 clients read it and their
  service models again: here one botocore loader serves them all, as `ecsshell.aws.session` does
  for ecsshell's own sessions (a loader holds only botocore's own data files, the same for every
  session). moto's router keeps its own loader: it merges moto's extras into the models it reads;
- moto reads its EC2 instance-type offerings for every Region and zone (90 files: 0.45 s, 57 MB)
  though only `RunInstances` and spot price queries read them: here each Region's list is read
  the first time it is used, with the same content moto would have built;
- moto reads its catalogue of instance types (9 MB) for `DescribeInstanceTypes` alone: here it is
  read on that call's first use, and makes the same list.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any, SupportsIndex

OFFERINGS = "ec2/resources/instance_type_offerings/"
INSTANCE_TYPES = "ec2/resources/instance_types.json"
# endpoint prefixes of models too big to read for it alone (EC2's: 4.5 MB of JSON); a test checks them
ENDPOINT_PREFIXES = {"ec2": "ec2", "application-autoscaling": "application-autoscaling", "cloudwatch": "monitoring"}
_lock = threading.RLock()
_importing = threading.local()


class Offerings(list[Any]):
    """One Region's (or zone's) EC2 instance-type offerings, read from moto's file on first use."""

    def __init__(self, resource: str, load: Any) -> None:
        super().__init__()
        self._resource = resource
        self._load = load
        self._loaded = False
        # the folder names the location type: moto writes it into every offering after reading
        self._location_type = resource[len(OFFERINGS):].split("/", 1)[0]

    def _fill(self) -> None:
        with _lock:
            if self._loaded:
                return
            items = self._load(self._resource)
            for item in items:
                item["LocationType"] = self._location_type
            super().extend(items)
            self._loaded = True

    def __iter__(self) -> Iterator[Any]:
        if getattr(_importing, "value", False):
            return iter(())  # moto's import-time loop that writes LocationType: done in _fill
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __getitem__(self, index: SupportsIndex | slice) -> Any:
        self._fill()
        return super().__getitem__(index)

    def __contains__(self, item: object) -> bool:
        self._fill()
        return super().__contains__(item)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        self._fill()
        return super().__eq__(other)

    __hash__ = None


_done: list[Any] = []  # [the botocore session the world's clients come from] once moto is imported


def import_moto() -> Any:
    """Import moto's ECS and EC2 models the lean way (once per process); return a botocore session for clients.

    Its clients and moto's own boto3 sessions share one botocore loader's data files; moto's
    sessions, which only list each service's Regions, keep no more of a service's model than its
    metadata (EC2's whole model would hold 25 MB for nothing).
    """
    with _lock:
        if _done:
            return _done[0]
        import botocore.loaders
        import botocore.session

        loader = botocore.loaders.create_loader()
        with _shared_botocore_loader(_regions_loader(loader)), _lazy_offerings():
            import moto.ec2.models  # the heavy part, read lean
            _lazy_instance_types()
            from moto.core.base_backend import AccountSpecificBackend

            # moto's one runtime session (cached): its loader is made on first use, so use it now
            AccountSpecificBackend.get_session().get_available_regions("ecs")
        import moto.core.utils

        # moto's router makes a new loader for each service it routes, which walks botocore's 400
        # service folders anew to check the name: one loader (moto's own kind, with its extras) will do
        moto.core.utils.create_loader = functools.cache(moto.core.utils.create_loader)
        core = botocore.session.Session()
        core.register_component("data_loader", loader)
        _done.append(core)
        return _done[0]


def _regions_loader(shared: Any) -> Any:
    """Return a loader for moto's sessions: SHARED's data files, and only the metadata of service models."""
    import botocore.loaders

    reader: Any = botocore.loaders.Loader()  # reads a model, then forgets it (it keeps its listings)

    class RegionsLoader(botocore.loaders.Loader):
        """Answer `get_available_regions`, which reads a service model for its endpoint prefix only."""

        def load_data(self, name: str) -> Any:
            return shared.load_data(name)  # endpoints, partitions, SDK defaults: read once, shared

        @botocore.loaders.instance_cache
        def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
            if type_name == "service-2" and service_name in ENDPOINT_PREFIXES:
                return {"metadata": {"endpointPrefix": ENDPOINT_PREFIXES[service_name]}}
            with _lock:
                try:
                    model = reader.load_service_model(service_name, type_name, api_version)
                finally:  # keep the listing of botocore's services (a walk of 400 folders), not the model
                    for key in [key for key in reader._cache if key[0] != "list_available_services"]:
                        del reader._cache[key]
            return {"metadata": model["metadata"]} if type_name == "service-2" else model

    return RegionsLoader()


@contextlib.contextmanager
def _shared_botocore_loader(loader: Any) -> Iterator[None]:
    """Let every botocore session made meanwhile use LOADER (and so read each data file once)."""
    import botocore.session

    original = botocore.session.create_loader
    botocore.session.create_loader = lambda *_, **__: loader
    try:
        yield
    finally:
        botocore.session.create_loader = original


class _InstanceTypes:
    """`InstanceTypeBackend.instance_types`, made from moto's catalogue the first time it is read."""

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        import moto.ec2.models.instance_types as module
        from moto.utilities.utils import load_resource

        with _lock:
            if not module.INSTANCE_TYPES:
                module.INSTANCE_TYPES.update(load_resource(INSTANCE_TYPES))
                module.INSTANCE_FAMILIES[:] = list({i.split(".")[0] for i in module.INSTANCE_TYPES})
            made = list(map(module.InstanceType, module.INSTANCE_TYPES.keys()))
            module.InstanceTypeBackend.instance_types = made  # as moto's class body would have set it
        return made


def _lazy_instance_types() -> None:
    """Let moto's instance-type catalogue, imported empty (`_lazy_offerings`), fill on first use."""
    import moto.ec2.models.instance_types as module

    if not module.INSTANCE_TYPES:
        module.InstanceTypeBackend.instance_types = _InstanceTypes()  # type: ignore[assignment]


@contextlib.contextmanager
def _lazy_offerings() -> Iterator[None]:
    """Make moto's import read no instance-type offerings file: each becomes an `Offerings` list."""
    import moto.utilities.utils as utils

    original = utils.load_resource

    def load_resource(resource: str) -> Any:
        if resource.replace("\\", "/").startswith(OFFERINGS):
            return Offerings(resource.replace("\\", "/"), original)
        if resource == INSTANCE_TYPES:
            return {}  # read on first use: _lazy_instance_types
        return original(resource)

    utils.load_resource = load_resource
    _importing.value = True
    try:
        yield
    finally:
        _importing.value = False
        utils.load_resource = original

"""An emulated ECS world: moto over HTTP with ECS paging, limits, a scheduler and faults."""

from .server import ACCOUNT, REGION, World, start_world

__all__ = ["ACCOUNT", "REGION", "World", "start_world"]

"""An emulated ECS world: moto over HTTP with ECS paging, limits, a scheduler and faults.

The package owns everything that stands in for AWS in tests and the demo: the HTTP server and
its WSGI layer (recording, faults, paging and batch limits; worlds are built through the same
layer in-process), the shims that make moto answer as ECS does, the scheduler and load
balancing that moto lacks, and the ready-made worlds.
It may import the standard library, moto, werkzeug, boto3/botocore (its own clients) and itself;
it never imports ecsshell's shell, commands, render or aws packages (tests/test_layers.py checks).
Inside it imports go one way: faults, recorder, throttle <- wsgi; recorder <- handler;
registry, wsgi <- deployments, listing; load_balancing, speedups, deployments <- scheduler;
lean (moto imported lean), inprocess (clients without HTTP), listing, patches <- server <- worlds.
Service deployments and revisions, and the world-side API tests use to steer them, are described
in `deployments.py`.
"""

from .server import ACCOUNT, REGION, World, start_world

__all__ = ["ACCOUNT", "REGION", "World", "start_world"]

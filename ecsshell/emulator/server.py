"""Start and stop the emulated ECS world: moto's app behind our shims on 127.0.0.1."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .faults import Faults
from .identity import Access
from .recorder import Recorder
from .registry import Registry
from .scheduler import Scheduler
from .sso import IdentityCenter, moto_role_keys
from .throttle import Throttle
from .wsgi import EmulatorApp

if TYPE_CHECKING:  # werkzeug loads in start(): start-up time
    from .handler import Connections

REGION = "us-east-1"
ACCOUNT = "123456789012"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


SHUTDOWN_POLL = 0.05  # seconds between the server loop's looks for a stop


class World:
    """One emulated AWS: an HTTP endpoint, its recorder, faults, throttle model, scheduler and clock."""

    def __init__(self, region: str = REGION) -> None:
        self.region = region
        self.lock = threading.RLock()
        self.recorder = Recorder()
        self.faults = Faults()
        self.throttle = Throttle()  # off until world.throttle.enable()
        self.access = Access()  # actions denied to a principal, expired keys (identity.py)
        self._server: Any = None
        self._connections: Connections | None = None
        self._thread: threading.Thread | None = None
        self._app: EmulatorApp | None = None
        self._sdk: Any = None  # the boto3 session clients come from (lean.import_moto)
        self._apis: dict[tuple[str, str | None, str | None], Any] = {}  # in-process clients, made once
        self._ready = threading.Event()  # set when HTTP requests may be answered (listen, load, building)
        self._failure = ""  # why requests are answered 503: the world could not be loaded or built
        self.endpoint_url = ""
        self.scheduler = Scheduler(self)
        self._place = threading.local()  # the (account, region) the scheduler is acting on (see `at`)
        self.sso = IdentityCenter(self.lock, lambda: self.scheduler.elapsed, region,
                                  lambda account, role, user: moto_role_keys(account, role, user, self.region))

    # life cycle -----------------------------------------------------------------------------
    def start(self, *, warm: bool = True) -> World:
        """Serve on an ephemeral port of 127.0.0.1 and apply the ECS shims (`listen`, then `load`).

        WARM builds moto's per-service apps for ECS, EC2, ELBv2 and Logs now, so no test pays for
        them; the demo builds only those its world uses, as it uses them.
        """
        self.listen()
        self.load(warm=warm)
        return self

    def listen(self) -> World:
        """Bind an ephemeral port of 127.0.0.1 and serve it; requests wait until `load` (and `building`) end.

        Loads no moto: the demo binds its endpoint at once and loads and builds the world meanwhile.
        """
        from werkzeug.serving import make_server

        from .handler import Connections, keep_alive_handler

        self._connections = Connections()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._ready.clear()
        self._failure = ""
        self._server = make_server("127.0.0.1", 0, self._gate, threaded=True,
                                   request_handler=keep_alive_handler(self.recorder, self._connections))
        host, port = self._server.server_address[:2]
        self.endpoint_url = f"http://{host}:{port}"
        # serve_forever looks for shutdown() between polls: at its default 0.5 s, stopping the world (the end of
        # every `--demo -c` run and of the test session) waited up to half a second for nothing
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL},
                                        name="ecs-emulator", daemon=True)
        self._thread.start()
        return self

    def load(self, *, warm: bool = True, hold: bool = False) -> World:
        """Import moto, apply the ECS shims and answer the requests `listen` holds (see `start` for WARM).

        With HOLD, requests wait on until a `building()` block ends (the demo builds its world first).
        """
        if self._server is None:
            raise RuntimeError("the world does not listen: call listen() first")
        try:
            # moto and patches (which imports moto) load here, not on import: start-up time
            self._sdk = _sdk_session()  # imports moto the lean way first
            from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

            from . import listing, metrics, patches

            patches.register(self)
            patches.install()
            handlers = {**self.scheduler.service_deployments.handlers(), **listing.handlers(self.backend),
                        **metrics.handlers(lambda: self.backend("cloudwatch"), self.scheduler.now)}
            self._app = EmulatorApp(DomainDispatcherApplication(create_backend_app), self.recorder, self.faults,
                                    self.lock, self.throttle, handlers=handlers, place=self.at, shims=[self.sso],
                                    access=self.access)
            self._apis.clear()
            self._freeze_task_status()
            if warm:
                self.api("ecs").list_clusters()  # builds moto's lazy app once, so no test pays for it
                self.api("ec2").describe_vpcs()  # likewise for the services worlds and tests use
                self.api("elbv2").describe_load_balancers()
                self.api("logs").describe_log_groups()
            self.recorder.reset()
        except BaseException as exc:
            self.fail(f"the emulator could not start: {exc}")
            raise
        if not hold:
            self._ready.set()
        return self

    def fail(self, reason: str) -> None:
        """Answer every request held or to come with HTTP 503 and REASON (the world could not be made)."""
        self._failure = reason
        self._ready.set()

    def wait_ready(self, timeout: float | None = None) -> str:
        """Wait until requests are answered (or TIMEOUT passes); return why they fail, or "" if they do not."""
        self._ready.wait(timeout)
        return self._failure

    def _gate(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Hold a request until the world is loaded and built, then answer it through the emulator's app."""
        self._ready.wait()
        if self._failure or self._app is None:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length:  # read the request's body, or a kept-alive connection would take it for the next request
                environ["wsgi.input"].read(length)
            body = json.dumps({"__type": "ServiceUnavailableException",
                               "message": self._failure or "the emulator is not loaded"}).encode()
            start_response("503 Service Unavailable", [("Content-Type", "application/x-amz-json-1.1"),
                                                       ("Content-Length", str(len(body)))])
            return [body]
        return self._app(environ, start_response)

    def stop(self) -> None:
        """Stop the scheduler and the server, freeing the thread and the port."""
        self.scheduler.stop()
        if self._app is not None:
            from . import patches  # loaded by load(), with moto

            patches.unregister(self)
        if not self._ready.is_set():
            self.fail("the emulator stopped")  # let held requests go
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._connections is not None:
            self._connections.close_all()  # idle keep-alive connections hold a thread each
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> World:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget every resource, fault, throttle, count and scheduler state (milliseconds)."""
        from moto.moto_api._internal.models import moto_api_backend  # start-up time, as in start()

        self.scheduler.stop()
        with self.lock:
            moto_api_backend.reset()
            self.scheduler.reset()
        self.faults.clear()
        self.access.clear()
        self.throttle.disable()
        self.recorder.reset()
        self.sso.reset()
        self._freeze_task_status()

    @staticmethod
    def _freeze_task_status() -> None:
        from moto.moto_api import state_manager  # start-up time, as in start()

        state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})

    # access ---------------------------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        """Return the image registry service revisions resolve digests from (`push` moves a tag)."""
        return self.scheduler.service_deployments.registry

    def client(self, service: str, *, account: str | None = None, region: str | None = None, **config: Any) -> Any:
        """Return a real boto3 client bound to this world (in ACCOUNT and REGION, default its own)."""
        # boto3 loads on the first client, not on import: start-up time
        from botocore.config import Config

        settings: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 3}}
        settings.update(config)  # e.g. retries={"total_max_attempts": 1} replaces the default
        cfg = Config(**settings)
        make: Callable[..., Any] = (self._sdk or _sdk_session()).client  # any service by name
        client = make(service, region_name=region or self.region, endpoint_url=self.endpoint_url, config=cfg,
                      **CREDENTIALS)
        if account:  # moto's header for "answer as this account"
            client.meta.events.register("before-send", functools.partial(_in_account, account))
        return client

    def api(self, service: str, *, account: str | None = None, region: str | None = None) -> Any:
        """Return a boto3 client for SERVICE that calls this world's app in-process (made once per world).

        It goes through everything an HTTP client does (recording, faults, throttle, shims, the lock)
        but the socket; the worlds build through it (see `inprocess.py`), and it passes the ready gate.
        """
        from .inprocess import attach

        key = (service, account, region)
        if key not in self._apis:
            if self._app is None:
                raise RuntimeError("the world is not started")
            self._apis[key] = attach(self.client(service, account=account, region=region), self._app)
        return self._apis[key]

    @contextlib.contextmanager
    def building(self) -> Iterator[None]:
        """Hold every HTTP request meanwhile (in-process clients pass): the world is being built.

        If building fails, requests are answered 503 with the reason (`fail`), and the error is raised.
        """
        if self._app is None:
            raise RuntimeError("the world is not started")
        self._ready.clear()
        try:
            yield
        except BaseException as exc:
            self.fail(f"the world could not be built: {exc}")
            raise
        self._ready.set()

    def backend(self, service: str = "ecs", account: str | None = None, region: str | None = None) -> Any:
        """Return moto's in-process backend for SERVICE in ACCOUNT and REGION (default: the place `at` set,
        else this world's account and region)."""
        from moto.backends import get_backend  # start-up time, as in start()

        place = getattr(self._place, "value", None) or (ACCOUNT, self.region)
        return get_backend(service)[account or place[0]][region or place[1]]  # type: ignore[call-overload]

    # several accounts and Regions (issue 14) -------------------------------------------------
    def places(self) -> list[tuple[str, str]]:
        """Return every (account, region) whose ECS backend holds clusters, services or tasks."""
        from moto.backends import get_backend  # start-up time, as in start()

        return [(account, region) for account, regions in list(get_backend("ecs").items())
                for region, backend in list(regions.items())
                if backend.clusters or backend.services or backend.tasks]

    @contextlib.contextmanager
    def at(self, account: str, region: str) -> Iterator[None]:
        """Make `backend()` answer for ACCOUNT and REGION in this thread meanwhile (the scheduler's ticks)."""
        before = getattr(self._place, "value", None)
        self._place.value = (account, region)
        try:
            yield
        finally:
            self._place.value = before

    def profiles(self, directory: Path, accounts: Mapping[str, str], *, roles: Mapping[str, tuple[str, str]]
                 | None = None, region: str | None = None) -> dict[str, str]:
        """Write AWS config and credentials files in DIRECTORY for test profiles; return the environment.

        ACCOUNTS maps a profile to its account: each gets an IAM user's access keys in that account (moto
        picks the account by access key). ROLES maps a profile to (source profile, account): it assumes
        role `ecsshell` in that account through STS, as boto3's credential chain does for `role_arn`.
        """
        directory.mkdir(parents=True, exist_ok=True)
        credentials, config = [], []
        for profile, account in accounts.items():
            key, secret = self.access_key(account, f"ecsshell-{profile}")
            credentials.append(f"[{profile}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n")
            config.append(f"[profile {profile}]\nregion = {region or self.region}\n")
        for profile, (source, account) in (roles or {}).items():
            config.append(f"[profile {profile}]\nrole_arn = arn:aws:iam::{account}:role/ecsshell\n"
                          f"source_profile = {source}\nregion = {region or self.region}\n")
        (directory / "credentials").write_text("\n".join(credentials), encoding="utf-8")
        (directory / "config").write_text("\n".join(config), encoding="utf-8")
        return {"AWS_CONFIG_FILE": str(directory / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(directory / "credentials")}

    def access_key(self, account: str, user: str) -> tuple[str, str]:
        """Create IAM user USER in ACCOUNT with an access key; return (key id, secret).

        On moto's IAM backend directly: ecsshell never calls IAM, and reading IAM's model (for a
        client and again for moto's router) cost the demo a tenth of its start.
        """
        from moto.iam.models import iam_backends  # start-up time, as in start()

        with self.lock:
            iam = iam_backends[account]["aws"]
            iam.create_user(self.region, user_name=user, path="/")
            key = iam.create_access_key(user)
        return key.access_key_id, key.secret_access_key

    def environ(self) -> dict[str, str]:
        """Environment variables that point the AWS SDK (and ecsshell) at this world."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    # emulated time ---------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move emulated time forward, letting the scheduler act as ECS would."""
        self.scheduler.advance(seconds)


_sdk: list[Any] = []


def _sdk_session() -> Any:
    """Return the boto3 session worlds' clients come from: its botocore loader is moto's (see `lean.py`)."""
    import boto3

    from .lean import import_moto

    if not _sdk:
        _sdk.append(boto3.Session(botocore_session=import_moto()))
    return _sdk[0]


def _in_account(account: str, request: Any, **_: Any) -> None:
    request.headers["x-moto-account-id"] = account


def start_world(region: str = REGION, *, warm: bool = True) -> World:
    """Start an emulated world and return it (WARM: see `World.start`); call `stop()` when done."""
    return World(region).start(warm=warm)

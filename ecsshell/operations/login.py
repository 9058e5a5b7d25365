"""Sign in to IAM Identity Center by the OAuth device flow: show the code, then poll until it is approved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..errors import AwsError

SLOW_DOWN_STEP = 5  # seconds added to the polling interval at each SlowDownException (RFC 8628, 3.5)


@dataclass(frozen=True)
class DeviceAuthorization:
    """What StartDeviceAuthorization answered: where to approve, the code to check, how to poll."""

    verification_uri: str
    verification_uri_complete: str
    user_code: str
    device_code: str
    interval: int
    expires_in: int


class DeviceAuthorizer(Protocol):
    """The identity provider's side of the flow (sso-oidc), as the loop sees it."""

    def start(self) -> DeviceAuthorization:
        """Register a client and start a device authorization."""
        ...

    def poll(self, authorization: DeviceAuthorization) -> str:
        """Ask for the token once: "done" (saved), "pending" or "slow_down"; raise AwsError for the rest."""
        ...


def device_login(authorizer: DeviceAuthorizer, show: Callable[[DeviceAuthorization], None],
                 sleep: Callable[[float], None], monotonic: Callable[[], float]) -> DeviceAuthorization:
    """Start a device authorization, SHOW it, and poll at its interval until it is approved or expires."""
    authorization = authorizer.start()
    show(authorization)
    interval = max(1, authorization.interval)
    deadline = monotonic() + authorization.expires_in
    while True:
        sleep(interval)
        state = authorizer.poll(authorization)
        if state == "done":
            return authorization
        if state == "slow_down":
            interval += SLOW_DOWN_STEP
        if monotonic() >= deadline:
            raise AwsError(f"the sign-in code {authorization.user_code} expired before it was approved: "
                           "run login again", code="ExpiredTokenException")

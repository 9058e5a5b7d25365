"""Roles that need an MFA code (mfa_serial): asked once per session at the shell's prompt, refused in a script.

botocore's AssumeRoleProvider asks through its `prompter` (getpass by default, which would read the
terminal behind ecsshell's back) and lets an MFA role be fetched only once: a wrong code, or credentials
that expire, would leave the session unusable. Here the prompter is the shell's masked input, or a
refusal in one line; the role's credentials go in the shell's cache; and a failed or expired fetch may
ask again. Only the main thread asks: `unlock` fetches the credentials there, when the first client is made.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from botocore import exceptions as bx
from botocore.credentials import AssumeRoleProvider

from ..errors import one_line
from .errors import ConfigError
from .sso import quoted

Prompter = Callable[[str], str]
_SERIAL = re.compile(r"Enter MFA code for (.*?):?\s*$")  # botocore's prompt


class MfaNeeded(ConfigError):
    """A role needs an MFA code, and nobody can type one here."""


def _serial(prompt: str) -> str:
    found = _SERIAL.match(prompt)
    return found.group(1) if found else "mfa_serial"


def refusal(profile: str) -> Prompter:
    """Return a prompter that refuses, in one line naming PROFILE: a script cannot type a code."""
    def refuse(prompt: str) -> str:
        raise MfaNeeded(f"profile {quoted(profile)} needs an MFA code ({_serial(prompt)}): run it in the "
                        "interactive shell, or export credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
                        "AWS_SESSION_TOKEN) and use -cred env", code="MfaCodeNeeded")

    return refuse


def asking(read_secret: Prompter, profile: str) -> Prompter:
    """Return a prompter that asks with READ_SECRET (masked) in the main thread, and refuses in any other."""
    def ask(prompt: str) -> str:
        if threading.current_thread() is not threading.main_thread():  # a background look-up, a worker
            raise MfaNeeded(f"profile {quoted(profile)} needs an MFA code ({_serial(prompt)}): the next command "
                            "asks for it", code="MfaCodeNeeded")
        try:
            code = read_secret(prompt).strip()
        except EOFError:
            code = ""
        if not code:
            raise MfaNeeded(f"no MFA code given for profile {quoted(profile)} ({_serial(prompt)})",
                            code="MfaCodeNeeded")
        return code

    return ask


def bind(provider: AssumeRoleProvider, prompter: Prompter | None, cache: dict[str, Any] | None) -> None:
    """Make PROVIDER ask through PROMPTER (a refusal when None), keep its roles in CACHE, and ask again when needed."""
    private: Any = provider  # its prompter, cache and profile are private, and not in the stubs
    profile = str(private._profile_name)
    private._prompter = prompter or refusal(profile)
    if cache is not None:
        private.cache = cache
    load = provider.load

    def load_again() -> Any:
        credentials: Any = load()
        once = getattr(credentials, "_refresh_using", None)
        fetch = getattr(once, "_refresh", None)  # botocore's MFA refresher, which refuses a second call
        if fetch is not None:
            credentials._refresh_using = fetch  # the fetcher asks again only when its cached role expired
            credentials.ecsshell_mfa = profile
            # botocore refreshes 15 minutes ahead ("advisory") and 10 ("mandatory"); a code is asked for only
            # when it must be, or 15-minute credentials would ask at every call
            window = credentials._mandatory_refresh_timeout
            credentials._advisory_refresh_timeout = window
            fetcher: Any = getattr(fetch, "__self__", None)
            if fetcher is not None:
                fetcher._expiry_window_seconds = window
        return credentials

    private.load = load_again


def unlock(core: Any) -> None:
    """In the main thread, fetch an MFA role's credentials now (asking for the code), before calls go to threads."""
    if threading.current_thread() is not threading.main_thread():
        return
    profile = None
    try:
        credentials = core.get_credentials()
        profile = getattr(credentials, "ecsshell_mfa", None)
        if credentials is not None and profile is not None:
            credentials.get_frozen_credentials()
    except bx.ClientError as exc:  # STS refused the code
        error = exc.response.get("Error") or {}
        message = one_line(str(error.get("Message") or "")).strip()
        raise ConfigError(f"profile {quoted(str(profile))}: AWS refused the MFA code: {message} "
                          f"({error.get('Code') or 'refused'})", code=str(error.get("Code") or "")) from None

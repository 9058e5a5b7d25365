"""Decide which environment names look secret and mask their values.

A name is split into word parts on ``_``, ``-``, ``.``, ``/``, spaces, camelCase boundaries and
digits, then upper-cased. It is secret when one part:

- is one of the short words ``KEY``, ``KEYS``, ``AUTH``, ``PWD``, ``PASS``, ``DSN``, ``CONN``,
  ``CONNECTION``, ``SALT``, ``CREDS`` (a whole part only, so ``MONKEY``,
  ``KEYBOARD_LAYOUT``, ``AUTHOR`` and ``PASSENGER_COUNT`` stay visible), or
- ends with one of the long words ``PASSWORD``, ``PASSWD``, ``PASSPHRASE``, ``SECRET``, ``TOKEN``,
  ``CREDENTIAL``, ``APIKEY``, ``ACCESSKEY``, ``SECRETKEY``, ``PRIVATEKEY``, ``CONNSTR``,
  ``CONNECTIONSTRING`` (optionally plural), so ``DBPASSWORD``, ``GITHUBTOKEN`` and ``XAPIKEY``
  are secret while ``TOKENIZER_MODEL`` is not.

Masking errs on the side of hiding: ``AWS_ACCESS_KEY_ID`` or ``AUTH_URL`` are masked too.
"""

from __future__ import annotations

import re

from ecsshell.model import ContainerDef

MASK = "****"

_SHORT_WORDS = frozenset(
    {"KEY", "KEYS", "AUTH", "PWD", "PASS", "DSN", "CONN", "CONNECTION", "SALT", "CREDS"}
)
_LONG_WORD = re.compile(
    r"[A-Z0-9]*(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|APIKEY|ACCESSKEY|SECRETKEY"
    r"|PRIVATEKEY|CONNSTR|CONNECTIONSTRING)S?"
)
_SEPARATORS = re.compile(r"[_\-./\s:]+")
_CAMEL_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def name_parts(name: str) -> list[str]:
    """Split an environment name into upper-case word parts."""
    parts: list[str] = []
    for chunk in _SEPARATORS.split(name):
        parts.extend(p.upper() for p in _CAMEL_PARTS.findall(chunk))
    return parts


def is_secret_name(name: str) -> bool:
    """Return True when a variable name looks like it holds a secret."""
    return any(p in _SHORT_WORDS or _LONG_WORD.fullmatch(p) for p in name_parts(name))


def mask(value: str | None) -> str:
    """Return a fixed-length mask that reveals nothing about the value (not even its length)."""
    return MASK


def env_pairs(container: ContainerDef, show_secrets: bool) -> list[tuple[str, str]]:
    """Return a container's environment with secret-looking values masked unless show_secrets."""
    return [
        (name, value if show_secrets or not is_secret_name(name) else mask(value))
        for name, value in container.environment
    ]


def masked_options(options: dict[str, object] | None, show_secrets: bool) -> dict[str, object]:
    """Return log driver options with secret-looking values (e.g. ``splunk-token``) masked."""
    return {
        key: value if show_secrets or not is_secret_name(key) else mask(str(value))
        for key, value in (options or {}).items()
    }

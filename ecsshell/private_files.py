"""Files private to the user in ecsshell's cache folder: read safely, written atomically.

A file is written 0600 in a 0700 folder, through a temporary file renamed over the old one, so a
second ecsshell reading it sees the old file or the new one. Reading returns None for anything but
a readable regular file of JSON (missing, a FIFO, truncated, corrupt): callers treat that as empty.
Standard library only, so completion can read its names without loading the AWS SDK.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

DISABLE = "ECSSHELL_NO_CACHE"


def disabled(env: Mapping[str, str]) -> bool:
    """Say whether ECSSHELL_NO_CACHE turns the persistent caches off."""
    return env.get(DISABLE, "") not in ("", "0")


def endpoint_name(file_name: str, endpoint: str | None) -> str:
    """Return FILE_NAME, or for a custom ENDPOINT a name of its own (an emulator reuses ARNs and names)."""
    if not endpoint:
        return file_name
    digest = hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:16]
    stem, dot, suffix = file_name.rpartition(".")
    return f"{stem}-{digest}{dot}{suffix}"


def read_json(path: Path, object_hook: Callable[[dict[str, Any]], Any] | None = None) -> Any:
    """Return the JSON document in PATH, or None for anything but a readable regular file of JSON."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO put there must not hang us
        with os.fdopen(descriptor, encoding="utf-8") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return None
            return json.load(stream, object_hook=object_hook)
    except (OSError, ValueError, RecursionError):
        return None


def write_private(path: Path, text: str) -> None:
    """Replace PATH atomically with TEXT: a 0600 temporary file in its 0700 folder, then rename."""
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            os.fchmod(stream.fileno(), 0o600)
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

"""Files private to the user in ecsshell's own folders: read safely, written atomically, never through a link.

A file is written 0600 in a 0700 folder, through a temporary file renamed over the old one, so a
second ecsshell reading it sees the old file or the new one. Nothing here follows a symbolic link:
the folder and the file are opened with O_NOFOLLOW, and the file is opened inside the folder's own
descriptor, so a link planted in place of either is refused, never written through or chmodded.
Reading trusts a file only when the folder and the file are the user's own and not writable by
group or others (then nobody else can have written or swapped it), and the file is a regular file
no larger than its bound; anything else (missing, a link, a FIFO, someone else's, truncated,
corrupt, too large) reads as None, and the next write replaces it atomically, after making the
folder 0700 again.
Standard library only, so completion can read its names without loading the AWS SDK.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

DISABLE = "ECSSHELL_NO_CACHE"
MAX_READ = 16 * 1024 * 1024  # no file of ours is larger; a larger one is not read at all
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class UnsafePath(OSError):
    """A private folder or file that is a link, someone else's, or writable by others."""


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


def unsafe_reason(st: os.stat_result) -> str:
    """Return why a file or folder with status ST may not be trusted ('' when it may): not the user's own,
    or writable by group or others (then someone else could have written or swapped what it holds)."""
    if st.st_uid != os.geteuid():
        return "belongs to another user"
    if st.st_mode & 0o022:
        return "is writable by other users"
    return ""


def _open_folder(directory: Path, *, create: bool) -> int:
    """Return a descriptor of DIRECTORY, the user's own and not a link; CREATE makes it (0700) and fixes its mode."""
    if create:
        directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory, 0o700)
    try:
        descriptor = os.open(directory, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
    except OSError as exc:
        if os.path.islink(directory):
            raise UnsafePath(f"{directory} is a symbolic link") from None
        raise exc
    st = os.fstat(descriptor)
    reason = "is not a folder" if not stat.S_ISDIR(st.st_mode) else unsafe_reason(st)
    if create and stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid():
        os.fchmod(descriptor, 0o700)  # our own folder: private again before anything is written in it
        reason = ""
    if reason:
        os.close(descriptor)
        raise UnsafePath(f"{directory} {reason}")
    return descriptor


def read_private(path: Path, *, max_bytes: int = MAX_READ, private: bool = True) -> bytes | None:
    """Return the bytes of PATH when it and its folder may be trusted (see the module), else None."""
    try:
        folder = _open_folder(path.parent, create=False) if private else None
    except OSError:
        return None
    try:
        descriptor = os.open(path.name if folder is not None else path,
                             os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW, dir_fd=folder)
    except OSError:
        return None
    finally:
        if folder is not None:
            os.close(folder)
    try:
        st = os.fstat(descriptor)
        if not stat.S_ISREG(st.st_mode) or unsafe_reason(st) or st.st_size > max_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes and (chunk := os.read(descriptor, min(1 << 20, max_bytes + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return None if size > max_bytes else b"".join(chunks)


def read_json(path: Path, object_hook: Callable[[dict[str, Any]], Any] | None = None, *,
              max_bytes: int = MAX_READ) -> Any:
    """Return the JSON document in PATH, or None for anything but a trusted, bounded regular file of JSON."""
    data = read_private(path, max_bytes=max_bytes)
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"), object_hook=object_hook)
    except (ValueError, RecursionError):
        return None


def write_private(path: Path, text: str) -> None:
    """Replace PATH atomically with TEXT: a 0600 temporary file in its 0700 folder, then rename; never via a link."""
    folder = _open_folder(path.parent, create=True)
    temporary = f".{path.stem}.{secrets.token_hex(6)}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=folder)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            os.fchmod(stream.fileno(), 0o600)
            stream.write(text)
        os.replace(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise
    finally:
        os.close(folder)


def private_folder(directory: Path) -> None:
    """Make DIRECTORY the user's private folder (0700), refusing a link or someone else's folder."""
    os.close(_open_folder(directory, create=True))


def distrust(path: Path) -> str:
    """Return why the existing file PATH, or its folder, may not be trusted ('' when both may); follow no link."""
    for place in (path.parent, path):
        st = os.lstat(place)
        if stat.S_ISLNK(st.st_mode):
            return f"{place} is a symbolic link"
        reason = unsafe_reason(st)
        if reason:
            return f"{place} {reason}"
    return ""

"""The persistent caches: described task definitions and service revisions by full ARN; neither changes.

Only what cannot change is kept: the DescribeTaskDefinition answer without `status`,
`deregisteredAt` and `tags` (a revision can be deregistered and retagged), and of a service revision
(immutable) the service, task definition and container images. Each file lives in the
user's cache folder (0600 in a 0700 folder, like the AWS CLI's own cache), holds at most
MAX_ENTRIES revisions and MAX_BYTES of JSON (the oldest go first), and is written atomically, so a
second ecsshell reading it sees the old file or the new one. A file that is missing, unreadable,
truncated, corrupt or someone else's is treated as empty, silently; deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..private_files import disabled, endpoint_name, read_json, write_private

FORMAT = "ecsshell task definition cache"
REVISION_FORMAT = "ecsshell service revision cache"
VERSION = 1
FILE_NAME = "task-definitions.json"
REVISION_FILE_NAME = "service-revisions.json"
MAX_ENTRIES = 1000
MAX_REVISIONS = 10000  # one per service: a few of the largest clusters
MAX_BYTES = 8 * 1024 * 1024
VOLATILE = ("status", "deregisteredAt")  # taskDefinition keys that change after registration
REVISION_KEYS = ("serviceRevisionArn", "serviceArn", "clusterArn", "taskDefinition", "containerImages",
                 "createdAt")  # what ecsshell reads of a service revision
_DATETIME = "$datetime"
_FULL_ARN = re.compile(r"arn:[^:]+:ecs:[^:]+:\d+:task-definition/[^:/]+:\d+")
_REVISION_ARN = re.compile(r"arn:[^:]+:ecs:[^:]+:\d+:service-revision/[^/]+/[^/]+/\d+")

Answer = dict[str, Any]


def is_revision_arn(ref: str) -> bool:
    """Say whether REF is a full task definition ARN with its revision (the only cache key)."""
    return _FULL_ARN.fullmatch(ref) is not None


def stable(answer: Mapping[str, Any]) -> Answer:
    """Return a DescribeTaskDefinition answer without what can change: status, deregisteredAt, tags."""
    body = answer.get("taskDefinition")
    out: Answer = {"taskDefinition": {k: v for k, v in body.items() if k not in VOLATILE}
                   if isinstance(body, dict) else {}}
    return out


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    raise TypeError(f"cannot cache {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> object:
    if len(obj) == 1 and isinstance(obj.get(_DATETIME), str):
        return datetime.fromisoformat(obj[_DATETIME])
    return obj


class ArnCache:
    """Immutable answers by full ARN, in one bounded private JSON file in DIRECTORY."""

    format = ""

    def __init__(self, directory: Path, *, name: str, max_entries: int, max_bytes: int = MAX_BYTES) -> None:
        self.directory = directory
        self.path = directory / name
        self.max_entries = max_entries
        self.max_bytes = max_bytes

    def is_key(self, ref: str) -> bool:
        """Say whether REF is an ARN this cache may hold."""
        raise NotImplementedError

    def key_of(self, entry: Mapping[str, Any]) -> str:
        """Return the ARN a stored ENTRY answers for ('' when it has none)."""
        raise NotImplementedError

    def stable(self, answer: Mapping[str, Any]) -> Answer:
        """Return what of ANSWER is kept: the part that never changes."""
        raise NotImplementedError

    def _read(self) -> dict[str, Answer]:
        """Return the stored entries, oldest first; empty for anything but our own readable file."""
        document = read_json(self.path, _decode)
        if not (isinstance(document, dict) and document.get("format") == self.format
                and document.get("version") == VERSION and isinstance(document.get("entries"), dict)):
            return {}
        return {arn: answer for arn, answer in document["entries"].items()
                if isinstance(arn, str) and self.is_key(arn) and isinstance(answer, dict)
                and self.key_of(answer) == arn}

    def entries(self) -> dict[str, Answer]:
        """Return every stored answer by ARN (read the file once, then look up many)."""
        return self._read()

    def get(self, arns: Iterable[str]) -> dict[str, Answer]:
        """Return the stored answers of those ARNS the cache holds."""
        wanted = [a for a in arns if self.is_key(a)]
        if not wanted:
            return {}
        entries = self._read()
        return {arn: entries[arn] for arn in wanted if arn in entries}

    def put(self, answers: Iterable[Mapping[str, Any]]) -> None:
        """Add ANSWERS (stable ones), dropping the oldest entries past the bounds; never raise for the disk."""
        new: dict[str, Answer] = {}
        for answer in answers:
            kept = self.stable(answer)
            arn = self.key_of(kept)
            if self.is_key(arn):
                new[arn] = kept
        if not new:
            return
        entries = self._read()  # merge with what another ecsshell may have written meanwhile
        for arn, answer in new.items():
            entries.pop(arn, None)
            entries[arn] = answer
        try:
            text = self._bounded(entries)
            self._write(text)
        except (OSError, TypeError, ValueError):
            return

    def _bounded(self, entries: dict[str, Answer]) -> str:
        """Return the file's text holding the newest entries that fit both bounds."""
        pieces = [f"{json.dumps(arn)}: {json.dumps(answer, default=_encode, ensure_ascii=False)}"
                  for arn, answer in list(entries.items())[-self.max_entries:]]
        head = json.dumps({"format": self.format, "version": VERSION})[:-1] + ', "entries": {'
        tail = "}}\n"
        size = len(head.encode()) + len(tail)
        kept: list[str] = []
        for piece in reversed(pieces):
            cost = len(piece.encode()) + 2
            if size + cost > self.max_bytes:
                break
            size += cost
            kept.append(piece)
        return head + ", ".join(reversed(kept)) + tail

    def _write(self, text: str) -> None:
        """Replace the file atomically with TEXT (0600 in the 0700 folder)."""
        write_private(self.path, text)

    def clear(self) -> None:
        """Delete the cache file, if there is one."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class TaskDefinitionCache(ArnCache):
    """Stable DescribeTaskDefinition answers by full ARN; `revisions` is its sibling for service revisions."""

    format = FORMAT

    def __init__(self, directory: Path, *, name: str = FILE_NAME, max_entries: int = MAX_ENTRIES,
                 max_bytes: int = MAX_BYTES) -> None:
        super().__init__(directory, name=name, max_entries=max_entries, max_bytes=max_bytes)
        self.revisions = ServiceRevisionCache(directory, name=name.replace(Path(FILE_NAME).stem,
                                                                           Path(REVISION_FILE_NAME).stem, 1))

    def is_key(self, ref: str) -> bool:
        return is_revision_arn(ref)

    def key_of(self, entry: Mapping[str, Any]) -> str:
        body = entry.get("taskDefinition")
        return str(body.get("taskDefinitionArn") or "") if isinstance(body, dict) else ""

    def stable(self, answer: Mapping[str, Any]) -> Answer:
        return stable(answer)


class ServiceRevisionCache(ArnCache):
    """DescribeServiceRevisions entries by service revision ARN: the task definition and images each ran."""

    format = REVISION_FORMAT

    def __init__(self, directory: Path, *, name: str = REVISION_FILE_NAME, max_entries: int = MAX_REVISIONS,
                 max_bytes: int = MAX_BYTES) -> None:
        super().__init__(directory, name=name, max_entries=max_entries, max_bytes=max_bytes)

    def is_key(self, ref: str) -> bool:
        return _REVISION_ARN.fullmatch(ref) is not None

    def key_of(self, entry: Mapping[str, Any]) -> str:
        return str(entry.get("serviceRevisionArn") or "")

    def stable(self, answer: Mapping[str, Any]) -> Answer:
        return {k: answer[k] for k in REVISION_KEYS if k in answer}


def open_cache(directory: Path, env: Mapping[str, str], endpoint: str | None = None) -> TaskDefinitionCache | None:
    """Return the cache in DIRECTORY (one file per custom ENDPOINT), or None when ECSSHELL_NO_CACHE is set.

    AWS never reuses an ARN for other content, but an emulator restarted behind the same endpoint
    does, so answers from a custom endpoint are kept apart from AWS's and from each other's.
    """
    if disabled(env):
        return None
    return TaskDefinitionCache(directory, name=endpoint_name(FILE_NAME, endpoint))

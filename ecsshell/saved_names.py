"""Completion names kept between runs: clusters, each cluster's services and families, per account scope.

A fresh shell offers them at its first TAB, before ECS answers, and refreshes them in the
background. One JSON file in the cache folder, private (0600 in a 0700 folder) and written
atomically (see `private_files`); bounded in scopes (profile@region), lists per scope, names per
list and bytes, the least recently saved going first. Only names and their menu notes are kept.
A file that is missing, unreadable, corrupt or someone else's reads as empty; deleting it is safe.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .private_files import disabled, endpoint_name, read_json, write_private

FORMAT = "ecsshell completion names"
VERSION = 1
FILE_NAME = "names.json"
KINDS = frozenset({"clusters", "services", "families"})  # what is kept; tags and revisions are fetched each run
MAX_SCOPES = 8
MAX_LISTS = 64  # per scope: the clusters list, the families list and services of up to 62 clusters
MAX_ITEMS = 20_000
MAX_BYTES = 4 * 1024 * 1024

Item = tuple[str, str]
Key = tuple[str, ...]
_WRITING = threading.Lock()  # one read-merge-write at a time within this process


def _items(value: object) -> list[Item] | None:
    """Return VALUE as (name, note) pairs, or None when it is not a list of string pairs."""
    if not isinstance(value, list):
        return None
    out = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            return None
        out.append((pair[0], pair[1]))
    return out


class SavedNames:
    """The names file, read and written for one scope (a profile and region)."""

    def __init__(self, path: Path, scope: str) -> None:
        self.path = path
        self.scope = scope

    @staticmethod
    def persisted(key: Key) -> bool:
        """Say whether names of KEY are kept between runs."""
        return bool(key) and key[0] in KINDS and "/" not in "".join(key[1:])

    def _document(self) -> dict[str, Any]:
        """Return the file's scopes (empty for anything but our own readable file)."""
        document = read_json(self.path)
        if not (isinstance(document, dict) and document.get("format") == FORMAT
                and document.get("version") == VERSION and isinstance(document.get("scopes"), dict)):
            return {}
        return {scope: lists for scope, lists in document["scopes"].items() if isinstance(lists, dict)}

    def load(self, key: Key) -> tuple[list[Item], float] | None:
        """Return the names saved for KEY and when they were saved (seconds since the epoch), or None."""
        if not self.persisted(key):
            return None
        saved = self._document().get(self.scope, {}).get("/".join(key))
        if not isinstance(saved, dict) or not isinstance(saved.get("savedAt"), int | float):
            return None
        items = _items(saved.get("items"))
        return None if items is None else (items, float(saved["savedAt"]))

    def save(self, key: Key, items: Sequence[Item]) -> None:
        """Keep ITEMS as KEY's names, within the bounds; never raise for the disk."""
        if not self.persisted(key):
            return
        with _WRITING:
            scopes = self._document()
            lists = scopes.pop(self.scope, {})
            lists.pop("/".join(key), None)
            lists["/".join(key)] = {"savedAt": time.time(), "items": [list(i) for i in items[:MAX_ITEMS]]}
            scopes[self.scope] = dict(list(lists.items())[-MAX_LISTS:])
            scopes = dict(list(scopes.items())[-MAX_SCOPES:])
            try:
                write_private(self.path, self._bounded(scopes))
            except (OSError, TypeError, ValueError):
                return

    @staticmethod
    def _bounded(scopes: dict[str, Any]) -> str:
        """Return the file's text, dropping the least recently saved lists until it fits MAX_BYTES."""
        while True:
            text = json.dumps({"format": FORMAT, "version": VERSION, "scopes": scopes}, ensure_ascii=False)
            if len(text.encode()) <= MAX_BYTES or not any(scopes.values()):
                return text
            oldest = min(((lists[name].get("savedAt", 0), scope, name)
                          for scope, lists in scopes.items() for name in lists), key=lambda row: row[0])
            del scopes[oldest[1]][oldest[2]]


def open_names(directory: Path, env: Mapping[str, str], endpoint: str | None, scope: str) -> SavedNames | None:
    """Return the names file in DIRECTORY for SCOPE (one file per custom ENDPOINT), or None with ECSSHELL_NO_CACHE."""
    if disabled(env):
        return None
    return SavedNames(directory / endpoint_name(FILE_NAME, endpoint), scope)

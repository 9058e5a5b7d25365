"""The images of a cluster's services from their service revisions: 20 a call, cached by ARN.

`DescribeServices` names each service's current service revisions; `DescribeServiceRevisions`
describes 20 of them a call, and a revision never changes, so the persistent revision cache answers
for those seen before. `RevisionImages` collects the revision ARNs of each DescribeServices batch
as it returns and sends a call as soon as 20 are waiting, so describing images overlaps with
describing services; `finish` sends the rest. A service whose revision cannot be described
(no current revisions, a refused call, a failure entry, none on its task definition) is left to
DescribeTaskDefinition by the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .cache import ServiceRevisionCache
from .errors import AwsError

REVISION_BATCH = 20  # DescribeServiceRevisions ARNs per call

Describe = Callable[[list[str]], list[dict[str, Any]]]


class RevisionImages:
    """Service revisions by ARN, fetched in batches of 20 while services are still being described."""

    def __init__(self, describe: Describe, cache: ServiceRevisionCache | None) -> None:
        self._describe = describe
        self._cache = cache
        self._lock = threading.Lock()
        self._known: dict[str, dict[str, Any]] = cache.entries() if cache is not None else {}
        self._fresh: dict[str, dict[str, Any]] = {}
        self._waiting: list[str] = []
        self._asked: set[str] = set()
        self.refused = False  # a call failed: the rest go to DescribeTaskDefinition

    def add(self, arns: Iterable[str]) -> None:
        """Queue the revisions ARNS not known yet; describe a batch (on this thread) once 20 wait."""
        batches = []
        with self._lock:
            for arn in arns:
                if arn and arn not in self._known and arn not in self._asked:
                    self._asked.add(arn)
                    self._waiting.append(arn)
            while len(self._waiting) >= REVISION_BATCH and not self.refused:
                batches.append(self._waiting[:REVISION_BATCH])
                del self._waiting[:REVISION_BATCH]
        for batch in batches:
            self._fetch(batch)

    def finish(self) -> None:
        """Describe the revisions still waiting, then store what was described in the cache."""
        with self._lock:
            rest, self._waiting = self._waiting, []
        for start in range(0, len(rest), REVISION_BATCH):
            self._fetch(rest[start:start + REVISION_BATCH])
        if self._cache is not None and self._fresh:
            self._cache.put(self._fresh.values())

    def _fetch(self, arns: list[str]) -> None:
        if self.refused:
            return
        try:
            described = self._describe(arns)
        except AwsError:  # not allowed, not offered by this endpoint, throttled past the retries
            self.refused = True
            return
        with self._lock:
            for revision in described:
                arn = str(revision.get("serviceRevisionArn") or "")
                if arn:
                    self._known[arn] = revision
                    self._fresh[arn] = revision

    def matching(self, revision_arns: Iterable[str], task_definition_arn: str) -> dict[str, Any] | None:
        """Return the described revision among REVISION_ARNS that runs TASK_DEFINITION_ARN, if any."""
        with self._lock:
            for arn in revision_arns:
                revision = self._known.get(arn)
                if revision is not None and revision.get("taskDefinition") == task_definition_arn:
                    return revision
        return None


def as_task_definition(revision: Mapping[str, Any]) -> dict[str, Any]:
    """Return a DescribeTaskDefinition-shaped answer holding what a revision says: its containers' images."""
    arn = str(revision.get("taskDefinition") or "")
    family, _, number = arn.rpartition("/")[2].partition(":")
    containers = [{"name": str(c.get("containerName") or ""), "image": str(c.get("image") or "")}
                  for c in revision.get("containerImages") or [] if isinstance(c, Mapping)]
    return {"taskDefinition": {"taskDefinitionArn": arn, "family": family,
                               "revision": int(number) if number.isdigit() else 0,
                               "containerDefinitions": containers}}

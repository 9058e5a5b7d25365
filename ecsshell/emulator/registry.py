"""The image registry the emulated world resolves tags against: image tag -> digest.

ECS resolves each container image to a digest when it creates a service revision (version
consistency); tasks of that revision run that digest even after the tag moves. `push` moves a tag
to a new digest, as a CI pipeline pushing `app:latest` again would; the next deployment picks it up.
"""

from __future__ import annotations

import hashlib
import threading

DIGEST_MARK = "@sha256:"


def pinned_digest(image: str) -> str | None:
    """Return the digest IMAGE is pinned to (`repo@sha256:...`), or None for a tag."""
    if DIGEST_MARK in image:
        return "sha256:" + image.split(DIGEST_MARK, 1)[1]
    return None


def tag_key(image: str) -> str:
    """Return IMAGE with its implicit `:latest` tag made explicit (the key a push moves)."""
    last = image.rsplit("/", 1)[-1]
    return image if ":" in last else image + ":latest"


class Registry:
    """Digests of image tags; every tag starts on a stable digest and moves on each push."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pushes: dict[str, int] = {}  # tag key -> times pushed again

    def reset(self) -> None:
        """Forget every push: each tag is back on its first digest."""
        with self._lock:
            self._pushes.clear()

    def digest(self, image: str) -> str:
        """Return the digest IMAGE resolves to now."""
        pinned = pinned_digest(image)
        if pinned is not None:
            return pinned
        key = tag_key(image)
        with self._lock:
            generation = self._pushes.get(key, 0)
        return "sha256:" + hashlib.sha256(f"{key}#{generation}".encode()).hexdigest()

    def push(self, image: str) -> str:
        """Push IMAGE's tag again: it resolves to a new digest from now on; return that digest."""
        if pinned_digest(image) is not None:
            raise ValueError(f"{image} is pinned to a digest, not a tag")
        key = tag_key(image)
        with self._lock:
            self._pushes[key] = self._pushes.get(key, 0) + 1
        return self.digest(image)

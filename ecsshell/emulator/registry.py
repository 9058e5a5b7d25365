"""The image registry the emulated world resolves tags against: image tag -> digest.

ECS resolves each container image to a digest when it creates a service revision (version
consistency); tasks of that revision run that digest even after the tag moves. `push` moves a tag
to a new digest, as a CI pipeline pushing `app:latest` again would; the next deployment picks it up.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable

DIGEST_MARK = "@sha256:"
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


def manifest(key: str, generation: int) -> str:
    """Return the small Docker v2 manifest of tag KEY's GENERATION-th push (its sha256 is the image's digest)."""
    seed = hashlib.sha256(f"{key}#{generation}".encode()).hexdigest()
    layer = hashlib.sha256(f"{seed} layer".encode()).hexdigest()
    size = 20_000_000 + int(seed[:6], 16) % 80_000_000
    return json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": size,
                                  "digest": f"sha256:{seed}"},
                       "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": size,
                                   "digest": f"sha256:{layer}"}]}, separators=(",", ":"))


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
        self.on_push: Callable[[str], None] | None = None  # told of each push (the world's ECR follows)

    def reset(self) -> None:
        """Forget every push: each tag is back on its first digest."""
        with self._lock:
            self._pushes.clear()

    def manifest(self, image: str) -> str:
        """Return the manifest IMAGE's tag resolves to now (a pinned image's is made from its digest)."""
        key = tag_key(image)
        with self._lock:
            generation = self._pushes.get(key, 0)
        return manifest(key, generation)

    def digest(self, image: str) -> str:
        """Return the digest IMAGE resolves to now: the sha256 of its manifest (the pinned one, if pinned)."""
        pinned = pinned_digest(image)
        if pinned is not None:
            return pinned
        return "sha256:" + hashlib.sha256(self.manifest(image).encode()).hexdigest()

    def push(self, image: str) -> str:
        """Push IMAGE's tag again: it resolves to a new digest from now on; return that digest."""
        if pinned_digest(image) is not None:
            raise ValueError(f"{image} is pinned to a digest, not a tag")
        key = tag_key(image)
        with self._lock:
            self._pushes[key] = self._pushes.get(key, 0) + 1
        if self.on_push is not None:
            self.on_push(image)
        return self.digest(image)

"""Parse Docker image references and replace their tags, following distribution/reference."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# The grammar of github.com/distribution/reference (regexp.go), ASCII only.
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_PATH_COMPONENT = re.compile(rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*")
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_IPV6 = r"\[[a-fA-F0-9:]+\]"
_HOST = re.compile(rf"(?:{_DOMAIN_NAME}|{_IPV6})")
_PORT = re.compile(r"[0-9]+")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_ALGORITHM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*")
_HEX_LOWER = re.compile(r"[a-f0-9]+")

# Algorithms go-digest registers by default, with the length of their hex encoding.
_DIGEST_HEX_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}

NAME_TOTAL_LENGTH_MAX = 255
LOCALHOST = "localhost"

TAG_RULE = "a tag is 1-128 characters of letters, digits, '_', '.', '-' and may not start with '.' or '-'"
PATH_RULE = (
    "path components are lowercase letters and digits, joined by one '.', one or two '_' or any number of '-'"
)


class InvalidImageReference(ValueError):
    """An image reference, tag or digest that does not follow the Docker grammar."""

    def __init__(self, text: str, reason: str, what: str = "image reference") -> None:
        self.text = text
        self.reason = reason
        self.what = what
        super().__init__(f"invalid {what} {_quote(text)}: {reason}")

    def __reduce__(self) -> tuple[type[InvalidImageReference], tuple[str, str, str]]:
        return (type(self), (self.text, self.reason, self.what))


def _quote(text: str) -> str:
    """Return text in double quotes with control characters escaped."""
    return json.dumps(text, ensure_ascii=False)


def _looks_like_domain(component: str) -> bool:
    """Return whether a first name component is read as a registry host (distribution's rule)."""
    return component == LOCALHOST or "." in component or ":" in component


def _split_host_port(domain: str) -> tuple[str, str | None]:
    """Split a domain into host and port text (the port None when absent)."""
    if domain.startswith("["):
        end = domain.find("]")
        if end != -1 and domain[end + 1 : end + 2] == ":":
            return domain[: end + 1], domain[end + 2 :]
        return domain, None
    host, colon, port = domain.rpartition(":")
    if not colon:
        return domain, None
    return host, port


def _domain_problem(domain: str) -> str | None:
    """Return why a registry host[:port] is invalid, or None."""
    host, port = _split_host_port(domain)
    if not _HOST.fullmatch(host) or (port is not None and not _PORT.fullmatch(port)):
        return (
            f"the registry host {_quote(domain)} is invalid; it must be a host name, an IPv4 address "
            "or a bracketed IPv6 address, optionally followed by ':' and a port number"
        )
    if not _looks_like_domain(domain):
        return (
            f"the registry host {_quote(domain)} would be read as a path component; "
            "a registry host must contain '.' or ':' or be 'localhost'"
        )
    return None


def _path_problem(path: str) -> str | None:
    """Return why a repository path is invalid, or None."""
    if not path:
        return "the repository name is missing"
    components = path.split("/")
    if "" in components:
        return f"the repository path {_quote(path)} has an empty component"
    for component in components:
        if not _PATH_COMPONENT.fullmatch(component):
            if component != component.lower() and _PATH_COMPONENT.fullmatch(component.lower()):
                return "repository name must be lowercase"
            return f"the path component {_quote(component)} is invalid; {PATH_RULE}"
    return None


def _digest_problem(digest: str) -> str | None:
    """Return why a digest is invalid, or None."""
    if not digest:
        return "the digest is empty"
    algorithm, colon, encoded = digest.partition(":")
    if not colon or not _ALGORITHM.fullmatch(algorithm):
        return "a digest is an algorithm name, ':' and a hex encoding, like \"sha256:<64 hex digits>\""
    expected = _DIGEST_HEX_LENGTHS.get(algorithm)
    if expected is None:
        return "only sha256, sha384 and sha512 digests are supported"
    if len(encoded) != expected or not _HEX_LOWER.fullmatch(encoded):
        return f'a {algorithm} digest is "{algorithm}:" followed by {expected} lowercase hex digits'
    return None


def _tag_problem(tag: str) -> str | None:
    """Return why a tag is invalid, or None."""
    return None if _TAG.fullmatch(tag) else TAG_RULE


@dataclass(frozen=True)
class ImageRef:
    """A valid image reference: `[domain/]path[:tag][@digest]`, kept as written."""

    domain: str | None
    path: str
    tag: str | None = None
    digest: str | None = None

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem is not None:
            raise InvalidImageReference(str(self), problem)

    def _problem(self) -> str | None:
        """Return why these fields do not form a valid reference, or None."""
        if self.domain is not None:
            problem = _domain_problem(self.domain)
            if problem is not None:
                return problem
        problem = _path_problem(self.path)
        if problem is not None:
            return problem
        first, slash, _ = self.path.partition("/")
        if self.domain is None and slash and _looks_like_domain(first):
            return (
                f"the first path component {_quote(first)} would be read as a registry host; "
                "give it as the domain"
            )
        if len(self.repository) > NAME_TOTAL_LENGTH_MAX:
            return f"repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters"
        if self.tag is not None and _tag_problem(self.tag):
            return f"the tag {_quote(self.tag)} is invalid; {TAG_RULE}"
        if self.digest is not None:
            problem = _digest_problem(self.digest)
            if problem is not None:
                return f"the digest {_quote(self.digest)} is invalid; {problem}"
        return None

    @property
    def repository(self) -> str:
        """Return the name without tag or digest: `domain/path`, or `path`."""
        return self.path if self.domain is None else f"{self.domain}/{self.path}"

    @property
    def host(self) -> str | None:
        """Return the registry host without its port, or None."""
        return None if self.domain is None else _split_host_port(self.domain)[0]

    @property
    def port(self) -> int | None:
        """Return the registry port, or None when the reference names none."""
        if self.domain is None:
            return None
        port = _split_host_port(self.domain)[1]
        return None if port is None else int(port)

    def __str__(self) -> str:
        text = self.repository
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def parse(text: str) -> ImageRef:
    """Parse an image reference, raising InvalidImageReference with the reason when it is invalid."""
    if not text:
        raise InvalidImageReference(text, "it is empty")
    if text != text.strip():
        raise InvalidImageReference(text, "it has leading or trailing whitespace")
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidImageReference(text, "it contains whitespace or control characters")

    name_and_tag, at, digest = text.partition("@")
    last_colon = name_and_tag.rfind(":")
    tag: str | None = None
    name = name_and_tag
    if last_colon > name_and_tag.rfind("/"):
        name, tag = name_and_tag[:last_colon], name_and_tag[last_colon + 1 :]

    if not name:
        raise InvalidImageReference(text, "the repository name is missing")
    first, slash, rest = name.partition("/")
    domain: str | None = None
    path = name
    if slash and _looks_like_domain(first):
        domain, path = first, rest
        problem = _domain_problem(domain)
        if problem is not None:
            raise InvalidImageReference(text, problem)
    problem = _path_problem(path)
    if problem is not None:
        raise InvalidImageReference(text, problem)
    if len(name) > NAME_TOTAL_LENGTH_MAX:
        raise InvalidImageReference(
            text, f"repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters"
        )
    if tag is not None and _tag_problem(tag):
        shown = "the tag after ':' is empty" if not tag else f"the tag {_quote(tag)} is invalid"
        raise InvalidImageReference(text, f"{shown}; {TAG_RULE}")
    if at and not digest:
        raise InvalidImageReference(text, "the digest after '@' is empty")
    if at:
        problem = _digest_problem(digest)
        if problem is not None:
            raise InvalidImageReference(text, f"the digest {_quote(digest)} is invalid; {problem}")
    return ImageRef(domain=domain, path=path, tag=tag, digest=digest if at else None)


def validate_tag(tag: str) -> str:
    """Return the tag unchanged, or raise InvalidImageReference when it is not a valid tag."""
    problem = _tag_problem(tag)
    if problem is not None:
        raise InvalidImageReference(tag, problem, what="tag")
    return tag


def validate_digest(digest: str) -> str:
    """Return the digest unchanged, or raise InvalidImageReference when it is not a valid digest."""
    problem = _digest_problem(digest)
    if problem is not None:
        raise InvalidImageReference(digest, problem, what="digest")
    return digest


_VERSION_LIKE = re.compile(r"(?:[vV]?[0-9]+(?:\.[0-9]+)*(?:[-+_][0-9A-Za-z.+-]+)?|latest|stable)")


def looks_like_version(text: str) -> bool:
    """Say whether TEXT, given as a whole image, is a bare version or tag (1.4.0, v2, 1.6.0-rc1, latest)."""
    return "/" not in text and _VERSION_LIKE.fullmatch(text) is not None


def replace(current: str, new: str) -> str:
    """Return the image `ecsshell update` deploys: `:TAG` or `@DIGEST` applied to current, or new."""
    if looks_like_version(new):
        raise InvalidImageReference(new, f"that is a version, not an image: did you mean :{new}?")
    if not new.startswith((":", "@")):
        parse(new)
        return new  # a whole image replaces the current one, whatever that is (template text too)
    tag = validate_tag(new[1:]) if new.startswith(":") else None
    digest = validate_digest(new[1:]) if new.startswith("@") else None
    try:
        ref = parse(current)
    except InvalidImageReference as exc:
        raise InvalidImageReference(current, f"{exc.reason}; {new} keeps the current image's repository, so give "
                                    "a whole image instead", what="current image") from None
    return str(ImageRef(domain=ref.domain, path=ref.path, tag=tag, digest=digest))


def tag_of(image: str) -> str | None:
    """Return the tag of an image reference, or None when it has none."""
    return parse(image).tag


def short(image: str) -> str:
    """Return a compact label: `path[:tag]`, with `@algo:<12 hex>` when pinned; unparsable text as is."""
    try:
        ref = parse(image)
    except InvalidImageReference:
        return image
    text = ref.path
    if ref.tag is not None:
        text += f":{ref.tag}"
    if ref.digest is not None:
        algorithm, _, encoded = ref.digest.partition(":")
        text += f"@{algorithm}:{encoded[:12]}"
    return text

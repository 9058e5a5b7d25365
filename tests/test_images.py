"""Image reference parsing and tag replacement: examples and properties."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecsshell.images import (
    ImageRef,
    InvalidImageReference,
    looks_like_version,
    parse,
    replace,
    short,
    tag_of,
    validate_digest,
    validate_tag,
)

SHA = "sha256:" + "0123456789abcdef" * 4
SHA512 = "sha512:" + "0123456789abcdef" * 8
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

# distribution/reference's ReferenceRegexp (regexp.go), with Go's ASCII \w and [[:xdigit:]] spelled out.
_ALNUM = r"[a-z0-9]+"
_SEP = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEP}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[(?:[a-fA-F0-9:]+)\])"
_NAME = rf"(?:{_HOST}(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}"
DISTRIBUTION_REFERENCE = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?")


def refused(text: str) -> str:
    """Return the message parse raises for text (failing the test when it accepts it)."""
    with pytest.raises(InvalidImageReference) as info:
        parse(text)
    return str(info.value)


# ---------------------------------------------------------------- examples: what parse accepts


@pytest.mark.parametrize(
    ("text", "domain", "path", "tag", "digest", "port"),
    [
        ("nginx", None, "nginx", None, None, None),
        ("library/nginx:1.25", None, "library/nginx", "1.25", None, None),
        ("team/app:1.2", None, "team/app", "1.2", None, None),
        ("host:5000/team/app:1.2", "host:5000", "team/app", "1.2", None, 5000),
        ("host:5000/img", "host:5000", "img", None, None, 5000),
        ("localhost/app", "localhost", "app", None, None, None),
        ("localhost:5000/app:dev", "localhost:5000", "app", "dev", None, 5000),
        ("10.0.0.1:5000/a/b/c/d", "10.0.0.1:5000", "a/b/c/d", None, None, 5000),
        (f"{ECR}/team/app:v1", ECR, "team/app", "v1", None, None),
        ("quay.io/mycompany/myimage", "quay.io", "mycompany/myimage", None, None, None),
        ("[::1]/app", "[::1]", "app", None, None, None),
        ("[::1]:5000/app:v1", "[::1]:5000", "app", "v1", None, 5000),
        ("[2001:db8::1]:443/team/app", "[2001:db8::1]:443", "team/app", None, None, 443),
        ("[2001:DB8::1]/app", "[2001:DB8::1]", "app", None, None, None),
        (f"repo@{SHA}", None, "repo", None, SHA, None),
        (f"host:5000/repo:v1@{SHA}", "host:5000", "repo", "v1", SHA, 5000),
        (f"repo@{SHA512}", None, "repo", None, SHA512, None),
        ("Registry.Example.COM/app:V1", "Registry.Example.COM", "app", "V1", None, None),
        ("a__b/c---d/e.f/g_h:_x", None, "a__b/c---d/e.f/g_h", "_x", None, None),
        # No '/' so no domain: by the grammar this is image "host" with tag "5000".
        ("host:5000", None, "host", "5000", None, None),
        ("localhost", None, "localhost", None, None, None),
    ],
)
def test_parse_splits_fields_and_renders_the_text_unchanged(
    text: str, domain: str | None, path: str, tag: str | None, digest: str | None, port: int | None
) -> None:
    ref = parse(text)
    assert (ref.domain, ref.path, ref.tag, ref.digest, ref.port) == (domain, path, tag, digest, port)
    assert str(ref) == text
    assert ref.repository == (path if domain is None else f"{domain}/{path}")


def test_host_is_the_domain_without_its_port() -> None:
    assert parse("host:5000/app").host == "host"
    assert parse("[fe80::1]:5000/app").host == "[fe80::1]"
    assert parse("[fe80::1]/app").host == "[fe80::1]"
    assert parse("app").host is None


def test_no_normalisation_to_docker_hub() -> None:
    assert str(parse("ubuntu")) == "ubuntu"
    assert parse("ubuntu").domain is None
    assert parse("docker.io/ubuntu").path == "ubuntu"


def test_a_first_component_without_dot_colon_or_localhost_is_path() -> None:
    ref = parse("team/app")
    assert ref.domain is None
    assert ref.path == "team/app"


def test_tag_of_128_characters_is_accepted_and_129_refused() -> None:
    assert parse("repo:" + "t" * 128).tag == "t" * 128
    assert validate_tag("t" * 128) == "t" * 128
    assert "tag" in refused("repo:" + "t" * 129)
    with pytest.raises(InvalidImageReference):
        validate_tag("t" * 129)


def test_name_of_255_characters_is_accepted_and_256_refused() -> None:
    domain = "r.io"
    path = "a/" * 124 + "ab"
    assert len(f"{domain}/{path}") == 255
    assert parse(f"{domain}/{path}:tag").path == path
    long = f"{domain}/{path}x"
    assert refused(long) == (
        f'invalid image reference "{long}": repository name must not be more than 255 characters'
    )


# ---------------------------------------------------------------- examples: what parse refuses


def test_error_messages_are_one_sentence_naming_input_and_reason() -> None:
    assert refused("Foo/bar") == 'invalid image reference "Foo/bar": repository name must be lowercase'
    with pytest.raises(InvalidImageReference) as info:
        validate_tag("bad tag")
    assert str(info.value) == (
        "invalid tag \"bad tag\": a tag is 1-128 characters of letters, digits, '_', '.', '-' "
        "and may not start with '.' or '-'"
    )
    assert info.value.text == "bad tag"
    assert isinstance(info.value, ValueError)


def test_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(InvalidImageReference("x y", "it contains whitespace")))
    assert str(error) == 'invalid image reference "x y": it contains whitespace'


@pytest.mark.parametrize("text", ["Foo/bar", "team/App", "APP:v1", "quay.io/MyCompany/app"])
def test_uppercase_in_the_repository_is_refused(text: str) -> None:
    assert refused(text).endswith("repository name must be lowercase")


@pytest.mark.parametrize("tag", [".x", "-x", "a b", "a/b", "a:b", "a@b", "ä", "", " v1"])
def test_validate_tag_refuses_bad_tags(tag: str) -> None:
    with pytest.raises(InvalidImageReference, match="a tag is 1-128 characters"):
        validate_tag(tag)


@pytest.mark.parametrize("tag", [".x", "-x", "ä", "v1!"])
def test_parse_refuses_bad_tags(tag: str) -> None:
    assert refused(f"repo:{tag}") == (
        f'invalid image reference "repo:{tag}": the tag "{tag}" is invalid; a tag is 1-128 characters '
        "of letters, digits, '_', '.', '-' and may not start with '.' or '-'"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        (" repo", "it has leading or trailing whitespace"),
        ("repo:v1\n", "it has leading or trailing whitespace"),
        ("re po", "it contains whitespace or control characters"),
        (":", "the repository name is missing"),
        (":v1", "the repository name is missing"),
        (f"@{SHA}", "the repository name is missing"),
        ("repo@", "the digest after '@' is empty"),
        ("repo@sha256:short", 'a sha256 digest is "sha256:" followed by 64 lowercase hex digits'),
        ("@sha256:short", "the repository name is missing"),
        ("repo@sha256:" + "A" * 64, "64 lowercase hex digits"),
        ("repo@sha256:" + "a" * 65, "64 lowercase hex digits"),
        ("repo@md5:" + "a" * 32, "only sha256, sha384 and sha512 digests are supported"),
        ("repo@" + "a" * 64, "a digest is an algorithm name"),
        (f"repo@{SHA}@{SHA}", "64 lowercase hex digits"),
        ("a//b", "empty component"),
        ("a/", "empty component"),
        ("/a", "empty component"),
        ("host:5000/", "the repository name is missing"),
        ("a..b", 'the path component "a..b" is invalid'),
        ("a___b", 'the path component "a___b" is invalid'),
        ("a_.b", 'the path component "a_.b" is invalid'),
        ("-a", 'the path component "-a" is invalid'),
        ("a-", 'the path component "a-" is invalid'),
        ("x_y.com/app", 'the registry host "x_y.com" is invalid'),
        ("host:port/app", 'the registry host "host:port" is invalid'),
        ("-host.com/app", 'the registry host "-host.com" is invalid'),
        ("[::1]x/app", 'the registry host "[::1]x" is invalid'),
        ("[zz::1]/app", 'the registry host "[zz::1]" is invalid'),
        ("repo:", "the tag after ':' is empty"),
        ("repo:.v1", 'the tag ".v1" is invalid'),
    ],
)
def test_invalid_references_are_refused_with_their_reason(text: str, reason: str) -> None:
    message = refused(text)
    shown = text.replace("\n", "\\n")  # quoted as written, a newline escaped
    assert message.startswith(f'invalid image reference "{shown}": ')
    assert reason in message


def test_image_ref_refuses_fields_that_would_not_round_trip() -> None:
    with pytest.raises(InvalidImageReference, match="would be read as a path component"):
        ImageRef(domain="team", path="app")
    with pytest.raises(InvalidImageReference, match="would be read as a registry host"):
        ImageRef(domain=None, path="quay.io/app")
    with pytest.raises(InvalidImageReference, match="would be read as a registry host"):
        ImageRef(domain=None, path="localhost/app")
    with pytest.raises(InvalidImageReference, match="lowercase"):
        ImageRef(domain=None, path="App")
    with pytest.raises(InvalidImageReference, match="tag"):
        ImageRef(domain=None, path="app", tag="")
    with pytest.raises(InvalidImageReference, match="digest"):
        ImageRef(domain=None, path="app", digest="sha256:1")
    with pytest.raises(InvalidImageReference, match="not be more than 255 characters"):
        ImageRef(domain="r.io", path="a/" * 124 + "abc")
    assert str(ImageRef(domain="localhost", path="app", tag="v", digest=SHA)) == f"localhost/app:v@{SHA}"


# ---------------------------------------------------------------- replace, tag_of, short


@pytest.mark.parametrize(
    ("current", "new", "expected"),
    [
        ("host:5000/team/app:1.2", ":1.3", "host:5000/team/app:1.3"),
        ("host:5000/img", ":new", "host:5000/img:new"),  # ecsman produced "host:NEW"
        ("host:5000/img:tag", ":new", "host:5000/img:new"),  # ecsman refused this
        (f"repo@{SHA}", ":v8", "repo:v8"),  # ecsman produced "repo@sha256:v8"
        (f"repo:v7@{SHA}", ":v8", "repo:v8"),
        ("quay.io/mycompany/myimage", ":newbuild", "quay.io/mycompany/myimage:newbuild"),
        (f"{ECR}/app:1", ":2", f"{ECR}/app:2"),
        ("[::1]:5000/app:1", ":2", "[::1]:5000/app:2"),
        ("localhost:5000/app", ":dev", "localhost:5000/app:dev"),
        ("app", ":latest", "app:latest"),
        ("host:5000/app:1", f"@{SHA}", f"host:5000/app@{SHA}"),
        (f"app:1@{SHA512}", f"@{SHA}", f"app@{SHA}"),
        ("app:1", "other.io/team/app:2", "other.io/team/app:2"),
        ("app:1", f"other:2@{SHA}", f"other:2@{SHA}"),
    ],
)
def test_replace(current: str, new: str, expected: str) -> None:
    assert replace(current, new) == expected


@pytest.mark.parametrize("current", ["App:1", "<IMAGE_NAME>", "{{ must_env `IMAGE` }}", "", "repo@sha256:x"])
def test_a_whole_image_replaces_any_current_one_even_one_that_does_not_parse(current: str) -> None:
    assert replace(current, "registry.example.com/team/api:2.5.0") == "registry.example.com/team/api:2.5.0"


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("app:1", ":", 'invalid tag "": a tag is 1-128'),
        ("app:1", ":bad tag", 'invalid tag "bad tag"'),
        ("app:1", ":-x", 'invalid tag "-x"'),
        ("app:1", ":" + "t" * 129, "invalid tag"),
        ("app:1", "@", 'invalid digest "": the digest is empty'),
        ("app:1", "@sha256:short", 'invalid digest "sha256:short": a sha256 digest is'),
        ("app:1", "", 'invalid image reference "": it is empty'),
        ("app:1", "Other/app", "repository name must be lowercase"),
        ("app:1", " :v2", "leading or trailing whitespace"),
        ("App:1", ":v2", 'invalid current image "App:1"'),
        ("", ":v2", 'invalid current image "": it is empty; :v2 keeps the current image\'s repository'),
        ("<IMAGE_NAME>", ":1.2", 'invalid current image "<IMAGE_NAME>"'),
        ("{{ must_env `IMAGE` }}", "@sha256:" + "a" * 64, "give a whole image instead"),
        ("<IMAGE_NAME>", ":bad tag", 'invalid tag "bad tag"'),  # the new tag is checked first
    ],
)
def test_replace_refuses_invalid_input(current: str, new: str, message: str) -> None:
    with pytest.raises(InvalidImageReference) as info:
        replace(current, new)
    assert message in str(info.value)


def test_validate_digest() -> None:
    assert validate_digest(SHA) == SHA
    with pytest.raises(InvalidImageReference, match='invalid digest "sha256:abc"'):
        validate_digest("sha256:abc")


@pytest.mark.parametrize(
    ("image", "tag"),
    [("app", None), ("app:1", "1"), ("host:5000/app", None), ("host:5000/app:v2", "v2"), (f"a:t@{SHA}", "t")],
)
def test_tag_of(image: str, tag: str | None) -> None:
    assert tag_of(image) == tag


def test_tag_of_refuses_invalid_references() -> None:
    with pytest.raises(InvalidImageReference):
        tag_of("App")


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("app", "app"),
        (f"{ECR}/team/app:v1", "team/app:v1"),
        ("host:5000/img", "img"),
        (f"quay.io/org/app@{SHA}", "org/app@sha256:0123456789ab"),
        (f"app:v1@{SHA}", "app:v1@sha256:0123456789ab"),
        ("Not A Reference", "Not A Reference"),  # display never fails
    ],
)
def test_short(image: str, expected: str) -> None:
    assert short(image) == expected


# ---------------------------------------------------------------- properties

HEX = "0123456789abcdef"
domain_components = st.from_regex(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", fullmatch=True)
ports = st.integers(min_value=0, max_value=65535).map(str)
hosts = st.one_of(
    st.lists(domain_components, min_size=2, max_size=4).map(".".join),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str).filter(lambda s: "." not in s).map(lambda s: f"[{s}]"),
    st.just("localhost"),
)
domains = st.one_of(
    st.none(),
    st.builds(lambda host, port: host if port is None else f"{host}:{port}", hosts, st.none() | ports),
    st.builds(lambda host, port: f"{host}:{port}", domain_components, ports),  # e.g. "registry:5000"
)
path_components = st.from_regex(r"[a-z0-9]{1,8}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,8}){0,3}", fullmatch=True)
tags = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", fullmatch=True)
digests = st.one_of(
    st.text(HEX, min_size=64, max_size=64).map(lambda h: f"sha256:{h}"),
    st.text(HEX, min_size=128, max_size=128).map(lambda h: f"sha512:{h}"),
)


@st.composite
def image_refs(draw: st.DrawFn) -> ImageRef:
    """Draw a valid reference: optional domain and port, 1-4 path components, optional tag and digest."""
    domain = draw(domains)
    components = draw(st.lists(path_components, min_size=1, max_size=4))
    first = components[0]
    if domain is None and len(components) > 1 and ("." in first or first == "localhost"):
        components[0] = first.replace(".", "_").replace("localhost", "local-host")
    return ImageRef(
        domain=domain,
        path="/".join(components),
        tag=draw(st.none() | tags),
        digest=draw(st.none() | digests),
    )


junk = st.text(alphabet="abzAZ09:/@._-[] \n", max_size=24)


@given(image_refs())
def test_parse_round_trips_every_valid_reference(ref: ImageRef) -> None:
    text = str(ref)
    assert parse(text) == ref
    assert DISTRIBUTION_REFERENCE.fullmatch(text)


@given(image_refs(), tags)
def test_replace_tag_keeps_domain_port_and_path(ref: ImageRef, tag: str) -> None:
    out = replace(str(ref), ":" + tag)
    new = parse(out)
    assert (new.domain, new.port, new.path) == (ref.domain, ref.port, ref.path)
    assert new.tag == tag
    assert new.digest is None
    assert out.endswith(":" + tag)
    assert out == f"{ref.repository}:{tag}"


@given(image_refs(), digests)
def test_replace_digest_keeps_repository_and_drops_tag(ref: ImageRef, digest: str) -> None:
    new = parse(replace(str(ref), "@" + digest))
    assert (new.repository, new.tag, new.digest) == (ref.repository, None, digest)


@given(
    st.one_of(image_refs().map(str), junk),
    st.one_of(
        image_refs().map(str),
        junk,
        junk.map(lambda s: ":" + s),
        tags.map(lambda s: ":" + s),
        junk.map(lambda s: "@" + s),
        digests.map(lambda s: "@" + s),
    ),
)
def test_replace_never_returns_an_invalid_reference(current: str, new: str) -> None:
    try:
        out = replace(current, new)
    except InvalidImageReference:
        return
    if new.startswith((":", "@")):
        parse(current)  # replace applied a tag or digest to it, so it must be valid
    else:
        assert out == new  # a whole image replaces any current one, even one that does not parse
    assert str(parse(out)) == out


@given(st.one_of(junk, st.text(max_size=40), st.from_regex(DISTRIBUTION_REFERENCE, fullmatch=True)))
def test_text_that_parse_accepts_round_trips(text: str) -> None:
    try:
        ref = parse(text)
    except InvalidImageReference as error:
        assert str(error).startswith("invalid image reference ")
        return
    assert str(ref) == text
    assert parse(str(ref)) == ref
    # Everything accepted is also accepted by distribution/reference's own regular expression.
    match = DISTRIBUTION_REFERENCE.fullmatch(text)
    assert match
    assert (match.group(2), match.group(3)) == (ref.tag, ref.digest)


# ---------------------------------------------------------------- a bare version where :TAG was meant
@pytest.mark.parametrize("new", ["1.4.0", "v1.4.0", "2", "1.6.0-rc1", "2019.11", "latest", "V3.1"])
def test_replace_refuses_a_bare_version_and_suggests_the_tag(new: str) -> None:
    with pytest.raises(InvalidImageReference, match=re.escape(f"did you mean :{new}?")):
        replace("registry.example.com:5000/team/api:2.4.1", new)
    assert looks_like_version(new)


@pytest.mark.parametrize("new", ["nginx", "nginx:1.4.0", "library/1.4.0", "web-1.4", "host:5000/app:1.0"])
def test_names_that_are_not_bare_versions_stay_images(new: str) -> None:
    assert not looks_like_version(new)


@given(st.from_regex(r"v?[0-9]{1,4}(?:\.[0-9]{1,4}){0,3}", fullmatch=True))
def test_every_dotted_number_is_a_bare_version(text: str) -> None:
    assert looks_like_version(text)
    assert replace("app:1", ":" + text) == f"app:{text}"

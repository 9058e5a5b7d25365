"""Profiles, credentials, region and endpoint rules of the AWS session, from an injected environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecsshell.aws import ConfigError, Gateway, Settings, list_profiles, make_session
from ecsshell.aws.session import DEFAULT_REGION, endpoint_url
from ecsshell.emulator import World

CONFIG = """\
[default]
region = eu-west-1

[profile prod]
region = ap-south-1

[profile staging]
"""
CREDENTIALS = """\
[default]
aws_access_key_id = DEFAULTKEY
aws_secret_access_key = DEFAULTSECRET

[prod]
aws_access_key_id = PRODKEY
aws_secret_access_key = PRODSECRET

[staging]
aws_access_key_id = STAGINGKEY
aws_secret_access_key = STAGINGSECRET

[ci]
aws_access_key_id = CIKEY
aws_secret_access_key = CISECRET
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """An environment naming a temporary AWS config file and credentials file, and nothing else."""
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    config.write_text(CONFIG)
    credentials.write_text(CREDENTIALS)
    return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}


def access_key(session: object) -> str:
    return str(session.get_credentials().access_key)  # type: ignore[attr-defined]


def test_cred_env_without_the_variables_names_the_missing_one() -> None:
    with pytest.raises(ConfigError, match="AWS_ACCESS_KEY_ID") as caught:
        make_session(Settings(profile="env"), {"AWS_SECRET_ACCESS_KEY": "s"})
    assert "AWS_SECRET_ACCESS_KEY" not in str(caught.value)
    with pytest.raises(ConfigError, match="AWS_SECRET_ACCESS_KEY"):
        make_session(Settings(profile="env"), {"AWS_ACCESS_KEY_ID": "k"})


def test_cred_env_needs_no_aws_files(tmp_path: Path) -> None:
    env = {"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "ENVSECRET", "AWS_SESSION_TOKEN": "TOKEN",
           "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "AWS_PROFILE": "not-in-any-file"}
    session, region, description = make_session(Settings(profile="env"), env)
    credentials = session.get_credentials()
    assert (credentials.access_key, credentials.token) == ("ENVKEY", "TOKEN")
    assert region == DEFAULT_REGION == "us-west-2"
    assert "default" in description and "-cred env" in description


def test_unknown_profile_is_a_config_error_listing_the_known(files: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        make_session(Settings(profile="qa"), files)
    message = str(caught.value)
    assert '"qa"' in message and "ci, default, prod, staging" in message
    with pytest.raises(ConfigError, match='"ghost"'):
        make_session(Settings(), {**files, "AWS_PROFILE": "ghost"})


def test_list_profiles_reads_both_files(files: dict[str, str], tmp_path: Path) -> None:
    assert list_profiles(files) == ["ci", "default", "prod", "staging"]
    assert list_profiles({"AWS_CONFIG_FILE": str(tmp_path / "x"),
                          "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "y")}) == []


def test_profile_selection_order(files: dict[str, str]) -> None:
    session, region, description = make_session(Settings(profile="prod"), files)
    assert (access_key(session), region) == ("PRODKEY", "ap-south-1")
    assert "profile \"prod\"" in description and "from profile \"prod\"" in description

    session, _, description = make_session(Settings(), {**files, "ECSCREDENTIAL": "staging"})
    assert access_key(session) == "STAGINGKEY" and "ECSCREDENTIAL" in description

    session, _, _ = make_session(Settings(profile="ci"), {**files, "ECSCREDENTIAL": "staging"})
    assert access_key(session) == "CIKEY"  # -cred beats ECSCREDENTIAL

    # An explicit profile beats keys in the environment, as in boto3.
    keys = {"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "ENVSECRET"}
    session, _, _ = make_session(Settings(), {**files, **keys, "ECSCREDENTIAL": "prod"})
    assert access_key(session) == "PRODKEY"

    # Neither: boto3's chain, read from the injected environment rather than os.environ.
    session, region, _ = make_session(Settings(), {**files, "AWS_PROFILE": "staging"})
    assert access_key(session) == "STAGINGKEY" and region == "us-west-2"  # staging has no region
    session, _, description = make_session(Settings(), {**files, **keys})
    assert access_key(session) == "ENVKEY"
    session, region, _ = make_session(Settings(), files)  # os.environ's test keys must not leak in
    assert (access_key(session), region) == ("DEFAULTKEY", "eu-west-1")


@pytest.mark.parametrize(("settings", "extra", "region", "source"), [
    (Settings(profile="prod", region="ca-central-1"),
     {"AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "sa-east-1"}, "ca-central-1", "-region"),
    (Settings(profile="prod"), {"AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "sa-east-1"},
     "eu-north-1", "AWS_REGION"),
    (Settings(profile="prod"), {"AWS_DEFAULT_REGION": "sa-east-1"}, "sa-east-1", "AWS_DEFAULT_REGION"),
    (Settings(profile="prod"), {}, "ap-south-1", "profile \"prod\""),
    (Settings(profile="ci"), {}, "us-west-2", "default"),
])
def test_region_precedence(files: dict[str, str], settings: Settings, extra: dict[str, str], region: str,
                           source: str) -> None:
    session, chosen, description = make_session(settings, {**files, **extra})
    assert chosen == region == session.region_name
    assert f"region {region} (" in description and source in description


def test_endpoint_precedence() -> None:
    env = {"AWS_ENDPOINT_URL": "http://all:1", "AWS_ENDPOINT_URL_ECS": "http://ecs:2"}
    assert endpoint_url(Settings(endpoint_url="http://flag:3"), env) == "http://flag:3"
    assert endpoint_url(Settings(), env) == "http://ecs:2"
    assert endpoint_url(Settings(), env, "logs") == "http://all:1"
    assert endpoint_url(Settings(), {}) is None
    assert endpoint_url(Settings(), {**env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}) is None


def test_gateway_reaches_the_endpoint_named_in_the_environment(world: World) -> None:
    world.client("ecs").create_cluster(clusterName="from-env")
    env = {**world.environ(), "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}  # ECS-specific wins for ECS
    env["AWS_ENDPOINT_URL_ECS"] = world.endpoint_url
    gateway = Gateway.connect(Settings(), env=env)
    try:
        assert gateway.endpoint_url == world.endpoint_url
        assert [c.name for c in gateway.list_clusters()] == ["from-env"]
        assert gateway.region == world.region
        assert "AWS_REGION" in gateway.description
    finally:
        gateway.close()

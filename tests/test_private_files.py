"""Private files cannot be tricked: no link is followed, someone else's file is not trusted, reads are bounded,
and every endpoint (however it was set) has a cache of its own."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from harness import run_ecsshell
from test_cache import revision_file

from ecsshell.aws.cache import FILE_NAME, open_cache
from ecsshell.aws.session import Settings, endpoint_url
from ecsshell.emulator import World
from ecsshell.private_files import read_json, read_private, write_private

ROOT = os.geteuid() == 0


def _ls(world: World, home: Path, *argv: str, extra: dict[str, str] | None = None) -> str:
    result = run_ecsshell(world, home, "ls", "prod", *argv, extra=extra)
    assert result.code == 0 and result.err == "", result.err
    return str(result.out)


def _forge(path: Path) -> None:
    """Point every cached service revision's first image at an attacker's registry."""
    document = json.loads(path.read_text())
    for entry in document["entries"].values():
        for image in entry.get("containerImages", []):
            image["image"] = "attacker.example.com/web:FORGED"
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("how", ["folder open to all", "someone else's file"])
def test_a_forged_cache_in_a_folder_others_can_write_is_not_believed(small: dict[str, Any], world: World,
                                                                      home: Path, how: str) -> None:
    honest = _ls(world, home)
    path = revision_file(home, world)
    _forge(path)
    if how == "folder open to all":
        path.parent.chmod(0o777)
    else:
        if not ROOT:
            pytest.skip("only root can give a file to another user")
        os.chown(path, 4242, 4242)
    assert _ls(world, home) == honest
    assert "FORGED" not in path.read_text()  # replaced by an honest file, atomically
    assert path.stat().st_uid == os.geteuid() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_cache_file_the_user_forged_in_a_private_folder_is_believed(small: dict[str, Any], world: World,
                                                                       home: Path) -> None:
    _ls(world, home)
    _forge(revision_file(home, world))
    assert "web:FORGED" in _ls(world, home)  # the control: the forged answer is read when trusted


def test_a_link_planted_in_place_of_the_cache_folder_is_neither_followed_nor_chmodded(
        small: dict[str, Any], world: World, home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "somebody-elses"
    elsewhere.mkdir(mode=0o755)
    elsewhere.chmod(0o755)
    (home / ".cache").mkdir(parents=True)
    (home / ".cache" / "ecsshell").symlink_to(elsewhere)
    _ls(world, home)
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o755
    assert list(elsewhere.iterdir()) == []


def test_a_link_planted_in_place_of_a_cache_file_is_replaced_not_written_through(
        small: dict[str, Any], world: World, home: Path, tmp_path: Path) -> None:
    honest = _ls(world, home)
    path = revision_file(home, world)
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    path.unlink()
    path.symlink_to(victim)
    assert _ls(world, home) == honest
    assert victim.read_text() == "keep me"
    assert not path.is_symlink() and json.loads(path.read_text())["entries"]


def test_a_huge_cache_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "private" / "big.json"
    write_private(path, json.dumps({"x": "y" * 100}))
    assert read_json(path) == {"x": "y" * 100}
    assert read_json(path, max_bytes=50) is None
    assert read_private(path, max_bytes=50) is None


def test_reading_a_huge_cache_costs_no_more_than_a_missing_one(small: dict[str, Any], world: World,
                                                              home: Path) -> None:
    _ls(world, home)
    path = revision_file(home, world)
    with open(path, "r+b") as stream:
        stream.truncate(64 * 1024 * 1024)  # a sparse 64 MiB file: over the bound, so never read
    _ls(world, home)
    assert path.stat().st_size < 1024 * 1024  # replaced by the bounded file


def test_history_that_is_a_link_or_someone_elses_is_replaced_and_said(world: World, home: Path,
                                                                      tmp_path: Path) -> None:
    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    state = home / ".local" / "state" / "ecsshell"
    state.mkdir(parents=True)
    secret = tmp_path / "secret"
    secret.write_text("not history\n")
    (state / "history").symlink_to(secret)
    environment = make_environment(world, home)
    app = EcsShell(environment, Options(), interactive=True)
    try:
        path = app._history_path()
    finally:
        app.close()
    assert path == str(state / "history") and not Path(path).is_symlink()
    assert secret.read_text() == "not history\n"
    assert "is a symbolic link: history replaced" in environment.stderr.getvalue()  # type: ignore[attr-defined]


def test_a_config_file_others_can_write_is_refused_in_one_line(world: World, home: Path) -> None:
    config = home / ".config" / "ecsshell" / "config"
    config.parent.mkdir(parents=True)
    config.write_text("[main]\nread_only = true\n")
    config.chmod(0o666)
    result = run_ecsshell(world, home, "ls")
    assert result.code != 0 and result.out == ""
    assert result.err.count("\n") == 1 and "writable by other users" in result.err
    config.chmod(0o644)
    assert run_ecsshell(world, home, "ls").code == 0


def test_every_endpoint_has_a_cache_of_its_own_however_it_was_set(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile one]\nendpoint_url = http://127.0.0.1:4566\n"
                      "[profile two]\nservices = local\n[services local]\necs =\n  endpoint_url = http://127.0.0.1:4567\n"
                      "[profile plain]\nregion = us-east-1\n")
    env = {"AWS_CONFIG_FILE": str(config)}

    def name(profile: str | None, environ: dict[str, str] | None = None, flag: str | None = None) -> str:
        endpoint = endpoint_url(Settings(profile=profile, endpoint_url=flag), {**env, **(environ or {})})
        cache = open_cache(tmp_path, {}, endpoint)
        assert cache is not None
        return cache.path.name

    names = {name("one"), name("two"), name("plain", {"AWS_ENDPOINT_URL": "http://127.0.0.1:4568"}),
             name("plain", flag="http://127.0.0.1:4569"), name("plain")}
    assert len(names) == 5 and name("plain") == FILE_NAME
    assert name("one", {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}) == FILE_NAME
    assert name("two", {"AWS_ENDPOINT_URL_ECS": "http://127.0.0.1:4566"}) == name("one")  # the variable wins


def test_a_profile_with_an_endpoint_keeps_its_answers_out_of_aws_cache(small: dict[str, Any], world: World,
                                                                      home: Path) -> None:
    env = world.profiles(home / "aws", {"emulated": "123456789012"})
    config = Path(env["AWS_CONFIG_FILE"])
    config.write_text(config.read_text() + f"endpoint_url = {world.endpoint_url}\n")
    extra = {**env, "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_ECS": ""}
    result = run_ecsshell(world, home, "--profile", "emulated", "ls", "prod", extra=extra)
    assert result.code == 0 and result.err == "", result.err
    folder = home / ".cache" / "ecsshell"
    assert not (folder / FILE_NAME).exists()  # nothing from an emulator in the file of AWS's own answers
    assert revision_file(home, world).exists()

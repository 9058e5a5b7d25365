"""The persistent caches of task definitions and service revisions: fewer calls on a warm `ls`, same answer.

Most tests here refuse DescribeServiceRevisions (as an account without the permission, or an older
endpoint, would), so that `ls` takes its images from DescribeTaskDefinition and its cache.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from harness import run_ecsshell

from ecsshell.aws.cache import FILE_NAME, FORMAT, VERSION, TaskDefinitionCache, open_cache
from ecsshell.emulator import World
from ecsshell.emulator.worlds import scale_world
from ecsshell.environment import Environment
from ecsshell.images import short

DESCRIBE = "DescribeTaskDefinition"
REVISIONS = "DescribeServiceRevisions"


def refuse_revisions(world: World) -> None:
    """Answer every DescribeServiceRevisions with AccessDeniedException, as a narrower IAM policy would."""
    world.faults.fail(REVISIONS, status=400, times=10**6, content_type="application/x-amz-json-1.1",
                      body=json.dumps({"__type": "AccessDeniedException", "message": "not authorized"}))


def cache_file(home: Path, world: World) -> Path:
    """Return where the runs of the harness in HOME keep the cache of WORLD's endpoint."""
    from ecsshell.aws.cache import open_cache

    cache = open_cache(home / ".cache" / "ecsshell", {}, world.endpoint_url)
    assert cache is not None
    return cache.path


def revision_file(home: Path, world: World) -> Path:
    """Return where the runs of the harness in HOME keep the service revisions of WORLD's endpoint."""
    from ecsshell.aws.cache import open_cache

    cache = open_cache(home / ".cache" / "ecsshell", {}, world.endpoint_url)
    assert cache is not None
    return cache.revisions.path


def test_each_custom_endpoint_has_a_cache_of_its_own(tmp_path: Path) -> None:
    from ecsshell.aws.cache import open_cache

    aws = open_cache(tmp_path, {})
    one = open_cache(tmp_path, {}, "http://127.0.0.1:4566")
    other = open_cache(tmp_path, {}, "http://127.0.0.1:4567")
    assert aws is not None and one is not None and other is not None
    assert aws.path.name == FILE_NAME
    assert len({aws.path, one.path, other.path}) == 3
    assert one.path == open_cache(tmp_path, {}, "http://127.0.0.1:4566").path  # stable across runs


def describes(world: World, home: Path, *argv: str, extra: dict[str, str] | None = None,
              revisions: bool = False) -> tuple[int, str]:
    """Run ecsshell ARGV successfully, quietly (REVISIONS: DescribeServiceRevisions allowed); return its
    DescribeTaskDefinition calls and its output."""
    world.faults.clear()
    if not revisions:
        refuse_revisions(world)
    world.recorder.reset()
    result = run_ecsshell(world, home, *argv, extra=extra)
    assert result.code == 0 and result.err == "", result.err
    return world.recorder.calls[DESCRIBE], result.out


@pytest.mark.parametrize("argv", [("ls", "prod"), ("--output", "json", "ls", "prod")])
def test_a_warm_ls_describes_no_task_definition_and_shows_the_same(small: dict[str, Any], world: World,
                                                                   home: Path, argv: tuple[str, ...]) -> None:
    cold_calls, cold = describes(world, home, *argv)
    warm_calls, warm = describes(world, home, *argv)
    assert cold_calls > 0 and warm_calls == 0
    assert warm == cold
    uncached_calls, uncached = describes(world, home / "elsewhere", *argv, extra={"ECSSHELL_NO_CACHE": "1"})
    assert uncached == cold and uncached_calls == cold_calls


@pytest.mark.parametrize("argv", [("-v", "ls", "prod"), ("--output", "json", "-v", "ls", "prod")])
def test_ls_verbose_asks_ecs_for_status_and_tags_and_feeds_the_cache(small: dict[str, Any], world: World,
                                                                    home: Path, argv: tuple[str, ...]) -> None:
    cold_calls, cold = describes(world, home, *argv)
    warm_calls, warm = describes(world, home, *argv)
    assert cold_calls == warm_calls > 0 and warm == cold  # status and tags can change: -v always asks
    assert "ACTIVE" in cold
    plain_calls, _ = describes(world, home, "ls", "prod")
    assert plain_calls == 0  # what -v described serves the plain listing


def test_the_cache_keeps_no_status(small: dict[str, Any], world: World, home: Path) -> None:
    _, out = describes(world, home, "-v", "ls", "prod")
    assert "(ACTIVE)" in out and "Task definition web:" in out
    text = cache_file(home, world).read_text()
    assert '"status"' not in text and '"tags"' not in text
    assert text.count('"taskDefinitionArn"') == len(json.loads(text)["entries"]) > 0


def test_a_revision_asked_for_by_name_still_asks_ecs(small: dict[str, Any], world: World, home: Path) -> None:
    describes(world, home, "ls", "prod")
    calls, out = describes(world, home, "taskdefs", "web", "latest")
    assert calls == 1 and '"status": "ACTIVE"' in out
    calls, _ = describes(world, home, "ls", "prod", "web")
    assert calls == 1


def test_the_cache_is_private(small: dict[str, Any], world: World, home: Path) -> None:
    describes(world, home, "ls", "prod")
    path = cache_file(home, world)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_the_cache_may_be_deleted_at_any_time(small: dict[str, Any], world: World, home: Path) -> None:
    cold_calls, cold = describes(world, home, "ls", "prod")
    cache_file(home, world).unlink()
    calls, out = describes(world, home, "ls", "prod")
    assert calls == cold_calls and out == cold and cache_file(home, world).exists()
    for child in cache_file(home, world).parent.iterdir():
        child.unlink()
    cache_file(home, world).parent.rmdir()
    calls, out = describes(world, home, "ls", "prod")
    assert calls == cold_calls and out == cold


BAD_FILES = {
    "corrupt": b"{not json at all",
    "truncated": None,  # the first half of a good file
    "foreign": json.dumps({"entries": {"x": 1}, "name": "another program"}).encode(),
    "wrong version": None,  # a good file with another version
    "binary": b"\xff\xfe\x00\x01garbage",
    "empty": b"",
}


@pytest.mark.parametrize("kind", [*BAD_FILES, "directory", "fifo", "unreadable"])
def test_a_bad_cache_file_is_ignored_quietly(small: dict[str, Any], world: World, home: Path, kind: str) -> None:
    cold_calls, cold = describes(world, home, "ls", "prod")
    spoil(cache_file(home, world), kind)
    calls, out = describes(world, home, "ls", "prod")  # describes() checks: exit 0, nothing on stderr
    assert calls == cold_calls and out == cold
    if kind not in ("directory", "fifo", "unreadable"):  # replaced by a good file
        assert describes(world, home, "ls", "prod") == (0, cold)


def spoil(path: Path, kind: str) -> None:
    """Replace the good cache file PATH with a bad one of KIND."""
    good = path.read_bytes()
    path.unlink()
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "unreadable":
        path.write_bytes(good)
        path.chmod(0)
        if _readable(path):  # root reads anything: nothing to test
            pytest.skip("running as a user who can read a 0000 file")
    elif kind == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "wrong version":
        document = json.loads(good)
        document["version"] = VERSION + 1
        path.write_text(json.dumps(document))
    else:
        path.write_bytes(BAD_FILES[kind] or b"")


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except OSError:
        return False
    return True


def _answer(n: int, size: int = 0) -> dict[str, Any]:
    arn = f"arn:aws:ecs:us-east-1:123456789012:task-definition/fam{n}:1"
    return {"taskDefinition": {"taskDefinitionArn": arn, "family": f"fam{n}", "revision": 1, "status": "ACTIVE",
                               "containerDefinitions": [{"name": "app", "image": "x" * size}]},
            "tags": [{"key": "team", "value": "core"}]}


def test_the_cache_is_bounded_by_entries_and_bytes(tmp_path: Path) -> None:
    cache = TaskDefinitionCache(tmp_path / "c", max_entries=10, max_bytes=1 << 20)
    for n in range(25):
        cache.put([_answer(n)])
    entries = json.loads(cache.path.read_text())["entries"]
    assert len(entries) == 10 and [a.rsplit("/", 1)[1] for a in entries] == [f"fam{n}:1" for n in range(15, 25)]
    assert cache.get([_answer(0)["taskDefinition"]["taskDefinitionArn"]]) == {}

    small = TaskDefinitionCache(tmp_path / "s", max_entries=1000, max_bytes=20_000)
    small.put(_answer(n, size=3000) for n in range(20))
    assert small.path.stat().st_size <= 20_000
    kept = json.loads(small.path.read_text())["entries"]
    assert 0 < len(kept) < 20 and list(kept)[-1].endswith("/fam19:1")


def test_the_cache_round_trips_dates_and_leaves_out_what_changes(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    answer = _answer(1)
    when = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    answer["taskDefinition"].update(registeredAt=when, deregisteredAt=when, status="INACTIVE")
    cache = TaskDefinitionCache(tmp_path)
    cache.put([answer])
    arn = answer["taskDefinition"]["taskDefinitionArn"]
    got = TaskDefinitionCache(tmp_path).get([arn, "web:1", "web"])
    assert list(got) == [arn]
    assert got[arn]["taskDefinition"]["registeredAt"] == when
    assert set(answer["taskDefinition"]) - set(got[arn]["taskDefinition"]) == {"status", "deregisteredAt"}
    assert "tags" not in got[arn]
    document = json.loads(cache.path.read_text())
    assert document["format"] == FORMAT and document["version"] == VERSION


def test_the_cache_folder_follows_xdg_and_can_be_turned_off(tmp_path: Path) -> None:
    assert Environment(env={"HOME": str(tmp_path)}).cache_dir == tmp_path / ".cache" / "ecsshell"
    assert Environment(env={"XDG_CACHE_HOME": str(tmp_path / "x")}).cache_dir == tmp_path / "x" / "ecsshell"
    assert open_cache(tmp_path, {"ECSSHELL_NO_CACHE": "1"}) is None
    assert open_cache(tmp_path, {"ECSSHELL_NO_CACHE": "0"}) is not None
    assert open_cache(tmp_path, {}) is not None


def budget(count: int, *, warm: bool) -> int:
    """Return issue 12's call budget for `ls` of COUNT services."""
    return math.ceil(count / 100) + math.ceil(count / 10) + (0 if warm else math.ceil(count / 20)) + 2


def test_ls_of_a_scaled_cluster_stays_within_its_call_budget(world: World, home: Path) -> None:
    count = 45
    scale_world(world, count, cluster="big", revisions=2)
    listing = {"ListServices": math.ceil(count / 100), "DescribeServices": math.ceil(count / 10)}
    _, cold = describes(world, home, "ls", "big", revisions=True)
    assert dict(world.recorder.calls) == {**listing, REVISIONS: math.ceil(count / 20)}
    assert world.recorder.total <= budget(count, warm=False)
    _, warm = describes(world, home, "ls", "big", revisions=True)
    assert dict(world.recorder.calls) == listing  # revisions never change: none described twice
    assert world.recorder.total <= budget(count, warm=True)
    assert warm == cold and "svc-0044:2  svc-0044:1.2.0" in cold  # the revision and its short image


def test_ls_falls_back_to_task_definitions_when_revisions_are_refused(world: World, home: Path) -> None:
    count = 23
    scale_world(world, count, cluster="big", revisions=2)
    _, with_revisions = describes(world, home / "a", "ls", "big", revisions=True)
    cold_calls, cold = describes(world, home / "b", "ls", "big")
    assert cold == with_revisions
    assert world.recorder.calls["ListServices"] == math.ceil(count / 100)
    assert world.recorder.calls["DescribeServices"] == math.ceil(count / 10)
    assert cold_calls == count  # one distinct revision per service
    warm_calls, warm = describes(world, home / "b", "ls", "big")
    assert warm_calls == 0 and warm == cold


def test_a_service_with_no_describable_revision_is_described_by_its_task_definition(
        small: dict[str, Any], world: World, home: Path) -> None:
    ecs = world.client("ecs")
    worker = ecs.describe_services(cluster="prod", services=["worker"])["services"][0]
    with world.lock:  # as a revision made before October 2024: ECS answers it in `failures`
        for summary in worker["currentServiceRevisions"]:
            del world.scheduler.service_deployments.revisions[summary["arn"]]
    calls, out = describes(world, home, "ls", "prod", revisions=True)
    assert calls == 1 and short(small["digest_image"]) in out  # worker@sha256:4f3c2b1a09e8, from the revision
    assert world.recorder.calls[REVISIONS] == 1  # the other five in one call
    _, plain = describes(world, home / "plain", "ls", "prod")
    assert out == plain


def test_the_revision_cache_is_private_and_holds_only_what_never_changes(small: dict[str, Any], world: World,
                                                                        home: Path) -> None:
    describes(world, home, "ls", "prod", revisions=True)
    path = revision_file(home, world)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file, no task definitions
    document = json.loads(path.read_text())
    assert document["format"] == "ecsshell service revision cache"
    assert len(document["entries"]) == 8  # payments and legacy run two revisions each
    for arn, entry in document["entries"].items():
        assert entry["serviceRevisionArn"] == arn and entry["containerImages"]
        assert set(entry) <= {"serviceRevisionArn", "serviceArn", "clusterArn", "taskDefinition",
                              "containerImages", "createdAt"}


@pytest.mark.parametrize("kind", [*BAD_FILES, "directory", "fifo"])
def test_a_bad_revision_cache_file_is_ignored_quietly(small: dict[str, Any], world: World, home: Path,
                                                      kind: str) -> None:
    describes(world, home, "ls", "prod", revisions=True)
    cold_revisions = world.recorder.calls[REVISIONS]
    _, cold = describes(world, home, "ls", "prod", revisions=True)
    assert world.recorder.calls[REVISIONS] == 0
    spoil(revision_file(home, world), kind)
    calls, out = describes(world, home, "ls", "prod", revisions=True)  # exit 0, nothing on stderr
    assert out == cold and calls == 0 and world.recorder.calls[REVISIONS] == cold_revisions

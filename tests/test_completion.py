"""TAB completion: names fetched from the emulated ECS, served from a cache that never blocks for long."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecsshell.emulator import World
from ecsshell.emulator.worlds import small_world
from ecsshell.options import Options
from ecsshell.shell import EcsShell


@pytest.fixture
def app(world: World, tmp_path: Path) -> Iterator[EcsShell]:
    from harness import make_environment

    small_world(world)
    (tmp_path / "aws-config").write_text("[profile prod-readonly]\nregion = eu-west-1\n")
    shell = EcsShell(make_environment(world, tmp_path), Options(), interactive=False)
    yield shell
    shell.close()


def complete(app: EcsShell, line: str, settle: bool = True) -> tuple[list[str], str, list[str]]:
    """Complete LINE as TAB would; with SETTLE, press TAB again until the fetch is done."""
    text = line.split(" ")[-1]
    for _ in range(20):
        result = app.complete(text, line, len(line) - len(text), len(line))
        if not (settle and "press TAB again" in result.error):
            break
        time.sleep(0.1)
    return [i.text for i in result.items], result.error, [i.display_meta for i in result.items]


def settled(app: EcsShell, line: str) -> tuple[list[str], str, list[str]]:
    """Complete LINE until the names carry their notes (names come first, DescribeServices' notes next)."""
    for _ in range(50):
        result = complete(app, line)
        if all(result[2]):
            return result
        time.sleep(0.05)
    return result


def test_clusters_then_services_with_descriptions(app: EcsShell) -> None:
    assert complete(app, "ls ")[0] == ["batch", "prod", "sandbox", "staging"]
    names, _, metas = settled(app, "ls prod ")
    assert names == ["api", "legacy", "payments", "search", "web", "worker"]
    assert "3/3 running, web:3" in metas


def test_scope_decides_what_the_next_word_is(app: EcsShell) -> None:
    app.onecmd_plus_hooks("use prod")
    assert "web" in complete(app, "check ")[0]
    assert complete(app, "update api ")[0] == [":2.3.0", ":2.4.0", ":2.4.1"]


def test_families_revisions_containers_profiles_regions_and_files(app: EcsShell) -> None:
    assert {"web", "api", "migrate"} <= set(complete(app, "taskdefs ")[0])
    revisions, _, metas = complete(app, "taskdefs web ")
    assert sorted(revisions) == ["1", "2", "3", "latest"]
    assert any("web:1.5.0" in m for m in metas)
    assert complete(app, "update prod web --container ")[0] == ["envoy", "web"]
    assert complete(app, "profile ")[0] == ["env", "prod-readonly"]
    assert "eu-west-1" in complete(app, "region eu-")[0]
    assert "README.md" in complete(app, "register " + str(Path(__file__).resolve().parent.parent) + "/RE")[0][0]


def test_names_are_served_from_the_cache(world: World, app: EcsShell) -> None:
    complete(app, "ls ")
    fetches = app.completion.fetches
    world.recorder.reset()
    for _ in range(5):
        assert complete(app, "ls ")[0] == ["batch", "prod", "sandbox", "staging"]
    assert app.completion.fetches == fetches
    assert world.recorder.total == 0


def test_a_keystroke_never_waits_long_on_a_slow_ecs(world: World, app: EcsShell) -> None:
    world.faults.latency(3.0)
    started = time.monotonic()
    names, error, _ = complete(app, "ls ", settle=False)
    assert time.monotonic() - started < 1.0
    assert names == [] and "press TAB again" in error
    world.faults.clear()


def test_a_failed_fetch_is_a_one_line_hint(world: World, app: EcsShell) -> None:
    names, error, _ = complete(app, "ls nosuch ")
    assert names == []
    assert 'cluster "nosuch" not found' in error
    assert "Traceback" not in error


def test_changes_refresh_the_affected_names(world: World, app: EcsShell) -> None:
    assert ":2.5.0" not in complete(app, "update prod api ")[0]
    app.onecmd_plus_hooks("update prod api :2.5.0")
    for _ in range(20):
        if ":2.5.0" in complete(app, "update prod api ")[0]:
            break
        time.sleep(0.1)
    assert ":2.5.0" in complete(app, "update prod api ")[0]


def test_a_revision_completes_to_latest_as_taskdefs_accepts(app: EcsShell) -> None:
    assert complete(app, "taskdefs web la")[0] == ["latest"]
    assert "latest" in complete(app, "taskdefs web ")[0]


def test_a_leading_slash_completes_paths_from_anywhere(app: EcsShell) -> None:
    app.onecmd_plus_hooks("use prod")
    assert complete(app, "ls /")[0] == ["/batch", "/prod", "/sandbox", "/staging"]
    assert complete(app, "ls /st")[0] == ["/staging"]
    assert complete(app, "ls /staging/")[0] == ["/staging/api", "/staging/web", "/staging/worker"]
    assert complete(app, "ls /staging/w")[0] == ["/staging/web", "/staging/worker"]
    assert complete(app, "ls /staging ")[0] == ["api", "web", "worker"]


def test_a_typed_cluster_inside_a_scope_is_followed_by_its_services(app: EcsShell) -> None:
    app.onecmd_plus_hooks("use prod")
    assert complete(app, "ls ")[0] == ["api", "legacy", "payments", "search", "web", "worker"]
    assert complete(app, "ls staging ")[0] == ["api", "web", "worker"]
    assert complete(app, "ls staging web ")[0] == []
    assert complete(app, "update staging web ")[0] == [":1.5.0", ":1.6.0-rc1"]


def test_tags_come_from_the_container_named(app: EcsShell) -> None:
    app.onecmd_plus_hooks("use prod")
    envoy = complete(app, "update web --container envoy :")[0]
    assert envoy and all(tag.startswith(":v1.27") for tag in envoy)
    web = complete(app, "update web :")[0]
    assert web and not set(web) & set(envoy)
    assert complete(app, "update /staging/web --container en")[0] == ["envoy"]


def test_image_option_offers_the_containers_then_their_tags(app: EcsShell) -> None:
    app.onecmd_plus_hooks("use prod")
    assert complete(app, "update web --image ")[0] == ["envoy=", "web="]
    assert complete(app, "update prod web --image env")[0] == ["envoy="]
    tags = complete(app, "update web --image envoy=:")[0]
    assert tags and all(tag.startswith("envoy=:v1.27") for tag in tags)


def test_matching_is_fuzzy_and_ranks_prefixes_first(app: EcsShell) -> None:
    assert complete(app, "ls prod eb")[0] == ["web"]
    assert complete(app, "ls prod WE")[0] == ["web"]  # a unique prefix still completes at once
    assert complete(app, "ls prod a")[0] == ["api", "payments", "search", "legacy"]
    assert complete(app, "ls prod srh")[0] == ["search"]  # scattered letters, when nothing contains them
    assert complete(app, "ls stg")[0] == ["staging"]


def test_an_unknown_command_suggests_the_closest(ecsshell, small) -> None:  # type: ignore[no-untyped-def]
    result = ecsshell(stdin="lss\n")
    assert "error: unknown command 'lss' (did you mean ls?)" in result.err and result.code == 2
    assert "type `help` to list commands" in ecsshell(stdin="frobnicate\n").err


def test_a_missing_cluster_or_service_suggests_close_names(world: World, ecsshell, small) -> None:  # type: ignore[no-untyped-def]
    assert 'service "wbe" not found in cluster "prod" (did you mean: web?)' in ecsshell("ls", "prod", "wbe").err
    assert 'cluster "prdo" not found (did you mean: prod?)' in ecsshell("ls", "prdo").err
    world.recorder.reset()
    assert ecsshell("ls", "prod", "web").code == 0
    assert world.recorder.calls["ListServices"] == world.recorder.calls["ListClusters"] == 0  # no extra call


@pytest.mark.parametrize("line", ["ls ", "ls staging ", "ls /", "ls /staging/", "check ", "taskdefs web "])
def test_whatever_completes_runs(app: EcsShell, line: str) -> None:
    app.onecmd_plus_hooks("use prod")
    offered = complete(app, line)[0]
    assert offered
    word = line.split(" ")[-1]
    for name in offered:
        command = line[: len(line) - len(word)] + name
        app.onecmd_plus_hooks(command)
        allowed = (0, 1) if line.startswith("check") else (0,)  # check exits 1 when it finds a fault
        assert app.last_status in allowed, f"{command!r} ended {app.last_status}"


# names kept between runs ------------------------------------------------------------------------
def new_shell(world: World, home: Path, extra: dict[str, str] | None = None) -> EcsShell:
    from harness import make_environment

    return EcsShell(make_environment(world, home, extra=extra), Options(), interactive=False)


def saved(shell: EcsShell, *key: str) -> list[str]:
    """Return the names saved for KEY once the background save has happened (waiting briefly for it)."""
    store = shell._saved_names()
    for _ in range(50):
        found = store.load(key)
        if found is not None:
            return [name for name, _ in found[0]]
        time.sleep(0.05)
    return []


def test_a_fresh_shell_completes_from_saved_names_before_ecs_answers(world: World, app: EcsShell,
                                                                     tmp_path: Path) -> None:
    complete(app, "ls ")
    settled(app, "ls prod ")
    assert saved(app, "services", "prod") == ["api", "legacy", "payments", "search", "web", "worker"]
    app.close()
    world.faults.latency(2.0)  # ECS now answers after two seconds
    fresh = new_shell(world, tmp_path)
    try:
        world.recorder.reset()
        started = time.monotonic()
        clusters = complete(fresh, "ls ", settle=False)
        services = complete(fresh, "ls prod ", settle=False)
        elapsed = time.monotonic() - started
        assert clusters[0] == ["batch", "prod", "sandbox", "staging"]
        assert services[0] == ["api", "legacy", "payments", "search", "web", "worker"]
        assert "3/3 running, web:3" in services[2]  # the notes were kept too
        assert elapsed < 1.0  # no answer from ECS was waited for
        assert world.recorder.calls["DescribeServices"] == 0  # only the background refresh has started
    finally:
        world.faults.clear()
        fresh.close()


def test_saved_names_are_private_and_a_bad_file_is_ignored(world: World, app: EcsShell, tmp_path: Path) -> None:
    import os

    complete(app, "ls ")
    assert saved(app, "clusters")
    path = app._saved_names().path
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    for garbage in (b"\x00{not json", b'{"format": "someone else", "scopes": []}', b'{"format": "ecsshell '
                    b'completion names", "version": 1, "scopes": {"default@us-east-1": {"clusters": 7}}}'):
        path.write_bytes(garbage)
        fresh = new_shell(world, tmp_path)
        try:
            names, error, _ = complete(fresh, "ls ")
            assert names == ["batch", "prod", "sandbox", "staging"] and "Traceback" not in error
            assert saved(fresh, "clusters") == ["batch", "prod", "sandbox", "staging"]  # rewritten whole
            assert os.stat(path).st_mode & 0o777 == 0o600
        finally:
            fresh.close()


def test_no_names_are_kept_with_the_cache_off(world: World, tmp_path: Path) -> None:
    small_world(world)
    shell = new_shell(world, tmp_path, {"ECSSHELL_NO_CACHE": "1"})
    try:
        assert complete(shell, "ls ")[0] == ["batch", "prod", "sandbox", "staging"]
        time.sleep(0.2)
        assert not list(tmp_path.rglob("names*.json"))
    finally:
        shell.close()


def test_saved_names_are_refreshed_after_a_change(world: World, app: EcsShell, tmp_path: Path) -> None:
    settled(app, "ls prod ")
    assert "fresh" not in saved(app, "services", "prod")
    app.close()
    world.client("ecs").create_service(cluster="prod", serviceName="fresh", taskDefinition="web", desiredCount=0)
    shell = new_shell(world, tmp_path)
    try:
        assert "fresh" not in complete(shell, "ls prod ")[0]  # served from the saved names at once
        for _ in range(50):
            if "fresh" in complete(shell, "ls prod ")[0]:
                break
            time.sleep(0.05)
        assert "fresh" in complete(shell, "ls prod ")[0]  # then refreshed in the background
        for _ in range(50):
            if "fresh" in saved(shell, "services", "prod"):
                break
            time.sleep(0.05)
        assert "fresh" in saved(shell, "services", "prod")  # and saved for the next run
    finally:
        shell.close()


def test_naming_a_cluster_on_the_line_fetches_its_services_before_any_tab(world: World, app: EcsShell) -> None:
    complete(app, "ls ")
    world.recorder.reset()
    app.completion.watch_line("ls prod")  # not complete yet: prod might become prod-eu
    app.completion.watch_line("ls nosuch ")  # not a cluster ECS has
    time.sleep(0.2)
    assert world.recorder.calls["ListServices"] == 0
    app.completion.watch_line("ls prod ")
    for _ in range(50):
        if world.recorder.calls["DescribeServices"]:
            break
        time.sleep(0.05)
    assert world.recorder.calls["ListServices"] == 1
    world.recorder.reset()
    assert complete(app, "ls prod ", settle=False)[0] == ["api", "legacy", "payments", "search", "web", "worker"]
    app.completion.watch_line("update /prod/")
    time.sleep(0.2)
    assert world.recorder.calls["ListServices"] == 0  # fetched already and fresh


def test_service_names_come_page_by_page_before_their_details(world: World, app: EcsShell) -> None:
    from ecsshell.emulator.worlds import scale_world

    scale_world(world, 250, cluster="big")
    world.faults.latency(3.0, "DescribeServices")
    try:
        started = time.monotonic()
        names, _, notes = complete(app, "ls big ")
        assert time.monotonic() - started < 2.5
        assert names[:3] == ["svc-0000", "svc-0001", "svc-0002"] and not any(notes)
    finally:
        world.faults.clear()


def test_a_name_on_a_page_still_to_come_says_press_tab_again(world: World, app: EcsShell) -> None:
    from ecsshell.emulator.worlds import scale_world

    scale_world(world, 250, cluster="big")
    world.faults.latency(1.0, "ListServices")
    try:
        first, error, _ = complete(app, "ls big svc-0150", settle=False)
        assert first == [] and "press TAB again" in error  # fetching: nothing listed yet
        time.sleep(1.2)  # the first page (svc-0000 to svc-0099) has come, the rest has not
        names, error, _ = complete(app, "ls big svc-0150", settle=False)
        assert names == [] and "still listing names" in error
        assert complete(app, "ls big svc-00", settle=False)[0][:2] == ["svc-0000", "svc-0001"]
    finally:
        world.faults.clear()

"""Scripts, piped input and one-shots stop at the first failing line; the shell's scope and settings."""

from __future__ import annotations

import json
from pathlib import Path

from ecsshell.emulator import World


def service_revision(world: World, cluster: str, service: str) -> str:
    svc = world.client("ecs").describe_services(cluster=cluster, services=[service])["services"][0]
    return str(svc["taskDefinition"].rsplit("/", 1)[-1])


SCRIPT = """\
# deploy api, but only after checking a service that does not exist
use prod
ls api
check nosuch
update api :9.9.9
"""


def test_piped_script_stops_at_the_first_failing_line(world, ecsshell, small) -> None:
    result = ecsshell(stdin=SCRIPT)
    assert result.code == 1
    assert 'service "nosuch" not found' in result.err
    assert "9.9.9" not in result.out
    assert service_revision(world, "prod", "api") == "api:3"


def test_script_file_stops_at_the_first_failing_line(world, ecsshell, small, tmp_path: Path) -> None:
    script = tmp_path / "deploy.ecs"
    script.write_text(SCRIPT)
    result = ecsshell("-f", str(script))
    assert result.code == 1
    assert service_revision(world, "prod", "api") == "api:3"
    assert len(world.client("ecs").list_task_definitions(familyPrefix="api")["taskDefinitionArns"]) == 3


def test_a_usage_error_stops_a_script_with_status_2(world, ecsshell, small) -> None:
    result = ecsshell(stdin="use prod\nls --no-such-flag\nupdate api :9.9.9\n")
    assert result.code == 2
    assert service_revision(world, "prod", "api") == "api:3"


def test_stop_on_error_can_be_turned_off(world, ecsshell, small) -> None:
    result = ecsshell(stdin="set stop_on_error false\nuse prod\ncheck nosuch\nupdate api :9.9.9\n")
    assert result.code == 1  # the failure still shows in the exit status
    assert service_revision(world, "prod", "api") == "api:4"


def test_a_good_script_runs_every_line_and_exits_0(world, ecsshell, small) -> None:
    result = ecsshell(stdin="# a comment\nuse prod\nupdate api :2.5.0\nls api\n")
    assert result.code == 0, result.err
    assert service_revision(world, "prod", "api") == "api:4"
    image = world.client("ecs").describe_task_definition(taskDefinition="api:4")["taskDefinition"][
        "containerDefinitions"][0]["image"]
    assert image == "registry.example.com:5000/team/api:2.5.0"


def test_dash_c_runs_one_line_with_the_same_rules(world, ecsshell, small) -> None:
    ok = ecsshell("-c", "ls prod api")
    assert ok.code == 0 and "api:3" in ok.out
    bad = ecsshell("-c", "check prod payments")
    assert bad.code == 1


def test_scope_fills_arguments_from_the_right(world, ecsshell, small) -> None:
    result = ecsshell(stdin="use prod api\ncheck\nuse ..\ncheck web\nuse /\ncheck prod web\nls /staging/api\n")
    assert result.code == 0, result.err
    assert result.out.count("OK: service api in prod") == 1
    assert result.out.count("OK: service web in prod") == 2
    assert "staging-api:1" in result.out


def test_use_refuses_what_does_not_exist(ecsshell, small) -> None:
    result = ecsshell(stdin="use nosuch\n")
    assert result.code == 1
    assert 'cluster "nosuch" not found' in result.err


def test_settings_mirror_the_global_flags(ecsshell, small) -> None:
    result = ecsshell(stdin="set output json\nls prod api\n")
    document = json.loads(result.out.split("\n", 1)[1] if not result.out.startswith("{") else result.out)
    assert document["service"]["serviceName"] == "api"
    events = ecsshell(stdin="set events 1\nls prod api\n")
    assert events.out.count("(service api)") == 1


def test_scripts_never_ask_for_confirmation(world, ecsshell, small) -> None:
    result = ecsshell("update", "prod", "api", ":2.5.0")
    assert result.code == 0
    assert "[y/N]" not in result.out


def test_config_file_is_created_commented_and_sets_defaults(world, tmp_path: Path) -> None:
    from harness import run_ecsshell

    assert run_ecsshell(world, tmp_path, "ls").code == 0
    assert not (tmp_path / ".config" / "ecsshell" / "config").exists()  # reading the config never writes it
    first = run_ecsshell(world, tmp_path, "-c", "config init")
    assert first.code == 0
    written = (tmp_path / ".config" / "ecsshell" / "config").read_text()
    assert "# region = " in written
    (tmp_path / ".config" / "ecsshell" / "config").write_text("[main]\nregion = eu-west-1\n")
    no_env = {"AWS_REGION": "", "AWS_DEFAULT_REGION": ""}
    assert run_ecsshell(world, tmp_path, "-c", "region", extra=no_env).out.strip() == "eu-west-1"
    assert run_ecsshell(world, tmp_path, "-c", "region").out.strip() == "us-east-1"  # the environment wins
    assert run_ecsshell(world, tmp_path, "--region", "ap-south-1", "-c", "region").out.strip() == "ap-south-1"


def test_bad_config_file_is_one_clear_line(world, tmp_path: Path) -> None:
    from harness import run_ecsshell

    (tmp_path / ".config" / "ecsshell").mkdir(parents=True)
    (tmp_path / ".config" / "ecsshell" / "config").write_text("[main]\noutput = yaml\n")
    result = run_ecsshell(world, tmp_path, "ls")
    assert result.code == 2
    assert "output must be text or json" in result.err


def test_config_output_json_applies(world, tmp_path: Path) -> None:
    from harness import run_ecsshell

    (tmp_path / ".config" / "ecsshell").mkdir(parents=True)
    (tmp_path / ".config" / "ecsshell" / "config").write_text("[main]\noutput = json\n")
    result = run_ecsshell(world, tmp_path, "ls")
    assert json.loads(result.out) == {"clusters": []}


def test_options_may_come_anywhere_among_the_names(ecsshell, small) -> None:
    result = ecsshell("-c", "ls prod -events 1 api")
    assert result.code == 0, result.err
    assert result.out.count("(service api)") == 1


def test_region_switch_makes_new_clients_and_clears_the_scope(world, ecsshell, small) -> None:
    result = ecsshell(stdin="use prod\nregion eu-west-1\nuse\nls\n")
    assert result.code == 0, result.err
    assert "region eu-west-1" in result.out
    assert "scope: (none)" in result.out
    assert "No clusters in eu-west-1." in result.out


def test_a_script_run_inside_the_shell_stops_but_the_session_goes_on(world, small, tmp_path: Path) -> None:
    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    script = tmp_path / "steps.ecs"
    script.write_text("use prod\ncheck nosuch\nupdate api :9.9.9\n")
    environment = make_environment(world, tmp_path)
    app = EcsShell(environment, Options(), interactive=True)
    try:
        assert app.onecmd_plus_hooks(f"run_script {script}") is False  # the shell does not end
        assert app.last_status == 1
        assert app.onecmd_plus_hooks("check web") is False
        assert app.last_status == 0
    finally:
        app.close()
    assert service_revision(world, "prod", "api") == "api:3"


def test_aliases_and_macros_work(world, ecsshell, small) -> None:
    result = ecsshell(stdin="alias create p ls prod\np api\nmacro create chk check prod {1}\nchk web\n")
    assert result.code == 0, result.err
    assert "api:3" in result.out
    assert "OK: service web in prod" in result.out


def test_prompt_shows_scope_and_a_switched_region(world, tmp_path: Path) -> None:
    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    world.client("ecs").create_cluster(clusterName="prod")
    app = EcsShell(make_environment(world, tmp_path), Options(region="us-east-1"), interactive=False)
    try:
        assert app.prompt == "ecs> "
        app.onecmd_plus_hooks("use prod")
        assert app.prompt == "prod> "
        app.onecmd_plus_hooks("region eu-west-1")
        assert app.prompt == "[eu-west-1] ecs> "
        app.options.demo = False
        app.scope = app.scope.__class__(profile="ops", region="us-east-1")
        app._update_prompt()
        assert app.prompt == "[ops] ecs> "
    finally:
        app.close()


def test_history_never_stores_secret_values(world, small, tmp_path: Path) -> None:
    import lzma

    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    app = EcsShell(make_environment(world, tmp_path), Options(), interactive=True)
    try:
        app.onecmd_plus_hooks("update prod web --env web DB_PASSWORD=hunter3 --env web LOG_LEVEL=debug --dry-run")
        assert app.last_status == 0
        assert app.history[-1].raw == ("update prod web --env web DB_PASSWORD=**** --env web LOG_LEVEL=debug "
                                       "--dry-run")
    finally:
        app.close()
        app._persist_history()
    stored = lzma.decompress((tmp_path / ".local/state/ecsshell/history").read_bytes()).decode()
    assert "hunter3" not in stored and "LOG_LEVEL=debug" in stored

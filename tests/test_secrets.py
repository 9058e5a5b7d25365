"""Secrets are never printed or stored: the rules, then every way out through the real CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore import exceptions as bx

from ecsshell.aws.errors import translate
from ecsshell.emulator import World
from ecsshell.render.diff import taskdef_diff
from ecsshell.secrets import (
    MASK,
    looks_secret,
    mask_value,
    masked_args,
    masked_container,
    masked_taskdef,
    scrub_line,
    scrub_text,
)

SECRET = "hunter2"
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.hunter2SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_ad"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEhunter2\n-----END RSA PRIVATE KEY-----"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYhunter2KEY"


# rules ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "masked"), [
    ("postgres://app:hunter2@host/db", "postgres://app:****@host/db"),
    ("redis://:hunter2@host", "redis://:****@host"),
    ("mysql://app:p@ss@db:3306/x?ssl=1", "mysql://app:****@db:3306/x?ssl=1"),
    ("https://h/x?token=hunter2", "https://h/x?token=****"),
    (JWT, MASK),
    (f"Bearer {JWT}", MASK),
    (PEM, MASK),
    (AWS_SECRET, MASK),
    ("ghp_" + "a1B2" * 9, MASK),
])
def test_secret_values_are_masked_whatever_their_name(value: str, masked: str) -> None:
    assert mask_value("INNOCENT", value) == masked


@pytest.mark.parametrize("value", [
    "1", "http://host/path", "http://host:8080/x", "https://user@example.com/x", "production",
    "0123456789abcdef0123456789abcdef01234567",  # a git SHA: 40 characters, but no secret
    "registry.example.com:5000/app:1.2", "arn:aws:ssm:us-east-1:123456789012:parameter/db", "a=b c=d",
])
def test_ordinary_values_stay_visible(value: str) -> None:
    assert not looks_secret(value)
    assert mask_value("VALUE", value) == value
    assert scrub_text(value) == value


def test_names_still_decide_alone() -> None:
    assert mask_value("DB_PASSWORD", "plain") == MASK
    assert mask_value("MONKEY", "1") == "1" and mask_value("AUTHOR", "x") == "x"


def test_free_text_masks_every_form_and_keeps_the_rest() -> None:
    text = (f"failed: DB_PASSWORD={SECRET} url=postgres://app:{SECRET}@db/x "
            f"{{'name': 'API_KEY', 'value': '{SECRET}'}} \"api-token\": \"{SECRET}\" {JWT} "
            f"AKIAIOSFODNN7EXAMPLE:{AWS_SECRET} MONKEY=1 AUTHOR=x")
    scrubbed = scrub_text(text)
    assert SECRET not in scrubbed
    assert "postgres://app:****@db/x" in scrubbed and "AKIAIOSFODNN7EXAMPLE:****" in scrubbed
    assert "MONKEY=1" in scrubbed and "AUTHOR=x" in scrubbed and scrubbed.startswith("failed: DB_PASSWORD=****")


def test_command_arguments_mask_secret_options_only() -> None:
    assert masked_args(["serve", "--port", "80", "-v"]) == ["serve", "--port", "80", "-v"]
    assert masked_args(["--password=hunter2", "--token", "hunter2", "-secret=x", "--api-key", "--verbose"]) == [
        "--password=****", "--token", "****", "-secret=****", "--api-key", "--verbose"]
    assert masked_args(["run", "--db", "postgres://u:hunter2@db/x"]) == ["run", "--db", "postgres://u:****@db/x"]


def test_container_documents_mask_env_labels_arguments_and_options() -> None:
    container = {
        "name": "app", "image": "app:1", "command": ["serve", "--password=hunter2"],
        "entryPoint": ["/bin/run", "--token", "hunter2"],
        "environment": [{"name": "DATABASE", "value": "postgres://app:hunter2@db/x"}, {"name": "JWT", "value": JWT},
                        {"name": "MONKEY", "value": "1"}],
        "dockerLabels": {"api-token": SECRET, "team": "web"},
        "logConfiguration": {"logDriver": "splunk", "options": {"splunk-token": SECRET, "splunk-url": "https://s"}},
    }
    masked = masked_container(container)
    assert SECRET not in json.dumps(masked)
    assert masked["environment"][0]["value"] == "postgres://app:****@db/x"
    assert {"name": "MONKEY", "value": "1"} in masked["environment"]
    assert masked["dockerLabels"] == {"api-token": MASK, "team": "web"}
    assert masked["logConfiguration"]["options"]["splunk-url"] == "https://s"
    assert container["dockerLabels"]["api-token"] == SECRET  # pure: the input is untouched
    wrapped = masked_taskdef({"taskDefinition": {"family": "f", "containerDefinitions": [container]},
                              "tags": [{"key": "owner-token", "value": SECRET}]})
    assert SECRET not in json.dumps(wrapped)
    assert SECRET in json.dumps(masked_taskdef({"containerDefinitions": [container]}, show_secrets=True))


def test_diff_marks_a_url_password_that_changes_behind_the_mask() -> None:
    def doc(password: str) -> dict[str, Any]:
        return {"family": "f", "containerDefinitions": [{"name": "app", "image": "a:1", "environment": [
            {"name": "DATABASE", "value": f"postgres://app:{password}@db/x"}]}]}

    text = taskdef_diff(doc("hunter2"), doc("hunter3"), "f:1", "f:(next)")
    assert "hunter" not in text
    assert "postgres://app:****@db/x (changed)" in text


# history lines -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "expected"), [
    ('update --env web "DB_PASSWORD"=value', 'update --env web "DB_PASSWORD"=****'),
    ("x 'DB_PASSWORD=value more' y", "x 'DB_PASSWORD=****' y"),
    ('x DB_PASSWORD="a b" y', "x DB_PASSWORD=**** y"),
    ("x DB_PASSWORD='a b' y", "x DB_PASSWORD=**** y"),
    ("x 'unbalanced DB_PASSWORD=value", "x 'unbalanced DB_PASSWORD=****'"),
    ('x "unbalanced', 'x "unbalanced'),
    ("run --password hunter2 --token=x", "run --password **** --token=****"),
    ("update --env web DATABASE=postgres://app:hunter2@db/x", "update --env web DATABASE=postgres://app:****@db/x"),
    (f"update --env web SESSION={JWT}", f"update --env web SESSION={MASK}"),
    ("update --env web MONKEY=1 AUTHOR=x http://host/path", "update --env web MONKEY=1 AUTHOR=x http://host/path"),
])
def test_scrub_line_handles_quotes_and_values(line: str, expected: str) -> None:
    assert scrub_line(line) == expected


PATHOLOGICAL = ["a", "a=", "DB_PASSWORD=x ", "://a:", "eyJ", "eyJa.", "'", '"x": ', "--token ", "AKIA", "\\",
                "-----BEGIN PRIVATE KEY-----", "xoxb-", 'A="', "?token="]


def _seconds(line: str) -> float:
    started = time.perf_counter()
    scrub_line(line)
    return time.perf_counter() - started


@pytest.mark.parametrize("unit", PATHOLOGICAL)
def test_scrub_line_is_linear(unit: str) -> None:
    """10x the input takes about 10x the time; the old quadratic regex took 100x (seconds at 100 KB)."""
    small = (unit * (100_000 // len(unit) + 1))[:100_000]
    large = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    small_time = min(_seconds(small) for _ in range(2))
    assert small_time < 2.0
    assert _seconds(large) < max(30 * small_time, 0.5)


# errors --------------------------------------------------------------------------------------------
def test_parameter_validation_never_echoes_a_value() -> None:
    report = ("Invalid type for parameter containerDefinitions[0].environment[0].value, value: ['hunter2'], "
              "type: <class 'list'>, valid types: <class 'str'>\n"
              "Invalid type for parameter containerDefinitions[0].memory, value: lots, type: <class 'str'>, "
              "valid types: <class 'int'>")
    message = str(translate(bx.ParamValidationError(report=report), "RegisterTaskDefinition"))
    assert SECRET not in message
    assert "environment[0].value: **** (a list) where ECS wants a string" in message
    assert "memory: lots (a string) where ECS wants an integer" in message  # harmless scalars explain the mistake


def test_client_error_messages_are_scrubbed() -> None:
    exc = bx.ClientError({"Error": {"Code": "ClientException", "Message": f"bad value DB_PASSWORD={SECRET}"},
                          "ResponseMetadata": {"HTTPStatusCode": 400}}, "RegisterTaskDefinition")
    message = str(translate(exc, "RegisterTaskDefinition"))
    assert SECRET not in message and "DB_PASSWORD=****" in message


def test_an_html_error_page_is_summarised_in_one_line(world: World, ecsshell) -> None:
    page = f"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx {SECRET}</body>\n</html>"
    world.faults.fail("ListClusters", status=502, times=5, body=page)
    result = ecsshell("ls", extra={"AWS_MAX_ATTEMPTS": "1"})
    assert result.code == 1
    assert "HTTP 502 from the endpoint" in result.err
    assert "<" not in result.err and SECRET not in result.err and len(result.err.strip().splitlines()) == 1


def test_default_faults_still_answer_aws_json(world: World, ecsshell) -> None:
    world.faults.fail("ListClusters", status=500, times=5)
    result = ecsshell("ls", extra={"AWS_MAX_ATTEMPTS": "1"})
    assert result.code == 1 and "Injected fault on ListClusters" in result.err


def test_endpoint_password_is_never_printed(world: World, ecsshell) -> None:
    result = ecsshell("--endpoint-url", f"http://user:{SECRET}@127.0.0.1:9", "ls", extra={"AWS_MAX_ATTEMPTS": "1"})
    assert result.code == 1
    assert SECRET not in result.out + result.err
    assert "user:****@127.0.0.1:9" in result.err


# through the real CLI ------------------------------------------------------------------------------
def _secret_task(tmp_path: Path) -> Path:
    spec = {
        "family": "vault",
        "containerDefinitions": [{
            "name": "app", "image": "app:1.0", "memory": 128,
            "command": ["serve", "--password=hunter2", "--port", "80"],
            "environment": [{"name": "DATABASE", "value": "postgres://app:hunter2@db/x"},
                            {"name": "SESSION", "value": JWT}, {"name": "MONKEY", "value": "1"}],
            "dockerLabels": {"api-token": "hunter2-label", "team": "web"},
        }],
    }
    path = tmp_path / "vault.json"
    path.write_text(json.dumps(spec))
    return path


@pytest.fixture
def vault(world: World, ecsshell, tmp_path: Path) -> Path:
    path = _secret_task(tmp_path)
    registered = ecsshell("register", str(path))
    assert registered.code == 0, registered.err
    ecs = world.client("ecs")
    ecs.create_cluster(clusterName="sec")
    ecs.create_service(cluster="sec", serviceName="api", taskDefinition="vault:1", desiredCount=1)
    stored = ecs.describe_task_definition(taskDefinition="vault:1")["taskDefinition"]["containerDefinitions"][0]
    assert stored["dockerLabels"]["api-token"] == "hunter2-label"  # ECS holds the real values
    return path


def _clean(result: Any) -> None:
    assert SECRET not in result.out and SECRET not in result.err, result.out + result.err


@pytest.mark.parametrize("argv", [
    ("ls", "sec", "api", "-v"),
    ("--output", "json", "ls", "sec", "api"),
    ("taskdefs", "vault", "latest"),
    ("--output", "json", "taskdefs", "vault", "1"),
    ("update", "sec", "api", "--env", "app", "LOG_LEVEL=debug", "--dry-run"),
    ("--output", "json", "update", "sec", "api", "--env", "app", "LOG_LEVEL=debug", "--dry-run"),
])
def test_output_never_shows_secrets(ecsshell, vault: Path, argv: tuple[str, ...]) -> None:
    result = ecsshell(*argv)
    assert result.code == 0, result.err
    _clean(result)
    assert "MONKEY" in result.out


def test_text_and_json_mask_the_same_parts(ecsshell, vault: Path) -> None:
    text = ecsshell("-v", "ls", "sec", "api").out
    assert "postgres://app:****@db/x" in text and "--password=****" in text and "MONKEY=1" in text
    doc = json.loads(ecsshell("--output", "json", "taskdefs", "vault", "latest").out)
    container = doc["taskDefinition"]["containerDefinitions"][0]
    assert container["dockerLabels"] == {"api-token": MASK, "team": "web"}
    assert container["command"] == ["serve", "--password=****", "--port", "80"]
    assert {"name": "SESSION", "value": MASK} in container["environment"]


def test_register_json_masks_what_it_registered(world: World, ecsshell, tmp_path: Path) -> None:
    result = ecsshell("--output", "json", "register", str(_secret_task(tmp_path)))
    assert result.code == 0, result.err
    _clean(result)
    assert json.loads(result.out)["taskDefinition"]["family"] == "vault"
    shown = ecsshell("--output", "json", "--show-secrets", "register", str(_secret_task(tmp_path)))
    assert "postgres://app:hunter2@db/x" in shown.out


def test_show_secrets_shows_them_on_purpose(ecsshell, vault: Path) -> None:
    assert "postgres://app:hunter2@db/x" in ecsshell("-v", "--show-secrets", "ls", "sec", "api").out
    shown = ecsshell("taskdefs", "vault", "latest", "--show-secrets").out
    assert "hunter2-label" in shown and "--password=hunter2" in shown


def test_dry_run_diff_shows_a_masked_change(ecsshell, vault: Path) -> None:
    result = ecsshell("update", "sec", "api", "--env", "app", "DATABASE=postgres://app:hunter3@db/x", "--dry-run")
    assert result.code == 0, result.err
    assert "hunter" not in result.out + result.err
    assert "postgres://app:****@db/x (changed)" in result.out


@pytest.mark.parametrize("pair", [f"={SECRET}", SECRET])
def test_env_errors_never_echo_the_value(world: World, ecsshell, vault: Path, pair: str) -> None:
    result = ecsshell("update", "sec", "api", "--env", "app", pair)
    assert result.code == 2
    assert "--env wants CONTAINER NAME=VALUE" in result.err
    _clean(result)


def test_parameter_errors_from_register_never_echo_the_value(world: World, ecsshell, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"family": "x", "containerDefinitions": [
        {"name": "a", "image": "a:1", "memory": 64, "environment": [{"name": "X", "value": [SECRET]}]}]}))
    result = ecsshell("register", str(bad))
    assert result.code == 1 and "environment[0].value" in result.err
    _clean(result)


def test_history_file_never_holds_the_secret(world: World, vault: Path, tmp_path: Path) -> None:
    import lzma

    from harness import make_environment

    from ecsshell.options import Options
    from ecsshell.shell import EcsShell

    home = tmp_path / "home"
    app = EcsShell(make_environment(world, home), Options(), interactive=True)
    lines = ["update sec api --env app 'DB_PASSWORD=hunter2 x' --dry-run",
             "update sec api --env app DATABASE=postgres://app:hunter2@db/x --dry-run",
             f"update sec api --env app SESSION={JWT} --dry-run"]
    try:
        for line in lines:
            app.onecmd_plus_hooks(line)
            assert app.last_status == 0
        assert [item.raw for item in app.history[-3:]] == [scrub_line(line) for line in lines]
    finally:
        app.close()
        app._persist_history()
    stored = lzma.decompress((home / ".local/state/ecsshell/history").read_bytes()).decode()
    assert SECRET not in stored and "postgres://app:****@db/x" in stored


def test_a_value_whose_name_went_missing_is_masked_in_history() -> None:
    from ecsshell.secrets import scrub_line

    assert scrub_line("update prod web --env web =hunter2") == "update prod web --env web =****"
    assert scrub_line('update prod web --env web "=hunter2 x"') == 'update prod web --env web "=****"'
    assert scrub_line("ls a=b") == "ls a=b"


# free text from ECS and from the user (issue 21) ---------------------------------------------------
GHP = "ghp_" + "a1B2" * 9
FREE_SECRETS = f"DB_PASSWORD=hunter2 postgres://app:hunter2pw@db/x token {GHP} jwt {JWT}"
LEAKS = ("hunter2", GHP, JWT[:40])


def _no_leak(*texts: str) -> None:
    for text in texts:
        for leak in LEAKS:
            assert leak not in text, (leak, text)


@pytest.mark.parametrize(("text", "masked"), [
    ("Authorization: Bearer abcdef0123456789abcdef", "Authorization: Bearer ****"),
    ("password = hunter2 next", "password = **** next"),
    ("connect postgres://u:pw@h/x failed", "connect postgres://u:****@h/x failed"),
    (f"key AKIAABCDEFGHIJKLMNOP {AWS_SECRET} ok", f"key AKIAABCDEFGHIJKLMNOP {MASK} ok"),
    ("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", MASK),
    ("xoxb-123456789012-abcdefghij sk_live_abcdefghijklmnop1234 glpat-abcdefghij0123456789",
     f"{MASK} {MASK} {MASK}"),
])
def test_free_text_masks_credential_shapes(text: str, masked: str) -> None:
    assert scrub_text(text) == masked


@pytest.mark.parametrize("line", [
    "GET /health 200 12ms", "user logged in with password reset flow", "starting web (nginx:1.25)",
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed",
    "(service web) has reached a steady state.", "a = b, c == d", "token bucket refilled: 40 tokens",
    "sha256:5c68a3cc6f5c2d735bc66d0c5e28f16b102e65c5f553116979904731b5fa8f2c", "https://user@example.com/x",
    "Bearer of bad news", "2026-01-01T00:00:00Z INFO key=user:42 action=login",
])
def test_ordinary_log_lines_are_left_alone(line: str) -> None:
    assert scrub_text(line, log=True) == line
    assert scrub_text("user=1 password=hunter2 key=k", log=True) == "user=1 password=**** key=k"


def test_free_text_is_revealed_only_while_a_command_asks() -> None:
    from ecsshell.secrets import free_text, reveal

    try:
        assert "hunter2" not in free_text(FREE_SECRETS)
        reveal(True)
        assert free_text(FREE_SECRETS + "\x1b]0;t\x07") == FREE_SECRETS  # shown, but still plain
    finally:
        reveal(False)


def test_exec_never_echoes_a_secret_of_the_command(world: World, ecsshell, small, tmp_path: Path) -> None:
    from test_diagnose import stand_in

    env, _ = stand_in(tmp_path)
    result = ecsshell("exec", "prod", "web", "env DB_PASSWORD=hunter2 psql postgres://u:hunter2@h/x", "--force",
                      extra=env)
    assert result.code == 0, result.err
    assert "exec 'env DB_PASSWORD=**** psql postgres://u:****@h/x' in container web" in result.err
    _no_leak(result.out, result.err)
    shown = ecsshell("--show-secrets", "exec", "prod", "web", "env DB_PASSWORD=hunter2", "--force", extra=env)
    assert shown.code == 0, shown.err
    assert "env DB_PASSWORD=hunter2" in shown.err


def test_stop_reason_is_sent_whole_and_echoed_masked(world: World, ecsshell, small) -> None:
    ecs = world.client("ecs")
    arns = ecs.list_tasks(cluster="prod", serviceName="web")["taskArns"]
    reason = "DB_PASSWORD=hunter2 postgres://u:hunter2@h/x"
    text = ecsshell("stop", "prod", arns[0].rsplit("/", 1)[-1], "--reason", reason, "-y")
    as_json = ecsshell("stop", "prod", arns[1].rsplit("/", 1)[-1], "--reason", reason, "-y", "--output", "json")
    for result in (text, as_json):
        assert result.code == 0, result.err
        _no_leak(result.out, result.err)
    assert "reason: DB_PASSWORD=**** postgres://u:****@h/x" in text.out
    stopped = ecs.describe_tasks(cluster="prod", tasks=arns[:2])["tasks"]
    assert [t["stoppedReason"] for t in stopped] == [reason, reason]  # ECS got what the user wrote
    shown = ecsshell("stop", "prod", arns[2].rsplit("/", 1)[-1], "--reason", reason, "-y", "--show-secrets")
    assert shown.code == 0 and f"reason: {reason}" in shown.out


@pytest.fixture
def leaky(world: World, small: dict[str, Any]) -> None:
    """Make ECS's own words carry secrets: stop reasons, a service event, a deployment's statusReason, log lines."""
    from ecsshell.emulator import failures
    from ecsshell.emulator.scheduler import Scheduler

    failures.lacks_secrets(world, "staging-worker:1", detail=f"retrieval failed: {FREE_SECRETS}")
    world.scheduler.log_lines["web"] = [f"connecting {FREE_SECRETS}", "GET /health 200 12ms"]
    world.client("ecs").update_service(cluster="staging", service="worker", forceNewDeployment=True)
    world.client("ecs").update_service(cluster="prod", service="web", forceNewDeployment=True)
    world.advance(30)
    with world.lock:
        for service in world.backend().services.values():
            if service.name == "worker":
                Scheduler.event(service, world.scheduler.now(), f"(service worker) said {FREE_SECRETS}")
        for record in world.scheduler.service_deployments.of_service("staging", "worker"):
            record.status_reason = f"stopped: {FREE_SECRETS}"
    world.recorder.reset()


LEAKY_COMMANDS = [
    ("why", "staging", "worker"),
    ("tasks", "staging", "worker", "--stopped"),
    ("ls", "staging", "worker", "--events", "100"),
    ("deployments", "staging", "worker"),
    ("logs", "prod", "web", "--since", "1h"),
]


@pytest.mark.parametrize("argv", LEAKY_COMMANDS)
def test_what_ecs_says_is_masked_in_text_and_json(ecsshell, leaky, argv: tuple[str, ...]) -> None:
    for extra in ((), ("--output", "json")):
        result = ecsshell(*argv, *extra)
        assert "error" not in result.err or result.code == 1, result.err
        _no_leak(result.out, result.err)
        assert MASK in result.out, (argv, extra, result.out[-3000:])


@pytest.mark.parametrize("argv", LEAKY_COMMANDS)
def test_show_secrets_shows_what_ecs_said(ecsshell, leaky, argv: tuple[str, ...]) -> None:
    for result in (ecsshell("--show-secrets", *argv), ecsshell(*argv, "--show-secrets")):
        assert "hunter2" in result.out, (argv, result.out[-3000:], result.err)


def test_logs_leave_ordinary_lines_alone(ecsshell, leaky) -> None:
    result = ecsshell("logs", "prod", "web", "--since", "1h")
    assert "GET /health 200 12ms" in result.out
    assert "connecting DB_PASSWORD=**** postgres://app:****@db/x token **** jwt ****" in result.out

"""Who am I, why was I refused, and credentials that fail or expire (issue 23), against the emulated world.

Each test writes the AWS config files it needs (static keys, an assumed role, a credential process)
and runs the real ecsshell; what AWS answered is checked with the emulator's recorder.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import make_environment

from ecsshell.emulator import World
from ecsshell.options import Options
from ecsshell.shell import EcsShell

DEV = "111111111111"
PROD = "222222222222"
# A credential process: prints the credentials in the JSON file named by its argument, or fails as it says.
PROCESS = """\
import json, sys
spec = json.load(open(sys.argv[1]))
if spec.get("fail"):
    sys.stderr.write("Traceback (most recent call last):\\n  ...\\n" + spec["fail"] + "\\n")
    sys.exit(3)
if spec.get("garbage"):
    print("<html>not credentials</html>")
    sys.exit(0)
print(json.dumps({"Version": 1, **spec["credentials"]}))
"""


def expiring(key: str, minutes: float = 60) -> dict[str, Any]:
    """Return a credential process's answer: KEY, expiring MINUTES from now (real time, as botocore reads it)."""
    when = datetime.now(UTC) + timedelta(minutes=minutes)
    return {"credentials": {"AccessKeyId": key, "SecretAccessKey": "secret", "SessionToken": f"token-{key}",
                            "Expiration": when.strftime("%Y-%m-%dT%H:%M:%SZ")}}


def process_profiles(home: Path, names: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Write a config whose profiles NAMES each run the credential process on their own spec file."""
    script = home / "process.py"
    script.write_text(PROCESS, encoding="utf-8")
    config = []
    for index, (name, spec) in enumerate(names.items()):
        spec_file = home / f"spec{index}.json"
        spec_file.write_text(json.dumps(spec), encoding="utf-8")
        section = f'"{name}"' if " " in name else name  # botocore reads the section's name as shell words
        config.append(f"[profile {section}]\ncredential_process = {sys.executable} {script} {spec_file}\n"
                      "region = us-east-1\n")
    (home / "config").write_text("\n".join(config), encoding="utf-8")
    (home / "credentials").write_text("", encoding="utf-8")
    return {"AWS_CONFIG_FILE": str(home / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials")}


def one_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# whoami ------------------------------------------------------------------------------------------
def test_whoami_says_profile_source_account_alias_caller_region_and_expiry(world: World, ecsshell, home) -> None:
    env = world.profiles(home / "aws", {"dev": DEV}, roles={"deployer": ("dev", PROD)})
    world.client("iam", account=DEV).create_account_alias(AccountAlias="acme-dev")
    world.recorder.reset()
    static = ecsshell("--profile", "dev", "whoami", extra=env)
    assert static.code == 0, static.err
    assert static.out.splitlines() == [
        "profile      dev", "credentials  shared credentials file", f"account      {DEV} (acme-dev)",
        f"caller       arn:aws:iam::{DEV}:user/ecsshell-dev", "region       us-east-1",
        "expires      never (static keys)"]
    assert world.recorder.calls["GetCallerIdentity"] == 1 and world.recorder.calls["ListAccountAliases"] == 1

    world.access.deny("iam:ListAccountAliases")
    role = ecsshell("--profile", "deployer", "whoami", "--output", "json", extra=env)
    assert role.code == 0, role.err
    doc = json.loads(role.out)
    assert doc["Account"] == PROD and doc["Arn"].startswith(f"arn:aws:sts::{PROD}:assumed-role/ecsshell/")
    mine = doc["ecsshell"]
    assert mine["credentialSource"] == "assume-role"
    assert mine["credentials"] == f'assume role arn:aws:iam::{PROD}:role/ecsshell (source profile "dev")'
    assert mine["accountAliasReadable"] is False and mine["accountAliases"] is None
    expires = datetime.fromisoformat(mine["expiration"])
    assert expires > datetime.now(UTC) and mine["expires"].endswith(" UTC")  # an assumed role's session ends
    text = ecsshell("--profile", "deployer", "whoami", extra=env)
    assert f"account      {PROD} (alias not readable)" in text.out and text.code == 0


# AccessDenied ------------------------------------------------------------------------------------
def test_access_denied_names_the_action_and_the_principal_and_changes_nothing(world: World, ecsshell, home,
                                                                               small) -> None:
    env = world.profiles(home / "aws", {}, roles={"deployer": ("default", "123456789012")})
    (home / "aws" / "credentials").write_text("[default]\naws_access_key_id = testing\n"
                                              "aws_secret_access_key = testing\n", encoding="utf-8")
    role = "arn:aws:sts::123456789012:assumed-role/ecsshell"  # each run's session of the role
    world.access.deny("ecs:UpdateService", principal=role)
    world.recorder.reset()
    result = ecsshell("--profile", "deployer", "scale", "prod", "api", "5", "-y", extra=env)
    assert result.code == 1
    line = one_error(result.err)
    assert line.startswith(f"error: not allowed: ecs:UpdateService for {role}/botocore-session-")
    assert line.split(" ", 6)[-1] == (
        'on service "api" in cluster "prod" (no identity-based '
        "policy allows the ecs:UpdateService action)")
    assert world.recorder.calls["GetCallerIdentity"] == 0  # AWS's message named the principal
    svc = world.client("ecs").describe_services(cluster="prod", services=["api"])["services"][0]
    assert svc["desiredCount"] != 5
    assert ecsshell("scale", "prod", "api", "5", "-y", extra=env).code == 0  # another principal may


def test_a_refusal_that_names_no_one_asks_sts_once_and_a_fan_out_row_says_denied(world: World, ecsshell, home,
                                                                                 small) -> None:
    world.faults.deny("us-east-1")  # "User is not authorized to perform this action in this Region"
    result = ecsshell("ls", extra={})
    assert one_error(result.err).startswith(
        "error: not allowed: ecs:ListClusters for arn:aws:sts::123456789012:user/moto (User is not authorized")
    assert world.recorder.calls["GetCallerIdentity"] == 1
    env = world.profiles(home / "aws", {"dev": DEV, "prod": PROD})
    dev = json.loads(ecsshell("--profile", "dev", "whoami", "--output", "json", extra=env).out)["Arn"]
    world.faults.clear()
    world.access.deny("ecs:ListClusters", principal=dev)
    fan = ecsshell("ls", "--profiles", "dev,prod", extra=env)
    assert fan.code == 1 and one_error(fan.err) == "error: 1 of 2 targets failed (dev@us-east-1); the others are shown"
    (row,) = [line for line in fan.out.splitlines() if line.startswith("dev ")]
    assert row.split()[-2:] == ["denied:", "ecs:ListClusters"]


# credential_process ------------------------------------------------------------------------------
def test_a_credential_process_that_fails_says_so_in_one_line_and_one_that_works_is_silent(world: World, ecsshell,
                                                                                          home) -> None:
    env = process_profiles(home, {"ci": {"fail": "token service unreachable (HTTP 503)"},
                                  "garbled": {"garbage": True}, "good": expiring("ASIAGOODKEY000000001"),
                                  "stale": expiring("ASIASTALEKEY00000001", minutes=-5),
                                  "a\x1b[31mred": {"fail": "no"}, "two words": {"fail": "no"}})
    failed = ecsshell("--profile", "ci", "ls", extra=env)
    assert failed.code == 1 and failed.out == ""
    assert one_error(failed.err) == 'error: profile "ci": its credential process failed: token service unreachable ' \
                                    "(HTTP 503)"
    garbled = ecsshell("--profile", "garbled", "ls", extra=env)
    assert one_error(garbled.err).endswith('profile "garbled": its credential process failed: it printed no JSON '
                                           "credentials on stdout")
    good = ecsshell("--profile", "good", "ls", extra=env)
    assert good.code == 0 and good.err == "" and good.out.startswith("No clusters")
    whoami = ecsshell("--profile", "good", "whoami", extra=env)
    assert f"credentials  credential process ({sys.executable}" in whoami.out
    assert "expires      " in whoami.out and "UTC" in whoami.out
    red = ecsshell("--profile", "a\x1b[31mred", "ls", extra=env)
    assert one_error(red.err).startswith('error: profile "a\\x1b[31mred": its credential process failed')
    assert "\x1b" not in red.err
    words = ecsshell("--profile", "two words", "whoami", extra=env)
    assert one_error(words.err).startswith('error: profile "two words": its credential process failed: no')
    where = ecsshell("--profile", "a\x1b[31mred", "profile", extra=env)  # STS cannot answer: the account is unknown
    assert where.out == 'profile "a\\x1b[31mred", account unknown (STS did not answer), region us-east-1\n'
    stale = ecsshell("--profile", "stale", "ls", extra=env)  # botocore: "refreshed credentials are still expired"
    assert one_error(stale.err).startswith('error: credentials for profile "stale" (credential process) expired at ')


def test_expired_keys_from_the_environment_say_to_start_again(world: World, ecsshell) -> None:
    world.access.expire("ASIAENVIRONMENTKEY01")
    result = ecsshell("-cred", "env", "ls", extra={"AWS_ACCESS_KEY_ID": "ASIAENVIRONMENTKEY01",
                                                   "AWS_SESSION_TOKEN": "token"})
    assert result.code == 1
    assert one_error(result.err) == (
        "error: the credentials from the environment variables expired: export fresh AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN and start ecsshell again")
    assert world.recorder.calls["ListClusters"] == 1  # the same keys again: not sent twice


def test_each_credential_source_is_described_as_whoami_shows_it() -> None:
    from botocore.credentials import Credentials, RefreshableCredentials

    from ecsshell.aws.credentials import expiry_text, source_of

    def described(method: str, config: dict[str, str] | None = None) -> str:
        return source_of(Credentials("AKIA", "s", method=method), config or {}).description

    assert described("sso", {"sso_session": "acme"}) == "SSO (acme)"
    assert described("assume-role-with-web-identity") == "web identity"
    assert described("container-role") == "container (task role)"
    assert described("iam-role") == "instance metadata (instance role)"
    assert described("env") == "environment variables"
    assert described("assume-role", {"role_arn": "arn:aws:iam::1:role/r", "credential_source": "Ec2InstanceMetadata"}
                     ) == "assume role arn:aws:iam::1:role/r (credential source Ec2InstanceMetadata)"
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    refreshable = RefreshableCredentials("ASIA", "s", "t", when, lambda: {}, "sso")
    assert expiry_text(source_of(refreshable, {})) == "2030-01-02 03:04:05 UTC"
    assert expiry_text(source_of(Credentials("ASIA", "s", "t", method="env"), {})).startswith("unknown")


# expiry mid-session ------------------------------------------------------------------------------
def test_credentials_expiring_in_an_open_shell_are_renewed_or_say_what_to_do(world: World, home, small) -> None:
    env = process_profiles(home, {"proc": expiring("ASIAFIRSTKEY00000001")})
    (home / "credentials").write_text("[static]\naws_access_key_id = ASIASTATICKEY0000001\n"
                                      "aws_secret_access_key = s\naws_session_token = t\n", encoding="utf-8")
    environment = make_environment(world, home, extra=env, tty=True)
    app = EcsShell(environment, Options(profile="proc"), interactive=True)
    err = environment.stderr
    assert isinstance(err, io.StringIO)
    try:
        assert app.onecmd_plus_hooks("ls") is False and app.last_status == 0
        # the process now gives fresh keys, and AWS refuses the old ones: the next command renews them
        (home / "spec0.json").write_text(json.dumps(expiring("ASIASECONDKEY0000001")), encoding="utf-8")
        world.access.expire("ASIAFIRSTKEY00000001")
        world.recorder.reset()
        app.onecmd_plus_hooks("ls")
        assert app.last_status == 0 and err.getvalue() == ""
        assert world.recorder.calls["ListClusters"] == 2  # refused once, then answered with the fresh keys
        # the process keeps giving keys AWS finds expired: one line says what to do, and the shell goes on
        world.access.expire("ASIASECONDKEY0000001")
        app.onecmd_plus_hooks("ls")
        assert app.last_status == 1
        line = one_error(err.getvalue())
        assert line.startswith('error: credentials for profile "proc" (credential process) expired at ')
        assert line.endswith(f"check its credential process ({sys.executable} {home / 'process.py'} "
                             f"{home / 'spec0.json'}), which gave expired ones, and run the command again")
        app.onecmd_plus_hooks("profile static")
        assert app.last_status == 0
        world.access.expire("ASIASTATICKEY0000001")
        err.truncate(0)
        err.seek(0)
        app.onecmd_plus_hooks("ls prod")
        assert one_error(err.getvalue()) == (
            'error: credentials for profile "static" (shared credentials file) expired: put fresh keys in profile '
            '"static"\'s section of the AWS credentials file, and run the command again')
        (home / "credentials").write_text("[static]\naws_access_key_id = ASIASTATICKEY0000002\n"
                                          "aws_secret_access_key = s\naws_session_token = t\n", encoding="utf-8")
        app.onecmd_plus_hooks("ls prod")
        assert app.last_status == 0 and "api" in environment.stdout.getvalue()  # type: ignore[attr-defined]
    finally:
        app.close()


# docs/identity.md --------------------------------------------------------------------------------
def test_the_identity_page_examples_run_as_it_says(world: World, ecsshell, home, small, monkeypatch) -> None:
    from test_readme import ROOT, run_examples

    env = world.profiles(home / "aws", {"dev": DEV}, roles={"deployer": ("dev", "123456789012")})
    failing = process_profiles(home, {"ci": {"fail": "token service unreachable (HTTP 503)"}})
    with open(env["AWS_CONFIG_FILE"], "a", encoding="utf-8") as config:
        config.write("\n" + Path(failing["AWS_CONFIG_FILE"]).read_text(encoding="utf-8"))
    world.client("iam", account=DEV).create_account_alias(AccountAlias="acme-dev")
    world.access.deny("ecs:UpdateService", principal="arn:aws:sts::123456789012:assumed-role/ecsshell")
    world.access.deny("ecs:ListClusters", principal=f"arn:aws:iam::{DEV}:user/ecsshell-dev")
    monkeypatch.chdir(ROOT)
    ran = run_examples(ecsshell, "<!-- identity:", 5, extra=env, errors_say_why=True)
    page = (ROOT / "docs" / "identity.md").read_text(encoding="utf-8")
    for command, _, result in ran:
        shown = page.split(f"$ {command}", 1)[1].split("$ ecsshell", 1)[0].split("```", 1)[0]
        for line in (result.out + result.err).splitlines():  # what the page shows is what ran, but for ids
            if not any(varies in line for varies in ("botocore-session-", '"UserId"', '"expiration"', '"expires"')):
                assert line in shown, (command, line)


def test_the_iam_page_names_real_commands_and_actions_only() -> None:
    import re

    import botocore.session
    from test_readme import ROOT

    from ecsshell.commands.examples import EXAMPLES

    session = botocore.session.get_session()
    services = ("ecs", "elbv2", "elb", "logs", "sts", "iam", "ssm", "scheduler", "events", "application-autoscaling",
                "ecr", "secretsmanager", "cloudwatch")
    prefixes = {"monitoring": "cloudwatch"}  # IAM's prefix where it is not the signing name
    models = [session.get_service_model(name) for name in services]
    actions = {f"{prefixes.get(m.signing_name, m.signing_name)}:{operation}" for m in models
               for operation in m.operation_names} | {"iam:PassRole"}  # a permission with no API call
    table = (ROOT / "docs" / "iam.md").read_text(encoding="utf-8").split("| command | actions |", 1)[1]
    rows = re.findall(r"^\| `(\w+)` \| (.*) \|$", table, re.MULTILINE)
    assert {command for command, _ in rows} <= set(EXAMPLES) and len(rows) >= 20
    named = {action for _, cells in rows for action in re.findall(r"`([a-z-]+:[A-Za-z]+)`", cells)}
    assert named and named <= actions, named - actions
    assert {"ecs:UpdateService", "iam:ListAccountAliases", "logs:FilterLogEvents"} <= named


def test_an_odd_profile_name_is_escaped_in_the_prompt_and_the_toolbar(world: World, home) -> None:
    env = process_profiles(home, {"a\x1b[31mred": expiring("ASIAREDKEY0000000001")})
    app = EcsShell(make_environment(world, home, extra=env), Options(profile="a\x1b[31mred"), interactive=False)
    try:
        assert app.prompt == "[a\\x1b[31mred] ecs> "
        toolbar = str(app.get_bottom_toolbar())
        assert "profile: a\\x1b[31mred |" in toolbar and "\x1b" not in toolbar
    finally:
        app.close()

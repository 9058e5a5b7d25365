"""SSO profiles (both forms), `login` by the device flow against the emulated IAM Identity Center, and MFA roles."""

from __future__ import annotations

import hashlib
import json
import re
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from harness import make_environment, run_ecsshell

from ecsshell.emulator import World
from ecsshell.options import Options
from ecsshell.shell import EcsShell

START_URL = "https://corp.awsapps.com/start"
ACCOUNT = "111122223333"
MFA_SERIAL = "arn:aws:iam::123456789012:mfa/alice"
CONFIG = f"""\
[profile dev]
sso_session = corp
sso_account_id = {ACCOUNT}
sso_role_name = Dev
region = us-east-1

[sso-session corp]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_account_id = {ACCOUNT}
sso_role_name = Dev
region = us-east-1

[profile base]
region = us-east-1

[profile mfa]
role_arn = arn:aws:iam::222233334444:role/admin
source_profile = base
mfa_serial = {MFA_SERIAL}
region = us-east-1

[profile mfa-short]
role_arn = arn:aws:iam::222233334444:role/admin
source_profile = base
mfa_serial = {MFA_SERIAL}
duration_seconds = 900
region = us-east-1
"""


def write_config(home: Path) -> Path:
    """Write the test's AWS config (SSO, legacy SSO, an MFA role) and keys for `base`; return the token folder."""
    (home / "aws-config").write_text(CONFIG, encoding="utf-8")
    (home / "aws-credentials").write_text("[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
                                          encoding="utf-8")
    return home / ".aws" / "sso" / "cache"


def write_token(folder: Path, key: str, expires: datetime, **extra: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha1(key.encode()).hexdigest()}.json"
    path.write_text(json.dumps({"startUrl": START_URL, "region": "us-east-1", "accessToken": "not-issued",
                                "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"), **extra}), encoding="utf-8")
    return path


def test_a_missing_or_expired_sso_token_says_to_log_in_in_one_line(world: World, home: Path) -> None:
    folder = write_config(home)
    for profile in ("dev", "legacy"):
        result = run_ecsshell(world, home, "-cred", profile, "ls")
        assert (result.code, result.out) == (1, "")
        assert result.err == f"error: SSO login for profile {profile} missing: run ecsshell login {profile}\n"
    past = datetime.now(UTC) - timedelta(hours=1)
    write_token(folder, "corp", past)  # an sso-session's token, keyed by the session's name
    write_token(folder, START_URL, past)  # the older form's, keyed by the start URL
    for profile in ("dev", "legacy"):
        result = run_ecsshell(world, home, "-cred", profile, "ls")
        assert result.err == f"error: SSO login for profile {profile} expired: run ecsshell login {profile}\n"
        assert result.code == 1
    write_token(folder, START_URL, datetime.now(UTC) + timedelta(hours=1))  # unexpired, but not the portal's
    result = run_ecsshell(world, home, "-cred", "legacy", "ls")
    assert result.err == "error: SSO login for profile legacy expired: run ecsshell login legacy\n"
    assert world.recorder.calls["GetRoleCredentials"] == 1  # the portal refused it (UnauthorizedException)
    assert world.recorder.calls["ListClusters"] == 0


def test_odd_profile_names_are_quoted_in_the_login_line(world: World, home: Path) -> None:
    write_config(home)
    config = home / "aws-config"
    config.write_text(config.read_text() + f"\n[profile dev$prod]\nsso_session = corp\nsso_account_id = {ACCOUNT}\n"
                      "sso_role_name = Dev\n", encoding="utf-8")
    result = run_ecsshell(world, home, "-cred", "dev$prod", "ls")
    assert result.err == "error: SSO login for profile 'dev$prod' missing: run ecsshell login 'dev$prod'\n"


def shell_at_a_terminal(world: World, home: Path, profile: str) -> EcsShell:
    return EcsShell(make_environment(world, home, tty=True), Options(profile=profile), interactive=True)


@pytest.mark.parametrize("profile", ["dev", "legacy"])
def test_login_writes_botocores_token_cache_and_the_same_shell_then_works(world: World, home: Path,
                                                                          profile: str) -> None:
    folder = write_config(home)
    world.client("ecs", account=ACCOUNT).create_cluster(clusterName="sso-only")
    world.recorder.reset()
    app = shell_at_a_terminal(world, home, profile)
    try:
        app.onecmd_plus_hooks("ls")
        assert app.last_status == 1
        app.onecmd_plus_hooks("login" if sys.platform.startswith("linux") else "login --no-browser")
        assert app.last_status == 0
        err = app.environment.stderr.getvalue()
        assert "https://device.sso.us-east-1.amazonaws.com/?user_code=" in err  # no DISPLAY: the URL and code
        app.onecmd_plus_hooks("ls")
        assert app.last_status == 0
        assert "sso-only" in app.environment.stdout.getvalue()  # the role's account, through GetRoleCredentials
    finally:
        app.close()
    calls = world.recorder.calls
    assert (calls["RegisterClient"], calls["StartDeviceAuthorization"], calls["GetRoleCredentials"]) == (1, 1, 1)
    assert calls["CreateToken"] == 3  # pending twice (the emulator approves on the third poll), then the token
    key = "corp" if profile == "dev" else START_URL
    path = folder / f"{hashlib.sha1(key.encode()).hexdigest()}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    token = json.loads(path.read_text())
    assert token["startUrl"] == START_URL and token["region"] == "us-east-1" and token["expiresAt"].endswith("Z")
    expected = {"clientId", "clientSecret", "registrationExpiresAt", "refreshToken"} if profile == "dev" else set()
    assert expected <= set(token) and (profile == "dev" or "refreshToken" not in token)


def test_an_expired_sso_session_token_is_refreshed_through_the_emulated_oidc(world: World, home: Path) -> None:
    folder = write_config(home)
    app = shell_at_a_terminal(world, home, "dev")
    try:
        app.onecmd_plus_hooks("login --no-browser")
    finally:
        app.close()
    path = folder / f"{hashlib.sha1(b'corp').hexdigest()}.json"
    token = json.loads(path.read_text())
    path.write_text(json.dumps({**token, "expiresAt": "2020-01-01T00:00:00Z"}))
    world.recorder.reset()
    result = run_ecsshell(world, home, "-cred", "dev", "ls")
    assert (result.code, result.err) == (0, "")
    assert world.recorder.calls["CreateToken"] == 1  # grant refresh_token, as botocore refreshes
    assert json.loads(path.read_text())["accessToken"] != token["accessToken"]


def test_a_sign_in_nobody_approves_expires_in_one_line_and_writes_nothing(world: World, home: Path) -> None:
    folder = write_config(home)
    world.sso.approve_after = None  # nobody approves in the browser
    world.sso.device_expires_in = 5
    app = shell_at_a_terminal(world, home, "dev")
    try:
        app.onecmd_plus_hooks("login --no-browser")
        assert app.last_status == 1
        err = app.environment.stderr.getvalue().splitlines()
    finally:
        app.close()
    assert re.fullmatch(r"error: the sign-in code [A-Z]{4}-[A-Z]{4} expired before it was approved: run login again",
                        err[-1]), err
    assert world.recorder.calls["CreateToken"] == 5  # once a second, as StartDeviceAuthorization's interval says
    assert not folder.exists()


def test_the_device_flow_polls_at_the_interval_and_slower_after_slow_down() -> None:
    from ecsshell.operations.login import DeviceAuthorization, device_login

    answers = iter(["pending", "slow_down", "pending", "done"])
    slept: list[float] = []
    authorization = DeviceAuthorization("https://device", "https://device?user_code=A", "A", "code", 2, 600)

    class Authorizer:
        def start(self) -> DeviceAuthorization:
            return authorization

        def poll(self, _: DeviceAuthorization) -> str:
            return next(answers)

    assert device_login(Authorizer(), lambda _: None, slept.append, lambda: sum(slept)) is authorization
    assert slept == [2, 2, 7, 7]


def test_login_in_a_script_refuses_with_the_command_to_run(world: World, home: Path) -> None:
    write_config(home)
    result = run_ecsshell(world, home, "-cred", "dev", "-c", "login legacy")
    assert (result.code, result.out) == (1, "")
    assert result.err == ("error: login needs a person at a terminal to approve the sign-in: run "
                          "`ecsshell login legacy` in a terminal\n")
    assert world.recorder.total == 0


def test_an_mfa_role_in_a_script_refuses_naming_the_profile(world: World, home: Path) -> None:
    write_config(home)
    result = run_ecsshell(world, home, "-cred", "mfa", "ls")
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith(f"error: profile mfa needs an MFA code ({MFA_SERIAL}): run it in the "
                                 "interactive shell, or export credentials")
    assert len(result.err.splitlines()) == 1
    assert world.recorder.calls["AssumeRole"] == 0


@pytest.mark.pty
def test_the_interactive_shell_asks_for_the_mfa_code_once_and_masked(world: World, home: Path) -> None:
    from test_pty import Terminal

    write_config(home)
    world.sso.mfa_code = "864209"
    world.client("ecs", account="222233334444").create_cluster(clusterName="behind-mfa")
    world.recorder.reset()
    term = Terminal(world, home, "-cred", "mfa")
    try:
        term.wait_for("ecs>")
        term.child.send("ls\r")
        term.wait_for(f"Enter MFA code for {MFA_SERIAL}:")
        term.child.send("864209\r")
        term.wait_for("behind-mfa")
        term.child.send("ls behind-mfa\r")
        term.wait_for("0 services in cluster behind-mfa")
        term.wait_for("profile: mfa | account: 222233334444")  # asked of STS once the code was given
        screen = term.text()
    finally:
        term.close()
    assert "864209" not in screen  # masked
    assert screen.count("Enter MFA code") == 1
    assert world.recorder.calls["AssumeRole"] == 1
    assert world.sso.mfa_calls == [(MFA_SERIAL, "864209")]


def test_a_wrong_mfa_code_fails_in_one_line_and_the_next_command_asks_again(world: World, home: Path) -> None:
    write_config(home)
    app = shell_at_a_terminal(world, home, "mfa")
    codes = iter(["000000", "123456"])
    asked: list[str] = []

    def typed(prompt: str) -> str:  # the person at the terminal (the pty test covers the masked prompt itself)
        asked.append(prompt)
        return next(codes)

    app.read_secret = typed  # type: ignore[method-assign]
    try:
        app.onecmd_plus_hooks("ls")
        assert app.last_status == 1
        assert app.environment.stderr.getvalue() == ("error: profile mfa: AWS refused the MFA code: MultiFactor"
                                                     "Authentication failed with invalid MFA one time pass code. "
                                                     "(AccessDenied)\n")
        app.onecmd_plus_hooks("ls")
        app.onecmd_plus_hooks("ls")
        assert app.last_status == 0
    finally:
        app.close()
    assert asked == [f"Enter MFA code for {MFA_SERIAL}: "] * 2
    assert world.sso.mfa_calls == [(MFA_SERIAL, "000000"), (MFA_SERIAL, "123456")]


def test_the_docs_sso_examples_run(world: World, ecsshell, home: Path) -> None:  # type: ignore[no-untyped-def]
    from test_readme import run_examples

    write_config(home)
    files = {"HOME": str(home), "AWS_CONFIG_FILE": str(home / "aws-config"),
             "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials")}
    for command, _, result in run_examples(ecsshell, "<!-- sso:", 3, extra=files):
        assert len(result.err.splitlines()) == 1, command
        assert f"\n{result.err}" in DOC_SSO or result.err.rstrip() in DOC_SSO, (command, result.err)


DOC_SSO = (Path(__file__).resolve().parent.parent / "docs" / "sso.md").read_text(encoding="utf-8")


def test_mfa_credentials_ask_again_only_when_they_must_be_refreshed(world: World, home: Path) -> None:
    write_config(home)
    app = shell_at_a_terminal(world, home, "mfa-short")  # 900 s: inside botocore's 15-minute advisory window
    asked: list[str] = []
    app.read_secret = lambda prompt: asked.append(prompt) or "123456"  # type: ignore[method-assign,func-returns-value]
    try:
        app.onecmd_plus_hooks("ls")
        app.onecmd_plus_hooks("ls")
        assert (app.last_status, len(asked)) == (0, 1)  # not 10 minutes from expiry yet: no new code
        soon = datetime.now(UTC) + timedelta(minutes=9)  # time passes: 9 minutes left, the next command must ask
        app.session_gateway.session.get_credentials()._expiry_time = soon  # what botocore holds
        for role in app._role_credentials.values():  # and the session's cache of assumed roles
            role["Credentials"]["Expiration"] = soon
        app.onecmd_plus_hooks("ls")
        assert app.last_status == 0
    finally:
        app.close()
    assert len(asked) == 2 and world.recorder.calls["AssumeRole"] == 2
    assert "Traceback" not in app.environment.stderr.getvalue()


def test_the_sso_endpoints_are_configured_as_botocore_names_them() -> None:
    from ecsshell.endpoints import configured_endpoint

    env = {"AWS_ENDPOINT_URL_SSO_OIDC": "http://oidc.test", "AWS_ENDPOINT_URL_SSO": "http://portal.test",
           "AWS_CONFIG_FILE": "/nonexistent"}
    assert configured_endpoint("sso-oidc", env) == "http://oidc.test"
    assert configured_endpoint("sso", env) == "http://portal.test"

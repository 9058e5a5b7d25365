"""Read the user's defaults from the XDG config file (~/.config/ecsshell/config)."""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path

from .private_files import distrust, read_private

MAX_CONFIG = 1024 * 1024

DEFAULT_CONFIG = """\
# ecsshell configuration. Command-line flags override these values.
[main]
# AWS profile to use when neither -cred/--profile nor ECSCREDENTIAL is given.
# profile = default
# Region to use when neither --region nor AWS_REGION is given.
# region = us-east-1
# Output format: text or json.
# output = text
# Ask before commands that change ECS (only when stdin and stdout are terminals).
# confirm = true
# Colour on terminals (NO_COLOR in the environment also turns it off).
# color = true
# Wait for a rollout to finish after update in the interactive shell.
# wait = true
# Refuse every command that changes ECS (like --read-only).
# read_only = false
# Allow shell commands, pipes and redirection in scripts and -c (like --allow-shell).
# allow_shell = false

# Labels for AWS accounts, shown in the toolbar and the prompt, with an optional prompt colour
# (red, green, yellow, blue, magenta or cyan), so that production looks different at a glance:
# ACCOUNT_ID = LABEL [COLOUR]
[accounts]
# 123456789012 = prod red
# 210987654321 = staging
"""
COLOURS = ("red", "green", "yellow", "blue", "magenta", "cyan")  # the ANSI colours a prompt label may take


class ConfigFileError(ValueError):
    """The config file exists but cannot be read."""


@dataclass(frozen=True)
class AccountLabel:
    """What the config calls an AWS account, and the colour of its prompt (None: the terminal's)."""

    label: str
    colour: str | None = None


@dataclass
class Config:
    """Defaults from the config file; None where the file says nothing."""

    profile: str | None = None
    region: str | None = None
    output: str | None = None
    confirm: bool = True
    color: bool = True
    wait: bool = True
    read_only: bool = False
    allow_shell: bool = False
    path: Path | None = None
    accounts: dict[str, AccountLabel] = field(default_factory=dict)  # account id -> its label


def _bool(parser: configparser.ConfigParser, key: str, default: bool) -> bool:
    try:
        return parser.getboolean("main", key, fallback=default)
    except ValueError as exc:
        raise ConfigFileError(f"{key} must be true or false") from exc


def _accounts(parser: configparser.ConfigParser) -> dict[str, AccountLabel]:
    """Read the [accounts] section: ACCOUNT_ID = LABEL [COLOUR]."""
    if not parser.has_section("accounts"):
        return {}
    labels = {}
    for account, value in parser.items("accounts"):
        if not (len(account) == 12 and account.isascii() and account.isdigit()):
            raise ConfigFileError(f"[accounts]: {account!r} is not an AWS account id (12 digits)")
        words = value.split()
        if not words or len(words) > 2:
            raise ConfigFileError(f"[accounts]: {account} = {value!r}: give LABEL and optionally a colour")
        colour = words[1].lower() if len(words) == 2 else None
        if colour is not None and colour not in COLOURS:
            raise ConfigFileError(f"[accounts]: {account}: colour {words[1]!r} is not one of {', '.join(COLOURS)}")
        labels[account] = AccountLabel(words[0], colour)
    return labels


def write_default(config_dir: Path) -> Path | None:
    """Write the commented default config to CONFIG_DIR/config unless a file is there; return its path."""
    path = config_dir / "config"
    if path.exists():
        return None
    try:
        config_dir.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(DEFAULT_CONFIG)
    except OSError:
        return None
    return path


def load(config_dir: Path) -> Config:
    """Read CONFIG_DIR/config (defaults when there is none); never write anything."""
    path = config_dir / "config"
    if not os.path.lexists(path):
        return Config(path=None)
    parser = configparser.ConfigParser()
    try:
        reason = distrust(path)
        if reason:  # it says whether to refuse changes: never read one that someone else could have written
            raise ConfigFileError(f"{reason}: not read (make it your own and not writable by others)")
        data = read_private(path, max_bytes=MAX_CONFIG, private=False)
        if data is None:
            raise ConfigFileError(f"cannot read {path}: not a regular file of at most {MAX_CONFIG} bytes")
        parser.read_string(data.decode("utf-8"), source=str(path))
    except configparser.Error as exc:
        raise ConfigFileError(f"cannot read {path}: {exc}".splitlines()[0]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigFileError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    output = parser.get("main", "output", fallback=None)
    if output not in (None, "text", "json"):
        raise ConfigFileError(f"{path}: output must be text or json, not {output!r}")
    try:
        return Config(
            profile=parser.get("main", "profile", fallback=None),
            region=parser.get("main", "region", fallback=None),
            output=output,
            confirm=_bool(parser, "confirm", True),
            color=_bool(parser, "color", True),
            wait=_bool(parser, "wait", True),
            read_only=_bool(parser, "read_only", False),
            allow_shell=_bool(parser, "allow_shell", False),
            path=path,
            accounts=_accounts(parser),
        )
    except ConfigFileError as exc:
        raise ConfigFileError(f"{path}: {exc}") from exc

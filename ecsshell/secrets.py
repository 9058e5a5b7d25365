"""Decide which environment names look secret and mask their values.

A name is split into word parts on ``_``, ``-``, ``.``, ``/``, spaces, camelCase boundaries and
digits, then upper-cased. It is secret when one part:

- is one of the short words ``KEY``, ``KEYS``, ``AUTH``, ``PWD``, ``PASS``, ``DSN``, ``CONN``,
  ``CONNECTION``, ``SALT``, ``CREDS`` (a whole part only, so ``MONKEY``,
  ``KEYBOARD_LAYOUT``, ``AUTHOR`` and ``PASSENGER_COUNT`` stay visible), or
- ends with one of the long words ``PASSWORD``, ``PASSWD``, ``PASSPHRASE``, ``SECRET``, ``TOKEN``,
  ``CREDENTIAL``, ``APIKEY``, ``ACCESSKEY``, ``SECRETKEY``, ``PRIVATEKEY``, ``CONNSTR``,
  ``CONNECTIONSTRING`` (optionally plural), so ``DBPASSWORD``, ``GITHUBTOKEN`` and ``XAPIKEY``
  are secret while ``TOKENIZER_MODEL`` is not.

Masking errs on the side of hiding: ``AWS_ACCESS_KEY_ID`` or ``AUTH_URL`` are masked too.

Values are masked whatever their name when they are secrets themselves (a JWT, a PEM private
key, a GitHub/GitLab/Slack/Stripe token, an AWS secret access key); a URL keeps everything but
its password (``postgres://app:****@db/x``). Free text (errors, history, and what ECS
says: reasons, events, log lines) is scrubbed the same way, plus secret ``NAME=VALUE``,
``--flag=VALUE``, ``"NAME": "VALUE"`` and ``Bearer TOKEN`` forms; `free_text` does it unless the
running command reveals secrets (``--show-secrets``, see `reveal`). Every pattern
starts only at a fixed prefix or after a word boundary, so scrubbing stays linear in the text.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ecsshell.model import ContainerDef
from ecsshell.plain import plain, plain_json

MASK = "****"

_SHORT_WORDS = frozenset(
    {"KEY", "KEYS", "AUTH", "PWD", "PASS", "DSN", "CONN", "CONNECTION", "SALT", "CREDS"}
)
_LONG_WORD = re.compile(
    r"[A-Z0-9]*(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|APIKEY|ACCESSKEY|SECRETKEY"
    r"|PRIVATEKEY|CONNSTR|CONNECTIONSTRING)S?"
)
_SEPARATORS = re.compile(r"[_\-./\s:]+")
_CAMEL_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# values that are secrets whatever their name ------------------------------------------------------
_B64URL = "A-Za-z0-9_-"
_JWT = rf"(?<![{_B64URL}])eyJ[{_B64URL}]+\.eyJ[{_B64URL}]+\.[{_B64URL}]*"
_PEM = (r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"
        r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|.*)")
_TOKEN = (r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"
          r"|xox[abposr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|[sr]k_live_[A-Za-z0-9]{16,})")
_AWS_PAIR = (r"(?<![A-Z0-9])(?P<key_id>(?:AKIA|ASIA)[A-Z0-9]{16})(?P<sep>[\s:=,;\"'|]+)"
             r"(?P<aws_secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])")
_SECRET_VALUE = re.compile(f"{_JWT}|{_PEM}|{_TOKEN}|{_AWS_PAIR}", re.DOTALL)
_AWS_SECRET_KEY = re.compile(r"[A-Za-z0-9/+]{40}")

# free text: each alternative names its groups, so _replacement knows which one matched -------------
_URL_PASSWORD = r"(?P<url>://[^\s:/@\"'<>]*:)[^\s/?#\"'<>]+@"
_BEARER = r"(?<![\w-])(?P<bearer>(?:[Bb]earer|BEARER)\s+)(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}"
_ASSIGNMENT = r"(?<![\w.\-])(?P<name>-{0,2}[A-Za-z_][\w.\-]*) ?="
_QUOTED_NAME = r"(?P<q>[\"'])(?P<qname>[^\"'\n]{1,200})(?P=q)\s*:\s*"
_NAME_VALUE = (r"(?P<p>[\"'])name(?P=p)\s*:\s*(?P=p)(?P<ename>[^\"'\n]{1,200})(?P=p)\s*,\s*"
               r"(?P=p)value(?P=p)\s*:\s*")
_FREE_TEXT = re.compile(f"(?P<whole>{_JWT}|{_PEM}|{_TOKEN})|{_AWS_PAIR}|{_URL_PASSWORD}|{_NAME_VALUE}"
                        f"|{_QUOTED_NAME}|{_BEARER}|{_ASSIGNMENT}", re.DOTALL)


def _maybe_secret(text: str) -> bool:
    """Say whether TEXT holds what every match of _FREE_TEXT holds (substring tests: most text has none)."""
    return ("=" in text or "_" in text or "://" in text or (":" in text and ('"' in text or "'" in text))
            or "eyJ" in text or "-----BEGIN" in text or "xox" in text or "glpat-" in text or "AKIA" in text
            or "ASIA" in text or "earer" in text or "EARER" in text)

_VALUE = re.compile(r"\"[^\"]*\"?|'[^']*'?|[^\s\"',}\]]*")


def name_parts(name: str) -> list[str]:
    """Split an environment name into upper-case word parts."""
    parts: list[str] = []
    for chunk in _SEPARATORS.split(name):
        parts.extend(p.upper() for p in _CAMEL_PARTS.findall(chunk))
    return parts


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Return True when a variable name looks like it holds a secret."""
    return any(p in _SHORT_WORDS or _LONG_WORD.fullmatch(p) for p in name_parts(name))


def mask(value: str | None) -> str:
    """Return a fixed-length mask that reveals nothing about the value (not even its length)."""
    return MASK


def _is_aws_secret_key(value: str) -> bool:
    """Say whether VALUE has the shape of an AWS secret access key: 40 base64 characters, mixed."""
    return (_AWS_SECRET_KEY.fullmatch(value) is not None and any(c.isupper() for c in value)
            and any(c.islower() for c in value) and any(c.isdigit() for c in value))


def looks_secret(value: str) -> bool:
    """Return True when a value is a secret whatever its name: a JWT, private key, token or AWS key."""
    text = str(value)
    return _SECRET_VALUE.search(text) is not None or _is_aws_secret_key(text.strip())


def _masked_value_at(text: str, pos: int) -> tuple[str, int]:
    """Return the mask for the value starting at POS (quoted values stay quoted) and where it ends."""
    found = _VALUE.match(text, pos)
    end = found.end() if found else pos
    quote = text[pos] if pos < len(text) and text[pos] in "\"'" else ""
    return f"{quote}{MASK}{quote}", end


def _is_log_secret_name(name: str) -> bool:
    """Say whether NAME is secret by a long word (PASSWORD, TOKEN, ...): in a log line `key=` is mostly not."""
    return any(_LONG_WORD.fullmatch(p) for p in name_parts(name))


def _replacement(match: re.Match[str], text: str, secret_name: Callable[[str], bool]) -> tuple[str, int]:
    """Return what replaces one free-text MATCH and where scanning goes on."""
    if match["whole"] is not None:
        return MASK, match.end()
    if match["aws_secret"] is not None:
        return f"{match['key_id']}{match['sep']}{MASK}", match.end()
    if match["url"] is not None:
        return f"{match['url']}{MASK}@", match.end()
    if match["bearer"] is not None:
        return f"{match['bearer']}{MASK}", match.end()
    name = match["ename"] or match["qname"] or match["name"] or ""
    if not secret_name(name):
        return match[0], match.end()
    start = match.end()
    while start < len(text) and text[start] == " ":  # `password = hunter2`
        start += 1
    masked, end = _masked_value_at(text, start)
    return text[match.start():start] + masked, end


def scrub_text(text: str, *, log: bool = False) -> str:
    """Mask the secrets in free text: URL passwords, tokens, keys, secret NAME=VALUE and "NAME": VALUE.

    A LOG line masks NAME=VALUE only when NAME holds a long word (password, token, secret...).
    """
    text = str(text)
    if not _maybe_secret(text):
        return text
    secret_name = _is_log_secret_name if log else is_secret_name
    out: list[str] = []
    pos = 0
    while (match := _FREE_TEXT.search(text, pos)) is not None:
        replacement, end = _replacement(match, text, secret_name)
        out += [text[pos:match.start()], replacement]
        pos = max(end, match.start() + 1)
    out.append(text[pos:])
    return "".join(out)


_revealing = False  # the running command shows secrets (--show-secrets): set by the shell for each command


def reveal(on: bool) -> None:
    """Show (ON) or mask the secrets in free text that `free_text` is given from now on: one command's choice."""
    global _revealing
    _revealing = bool(on)


def revealing() -> bool:
    """Say whether the running command shows secrets (--show-secrets)."""
    return _revealing


def free_text(text: str, *, log: bool = False) -> str:
    """Return free text from ECS or the user (a reason, an event, a log line): plain, secrets masked unless shown."""
    text = plain(text)
    return text if _revealing else scrub_text(text, log=log)


def echoed_line(line: str) -> str:
    """Return a command line the user gave, to echo back: plain, its secrets masked unless revealing."""
    line = plain(line)
    return line if _revealing else scrub_line(line)


def mask_value(name: str, value: str) -> str:
    """Mask VALUE whole when NAME or VALUE looks secret, else only its secret parts (URL passwords)."""
    if is_secret_name(name) or looks_secret(value):
        return MASK
    return scrub_text(value)


# history lines ----------------------------------------------------------------------------------
def _words(line: str) -> list[tuple[int, int, str, int, str]]:
    """Split LINE like a shell: (start, end, unquoted text before the first =, index of that =, its quote)."""
    words: list[tuple[int, int, str, int, str]] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        start, quote, name, eq, eq_quote = i, "", [], -1, ""
        while i < n and (quote or not line[i].isspace()):
            ch = line[i]
            if ch == "\\" and quote != "'" and i + 1 < n:
                if eq < 0:
                    name.append(line[i + 1])
                i += 2
                continue
            if quote and ch == quote:
                quote = ""
            elif not quote and ch in "\"'":
                quote = ch
            elif ch == "=" and eq < 0:
                eq, eq_quote = i, quote
            elif eq < 0:
                name.append(ch)
            i += 1
        words.append((start, i, "".join(name), eq, eq_quote))
    return words


def scrub_line(line: str) -> str:
    """Mask secrets in a command line (quoted or not, balanced or not) in time linear in its length."""
    out: list[str] = []
    pos = 0
    hide_next = False
    for start, end, name, eq, quote in _words(line):
        out.append(line[pos:start])
        word = line[start:end]
        if hide_next and not name.startswith("--"):
            word = MASK
        elif eq >= 0 and (is_secret_name(name) or not name.strip("'\"")):  # `=VALUE`: a name went missing
            word = f"{line[start:eq + 1]}{MASK}{quote}"
        hide_next = eq < 0 and _secret_flag(name)
        out.append(word)
        pos = end
    out.append(line[pos:])
    return scrub_text("".join(out))


# containers and task definitions ------------------------------------------------------------------
def _secret_flag(word: str) -> bool:
    """Say whether WORD is an option (-x, --name) whose name looks secret."""
    return word.startswith("-") and len(word) > 1 and is_secret_name(word.lstrip("-"))


def masked_args(args: Iterable[str]) -> list[str]:
    """Return a command or entry point with secret option values (--password=X, --token X) masked."""
    result: list[str] = []
    hide_next = False
    for arg in args:
        word = str(arg)
        flag, sep, _ = word.partition("=")
        if hide_next and not word.startswith("--"):
            result.append(MASK)
        elif sep and (_secret_flag(flag) or is_secret_name(flag)):
            result.append(f"{flag}={MASK}")
        else:
            result.append(mask_value("", word))
        hide_next = not sep and _secret_flag(word)
    return result


def masked_mapping(mapping: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return a mapping (docker labels, log options) with secret-looking string values masked."""
    return {key: mask_value(key, value) if isinstance(value, str) else scrubbed(value)
            for key, value in (mapping or {}).items()}


def scrubbed(value: Any) -> Any:
    """Return a JSON-like value made plain, with every string that holds a secret (or a URL password) masked."""
    if isinstance(value, str):
        return mask_value("", plain(value))
    if isinstance(value, Mapping):
        return {key: scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrubbed(item) for item in value]
    return copy.deepcopy(value)



def masked_container(container: Mapping[str, Any]) -> dict[str, Any]:
    """Return an ECS container definition with environment, labels, arguments and options masked."""
    doc: dict[str, Any] = {}
    for key, value in container.items():
        if key == "environment" and isinstance(value, list):
            doc[key] = [{**pair, "value": mask_value(str(pair.get("name", "")), pair["value"])}
                        if isinstance(pair, dict) and isinstance(pair.get("value"), str) else scrubbed(pair)
                        for pair in value]
        elif key == "dockerLabels" and isinstance(value, Mapping):
            doc[key] = masked_mapping(value)
        elif key in ("command", "entryPoint") and isinstance(value, list):
            doc[key] = masked_args(value)
        elif key in ("logConfiguration", "firelensConfiguration") and isinstance(value, Mapping):
            doc[key] = {k: masked_mapping(v) if k == "options" and isinstance(v, Mapping) else scrubbed(v)
                        for k, v in value.items()}
        else:
            doc[key] = scrubbed(value)
    return doc


def _masked_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """Return a bare taskDefinition (or a RegisterTaskDefinition request) with its secrets masked."""
    doc: dict[str, Any] = {}
    for key, value in body.items():
        if key == "taskDefinition" and isinstance(value, Mapping):
            doc[key] = _masked_body(value)
        elif key == "containerDefinitions" and isinstance(value, list):
            doc[key] = [masked_container(c) if isinstance(c, Mapping) else scrubbed(c) for c in value]
        elif key == "tags" and isinstance(value, list):
            doc[key] = _masked_tags(value)
        else:
            doc[key] = scrubbed(value)
    return doc


def _masked_tags(tags: list[Any]) -> list[Any]:
    """Return ECS tags ({"key", "value"}) with secret-looking values masked."""
    return [{**t, "value": mask_value(str(t.get("key", "")), t["value"])}
            if isinstance(t, dict) and isinstance(t.get("value"), str) else scrubbed(t) for t in tags]


def masked_taskdef(doc: Mapping[str, Any], show_secrets: bool = False) -> dict[str, Any]:
    """Return a task definition (bare, a request or a describe answer) to show: plain, masked unless show_secrets.

    The task definition a model holds is ECS's exact answer (`update` registers it again); this is
    the one way it is shown, so no control sequence in it reaches a view.
    """
    shown: dict[str, Any] = plain_json(dict(doc) if show_secrets else _masked_body(doc))  # a copy
    return shown


# the model's containers --------------------------------------------------------------------------
def env_pairs(container: ContainerDef, show_secrets: bool) -> list[tuple[str, str]]:
    """Return a container's environment with secret-looking values masked unless show_secrets."""
    if show_secrets:
        return list(container.environment)
    return [(name, mask_value(name, value)) for name, value in container.environment]


def masked_options(options: Mapping[str, Any] | None, show_secrets: bool) -> dict[str, Any]:
    """Return log driver options with secret-looking values (e.g. ``splunk-token``) masked."""
    return dict(options or {}) if show_secrets else masked_mapping(options)

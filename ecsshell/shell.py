"""The cmd2 application: scope, prompt, toolbar, settings, output, exit codes, stop-on-error."""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import io
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import cmd2
from cmd2 import Settable, Statement, plugin
from cmd2.exceptions import Cmd2ArgparseError, Cmd2ShlexError
from cmd2.history import History

from . import lines as line_rules
from .accounts import UNKNOWN, Accounts, coloured
from .clock import restore_clock, use_clock
from .commands.plumbing import CommandError, CommandParser, is_mutating, no_abbreviations
from .environment import Environment, is_tty
from .options import OUTPUT_FORMATS, Options
from .plain import named, visible
from .presenter import RECORDS_MODES, Presenter, View
from .scope import SCOPE_RULE, Scope, ScopeError
from .target_gateways import TargetGateways, fleet_label, parse_profiles, parse_regions, profiles_type, regions_type
from .targets import Target

if TYPE_CHECKING:
    from .aws.gateway import Gateway
    from .completion import CompletionCache

BANNER_HINT = "Type `help` for commands, `help COMMAND` for one, Ctrl-D to leave."


def scrub(line: str) -> str:
    """Mask secrets in a command line, so history never stores one."""
    from .secrets import scrub_line

    return scrub_line(line)


def readable_history(data: bytes) -> None:
    """Check that DATA is a history file cmd2 can load (empty, or lzma-compressed JSON); raise ValueError if not."""
    if not data:
        return
    import lzma

    try:
        History.from_json(lzma.decompress(data).decode("utf-8"))
    except (lzma.LZMAError, EOFError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"the history file cannot be read: {type(exc).__name__}") from None


def write_error(exc: OSError) -> str:
    """Name why standard output could not be written, in a few words."""
    import errno

    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return "standard output was closed (broken pipe); the run stopped"
    if exc.errno == errno.ENOSPC:
        return "standard output is full (no space left on device); the run stopped"
    return f"cannot write standard output ({exc.strerror or exc}); the run stopped"


def encode_error(exc: UnicodeEncodeError) -> str:
    """Name the character standard output's encoding cannot write, and the way out."""
    return (f"standard output cannot show {exc.object[exc.start:exc.end]!a} in its encoding "
            f"({exc.encoding}); set PYTHONIOENCODING=utf-8 or a UTF-8 locale; the run stopped")


def is_user_error(exc: BaseException) -> bool:
    """Say whether EXC is an expected failure that deserves one line, not a traceback."""
    from .aws.errors import AwsError
    from .images import InvalidImageReference
    from .jsonquery import QueryError

    return isinstance(exc, CommandError | ScopeError | AwsError | InvalidImageReference | QueryError | OSError)


def _one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Make PARSER and its subcommands' parsers raise a one-line CommandError (status 2) on bad arguments."""
    if isinstance(parser, CommandParser):
        return

    def error(message: str) -> NoReturn:
        from .suggest import flag_hint, option_strings

        hint = flag_hint(message, option_strings(parser))
        raise CommandError(f"{parser.prog}: {message}{hint} (see `help {parser.prog.split()[0]}`)", 2)

    parser.error = error  # type: ignore[method-assign]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _one_line_errors(sub)


class Interrupted(KeyboardInterrupt):
    """A signal (SIGINT or SIGTERM) ended the run; its exit status is 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.status = 128 + signum


def interrupt_status(exc: BaseException) -> int:
    """Return the exit status an interruption gives: 143 for SIGTERM, 130 for SIGINT and Ctrl-C."""
    return int(getattr(exc, "status", 128 + signal.SIGINT))


class ShellFeatureOff(CommandError):
    """A line asked for a shell escape, pipe or redirection outside the interactive shell."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 2)


class OutputFailed(OSError):
    """Standard output could not be written (closed pipe, full disk)."""


# Commands that would run a process or a program on this machine: off outside the interactive shell.
SHELL_COMMANDS = frozenset({"shell"})
# cmd2's commands and settings that have no place in ecsshell: removed, not hidden.
REMOVED_SETTINGS = ("editor", "traceback_show_locals", "traceback_width", "timing")
MAX_SCRIPT_DEPTH = 8
MAX_HISTORY = 64 * 1024 * 1024  # a larger history file is left as it is and not used
# what a file system shell's hands type, and the ecsshell command that does it here
SHELL_HABITS = {"cd": "use", "chdir": "use", "pwd": "use", "dir": "ls", "ll": "ls"}
CLEAR_SCREEN = "\x1b[H\x1b[2J\x1b[3J"  # home, erase the screen, erase the scrollback (as clear(1) does)
WATCH_HEADER_ROWS = 2  # watch's "Every Ns: COMMAND  TIME" line and the blank line below it


class _Gathered(io.StringIO):
    """Text printed for a terminal, kept to be shown at once: it answers isatty as the terminal does (colour, width)."""

    def __init__(self, terminal: IO[str]) -> None:
        super().__init__()
        self._terminal = terminal

    def isatty(self) -> bool:
        return is_tty(self._terminal)


class EcsShell(cmd2.Cmd):
    """An ECS shell that keeps a scope and runs the same commands interactively and in scripts."""

    # cmd2 commands that make no sense here, removed (get_all_commands skips what is not callable)
    DEFAULT_CATEGORY = "Shell"
    do_edit = None  # type: ignore[assignment]
    do_run_pyscript = None  # type: ignore[assignment]
    do_shortcuts = None  # type: ignore[assignment]

    def __init__(self, environment: Environment, options: Options, *, interactive: bool) -> None:
        from .commands import all_command_sets
        from .completion import CompletionCache

        self.environment = environment
        self._clock = use_clock(environment.now)
        self.options = options
        self.interactive = interactive
        self._status = 0  # the running command's failure status (cmd2's own start-up may report one)
        history = self._history_path() if interactive else ""
        super().__init__(
            stdin=environment.stdin,
            stdout=environment.stdout,
            allow_cli_args=False,
            auto_load_commands=False,
            command_sets=all_command_sets(),
            enable_bottom_toolbar=interactive,
            persistent_history_file=history,
            persistent_history_length=5000,
            include_py=False,
            include_ipy=False,
            refresh_interval=0.0,
        )
        self._gateway: Gateway | None = None
        self._gateway_lock = threading.Lock()
        self._role_credentials: dict[str, Any] = {}  # roles assumed in this session (an MFA code is asked once)
        self._targets = TargetGateways(self)
        self.regions = ""  # fan-out settings (issue 14): comma-separated, "" for the session's own
        self.profiles = ""
        self.scope = Scope(profile=options.profile, region=options.region)
        self._profile_source = "from -cred"  # how the session's profile was named, for messages
        self._prompt_drawn = False  # the account is asked for once the first prompt is on the screen
        self.accounts = Accounts(self._account_labels, on_change=self._account_arrived)
        self.completion: CompletionCache = CompletionCache(lambda: self.gateway, on_change=self.redraw,
                                                           store=self._saved_names)
        self._watch_the_line()
        self.failed_status = 0  # first failure's status, for scripts and one-shots
        self._scripts: list[Path] = []  # the script files running, outermost first
        self.skipped: list[str] = []  # the commands after a failing one on the same line, not run
        self.last_status = 0  # the status of the command that ran last
        self.stop_on_error = not interactive
        self.allow_shell = interactive or options.allow_shell
        self._read_only = options.read_only
        self.output = options.output
        self.verbose = options.verbose
        self.events = options.events
        self.elb = options.elb
        self.show_secrets = options.show_secrets
        self.confirm = options.confirm and not options.yes
        self.wait = interactive if options.wait is None else options.wait
        self.color = options.color
        self.paging = True  # the `pager` setting
        self.records = "auto"  # the `records` setting: tables as blocks per row (auto, on, off)
        self.watching = False  # a watch redraws in place: nothing it runs goes through the pager
        self._register_settables()
        self.register_postparsing_hook(self._guard)
        self.register_cmdfinalization_hook(self._finalize)
        self.presenter = self._make_presenter()
        self._update_prompt()

    # settings --------------------------------------------------------------------------------
    def _register_settables(self) -> None:
        def output_type(value: str) -> str:
            if value not in OUTPUT_FORMATS:
                raise ValueError("output must be text or json")
            return value

        def events_type(value: str) -> int:
            if not (value.isascii() and value.isdigit()):
                raise ValueError(f"events must be a whole number 0 or more, not {value!r}")
            number = int(value)
            if number > 100:
                raise ValueError("events must be at most 100 (ECS keeps the last 100 events)")
            return number

        self.add_settable(Settable("output", output_type, "Output format: text or json", self,
                                   choices=list(OUTPUT_FORMATS)))
        self.add_settable(Settable("verbose", bool, "Show task definition detail (like -v)", self))
        self.add_settable(Settable("events", events_type, "Service events to show per service (like -events)",
                                   self))
        self.add_settable(Settable("elb", bool, "Show load balancers and target health (like -elb)", self))
        self.add_settable(Settable("show_secrets", bool, "Show values of secret-looking variables", self))
        self.add_settable(Settable("stop_on_error", bool, "Stop a script or piped input at the first failure",
                                   self))
        self.add_settable(Settable("confirm", bool, "Ask before changing ECS (terminals only)", self))
        self.add_settable(Settable("wait", bool, "Follow rollouts after update, rollback and scale", self))
        self.add_settable(Settable("color", bool, "Colour output on terminals", self))

        def records_type(value: str) -> str:
            word = str(value).strip().lower()
            if word not in RECORDS_MODES:
                raise ValueError(f"records must be auto, on or off, not {value!r}")
            return word

        self.add_settable(Settable("records", records_type, "Tables as one block per row (psql's expanded "
                                   "mode): auto (when a table cannot fit the terminal), on or off", self,
                                   choices=list(RECORDS_MODES)))
        def switch(value: str) -> bool:
            word = str(value).strip().lower()
            if word in ("on", "true", "yes", "1"):
                return True
            if word in ("off", "false", "no", "0"):
                return False
            raise ValueError(f"must be on or off, not {value!r}")

        self.add_settable(Settable("pager", switch, "Show output taller than the terminal through $PAGER "
                                   "(default less -FRX); terminals only: on or off", self,
                                   settable_attrib_name="paging"))
        def redraw_prompt(*_: Any) -> None:
            self._update_prompt()

        self.add_settable(Settable("regions", regions_type, "Regions ls, check, tasks and taskdefs fan out to "
                                   "(comma-separated, or all; empty: the session's)", self,
                                   onchange_cb=redraw_prompt))
        self.add_settable(Settable("profiles", profiles_type, "Profiles ls, check, tasks and taskdefs fan out to "
                                   "(comma-separated; empty: the session's)", self, onchange_cb=redraw_prompt))
        self.add_settable(Settable("read_only", bool, "Refuse every command that changes ECS (cannot be turned "
                                   "off in a session)", self))
        for name in REMOVED_SETTINGS:
            with contextlib.suppress(KeyError):
                self.remove_settable(name)

    @property
    def read_only(self) -> bool:
        return self._read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        if self._read_only and not value:
            raise ValueError("read-only mode cannot be turned off inside a session; start ecsshell without "
                             "--read-only")
        self._read_only = bool(value)
        self._targets.set_read_only(self._read_only)
        if self._gateway is not None:
            self._gateway.read_only = self._read_only
        self._update_prompt()

    # AWS -------------------------------------------------------------------------------------
    @property
    def gateway(self) -> Gateway:
        """Return the AWS gateway of the command's target (see `aim`), else of the session's profile and region."""
        return self._targets.aimed or self.session_gateway

    @property
    def session_gateway(self) -> Gateway:
        """Return the AWS gateway for the current profile and region, connecting on first use."""
        with self._gateway_lock:
            if self._gateway is None:
                from .aws.cache import open_cache
                from .aws.gateway import Gateway
                from .aws.session import Settings, endpoint_url

                settings = Settings(profile=self.scope.profile, region=self.scope.region,
                                    endpoint_url=self.options.endpoint_url, profile_source=self._profile_source,
                                    role_cache=self._role_credentials, prompter=self._mfa_prompter())
                env = self.environment.env
                cache = open_cache(self.environment.cache_dir, env, endpoint_url(settings, env))
                self._gateway = Gateway.connect(settings, env, cache, gate=self._targets.gate)
                self._gateway.read_only = self._read_only
            return self._gateway

    def _mfa_prompter(self) -> Any:
        """Return how a role's MFA code is asked: masked at the interactive shell's prompt; None (refused) elsewhere."""
        if not self.interactive:
            return None
        from .aws.mfa import asking

        return asking(self.read_secret, self.profile_name())

    def switch(self, *, profile: str | None = None, region: str | None = None, source: str = "") -> None:
        """Change profile or region: new clients, empty scope, no cached names.

        SOURCE says how the profile was named (e.g. "given to `profile`"), for the message if it is unknown.
        """
        new = Scope(profile=profile if profile is not None else self.scope.profile,
                    region=region if region is not None else self.scope.region)
        old_gateway = self._gateway
        old_scope, old_source = self.scope, self._profile_source
        self.scope = new
        self._gateway = None
        if profile is not None and source:
            self._profile_source = source
        try:
            self.gateway.region  # noqa: B018 - connect now, so a bad profile fails here
        except Exception:
            self.scope, self._gateway, self._profile_source = old_scope, old_gateway, old_source
            raise
        if old_gateway is not None:
            old_gateway.close()
        self._targets.close()
        self.completion.clear()
        self._update_prompt()
        self._look_up_account()

    # the account in view ---------------------------------------------------------------------
    def profile_name(self) -> str:
        """Return the name of the profile the session uses ("default" for boto3's standard chain)."""
        env = self.environment.env
        return (self.scope.profile or env.get("ECSCREDENTIAL") or env.get("AWS_PROFILE")
                or env.get("AWS_DEFAULT_PROFILE") or "default")

    def _account_labels(self) -> dict[str, Any]:
        """Return the config file's account labels ({} when it has none or cannot be read)."""
        from .config import ConfigFileError, load

        try:
            return dict(load(self.environment.config_dir).accounts)
        except ConfigFileError:  # the run's start already said what is wrong with it
            return {}

    def _look_up_account(self) -> None:
        """Ask STS, in the background and once per profile, which account the session's profile acts in."""
        if not self.interactive:
            return
        profile = self.profile_name()

        def caller() -> Gateway | None:
            gateway = self.session_gateway
            return gateway if self.profile_name() == profile else None  # switched meanwhile: ask later

        self.accounts.look_up(profile, caller)

    def _first_prompt_drawn(self, app: Any) -> None:
        """Ask for the account once the first prompt is on the screen (prompt_toolkit's after_render)."""
        app.after_render -= self._first_prompt_drawn
        self._prompt_drawn = True
        self._look_up_account()

    def where(self, *, ask: bool = True) -> str:
        """Return the session's profile, account (ASK: from STS if not known yet) and Region, in one line."""
        gateway, profile = self.session_gateway, self.profile_name()
        account = self.accounts.look_up_now(profile, gateway) if ask else self.accounts.account(profile)
        label = self.accounts.label(account)
        shown = ("" if account is None else f", account {account or 'unknown (STS did not answer)'}"
                 f"{f' ({label.label})' if label else ''}")
        return f"profile {named(profile)}{shown}, region {gateway.region}"

    def _account_arrived(self) -> None:
        """Show an account id that STS has just answered, in the prompt and the toolbar."""
        self._update_prompt()
        self.redraw()

    def account_label(self) -> tuple[str | None, Any]:
        """Return the session's account id (None while unknown) and its label from the config, if any."""
        account = self.accounts.account(self.profile_name()) or None
        return account, self.accounts.label(account)

    def _saved_names(self) -> Any:
        """Return the completion names saved for this profile and region (None with ECSSHELL_NO_CACHE)."""
        from .endpoints import configured_endpoint
        from .saved_names import open_names

        env = self.environment.env
        endpoint = configured_endpoint("ecs", env, flag=self.options.endpoint_url, profile=self.scope.profile)
        profile = self.scope.profile or env.get("AWS_PROFILE") or "default"
        region = self.scope.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ""
        return open_names(self.environment.cache_dir, env, endpoint, f"{profile}@{region}")

    def _watch_the_line(self) -> None:
        """Fetch a cluster's service names as soon as the line names the cluster in full, before any TAB."""
        buffer = getattr(getattr(self, "main_session", None), "default_buffer", None)
        if self.interactive and buffer is not None:
            buffer.on_text_changed += lambda changed: self.completion.watch_line(changed.text)

    def preloop(self) -> None:
        """Start fetching cluster names for completion, and the account id once the first prompt is drawn."""
        if self.interactive:
            app = getattr(getattr(self, "main_session", None), "app", None)
            if app is not None:  # STS's client takes CPU to build: not while the first prompt is drawn
                app.after_render += self._first_prompt_drawn
            else:
                self._look_up_account()
            self.completion.prefetch("clusters")
            if self.scope.cluster:
                self.completion.prefetch_services(self.scope.cluster)

    def set_scope(self, scope: Scope) -> None:
        self.scope = scope
        self._update_prompt()
        if scope.cluster and self.interactive:  # names for TAB: a script never completes, so it lists nothing
            self.completion.prefetch_services(scope.cluster)

    def close(self) -> None:
        with contextlib.suppress(ValueError, RuntimeError):  # closed in another context: nothing to undo there
            restore_clock(self._clock)
        self.completion.close()
        self.accounts.close()
        self._targets.close()
        if self._gateway is not None:
            self._gateway.close()

    # targets (issue 14): gateways of other profiles and Regions, fan-out -----------------------
    def gateway_for(self, target: Target | None) -> Gateway:
        """Return TARGET's gateway (the session's for None), made on first use and kept."""
        return self._targets.gateway(target)

    def aim(self, target: Target | None) -> None:
        """Make `gateway` TARGET's until the command ends (None: the session's)."""
        self._targets.aimed = None if target is None else self._targets.gateway(target)
        self._targets.aimed_at = target if self._targets.aimed is not None else None

    @property
    def aimed_at(self) -> Target | None:
        """Return the target the running command was aimed at by a path, or None (the session's)."""
        return self._targets.aimed_at if self._targets.aimed is not None else None

    def names_for(self, target: Target | None) -> CompletionCache:
        """Return the completion names of TARGET (the session's for None)."""
        return self.completion if target is None else self._targets.names(target)

    @property
    def fleet_sessions(self) -> TargetGateways:
        """Return the session's identities and target gateways (a fan-out's sessions, Regions and accounts)."""
        return self._targets

    def fleet(self, profiles: str | None = None, regions: str | None = None) -> list[Target]:
        """Return the targets PROFILES and REGIONS (flag values, else the settings) fan out to; [] for none."""
        from .targets import fleet

        profile_names = parse_profiles(self.profiles if profiles is None else profiles)
        region_names = parse_regions(self.regions if regions is None else regions)
        if not profile_names and not region_names:
            return []
        return fleet(list(profile_names) or [None], list(region_names) or [None])

    # output ----------------------------------------------------------------------------------
    @property
    def use_color(self) -> bool:
        return self.color and self.environment.color

    @property
    def names(self) -> CompletionCache:
        """Return the completion names cache (commands refetch what they change)."""
        return self.completion

    @property
    def asks_confirmation(self) -> bool:
        """Say whether commands that change ECS ask first: confirmation on, and a person at the terminal."""
        return self.confirm and self.environment.interactive

    def view(self, args: Any = None) -> View:
        """Return the view options for one command: its own flags (-v, -events, ...) over the settings.

        A --query implies JSON output, and the presenter applies it to every JSON document the command prints
        (printing what it selects as tab-separated text with --output text).
        """
        def flag(name: str, setting: Any) -> Any:
            value = getattr(args, name, None)
            return setting if value is None else value

        query = getattr(args, "query", None)
        if query is not None:
            if getattr(args, "output", None) == "text":  # the AWS CLI's text output of what --query selects
                query = query.in_text()
            self.presenter.query = query
        output = flag("output", "json" if query is not None else self.output)
        from .secrets import reveal

        reveal(bool(flag("show_secrets", self.show_secrets)))  # free text from ECS is masked unless this is on
        return View(json=output in ("json", "jsonl") or query is not None, verbose=bool(flag("verbose", self.verbose)),
                    events=max(0, int(flag("events", self.events))), elb=bool(flag("elb", self.elb)),
                    show_secrets=bool(flag("show_secrets", self.show_secrets)), lines=output == "jsonl",
                    query=query, wide=bool(getattr(args, "wide", None)),
                    records=True if getattr(args, "records", None) else RECORDS_MODES[self.records])

    def _make_presenter(self) -> Presenter:
        def raw(text: str) -> None:
            try:
                self.stdout.write(text)
                self.stdout.flush()
            except OSError as exc:
                raise OutputFailed(exc.errno, write_error(exc)) from None

        def raw_err(text: str) -> None:
            with contextlib.suppress(OSError, ValueError):  # a status line is never worth failing a run
                self.environment.stderr.write(text)
                self.environment.stderr.flush()

        return Presenter(out=lambda text: self.poutput(text.rstrip("\n")),
                         err=lambda text: self.print_to(self.environment.stderr, text), raw=raw, raw_err=raw_err,
                         color=lambda: self.use_color, width=self.environment.terminal_width,
                         live=lambda: bool(self.environment.stdout_isatty),
                         status_live=lambda: self.environment.interactive and is_tty(self.environment.stderr),
                         page=self._page)

    @property
    def pages(self) -> bool:
        """Say whether tall output goes through the pager: the setting on, a person at a terminal, no script."""
        return (self.paging and not self.watching and self.environment.interactive and is_tty(self.stdout)
                and not self._redirecting and not self._scripts and not self.in_script())

    def _terminal_lines(self) -> int | None:
        lines = self.environment.env.get("LINES", "")
        if lines.isascii() and lines.isdigit() and int(lines) > 0:
            return int(lines)
        try:
            return os.get_terminal_size(self.stdout.fileno()).lines
        except (OSError, AttributeError, ValueError):
            return None

    def _page(self, text: str) -> bool:
        """Show TEXT through the pager if it is taller than the terminal and paging applies; True if it did."""
        from . import pager

        if self.watching and self.environment.stdout_isatty:  # watch(1) shows what fits below its header
            rows = self._terminal_lines()
            if rows is None:
                return False
            self.poutput(pager.crop(text, rows - WATCH_HEADER_ROWS - 1).rstrip("\n"))  # and the cursor's row
            return True
        if not self.pages or not pager.taller_than(text, self._terminal_lines()):
            return False
        clean = line_rules.terminal_safe(text, keep_colour=self.use_color)
        return pager.page(clean, pager.pager_command(self.environment.env), self.stdout, self.environment.env)

    def print_to(self, file: IO[str], *objects: Any, **kwargs: Any) -> None:
        """Print OBJECTS to FILE with no terminal control sequence from the data; a failed write stops the run."""
        clean = [line_rules.terminal_safe(str(o), keep_colour=self.use_color)
                 if isinstance(o, str | BaseException) else o for o in objects]
        try:
            text = line_rules.verbatim(tuple(clean), kwargs, colour=self.use_color and is_tty(file))
            if text is not None:  # what rich would write unchanged, written without its per-line work
                file.write(text)
            else:
                self._get_core_print_console(file=file, emoji=kwargs.get("emoji", False),
                                             markup=kwargs.get("markup", False),
                                             highlight=kwargs.get("highlight", False)).print(
                    *clean, sep=kwargs.get("sep", " "), end=kwargs.get("end", "\n"), style=kwargs.get("style"),
                    justify=kwargs.get("justify"), soft_wrap=kwargs.get("soft_wrap", True),
                    **(kwargs.get("rich_print_kwargs") or {}))
            if not is_tty(file):
                file.flush()
        except UnicodeEncodeError as exc:  # the stream's encoding (PYTHONIOENCODING, the locale) lacks a character
            if file is not self.environment.stderr:
                raise OutputFailed(errno.EILSEQ, encode_error(exc)) from None
            with contextlib.suppress(OSError, ValueError):  # say it anyway, the characters escaped
                file.write(" ".join(str(o) for o in clean).encode(exc.encoding, "backslashreplace")
                           .decode(exc.encoding) + kwargs.get("end", "\n"))
                file.flush()
        except OSError as exc:
            if file is self.environment.stderr:
                return  # nowhere left to say it; the exit status still tells
            raise OutputFailed(exc.errno, write_error(exc)) from None

    def perror(self, *objects: Any, **kwargs: Any) -> None:
        """Print an error line to stderr; every error printed fails the command, whoever printed it."""
        self.mark_failed(1)
        if len(objects) == 1 and isinstance(objects[0], str | BaseException):
            text = str(objects[0]).strip()
            objects = (text if text.startswith(("error:", "internal error:")) else f"error: {text}",)
        self.say_error(*objects)

    def say_error(self, *objects: Any) -> None:
        """Print to stderr in red on a terminal (secrets masked), without failing the command."""
        from .plain import plain
        from .secrets import scrub_text

        clean = [scrub_text(plain(str(o))) if isinstance(o, str | BaseException) else o for o in objects]
        self.print_to(self.environment.stderr, *clean, style="red" if self.use_color else None)

    def pwarning(self, *objects: Any, **kwargs: Any) -> None:
        self.print_to(self.environment.stderr, *objects, style="yellow" if self.use_color else None)

    def fail(self, message: str, code: int = 1) -> None:
        """Report a failure in one line (secrets masked) and mark the command as failed."""
        self.mark_failed(code)
        self.say_error(f"error: {message}")

    def mark_failed(self, code: int = 1) -> None:
        if not self._status:
            self._status = code

    def pexcept(self, exception: BaseException, **kwargs: Any) -> None:
        if isinstance(exception, OutputFailed):
            self.fail(f"{exception.strerror}{self.changes_note()}")
            return
        if is_user_error(exception):
            code = getattr(exception, "code", 1)
            self.fail(str(exception).splitlines()[0] if str(exception) else type(exception).__name__,
                      code if isinstance(code, int) else 1)
            for detail in getattr(exception, "details", ()):  # a few more lines a person reads (what was wrong)
                self.say_error(f"  {detail}")
            return
        self.mark_failed(1)
        if self.debug:
            super().pexcept(exception, **kwargs)
        else:
            from .secrets import scrub_text

            self.perror(scrub_text(f"internal error: {type(exception).__name__}: {exception} "
                                   "(set debug true for a traceback)"))

    def default(self, statement: cmd2.Statement) -> bool | None:
        """Refuse an unknown command in one line (status 2), naming the command it most likely meant."""
        from .suggest import did_you_mean

        command = statement.command
        habit = SHELL_HABITS.get(command)
        if habit is not None:  # `cd prod`: a file system shell's word for what `use` does here
            words = statement.arg_list if habit == "use" and command != "pwd" else []
            hint = f" (did you mean `{line_rules.join_words([habit, *words])}`?)"
        else:
            hint = (did_you_mean(command, [*self.get_visible_commands(), *self.aliases])
                    or "; type `help` to list commands")
        self.fail(f"unknown command {command!r}{hint}", 2)
        return None

    @cmd2.with_argparser(cmd2.Cmd2ArgumentParser(description="Leave the shell (as quit and Ctrl-D do)."))
    def do_exit(self, _: Any) -> bool | None:
        """Leave the shell (as quit and Ctrl-D do)."""
        return True

    @cmd2.with_argparser(cmd2.Cmd2ArgumentParser(description="Clear the screen (Ctrl-L does it too)."))
    def do_clear(self, _: Any) -> None:
        """Clear the screen (Ctrl-L does it too)."""
        if is_tty(self.stdout):  # in a script or a pipe there is no screen: nothing to do
            try:
                self.stdout.write(CLEAR_SCREEN)
                self.stdout.flush()
            except OSError as exc:
                raise OutputFailed(exc.errno, write_error(exc)) from None

    def changes_note(self) -> str:
        """Say what the command had changed in ECS before it stopped, if anything."""
        gateway = self._targets.aimed or self._gateway
        changes = gateway.changes if gateway is not None else []
        if not changes:
            return "; nothing was changed in ECS"
        return f"; ECS was already changed: {', '.join(changes)}"

    def confirmed(self, question: str) -> bool:
        """Ask QUESTION when a person is at a terminal and confirmation is on; True otherwise."""
        if not self.asks_confirmation:
            return True
        try:
            answer = self.read_input(f"{question} [y/N] ")
        except (EOFError, KeyboardInterrupt):
            self.poutput("")
            return False
        return answer.strip().lower() in ("y", "yes")

    # one path from a typed line to its status ------------------------------------------------
    def onecmd_plus_hooks(self, line: str, *, add_to_history: bool = True, raise_keyboard_interrupt: bool = False,
                          py_bridge_call: bool = False) -> bool:
        """Run each `;`-separated command of LINE in order; a failing one stops the rest, and says so."""
        parts = line_rules.split_commands(line) if ";" in line else [line]
        stop = False
        self.skipped = []
        for index, part in enumerate(parts):
            stop = super().onecmd_plus_hooks(part, add_to_history=add_to_history,
                                             raise_keyboard_interrupt=raise_keyboard_interrupt or not self.interactive,
                                             py_bridge_call=py_bridge_call)
            rest = parts[index + 1:]
            if stop:
                break
            if self.last_status and rest:
                self.skipped = rest
                if self.interactive and not self._scripts:  # a script says where it stopped instead
                    self.say_error(f"not run after that failure: {scrub('; '.join(rest))}")
                break
        return stop

    def _guard(self, data: plugin.PostparsingData) -> plugin.PostparsingData:
        """Refuse, before anything runs, what this run does not allow: shell escapes, dropped text, changes."""
        statement = data.statement
        self.presenter.query = None  # a --query holds for the command that names it only
        from .secrets import reveal

        reveal(self.show_secrets or "--show-secrets" in statement.argv)  # before the command reads anything
        self._targets.aimed = None
        if self._gateway is not None:
            self._gateway.changes.clear()
        self._targets.clear_changes()
        if statement.suffix or (statement.terminator and statement.terminator not in ("\n", ";")):
            raise CommandError(f"text after {statement.terminator!r} would be ignored: {statement.suffix!r}", 2)
        if not self.allow_shell:
            what = ("a shell command" if statement.command in SHELL_COMMANDS
                    else "a pipe to a shell command" if statement.redirector == "|"
                    else "output redirection" if statement.redirector else "")
            if what:
                raise ShellFeatureOff(f"{what} is off outside the interactive shell (ecsshell --allow-shell "
                                      f"turns them on): {scrub(statement.raw.strip())!r}")
        if statement.command == "history" and any(a in ("-e", "--edit") or (a.startswith("-") and not
                                                  a.startswith("--") and "e" in a) for a in statement.arg_list):
            raise CommandError("history --edit is not available in ecsshell (there is no editor command)", 2)
        if self._read_only and self._is_mutating(statement.command):
            raise CommandError(f"read-only mode: `{statement.command}` changes ECS, so it was refused; "
                               "nothing was called", 1)
        return data

    def _input_line_to_statement(self, line: str) -> Statement:
        try:
            return super()._input_line_to_statement(line)
        except Cmd2ShlexError as exc:
            raise CommandError(f"cannot parse the line: {exc} ({scrub(line.strip())!r})", 2) from None

    def _is_mutating(self, command: str) -> bool:
        return is_mutating(self.get_command_func(command))

    # watch ------------------------------------------------------------------------------------
    def command_category(self, name: str) -> str | None:
        """Return the help category of the command NAME, or None when there is no such command."""
        func = self.get_command_func(name)
        return self._get_command_category(func) if func is not None else None

    def changes_ecs(self, name: str) -> bool:
        """Say whether the command NAME is marked as changing ECS."""
        return self._is_mutating(name)

    def run_watched(self, words: list[str]) -> int:
        """Run WORDS as one command inside the running one (watch), never paged; return its status."""
        statement = self._input_line_to_statement(line_rules.join_words(words))
        if statement.redirector or statement.multiline_command:
            raise CommandError("watch runs one command: no |, > or multi-line commands in it", 2)
        self.watching = True
        try:
            self.onecmd(statement, add_to_history=False)
        finally:
            self.watching = False
        return self._status

    def onecmd(self, statement: Statement | str, *, add_to_history: bool = True) -> bool:
        """Run one parsed command; history keeps it with secrets masked, and argparse's errors exit 2."""
        if not isinstance(statement, Statement):
            statement = self._input_line_to_statement(statement)
        if (add_to_history and self.get_command_func(statement.command)
                and statement.command not in self.exclude_from_history
                and statement.command not in self.disabled_commands):
            clean = scrub(statement.raw)
            self.history.append(statement if clean == statement.raw else self.statement_parser.parse(clean))
        try:
            if self.interactive and self._gateway is not None:  # MFA credentials about to expire: a new code
                from .aws.mfa import unlock  # is asked for here, in the main thread, never by a worker

                unlock(self._gateway.session.core)
            return super().onecmd(statement, add_to_history=False)
        except Cmd2ArgparseError:
            self.mark_failed(2)  # argparse has printed the usage and what was wrong
            raise
        except KeyboardInterrupt as exc:  # the one place an interruption becomes a command's status
            self.mark_failed(interrupt_status(exc))
            raise

    def _build_parser(self, owner: Any, parser_source: Any) -> Any:
        """Build a command's parser; cmd2's own ones, too, fail in one line (exit 2) instead of a usage block."""
        parser = no_abbreviations(super()._build_parser(owner, parser_source))
        _one_line_errors(parser)
        return parser

    def _get_command_category(self, func: Any) -> str:
        """Put cmd2's own commands (help, history, set...) in the Shell category beside ours."""
        category = super()._get_command_category(func)
        return "Shell" if category == cmd2.Cmd.DEFAULT_CATEGORY else category

    def _finalize(self, data: plugin.CommandFinalizationData) -> plugin.CommandFinalizationData:
        self._targets.aimed = None
        if self._prompt_drawn:  # an account not asked yet (an MFA code was needed first): ask now
            self._look_up_account()
        code = self._status
        self._status = 0
        self.last_status = code
        if not code:
            return data
        if not self.failed_status:
            self.failed_status = code
        if not self.interactive or self.stop_on_error:
            self.exit_code = self.failed_status
        return data

    # scripts, -c and piped input ----------------------------------------------------------------
    def run_lines(self, lines: Iterable[str], source: str, *, always_say_where: bool = True) -> int:
        """Run LINES from SOURCE; the first failure stops them (unless stop_on_error is off). Return the status."""
        first_failure = 0
        pending = iter(lines)
        for number, line in enumerate(pending, start=1):
            if line_rules.is_comment_or_blank(line):
                continue
            if self.echo:
                self.poutput(f"{self.prompt}{line}")
            stop = self.onecmd_plus_hooks(line.rstrip("\n"), add_to_history=False)
            status = self.last_status
            first_failure = first_failure or status
            # outside the shell the setting decides; inside it, a script always stops at its first failure
            if status and (self.stop_on_error or (self.interactive and self._scripts)):
                more = self.skipped or any(not line_rules.is_comment_or_blank(rest) for rest in pending)
                if always_say_where or more:
                    self.say_error(f"stopped at line {number}{source} ({scrub(line.strip())}): exit {status}")
                return status
            if stop:
                break
        return first_failure

    def run_file(self, name: str) -> int:
        """Run the script file NAME with the stop rules; return its status."""
        try:
            script = line_rules.read_script(name)
        except line_rules.ScriptError as exc:
            self.fail(str(exc))
            return 1
        if script.path in self._scripts:
            self.fail(f"run_script {name!r} is already running (a script may not run itself)", 2)
            return 2
        if len(self._scripts) >= MAX_SCRIPT_DEPTH:
            self.fail(f"scripts nested more than {MAX_SCRIPT_DEPTH} deep; not run", 2)
            return 2
        self._scripts.append(script.path)
        try:
            where = f" of {name}" if len(self._scripts) > 1 or self.interactive else ""
            return self.run_lines(script.lines, where)
        finally:
            self._scripts.pop()

    def run_stdin(self) -> int:
        """Run the lines piped to standard input, one at a time as they arrive."""
        return self.run_lines(iter(self.environment.stdin.readline, ""), "")

    @cmd2.with_argparser(cmd2.Cmd._build_run_script_parser)
    def do_run_script(self, args: Any) -> bool | None:
        """Run a script of ecsshell commands, stopping at its first failing line."""
        status = self.run_file(args.script_path)
        if status:
            self.mark_failed(status)
        return None

    @functools.wraps(cmd2.Cmd.do_history)
    def do_history(self, *args: Any, **kwargs: Any) -> bool | None:  # type: ignore[override]
        try:
            return cmd2.Cmd.do_history(self, *args, **kwargs)
        except IndexError:
            raise CommandError("no such history item (the history holds "
                               f"{len(self.history)} line{'s' if len(self.history) != 1 else ''})", 1) from None

    # prompt and toolbar ----------------------------------------------------------------------
    def _update_prompt(self) -> None:
        """Show the scope, prefixed by the account's label, a profile not the default and a region switched to."""
        parts = []
        profile = self.scope.profile
        if profile and profile != "default" and not (self.options.demo and profile == self.options.profile):
            parts.append(visible(profile))  # the demo starts in its own profile (env), which is its default
        if self.scope.region and self.scope.region != self.options.region:
            parts.append(self.scope.region)
        _, label = self.account_label()
        words = [coloured(label.label, label.colour, enabled=self.use_color) if label else "", "@".join(parts),
                 fleet_label(self.profiles, self.regions), "read-only" if self._read_only else ""]
        prefix = " ".join(word for word in words if word)
        path = self.scope.path() or "ecs"
        self.prompt = f"[{prefix}] {path}> " if prefix else f"{path}> "

    def redraw(self) -> None:
        """Redraw the prompt and toolbar now (from any thread); the idle shell never redraws on a timer."""
        session = getattr(self, "main_session", None)
        app = getattr(session, "app", None)
        if app is not None and app.is_running:
            app.invalidate()

    def get_bottom_toolbar(self) -> Any:
        scope = self.scope
        try:
            region = self.gateway.region
        except Exception:
            region = scope.region or "?"
        account, label = self.account_label()
        if account is None and self._prompt_drawn:
            self._look_up_account()  # once per profile; the toolbar redraws when STS answers
        known = self.accounts.account(self.profile_name())
        shown = "unknown" if known == UNKNOWN else account or "..."
        parts = [
            f"profile: {visible(self.profile_name())}",
            f"account: {shown}{f' ({label.label})' if label else ''}",
            f"region: {region}",
            f"cluster: {scope.cluster or '-'}",
            f"service: {scope.service or '-'}",
        ]
        fleet = fleet_label(self.profiles, self.regions)
        if fleet:
            parts.append(f"fan-out: {fleet}")
        if self.completion.refreshing:
            parts.append("refreshing names...")
        if self._read_only:
            parts.append("READ-ONLY")
        if self.options.demo:
            parts.append("DEMO (no AWS)")
        return " | ".join(parts)

    # history ---------------------------------------------------------------------------------
    def _history_path(self) -> str:
        """Return the private history file to use, or "" (with a one-line warning) when it cannot be used.

        A history file that cannot be read back is left as it is and not used: cmd2 would overwrite it.
        """
        from .private_files import distrust, private_folder, read_private, write_private

        state = self.environment.state_dir
        path = state / "history"
        try:
            private_folder(state)  # 0700, the user's own, not a link: refused otherwise
            if path.is_dir() and not path.is_symlink():
                raise OSError(f"{path} is a directory")
            distrusted = distrust(path) if os.path.lexists(path) else ""
            if distrusted or not os.path.lexists(path):  # a link, someone else's, writable by others: replace it
                write_private(path, "")
            if distrusted:
                self.environment.stderr.write(f"warning: {distrusted}: history replaced with an empty private "
                                              "file\n")
            data = read_private(path, max_bytes=MAX_HISTORY)
            if data is None:
                raise OSError(f"{path} is larger than {MAX_HISTORY // (1024 * 1024)} MiB")
            readable_history(data)
            return str(path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            with contextlib.suppress(OSError, ValueError):
                self.environment.stderr.write(f"warning: history not used this session ({reason}); "
                                              f"{path} was left as it is\n")
            return ""

    def secure_history(self) -> None:
        """Keep the history file private to the user after cmd2 rewrites it."""
        if self.persistent_history_file:
            with contextlib.suppress(OSError):
                os.chmod(Path(self.persistent_history_file), 0o600)

    def banner(self) -> str:
        """Return the greeting shown when the interactive shell opens."""
        if self.options.demo:
            from .demo import BANNER

            return BANNER.format(url=self.options.endpoint_url)
        from . import __version__

        return f"ecsshell {__version__}. {BANNER_HINT}"

    # help ------------------------------------------------------------------------------------
    def _print_documented_command_topics(self, header: str, commands: Any, verbose: bool) -> None:
        """List each command with its one-line description, with or without `help -v`."""
        super()._print_documented_command_topics(header, commands, True)

    def do_help(self, statement: Any) -> None:
        """List available commands or provide detailed help for a specific command."""
        with self._paging_what_is_printed():
            cmd2.Cmd.do_help(self, statement)

    do_help.__dict__.update(cmd2.Cmd.do_help.__dict__)  # cmd2's parser of `help`: its usage, its completion

    @contextlib.contextmanager
    def _paging_what_is_printed(self) -> Iterator[None]:
        """Gather what is printed on stdout inside, then show it through the pager if it is taller than the terminal."""
        if not self.pages:
            yield
            return
        real = self.stdout
        gathered = _Gathered(real)
        self.stdout = gathered
        try:
            yield
        finally:
            self.stdout = real
        text = gathered.getvalue()
        if text and not self._page(text):
            self.presenter.raw(text)

    def do_scope(self, _: Any) -> None:
        """Explain how command arguments combine with the scope set by `use`."""
        from .targets import TARGET_RULE

        self.poutput(SCOPE_RULE)
        self.poutput(TARGET_RULE)
        self.poutput(f"Current scope: {self.scope.path() or '(none)'}")

    config_parser = cmd2.Cmd2ArgumentParser(description="Show where the config file is; `config init` writes a "
                                                        "commented default there if there is none.")
    config_parser.add_argument("action", nargs="?", choices=["init"], help="write the commented default file")

    @cmd2.with_argparser(config_parser)
    def do_config(self, args: Any) -> None:
        """Show the config file's path, or write a commented default one with `config init`."""
        from .config import write_default

        path = self.environment.config_dir / "config"
        if args.action == "init":
            written = write_default(self.environment.config_dir)
            self.poutput(f"wrote {written}" if written else f"{path} exists already; left as it is")
        else:
            self.poutput(f"{path}{'' if path.exists() else ' (not there: `config init` writes one)'}")

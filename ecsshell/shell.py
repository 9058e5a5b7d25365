"""The cmd2 application: scope, prompt, toolbar, settings, output, exit codes, stop-on-error."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import cmd2
from cmd2 import Cmd2ArgumentParser, Settable, Statement, argparse_utils, plugin
from cmd2.history import History, HistoryItem

from .environment import Environment
from .options import Options
from .scope import SCOPE_RULE, Scope, ScopeError

if TYPE_CHECKING:
    from .aws.gateway import Gateway
    from .completion import CompletionCache

BANNER_HINT = "Type `help` for commands, `help COMMAND` for one, Ctrl-D to leave."


def scrub(line: str) -> str:
    """Mask secrets in a command line, so history never stores one."""
    from .render.secrets import scrub_line

    return scrub_line(line)


class ScrubbedHistory(History):
    """cmd2's history, storing each line with secret-looking values masked."""

    parse: Any = None  # the app's statement parser, set when the app adopts this history

    def append(self, new: Statement | HistoryItem) -> None:
        statement = new.statement if isinstance(new, HistoryItem) else new
        clean = scrub(statement.raw)
        if clean != statement.raw and self.parse is not None:
            statement = self.parse(clean)
        super().append(HistoryItem(statement))


class CommandError(Exception):
    """A command could not do what was asked: one line for the user, and an exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _UsageState(threading.local):
    failed = False


_usage = _UsageState()


class Parser(Cmd2ArgumentParser):
    """Argument parser whose errors mark the command as a usage failure (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        _usage.failed = True
        super().error(message)


argparse_utils.set_default_argument_parser(Parser)
cmd2.Cmd.DEFAULT_CATEGORY = "Shell"  # cmd2's own commands (help, history, set...) sit beside ours


class CommandParser(Parser):
    """The parser of ecsshell's own commands: options may come before, between or after the names."""

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        return self.parse_intermixed_args(args, namespace)


def is_user_error(exc: BaseException) -> bool:
    """Say whether EXC is an expected failure that deserves one line, not a traceback."""
    from .aws.errors import AwsError
    from .images import InvalidImageReference

    return isinstance(exc, CommandError | ScopeError | AwsError | InvalidImageReference | OSError)


class EcsShell(cmd2.Cmd):
    """An ECS shell that keeps a scope and runs the same commands interactively and in scripts."""

    def __init__(self, environment: Environment, options: Options, *, interactive: bool) -> None:
        from .commands import all_command_sets
        from .completion import CompletionCache

        self.environment = environment
        self.options = options
        self.interactive = interactive
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
            refresh_interval=0.5 if interactive else 0.0,
        )
        self._gateway: Gateway | None = None
        self._gateway_lock = threading.Lock()
        self.scope = Scope(profile=options.profile, region=options.region)
        self.completion: CompletionCache = CompletionCache(self)
        self._status = 0
        self.failed_status = 0  # first failure's status, for scripts and one-shots
        self._script_depth = 0
        self._error_stop = False
        self.last_status = 0  # the status of the command that ran last
        self._interrupted = False  # Ctrl-C outside the interactive shell ends the whole run
        self.stop_on_error = not interactive
        self.output = options.output
        self.verbose = options.verbose
        self.events = options.events
        self.elb = options.elb
        self.show_secrets = options.show_secrets
        self.confirm = options.confirm and not options.yes
        self.wait = interactive if options.wait is None else options.wait
        self.color = options.color
        self._register_settables()
        self.register_cmdfinalization_hook(self._finalize)
        self.history.__class__ = ScrubbedHistory  # adopt the loaded history, masking what is added
        ScrubbedHistory.parse = staticmethod(self.statement_parser.parse)
        self._hide_builtins()
        self._update_prompt()

    # settings --------------------------------------------------------------------------------
    def _register_settables(self) -> None:
        def output_type(value: str) -> str:
            if value not in ("text", "json"):
                raise ValueError("output must be text or json")
            return value

        def events_type(value: str) -> int:
            number = int(value)
            if number < 0:
                raise ValueError("events must be 0 or more")
            return number

        self.add_settable(Settable("output", output_type, "Output format: text or json", self,
                                   choices=["text", "json"]))
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

    def _hide_builtins(self) -> None:
        for name in ("run_pyscript", "shell", "edit", "shortcuts"):
            if name in self.get_all_commands():
                self.hidden_commands.append(name)

    # AWS -------------------------------------------------------------------------------------
    @property
    def gateway(self) -> Gateway:
        """Return the AWS gateway for the current profile and region, connecting on first use."""
        with self._gateway_lock:
            if self._gateway is None:
                from .aws.gateway import Gateway
                from .aws.session import Settings

                settings = Settings(profile=self.scope.profile, region=self.scope.region,
                                    endpoint_url=self.options.endpoint_url)
                self._gateway = Gateway.connect(settings, self.environment.env)
            return self._gateway

    def switch(self, *, profile: str | None = None, region: str | None = None) -> None:
        """Change profile or region: new clients, empty scope, no cached names."""
        new = Scope(profile=profile if profile is not None else self.scope.profile,
                    region=region if region is not None else self.scope.region)
        old_gateway = self._gateway
        old_scope = self.scope
        self.scope = new
        self._gateway = None
        try:
            self.gateway.region  # noqa: B018 - connect now, so a bad profile fails here
        except Exception:
            self.scope, self._gateway = old_scope, old_gateway
            raise
        if old_gateway is not None:
            old_gateway.close()
        self.completion.clear()
        self._update_prompt()

    def preloop(self) -> None:
        """Start fetching cluster names for completion as the interactive shell opens."""
        if self.interactive:
            self.completion.prefetch("clusters")
            if self.scope.cluster:
                self.completion.prefetch_services(self.scope.cluster)

    def set_scope(self, scope: Scope) -> None:
        self.scope = scope
        self._update_prompt()
        if scope.cluster:
            self.completion.prefetch_services(scope.cluster)

    def close(self) -> None:
        self.completion.close()
        if self._gateway is not None:
            self._gateway.close()

    # output ----------------------------------------------------------------------------------
    @property
    def use_color(self) -> bool:
        return self.color and self.environment.color

    def show(self, renderable: Any) -> None:
        """Print a rich renderable, whole: folded on a terminal, never cut short on a pipe."""
        from .render.text import to_text

        text = to_text(renderable, width=self.environment.terminal_width(), color=self.use_color)
        self.poutput(text.rstrip("\n"))

    def show_json(self, document: Any) -> None:
        """Print one JSON document for scripts."""
        from .render.jsonout import dumps

        self.poutput(dumps(document))

    def note(self, message: str) -> None:
        """Print a progress or status line to stderr (never mixed into JSON on stdout)."""
        self.print_to(self.environment.stderr, message)

    def perror(self, *objects: Any, **kwargs: Any) -> None:
        kwargs.setdefault("style", "red" if self.use_color else None)
        self.print_to(self.environment.stderr, *objects, style=kwargs["style"])

    def pwarning(self, *objects: Any, **kwargs: Any) -> None:
        self.print_to(self.environment.stderr, *objects, style="yellow" if self.use_color else None)

    def fail(self, message: str, code: int = 1) -> None:
        """Report a failure in one line (secrets masked) and mark the command as failed."""
        from .render.secrets import scrub_text

        self.perror(f"error: {scrub_text(message)}")
        self.mark_failed(code)

    def mark_failed(self, code: int = 1) -> None:
        if not self._status:
            self._status = code

    def pexcept(self, exception: BaseException, **kwargs: Any) -> None:
        if is_user_error(exception):
            code = getattr(exception, "code", 1)
            self.fail(str(exception).splitlines()[0] if str(exception) else type(exception).__name__,
                      code if isinstance(code, int) else 1)
            return
        self.mark_failed(1)
        if self.debug:
            super().pexcept(exception, **kwargs)
        else:
            from .render.secrets import scrub_text

            self.perror(scrub_text(f"internal error: {type(exception).__name__}: {exception} "
                                   "(set debug true for a traceback)"))

    def default(self, statement: cmd2.Statement) -> bool | None:
        self.fail(f"unknown command {statement.command!r}; type `help` to list commands", 2)
        return None

    def confirmed(self, question: str) -> bool:
        """Ask QUESTION when a person is at a terminal and confirmation is on; True otherwise."""
        if not (self.confirm and self.environment.interactive):
            return True
        try:
            answer = self.read_input(f"{question} [y/N] ")
        except (EOFError, KeyboardInterrupt):
            self.poutput("")
            return False
        return answer.strip().lower() in ("y", "yes")

    # exit codes and stop-on-error ---------------------------------------------------------------
    def _finalize(self, data: plugin.CommandFinalizationData) -> plugin.CommandFinalizationData:
        code = self._status or (2 if _usage.failed else 0)
        self._status = 0
        _usage.failed = False
        self.last_status = code
        if not code:
            return data
        if not self.failed_status:
            self.failed_status = code
        if self._interrupted and not self._error_stop:
            self.perror("interrupted: nothing after this line runs")
        if self.stop_on_error or self._script_depth or self._interrupted:
            data.stop = True
            self._error_stop = True
        if not self.interactive or self.stop_on_error:
            self.exit_code = self.failed_status
        return data

    def sigint_handler(self, signum: int, frame: Any) -> None:
        """Ctrl-C: cancel the command; outside the interactive shell, also end the run with status 130."""
        if not self.interactive:
            self._interrupted = True
            self.mark_failed(130)
        super().sigint_handler(signum, frame)

    def do_run_script(self, args: Any) -> bool | None:
        """Run a script of ecsshell commands, stopping at its first failing line."""
        self._script_depth += 1
        self._error_stop = False
        try:
            stop = super().do_run_script(args)
        finally:
            self._script_depth -= 1
        if self._error_stop:
            self._error_stop = False
            self.mark_failed(self.failed_status or 1)
            if self.interactive and not self.stop_on_error and not self._script_depth:
                self.failed_status = 0
                return False
        return stop

    # prompt and toolbar ----------------------------------------------------------------------
    def _update_prompt(self) -> None:
        """Show the scope, prefixed by the profile (if not the default) and a region switched to in-session."""
        parts = []
        if self.scope.profile and self.scope.profile != "default" and not self.options.demo:
            parts.append(self.scope.profile)
        if self.scope.region and self.scope.region != self.options.region:
            parts.append(self.scope.region)
        prefix = "@".join(parts)
        path = self.scope.path() or "ecs"
        self.prompt = f"[{prefix}] {path}> " if prefix else f"{path}> "

    def get_bottom_toolbar(self) -> Any:
        scope = self.scope
        try:
            region = self.gateway.region
        except Exception:
            region = scope.region or "?"
        parts = [
            f"profile: {'demo' if self.options.demo else scope.profile or 'default'}",
            f"region: {region}",
            f"cluster: {scope.cluster or '-'}",
            f"service: {scope.service or '-'}",
        ]
        if self.completion.refreshing:
            parts.append("refreshing names...")
        if self.options.demo:
            parts.append("DEMO (no AWS)")
        return " | ".join(parts)

    # history ---------------------------------------------------------------------------------
    def _history_path(self) -> str:
        state = self.environment.state_dir
        try:
            state.mkdir(parents=True, exist_ok=True)
            os.chmod(state, 0o700)
            path = state / "history"
            if not path.exists():
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            os.chmod(path, 0o600)
            return str(path)
        except OSError:
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
    def do_scope(self, _: Any) -> None:
        """Explain how command arguments combine with the scope set by `use`."""
        self.poutput(SCOPE_RULE)
        self.poutput(f"Current scope: {self.scope.path() or '(none)'}")

    def print_json_line(self, document: Any) -> None:
        """Print a compact JSON document on one line (for streaming output)."""
        self.poutput(json.dumps(document, default=str))

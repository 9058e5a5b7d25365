"""Parse argv (global flags, -c, -f, --demo, ecsman-style OPERATION ARGS) and pick the mode."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any, NoReturn

from . import __version__
from .config import ConfigFileError, load, write_default
from .environment import Environment
from .lines import join_words
from .options import OUTPUT_FORMATS, Options

USAGE = """\
usage: ecsshell [FLAGS] [OPERATION ARGS...]
       ecsshell [FLAGS] -c "COMMAND LINE"
       ecsshell [FLAGS] -f SCRIPT
       ecsshell [FLAGS] --demo

Without an operation on a terminal, ecsshell opens an interactive shell; lines piped to it are run
in order and the first failing line stops the run.

operations (the same commands work inside the shell; `help COMMAND` there says more):
  ls [CLUSTER [SERVICE]]            clusters, a cluster's services, or one service in detail
  check CLUSTER SERVICE             warn (exit 1) about missing tasks, stale revisions, failed rollouts
  update CLUSTER SERVICE IMAGE      deploy a new image or :TAG (--wait, --rollback, --dry-run)
  rollback CLUSTER SERVICE [REV]    back to the previous (or named) revision
  scale CLUSTER SERVICE COUNT       set the desired task count (--min A --max B: its auto scaling)
  taskdefs [FAMILY [REV|latest]]    task definition families, revisions, or one revision
  register FILE                     register a task definition from JSON
  run CLUSTER FAMILY[:REV]          run one-off tasks (--wait returns the container's exit code)
  logs CLUSTER SERVICE|TASK         CloudWatch Logs of the tasks (--follow, --output jsonl)
  watch [-n SECONDS] COMMAND ...   re-run a command that only reads ECS until Ctrl-C

flags (ecsman's spellings work too):
  -cred, --profile PROFILE  AWS profile; `-cred env` uses AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
  -region, --region REGION  AWS region
  -v, --verbose             task definition detail
  -elb, --elb               load balancers and target health
  -events, --events N       the N most recent service events
  --output text|json        machine-readable output with json (a command's --query EXPR filters it)
  --endpoint-url URL        talk to another ECS endpoint (e.g. a local emulator)
  --show-secrets            show values of secret-looking environment variables
  -y, --yes                 never ask for confirmation
  --read-only               refuse every command that changes ECS, before any call
  --allow-shell             allow !shell commands, | pipes and > redirection in -c, -f and piped
                            scripts (always available in the interactive shell)
  --no-color                plain output even on a terminal
  --demo                    run against a built-in emulated ECS world (needs the demo extra)
  -version, --version       print the version
  -h, --help                this help

Outside the interactive shell the first failing line stops the run (`;` separates commands on a
line, under the same rule), and the script says where it stopped.

exit status: 0 ok; 1 failed (AWS error, nothing found, check warnings, rollout failed, refused in
read-only mode, output could not be written); 2 usage error; 3 timed out waiting; 130 interrupted
(Ctrl-C, SIGINT); 143 terminated (SIGTERM), also during logs --follow, watch, --wait and exec; with
`run --wait`, the task's exit code; with exec, the session-manager-plugin's (128+N if signal N killed it).
"""


class UsageError(Exception):
    """The command line itself is wrong."""


class _ArgParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        from .suggest import flag_hint, option_strings

        raise UsageError(message + flag_hint(message, option_strings(self)))


def _count(text: str) -> int:
    """Parse a whole number written in ASCII digits (int() would take other scripts' digits too)."""
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r} (want a whole number, 0 to 100)")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """Build the global parser; everything after OPERATION belongs to that operation."""
    parser = _ArgParser(prog="ecsshell", add_help=False, allow_abbrev=False)
    parser.add_argument("-h", "-help", "--help", action="store_true", dest="help")
    parser.add_argument("-version", "--version", action="store_true")
    parser.add_argument("-cred", "--cred", "--profile", dest="profile", metavar="PROFILE")
    parser.add_argument("-region", "--region", metavar="REGION")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("-elb", "--elb", action="store_true")
    parser.add_argument("-events", "--events", type=_count, metavar="N")
    parser.add_argument("-output", "--output", choices=OUTPUT_FORMATS)
    parser.add_argument("--endpoint-url", metavar="URL")
    parser.add_argument("--show-secrets", action="store_true")
    parser.add_argument("-y", "--yes", action="store_true")
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("--allow-shell", action="store_true")
    parser.add_argument("--no-color", action="store_true")
    parser.add_argument("-c", dest="command", metavar="LINE")
    parser.add_argument("-f", dest="file", metavar="SCRIPT")
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("operation", nargs="?")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def make_options(ns: argparse.Namespace, environment: Environment) -> Options:
    """Merge flags over the config file (and ECSCREDENTIAL, which the gateway reads itself)."""
    config = load(environment.config_dir)
    if ns.events is not None and not 0 <= ns.events <= 100:
        raise UsageError("-events must be 0 to 100")
    env = environment.env
    from_env_profile = env.get("ECSCREDENTIAL") or env.get("AWS_PROFILE")
    from_env_region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    return Options(  # flags, then the environment (read by the gateway), then the config file
        profile=ns.profile or (None if from_env_profile else config.profile),
        region=ns.region or (None if from_env_region else config.region),
        endpoint_url=ns.endpoint_url,
        output=ns.output or config.output or "text",
        verbose=ns.verbose,
        elb=ns.elb,
        events=ns.events or 0,
        show_secrets=ns.show_secrets,
        yes=ns.yes,
        color=config.color and not ns.no_color,
        confirm=config.confirm,
        wait=None if config.wait else False,
        demo=ns.demo,
        read_only=ns.read_only or config.read_only,
        allow_shell=ns.allow_shell or config.allow_shell,
    )


def main(argv: list[str] | None = None, environment: Environment | None = None) -> int:
    """Run ecsshell with ARGV and return the exit status."""
    env = environment or Environment()
    argv = sys.argv[1:] if argv is None else argv
    try:
        ns = build_parser().parse_args(argv)
        if ns.help:
            env.stdout.write(USAGE)
            return 0
        if ns.version:
            env.stdout.write(f"ecsshell {__version__}\n")
            return 0
        if sum(x is not None for x in (ns.operation, ns.command, ns.file)) > 1:
            raise UsageError("give one of OPERATION, -c LINE or -f SCRIPT")
        options = make_options(ns, env)
    except UsageError as exc:
        env.stderr.write(f"ecsshell: error: {exc}\n(see ecsshell --help)\n")
        return 2
    except ConfigFileError as exc:
        env.stderr.write(f"ecsshell: error: config: {exc}\n")
        return 2
    demo = None
    if options.demo:
        from .demo import DemoUnavailable, start_demo

        try:
            repl = ns.operation is None and ns.command is None and ns.file is None and env.interactive
            demo, env, options = start_demo(env, options, wait=not repl)  # the prompt comes up as it builds
        except DemoUnavailable as exc:
            env.stderr.write(f"ecsshell: {exc}\n")
            return 1
    try:
        status = run(ns, env, options)
    except OSError as exc:  # the streams themselves failed (a full disk, a closed pipe) outside any command
        from .shell import write_error

        _say(env, f"error: {write_error(exc)}")
        status = 1
    finally:
        if demo is not None:
            demo.stop()
    return finish_output(env, status)


def console() -> NoReturn:
    """Run ecsshell as the console script: main(), then flush and leave without interpreter teardown.

    Tearing the interpreter down (joining idle pool threads, freeing every module) costs about 0.2 s
    after the last line is out. By now the history and the caches are written and the streams are
    flushed here, so the process exits at once with the run's status; atexit functions still run.
    """
    import atexit
    import os

    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    atexit._run_exitfuncs()  # e.g. readline's history, should a library have registered one
    os._exit(status)


def finish_output(env: Environment, status: int) -> int:
    """Flush standard output; if that fails (a closed pipe, a full disk), say so and fail the run."""
    try:
        env.stdout.flush()
    except (OSError, ValueError) as exc:
        from .shell import write_error

        if isinstance(exc, OSError):
            _say(env, f"error: {write_error(exc)}")
        with contextlib.suppress(OSError, ValueError, AttributeError):  # let the interpreter exit quietly
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, env.stdout.fileno())
        return status or 1
    return status


def run(ns: argparse.Namespace, env: Environment, options: Options) -> int:
    """Create the shell and run the operation, the -c line, the script, piped lines or the REPL."""
    from .shell import EcsShell, interrupt_status

    interactive = ns.operation is None and ns.command is None and ns.file is None and env.interactive
    if interactive:
        write_default(env.config_dir)  # a commented config to edit, on the first interactive start
    app = EcsShell(env, options, interactive=interactive)
    status = 0
    try:
        with signals(app, enabled=not interactive):
            if ns.operation is not None:
                if ns.operation not in app.get_all_commands():
                    from .suggest import did_you_mean

                    hint = did_you_mean(ns.operation, app.get_visible_commands())
                    env.stderr.write(f"ecsshell: error: unknown operation {ns.operation!r}{hint} "
                                     "(see ecsshell --help)\n")
                    return 2
                app.onecmd_plus_hooks(join_words([ns.operation, *ns.args]), add_to_history=False)
                status = app.last_status
            elif ns.command is not None:
                status = app.run_lines(ns.command.splitlines(), "", always_say_where=False)
            elif ns.file is not None:
                status = app.run_file(ns.file)
            elif interactive:
                status = app.cmdloop(app.banner())
            else:
                status = app.run_stdin()
    except KeyboardInterrupt as exc:  # the one place a signal becomes the run's status (see docs/interrupts.md)
        status = interrupt_status(exc)
        _say(env, f"{'terminated' if status == 128 + signal.SIGTERM else 'interrupted'}: nothing after this "
                  f"command runs{app.changes_note()}")
    finally:
        app.close()
        app.secure_history()
    return status or (app.exit_code if interactive else 0)


def _say(env: Environment, line: str) -> None:
    """Write one line to stderr, if stderr is still there."""
    try:
        env.stderr.write(line + "\n")
        env.stderr.flush()
    except (OSError, ValueError):
        pass


@contextlib.contextmanager
def signals(app: Any, *, enabled: bool) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into an interruption of the run (status 130 or 143), in the main thread."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    from .shell import Interrupted

    def handler(signum: int, _frame: Any) -> None:
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)

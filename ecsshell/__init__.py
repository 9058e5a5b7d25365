"""ecsshell: an interactive shell and one-shot command runner for Amazon ECS.

Data flows one way: input (cli, shell) -> command (commands) -> operation (operations) -> AWS
gateway (aws) -> model -> presenter (presenter, render). Top-level modules: `cli` (argv and mode),
`shell` (the cmd2 app: scope, prompt, toolbar, settings, exit codes, stop-on-error), `lines`
(`;` splitting, script files, terminal-safe text), `presenter`, `model`, `queries`, `scope`,
`images`, `secrets`, `completion`, `config`, `environment`, `options`, `demo`.
"""

__version__ = "0.1.0"

"""Which packages of ecsshell may import which, read from the source with `ast`."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ecsshell"
EMULATOR_MAY_NOT_IMPORT = ("ecsshell.shell", "ecsshell.commands", "ecsshell.render", "ecsshell.aws")
AWS_MAY_NOT_IMPORT = ("ecsshell.commands", "ecsshell.shell", "ecsshell.render", "ecsshell.cli")
SDK = ("boto3", "botocore")
SDK_PACKAGES = ("aws", "emulator")  # the only packages of ecsshell that talk to the AWS SDK
RENDER_MAY_IMPORT = ("ecsshell.render", "ecsshell.model", "ecsshell.queries", "ecsshell.images", "ecsshell.secrets",
                     "ecsshell.clock",
                     "rich", "pygments")
OPERATIONS_MAY_IMPORT = ("ecsshell.operations", "ecsshell.model", "ecsshell.images", "ecsshell.queries",
                         "ecsshell.secrets", "ecsshell.errors", "ecsshell.suggest")
RENDER_MAY_NOT_IMPORT_STDLIB = ("os", "sys", "subprocess", "socket", "shutil", "pathlib", "tempfile", "logging")


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Return every module PATH imports, anywhere in it (functions, TYPE_CHECKING), made absolute."""
    module = _module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            if node.module:
                found.add(".".join([*base, node.module]))
            else:
                found.update(".".join([*base, alias.name]) for alias in node.names)
    return found


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def test_imports_are_read_absolute() -> None:
    found = imports(PACKAGE / "emulator" / "server.py")
    assert "ecsshell.emulator.scheduler" in found  # `from .scheduler import ...`
    assert "ecsshell.emulator.patches" in found  # `from . import patches`, inside a method
    assert "boto3" in found  # `import boto3`, inside a method


def test_emulator_imports_no_shell_commands_render_or_aws() -> None:
    offending = {f"{path.relative_to(PACKAGE.parent)}: {name}"
                 for path in (PACKAGE / "emulator").rglob("*.py") for name in imports(path)
                 if _within(name, EMULATOR_MAY_NOT_IMPORT)}
    assert not offending


def test_aws_imports_no_commands_shell_render_or_cli() -> None:
    offending = {f"{path.relative_to(PACKAGE.parent)}: {name}"
                 for path in (PACKAGE / "aws").rglob("*.py") for name in imports(path)
                 if _within(name, AWS_MAY_NOT_IMPORT)}
    assert not offending


def test_aws_helpers_do_not_import_the_gateway() -> None:
    offending = {f"{path.relative_to(PACKAGE.parent)}: ecsshell.aws.gateway"
                 for path in (PACKAGE / "aws").rglob("*.py")
                 if path.name not in ("gateway.py", "__init__.py") and "ecsshell.aws.gateway" in imports(path)}
    assert not offending


def test_only_aws_and_emulator_import_the_sdk() -> None:
    offending = {f"{path.relative_to(PACKAGE.parent)}: {name}"
                 for path in PACKAGE.rglob("*.py") for name in imports(path)
                 if _within(name, SDK) and path.relative_to(PACKAGE).parts[0] not in SDK_PACKAGES}
    assert not offending


def _render_may_import(name: str) -> bool:
    """Say whether a module of render may import NAME: ours and rich's, or the stdlib's that do no I/O."""
    top = name.split(".")[0]
    if top in sys.stdlib_module_names:
        return top not in RENDER_MAY_NOT_IMPORT_STDLIB
    return _within(name, RENDER_MAY_IMPORT)


def test_render_imports_only_models_queries_images_rich_and_pygments() -> None:
    offending = {f"{path.relative_to(PACKAGE.parent)}: {name}"
                 for path in (PACKAGE / "render").rglob("*.py") for name in imports(path)
                 if not _render_may_import(name)}
    assert not offending


def test_render_rule_refuses_what_render_must_not_import() -> None:
    for name in ("ecsshell.aws.gateway", "ecsshell.commands", "ecsshell.shell", "ecsshell.cli",
                 "ecsshell.emulator", "ecsshell.presenter", "boto3", "botocore.exceptions", "cmd2", "os", "sys"):
        assert not _render_may_import(name), name
    for name in ("ecsshell.model", "ecsshell.queries", "ecsshell.images", "rich.table", "pygments.token", "json"):
        assert _render_may_import(name), name


def _operations_may_import(name: str) -> bool:
    """Say whether a module of operations may import NAME: the stdlib, the model and its neighbours, each other."""
    return name.split(".")[0] in sys.stdlib_module_names or _within(name, OPERATIONS_MAY_IMPORT)


def test_operations_import_only_the_model_images_queries_secrets_and_errors() -> None:
    offending = {f"{path.relative_to(PACKAGE.parent)}: {name}"
                 for path in (PACKAGE / "operations").rglob("*.py") for name in imports(path)
                 if not _operations_may_import(name)}
    assert not offending


def test_operations_rule_refuses_what_operations_must_not_import() -> None:
    for name in ("cmd2", "ecsshell.commands.deploy", "ecsshell.shell", "ecsshell.render", "ecsshell.presenter",
                 "ecsshell.aws", "ecsshell.aws.gateway", "ecsshell.cli", "boto3", "rich"):
        assert not _operations_may_import(name), name
    for name in ("ecsshell.model", "ecsshell.operations.rollout", "ecsshell.errors", "dataclasses"):
        assert _operations_may_import(name), name


def _graph() -> dict[str, set[str]]:
    """Return which ecsshell modules each ecsshell module imports (anywhere in it)."""
    modules = {_module_of(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in imports(path):
            while name and name not in modules:  # `from .pkg import name` names a module or a symbol
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_anywhere_in_ecsshell() -> None:
    assert cycles(_graph()) == []

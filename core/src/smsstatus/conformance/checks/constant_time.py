"""``constant-time``: credentials are compared in constant time, never with ``==``.

A static check over the plugin's own source (its package's ``*.py`` files, or
the module its plugin object comes from): every ``==`` / ``!=`` with a
credential value on either side fails it. A value is a credential when it
comes from ``credentials.require()`` / ``.optional()`` / ``[name]`` /
``.reveal()``, is a digest (``hmac``, ``hashlib``, ``.hexdigest()``, a
``sign...()`` call), is named like one (``secret``, ``token``, ``password``,
``signature``, a declared credential name; constants in capitals excepted), or
is computed from one (assignments are followed within a function). Compare
with :func:`smsstatus.check_credential`, :func:`smsstatus.secret_equals` or
``hmac.compare_digest``. Comparing with a literal (``token == ""``) is fine.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..context import Context, Family, Item, plugin_files
from ..outcomes import CheckFailed, CheckSkipped

_SECRET_NAME = re.compile(r"(?i)secret|passw|pswd|passwd|token|api_?key|signature|digest|hmac")
_SOURCE_METHODS = frozenset({"require", "optional", "reveal", "hexdigest", "digest"})
#: Methods that keep their object's value (text transforms).
_KEEPS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "casefold", "encode", "decode", "replace"})
_DIGEST_MODULES = frozenset({"hmac", "hashlib"})


class _Taint:
    """Which expressions of one function hold credential values."""

    def __init__(self, names: frozenset[str], extra: frozenset[str]) -> None:
        self.names = set(names)
        self.extra = extra

    def secret_name(self, name: str) -> bool:
        if name.isupper():  # a constant such as TOKEN_PARAM names a field, it holds no secret
            return False
        return name in self.extra or bool(_SECRET_NAME.search(name))

    def __call__(self, node: ast.AST | None) -> bool:
        if node is None:
            return False
        if isinstance(node, ast.Name):
            return node.id in self.names or self.secret_name(node.id)
        if isinstance(node, ast.Attribute):
            return self.secret_name(node.attr) or (node.attr in _KEEPS and self(node.value))
        if isinstance(node, ast.Subscript):
            return self(node.value) or _names_credentials(node.value)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, (ast.BinOp, ast.BoolOp, ast.JoinedStr, ast.FormattedValue, ast.IfExp)):
            return any(self(child) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
        if isinstance(node, ast.NamedExpr):
            return self(node.value)
        return False

    def _call(self, node: ast.Call) -> bool:
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr in _SOURCE_METHODS:
                return True
            if isinstance(func.value, ast.Name) and func.value.id in _DIGEST_MODULES:
                return True
            return func.attr in _KEEPS and self(func.value)
        if isinstance(func, ast.Name):
            return func.id.lstrip("_").startswith("sign")
        return False


def _names_credentials(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in ("credentials", "creds")


def _targets(target: ast.AST) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _targets(element)


def _scopes(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield node


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a scope, not those of the functions nested in it."""
    for child in ast.iter_child_nodes(scope):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield child
        yield from _own_nodes(child)


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) or (
        isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(_is_literal(e) for e in node.elts)
    )


def comparisons(tree: ast.Module, extra: frozenset[str]) -> Iterator[ast.Compare]:
    """Every ``==`` / ``!=`` between a credential value and anything but a literal."""
    for scope in _scopes(tree):
        taint = _Taint(frozenset(), extra)
        nodes = list(_own_nodes(scope))
        changed = True
        while changed:  # follow assignments to a fixed point (order does not matter)
            changed = False
            for node in nodes:
                value: ast.AST | None = None
                targets: list[ast.AST] = []
                if isinstance(node, ast.Assign):
                    value, targets = node.value, list(node.targets)
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                    value, targets = node.value, [node.target]
                elif isinstance(node, (ast.For, ast.comprehension)):
                    value, targets = node.iter, [node.target]
                if value is not None and taint(value):
                    for name in (n for t in targets for n in _targets(t)):
                        if name not in taint.names:
                            taint.names.add(name)
                            changed = True
        for node in nodes:
            if not isinstance(node, ast.Compare):
                continue
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                if not isinstance(op, (ast.Eq, ast.NotEq)) or _is_literal(left) or _is_literal(right):
                    continue
                if taint(left) or taint(right):
                    yield node
                    break


def findings(files: Iterable[Path], extra: frozenset[str], root: Path | None = None) -> list[str]:
    found = []
    for file in files:
        try:
            tree = ast.parse(file.read_text("utf-8"), filename=str(file))
        except (SyntaxError, UnicodeDecodeError, OSError) as exc:
            found.append(f"{file.name}: cannot be read: {exc}")
            continue
        where = file.relative_to(root) if root is not None and file.is_relative_to(root) else file.name
        for node in comparisons(tree, extra):
            found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return found


def check(ctx: Context) -> None:
    assert ctx.loaded is not None
    files = plugin_files(ctx.loaded.plugin)
    if not files:
        raise CheckSkipped("the plugin's source files cannot be found")
    names = frozenset(spec.name for spec in ctx.info.credentials if spec.secret)
    found = findings(files, names, files[0].parent)
    if found:
        raise CheckFailed(
            "credential values compared with == or != (a timing side channel): use"
            " smsstatus.check_credential or secret_equals\n" + "\n".join(found)
        )


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("constant-time", plan)

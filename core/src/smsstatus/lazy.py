"""Deferring a plugin's heavy imports to its first call.

Every ``smsstatus`` command and every :func:`smsstatus.load` imports every
installed plugin, so a plugin's entry module should hold only its metadata
and mapping table, and import its parsers when first used::

    @on_first_call
    def _parse() -> Callable[[str, PushRequest], PushResult]:
        from .push import parse

        return parse


    @hookimpl
    def parse_push(vendor: str, request: PushRequest) -> PushResult:
        return _parse(vendor, request)

(The hook stays a plain function with named arguments: pluggy reads them.)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, ParamSpec, TypeVar

__all__ = ["on_first_call", "on_first_access"]

P = ParamSpec("P")
R = TypeVar("R")


def on_first_call(load: Callable[[], Callable[P, R]]) -> Callable[P, R]:
    """A callable that runs ``load`` once, on its first call, then calls what
    it returned (one ``None`` check per call after that)."""
    target: Callable[P, R] | None = None

    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        nonlocal target
        if target is None:
            target = load()
        return target(*args, **kwargs)

    return call


def on_first_access(namespace: MutableMapping[str, Any], where: Mapping[str, str]) -> Callable[[str], Any]:
    """The body of a module's ``__getattr__`` (PEP 562) that imports the names
    in ``where`` (name -> module of the ``smsstatus`` package) on first access
    and keeps each in ``namespace`` (the module's ``globals()``), so later
    lookups never reach it."""
    module_name = namespace["__name__"]

    def getattr_(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"smsstatus.{module}"), name)
        namespace[name] = value
        return value

    return getattr_

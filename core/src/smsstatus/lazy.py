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

from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["on_first_call"]

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

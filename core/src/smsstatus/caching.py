"""A memo for pure functions of vendor-sent values, bounded in size as well as count.

Mapping a vendor's status text or code is pure and on every push's path, and
pushes repeat a few values, so plugins memoise it. ``functools.lru_cache``
bounds how many entries it keeps, not how big they are: its keys are the
texts a sender wrote, so 1,024 distinct megabyte-long statuses would keep a
gigabyte alive after the pushes are gone. :func:`short_value_cache` memoises
only calls whose text arguments are short (the values vendors document are a
few characters to a few dozen); a longer one is computed and not kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["MAX_CACHED_LENGTH", "short_value_cache"]

F = TypeVar("F", bound=Callable[..., Any])

#: Text arguments up to this many characters are memoised; longer ones are not.
MAX_CACHED_LENGTH = 64


def short_value_cache(maxsize: int = 1024, *, max_length: int = MAX_CACHED_LENGTH) -> Callable[[F], F]:
    """Memoise a pure function like ``functools.lru_cache(maxsize, typed=True)``,
    but only for calls whose ``str`` and ``bytes`` arguments (positional or
    keyword) are at most ``max_length`` long: the cache holds at most
    ``maxsize`` entries of bounded size whatever a sender writes. The
    decorated function keeps ``cache_info()`` and ``cache_clear()``."""

    def decorate(func: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize, typed=True)(func)
        limit = max_length

        def call(*args: Any, **kwargs: Any) -> Any:
            # One rule for positional and keyword arguments; isinstance, so a str
            # subclass is bounded too.
            for value in (*args, *kwargs.values()) if kwargs else args:
                if isinstance(value, (str, bytes)) and len(value) > limit:
                    return func(*args, **kwargs)
            return cached(*args, **kwargs)

        functools.update_wrapper(call, func)
        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return cast(F, call)

    return decorate

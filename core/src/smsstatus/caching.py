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
from typing import Any, NamedTuple, TypeVar, cast

__all__ = ["MAX_CACHED_LENGTH", "CacheInfo", "short_value_cache"]

F = TypeVar("F", bound=Callable[..., Any])

#: Text arguments up to this many characters are memoised; longer ones are not.
MAX_CACHED_LENGTH = 64


class CacheInfo(NamedTuple):
    """What ``cache_info()`` answers: ``functools.lru_cache``'s four counts."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


def short_value_cache(maxsize: int = 1024, *, max_length: int = MAX_CACHED_LENGTH) -> Callable[[F], F]:
    """Memoise a pure function like ``functools.lru_cache(maxsize, typed=True)``,
    but only for calls whose ``str`` and ``bytes`` arguments (positional or
    keyword) are at most ``max_length`` long: the cache holds at most
    ``maxsize`` entries of bounded size whatever a sender writes. The
    decorated function keeps ``cache_info()`` and ``cache_clear()``.

    Calls made only of positional ``str`` and ``None`` arguments (a status
    and its code: nearly every call) are kept in a plain dict of their own,
    also of at most ``maxsize`` entries, emptied when full rather than
    evicting one by one; the others go to an ``lru_cache``. A ``str``
    subclass equal to a text already kept gets that text's answer."""

    def decorate(func: F) -> F:
        # Why two memos: a hit through a Python wrapper round lru_cache costs
        # 0.26-0.33 us (the argument loop, then lru_cache building its typed
        # key), a hit here one dict lookup keyed by the argument tuple itself,
        # 0.13, and a push makes one to three such calls.
        cached = functools.lru_cache(maxsize=maxsize, typed=True)(func)
        memo: dict[tuple[Any, ...], Any] = {}
        limit = max_length
        hits = misses = 0

        def general(*args: Any, **kwargs: Any) -> Any:
            # One rule for positional and keyword arguments; isinstance, so a str
            # subclass is bounded too.
            for value in (*args, *kwargs.values()) if kwargs else args:
                if isinstance(value, (str, bytes)) and len(value) > limit:
                    return func(*args, **kwargs)
            return cached(*args, **kwargs)

        def call(*args: Any, **kwargs: Any) -> Any:
            nonlocal hits, misses
            if not kwargs:
                # Every key in memo is a tuple of exact str (short) and None,
                # so only such arguments (or a str subclass equal to one) hit.
                # An unhashable argument raises TypeError, as lru_cache says.
                try:
                    result = memo[args]
                except KeyError:
                    pass
                else:
                    hits += 1
                    return result
                for value in args:
                    if not (value is None or (value.__class__ is str and len(value) <= limit)):
                        break
                else:
                    result = func(*args)
                    if len(memo) >= maxsize:  # a sender sending many values: start again
                        memo.clear()
                    memo[args] = result
                    misses += 1
                    return result
            return general(*args, **kwargs)

        def cache_info() -> CacheInfo:
            general = cached.cache_info()
            return CacheInfo(
                general.hits + hits, general.misses + misses, maxsize, general.currsize + len(memo)
            )

        def cache_clear() -> None:
            nonlocal hits, misses
            cached.cache_clear()
            memo.clear()
            hits = misses = 0

        if maxsize <= 0:  # lru_cache(0) keeps nothing and hashes nothing: so does this
            call = general
        functools.update_wrapper(call, func)
        call.cache_info = cache_info  # type: ignore[attr-defined]
        call.cache_clear = cache_clear  # type: ignore[attr-defined]
        return cast(F, call)

    return decorate

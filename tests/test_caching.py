"""short_value_cache: memoises like lru_cache, but never keeps a long text a sender wrote."""

from __future__ import annotations

import gc
import importlib
from typing import Any

import pytest
import smsstatus
from smsstatus.caching import MAX_CACHED_LENGTH, short_value_cache


def test_short_arguments_are_memoised_and_long_ones_are_computed_each_time() -> None:
    calls: list[tuple[object, ...]] = []

    @short_value_cache(4)
    def meaning(status: str, code: str | None = None) -> str:
        calls.append((status, code))
        return f"{status}/{code}"

    assert meaning("DELIVRD", "000") == meaning("DELIVRD", "000") == "DELIVRD/000"
    assert len(calls) == 1 and meaning.cache_info().currsize == 1  # type: ignore[attr-defined]
    long = "x" * (MAX_CACHED_LENGTH + 1)
    assert meaning(long) == meaning(long) == f"{long}/None"
    assert meaning("DELIVRD", code=long) == f"DELIVRD/{long}"
    assert meaning(long.encode().decode(), "1") == f"{long}/1"
    assert len(calls) == 5 and meaning.cache_info().currsize == 1  # type: ignore[attr-defined]
    edge = "y" * MAX_CACHED_LENGTH  # the limit itself is still kept
    meaning(edge)
    meaning(edge)
    assert len(calls) == 6 and meaning.cache_info().currsize == 2  # type: ignore[attr-defined]
    meaning.cache_clear()  # type: ignore[attr-defined]
    assert meaning.cache_info().currsize == 0  # type: ignore[attr-defined]
    assert meaning.__name__ == "meaning"


def test_a_long_str_subclass_is_not_kept_either() -> None:
    class Text(str):
        pass

    @short_value_cache(4)
    def echo(value: str) -> str:
        return value

    long = Text("x" * (MAX_CACHED_LENGTH + 1))
    assert echo(long) == long and echo(value=long) == long
    assert echo.cache_info().currsize == 0  # type: ignore[attr-defined]


def test_typed_like_the_mappings_need() -> None:
    @short_value_cache()
    def kind(value: object) -> str:
        return type(value).__name__

    assert (kind(1), kind(True), kind(1.0)) == ("int", "bool", "float")


def _mapping_functions() -> list[Any]:
    """Every memoised function in the mapping and push modules of every installed plugin."""
    found: dict[int, Any] = {}
    for vendor in smsstatus.load().vendors:
        for name in ("mapping", "push", "lean"):
            try:
                module = importlib.import_module(f"smsstatus_{vendor}.{name}")
            except ModuleNotFoundError:
                continue
            for value in vars(module).values():
                if (
                    callable(value)
                    and hasattr(value, "cache_info")
                    and getattr(value, "__module__", "").startswith(f"smsstatus_{vendor}")
                ):
                    found[id(value)] = value  # a module re-exports some
    return list(found.values())


@pytest.mark.parametrize("size", [10_000])
def test_no_installed_plugin_keeps_a_long_status_in_its_mapping_cache(size: int) -> None:
    """Every memoised mapping function of every installed plugin, called with
    vendor-sized junk: nothing it keeps grows with the junk's size."""
    functions = _mapping_functions()
    assert functions, "no memoised mapping function found"
    for function in functions:
        function.cache_clear()  # a full cache would hide an insertion behind an eviction
        for index in range(5):
            junk = f"{index}" + "z" * size
            for arity in (1, 2, 3):
                try:
                    function(*[junk] * arity)
                except TypeError:  # takes more arguments: a code too
                    continue
                except Exception:  # noqa: BLE001 -- refusing the junk is fine; keeping it is not
                    break
                break
        gc.collect()
        assert function.cache_info().currsize == 0, function


def test_plain_text_calls_are_kept_apart_from_the_others_and_counted() -> None:
    calls: list[tuple[object, ...]] = []

    @short_value_cache(3)
    def meaning(status: object, code: object = None) -> str:
        calls.append((status, code))
        return f"{status}/{code}"

    assert meaning("DELIVRD") == meaning("DELIVRD") == "DELIVRD/None"
    assert meaning("UNDELIV", None) == meaning("UNDELIV", None) == "UNDELIV/None"
    assert meaning("UNDELIV", "1") == meaning("UNDELIV", "1") == "UNDELIV/1"
    assert len(calls) == 3
    assert meaning.cache_info() == (3, 3, 3, 3)  # type: ignore[attr-defined]
    # Typed as lru_cache(typed=True): 1, True and 1.0 are three keys, and never a text's.
    assert (meaning(1), meaning(True), meaning(1.0), meaning("1")) == (
        "1/None",
        "True/None",
        "1.0/None",
        "1/None",
    )
    assert len(calls) == 7
    meaning(1)
    assert len(calls) == 7 and meaning.cache_info().hits == 4  # type: ignore[attr-defined]
    # The memo of texts holds at most maxsize entries: a fourth empties it first.
    meaning("a")
    meaning("b")
    assert meaning.cache_info().currsize <= 3 + 3  # type: ignore[attr-defined]
    meaning.cache_clear()  # type: ignore[attr-defined]
    assert meaning.cache_info() == (0, 0, 3, 0)  # type: ignore[attr-defined]
    meaning("DELIVRD")
    assert len(calls) == 10


def test_a_short_str_subclass_goes_through_the_typed_cache() -> None:
    class Text(str):
        pass

    @short_value_cache(4)
    def kind(value: str) -> str:
        return type(value).__name__

    assert (kind(Text("a")), kind("b"), kind(Text("b"))) == ("Text", "str", "str")
    assert kind.cache_info().currsize == 2  # type: ignore[attr-defined]


def test_exceptions_and_maxsize_zero_keep_nothing() -> None:
    calls: list[str] = []

    @short_value_cache(0)
    def echo(value: str) -> str:
        calls.append(value)
        return value

    @short_value_cache(4)
    def refuse(value: str) -> str:
        calls.append(value)
        raise ValueError(value)

    assert echo("a") == echo("a") == "a" and echo.cache_info().currsize == 0  # type: ignore[attr-defined]
    for _ in range(2):
        with pytest.raises(ValueError):
            refuse("x")
    assert calls == ["a", "a", "x", "x"] and refuse.cache_info().currsize == 0  # type: ignore[attr-defined]
    assert echo([]) == []  # type: ignore[arg-type]  # lru_cache(0) hashes nothing either
    with pytest.raises(TypeError):
        refuse([])  # type: ignore[arg-type]  # unhashable, as lru_cache says

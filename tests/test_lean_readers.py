"""lean_text and lean_ident: Record's answer, or LeanMiss. LeanMiss whenever
Record would warn (the detailed path then gives the warning); it may also pass
on a value Record takes (an integer of exactly 256 digits), never answer
differently."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from smsstatus.fields import Record
from smsstatus.hotpath import LeanMiss, lean_ident, lean_text

VALUES = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.text(alphabet="0123456789", max_size=300),
    st.integers(),
    st.integers(min_value=10**250, max_value=10**260),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=2),
    st.sampled_from(["", " ", "\x00id", "a\nb", "\ud800", "x" * 256, "x" * 257, "-5", "+5"]),
)


def _record_reads(read: Any, value: Any) -> tuple[Any, bool]:
    record = Record("acme", {"field": value})
    return read(record), bool(record.warnings)


@given(VALUES)
def test_lean_text_is_opt_string_without_a_warning(value: Any) -> None:
    expected, warned = _record_reads(lambda r: r.opt_string("field"), value)
    if warned:
        with pytest.raises(LeanMiss):
            lean_text(value)
    else:
        assert lean_text(value) == expected


@given(VALUES)
def test_lean_ident_is_optional_ident_without_a_warning(value: Any) -> None:
    expected, warned = _record_reads(lambda r: r.ident("field", required=False), value)
    try:
        got = lean_ident(value)
    except LeanMiss:
        # Passed on: right whenever Record warns; otherwise only for integers at the length bound.
        assert warned or (value.__class__ is int and len(str(abs(value))) >= 256), value
        return
    assert not warned and got == expected


def test_the_edges_by_hand() -> None:
    assert lean_text(None) is None and lean_text("") is None and lean_text("ok") == "ok"
    assert lean_ident(None) is None and lean_ident("") is None
    assert lean_ident(12) == "12" and lean_ident("0012") == "0012" and lean_ident("id-7") == "id-7"
    for bad in (True, 1.5, [1], "a\nb", "x" * 257, 10**256):
        with pytest.raises(LeanMiss):
            lean_ident(bad)
    for other in (1, True, 1.5, b"x"):
        with pytest.raises(LeanMiss):
            lean_text(other)

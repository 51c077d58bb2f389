"""The event key's text is the standard library's exact output: stored keys
must keep matching their vendors' retries, whichever encoder builds it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsstatus.tracker import keys

REFERENCE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False),
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(values, max_size=12))
def test_key_text_is_the_standard_encoders(fields: list[Any]) -> None:
    assert keys._key_text(fields) == REFERENCE(fields)


def test_key_text_of_awkward_values() -> None:
    fields: list[Any] = [
        "vendor",
        'é\u2028\x00"\\\n\t\x7f',
        "",
        255,
        10**30,
        float("inf"),
        Decimal("1.20"),
        {"event": ["a", 1, None]},
        None,
    ]
    assert keys._key_text(fields) == REFERENCE(fields)


plain_values = st.none() | st.integers(min_value=-(10**30), max_value=10**30) | st.text()


@settings(max_examples=400, deadline=None)
@given(st.lists(plain_values | values, max_size=12))
def test_key_bytes_are_the_standard_encoders_utf8(fields: list[Any]) -> None:
    """msgspec writes lists of plain str, int and None (every key of a
    usual report); the rest goes to the standard encoder: one text."""
    try:
        want = REFERENCE(fields).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the same error as ever
        with pytest.raises(UnicodeEncodeError):
            keys._key_bytes(fields)
        return
    assert keys._key_bytes(fields) == want


def test_every_code_point_is_written_as_the_standard_encoder_writes_it() -> None:
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    fields = ["d7", text, 1, None]
    assert keys._key_bytes(fields) == REFERENCE(fields).encode("utf-8")
    with pytest.raises(UnicodeEncodeError):
        keys._key_bytes(["d7", "\ud800"])

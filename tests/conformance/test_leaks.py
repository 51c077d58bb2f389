"""Secrets are found verbatim and encoded; fetch cases run with the wall clock stopped."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from smsstatus.fixtures import FROZEN_AT, frozen_clock
from smsstatus.leaks import find_secrets, found_in

TOKEN = "fixture-token-1"


@pytest.mark.parametrize("prefix", ["", "1", "17", "1735689600:", "user:"])
def test_a_secret_inside_base64_is_found_at_every_alignment(prefix: str) -> None:
    header = "Authorization: Basic " + base64.b64encode(f"{prefix}{TOKEN}".encode()).decode()
    assert found_in(header, TOKEN) == "base64"
    urlsafe = base64.urlsafe_b64encode(f"{prefix}{TOKEN}?>?>".encode()).decode()
    assert found_in(urlsafe, TOKEN) == "base64"


def test_percent_hex_json_and_verbatim_spellings_are_found() -> None:
    secret = "s3cret/value+1"
    assert found_in(f"GET /x?auth={quote(secret, safe='')}", secret) == "percent-encoded"
    assert found_in("dump " + secret.encode().hex().upper(), secret) == "hex"
    assert found_in(f"token={secret}", secret) == "verbatim"
    assert found_in('{"k": "quote\\"d-secret"}', 'quote"d-secret') == "JSON-escaped"
    assert find_secrets("nothing to see", {"token": TOKEN}) == []
    # Short values are only searched verbatim: a 4-character base64 fragment is found by chance.
    assert found_in(base64.b64encode(b"abcd").decode(), "abcd") is None


def test_fetch_cases_run_with_the_wall_clock_frozen_but_monotonic_time_running() -> None:
    started = time.monotonic()
    with frozen_clock():
        assert datetime.now(UTC) == datetime.fromisoformat(FROZEN_AT)
        assert time.time() == datetime.fromisoformat(FROZEN_AT).timestamp()
        time.sleep(0.01)
        assert time.time() == datetime.fromisoformat(FROZEN_AT).timestamp()
    assert time.monotonic() > started
    assert time.time() > datetime(2026, 1, 1, tzinfo=UTC).timestamp()

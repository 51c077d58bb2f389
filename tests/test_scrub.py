"""The one scrubber (issue 10 point 3): every spelling of a secret, and what
the HTTP client recorded sending. Encodings are computed here with the
standard library, independently of the scrubber's own list."""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import quote, quote_plus

import pytest
from smsstatus import PayloadError, VendorError
from smsstatus.scrub import Scrubber, is_credential_header

SECRET = "pa55/word+with=odd&chars é"


def encodings(secret: str) -> dict[str, str]:
    raw = secret.encode()
    return {
        "raw": secret,
        "percent": quote(secret, safe=""),
        "percent-lower": quote(secret, safe="").replace("%2F", "%2f").replace("%2B", "%2b"),
        "plus": quote_plus(secret),
        "json": json.dumps(secret)[1:-1],
        "json-ascii-slash": json.dumps(secret)[1:-1].replace("/", "\\/"),
        "html": html.escape(secret),
        "hex": raw.hex(),
        "HEX": raw.hex().upper(),
        "base64": base64.b64encode(raw).decode(),
        "base64url": base64.urlsafe_b64encode(raw).decode(),
    }


@pytest.mark.parametrize("form", sorted(encodings(SECRET)))
def test_every_encoding_of_a_secret_is_scrubbed(form: str) -> None:
    spelled = encodings(SECRET)[form]
    text = f"vendor said: <{spelled}> (end)"
    cleaned = Scrubber([SECRET]).scrub(text)
    assert spelled not in cleaned
    assert cleaned.startswith("vendor said: <") and cleaned.endswith("> (end)")


@pytest.mark.parametrize("prefix", ["", "1", "17", "1733040000:", "user-name:"])
def test_a_secret_inside_a_longer_base64_value_is_found_at_any_alignment(prefix: str) -> None:
    """Basic auth sends base64("<user>:<secret>"): whatever the user part's
    length, no run of the encoding that the secret's bytes determine survives."""
    token = "c0ntacta-token-value"
    payload = base64.b64encode(f"{prefix}{token}".encode()).decode()
    cleaned = Scrubber([token]).scrub(f"Authorization: Basic {payload}")
    # What is left of the payload is at most the few characters shared with the prefix and the padding.
    leftover = cleaned.removeprefix("Authorization: Basic ").replace("***", "")
    assert len(leftover) <= len(base64.b64encode(prefix.encode())) + 3


def test_recorded_header_values_are_scrubbed_whole_and_decoded() -> None:
    scrubber = Scrubber(["t0ken-value"])
    basic = "Basic " + base64.b64encode(b"1733040000:t0ken-value").decode()
    scrubber.add_sent("Authorization", basic)
    scrubber.add_sent("X-Signature", "e6ccd6cbe2f0fb1de4c19f62874c426f8c24361e")
    scrubber.add_sent("Accept", "application/json")
    text = f"echo {basic} sig=e6ccd6cbe2f0fb1de4c19f62874c426f8c24361e accept=application/json 1733040000:t0ken-value"
    cleaned = scrubber.scrub(text)
    assert basic not in cleaned and basic.removeprefix("Basic ") not in cleaned
    assert "e6ccd6cbe2f0fb1de4c19f62874c426f8c24361e" not in cleaned
    assert "1733040000:t0ken-value" not in cleaned and "t0ken-value" not in cleaned
    assert "accept=application/json" in cleaned  # not a credential: untouched


def test_a_header_holding_a_secret_is_recorded_whatever_its_name() -> None:
    scrubber = Scrubber(["k3y-secret"])
    scrubber.add_sent("X-Custom", "v1:" + base64.b64encode(b"k3y-secret").decode() + ":zz")
    assert "v1:" not in scrubber.scrub("got v1:azN5LXNlY3JldA==:zz")


def test_credential_header_names() -> None:
    for name in (
        "Authorization",
        "Proxy-Authorization",
        "X-Signature",
        "X-Auth-Token",
        "Cookie",
        "X-Api-Key",
    ):
        assert is_credential_header(name), name
    for name in ("Accept", "Content-Type", "X-Timestamp", "X-Nonce", "User-Agent"):
        assert not is_credential_header(name), name


def test_short_values_and_no_secrets_leave_text_alone() -> None:
    assert Scrubber(["abc"]).scrub("abc abc") == "abc abc"
    assert Scrubber().scrub("anything") == "anything"
    assert not Scrubber()


def test_errors_are_scrubbed_in_every_text_attribute() -> None:
    secret = "hunter2-secret"
    error = VendorError("acme", f"echo {quote(secret)}", http_status=400, vendor_code=f"E-{secret}")
    Scrubber([secret]).error(error)
    assert secret not in f"{error} {error!r} {vars(error)}"
    assert error.http_status == 400 and error.vendor == "acme"
    payload = PayloadError("acme", f"$.{secret}", f"bad {secret}")
    Scrubber([secret]).error(payload)
    assert secret not in f"{payload} {payload.field} {payload.reason}"


def test_json_values_are_scrubbed_keys_included() -> None:
    secret = "hunter2-secret"
    value = {"echo": [f"Bearer {secret}", 1, None], secret: True}
    assert secret not in json.dumps(Scrubber([secret]).value(value))


def test_one_scrubber_is_safe_to_share_between_threads() -> None:
    """A vendor's shared push client records and scrubs from several threads."""
    import threading

    scrubber = Scrubber(["base-secret-value"])
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(150):
                scrubber.add_sent("Authorization", f"Bearer token-{n}-{i}")
                assert "base-secret-value" not in scrubber.scrub(f"x base-secret-value token-{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 -- collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert "Bearer token-0-0" not in scrubber.scrub("Bearer token-0-0")  # recorded before the cap

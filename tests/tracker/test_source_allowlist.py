"""Per-vendor source allowlists (``allowed_sources``): unsigned vendors'
pushes are accepted only from the addresses the operator lists."""

from __future__ import annotations

from typing import Any

import pytest
import smsstatus
from smsstatus.server.app import Receiver, create_app
from smsstatus.server.config import ConfigError, ReceiverConfig, parse_config
from smsstatus.server.sources import SourceAllowlist
from smsstatus.tracker import Tracker
from smsstatus.tracker.errors import NotTrackedError
from starlette.testclient import TestClient

from .helpers import PushVendor, push_body

ALLOWED = ["192.0.2.0/24", "2001:db8::/32", "198.51.100.7"]


def _client(tracker: Tracker, peer: str, sources: list[str] | None = ALLOWED, **config: Any) -> TestClient:
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme"), "other": PushVendor("other")})
    receiver = Receiver(
        registry,
        tracker,
        config=ReceiverConfig(**config),
        sources={"acme": sources} if sources is not None else None,
    )
    return TestClient(create_app(receiver), client=(peer, 50000))


def _post(client: TestClient, vendor: str, message_id: str, **kwargs: Any) -> Any:
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return client.post(
        f"/webhooks/{vendor}", content=push_body(message_id, "sent"), headers=headers, **kwargs
    )


@pytest.mark.parametrize("peer", ["192.0.2.10", "198.51.100.7", "2001:db8::1", "::ffff:192.0.2.99"])
def test_listed_source_is_accepted(tracker: Tracker, peer: str) -> None:
    with _client(tracker, peer) as client:
        assert _post(client, "acme", "m1").status_code == 200
    assert tracker.message("acme", "m1")


@pytest.mark.parametrize("peer", ["203.0.113.5", "198.51.100.8", "2001:db9::1", "testclient"])
def test_other_source_is_refused_and_nothing_is_kept(tracker: Tracker, peer: str) -> None:
    with _client(tracker, peer) as client:
        response = _post(client, "acme", "m1")
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "vendor": "acme", "reason": "source address not allowed"}
    with pytest.raises(NotTrackedError):
        tracker.message("acme", "m1")
    assert tracker.dead_letters(state=None) == []


def test_only_the_listed_vendor_is_restricted(tracker: Tracker) -> None:
    with _client(tracker, "203.0.113.5") as client:
        assert _post(client, "other", "m2").status_code == 200


def test_forwarded_for_from_an_untrusted_peer_cannot_widen_the_list(tracker: Tracker) -> None:
    # The peer is not a trusted proxy: its X-Forwarded-For is ignored.
    with _client(tracker, "203.0.113.5") as client:
        response = _post(client, "acme", "m1", headers={"x-forwarded-for": "192.0.2.10"})
    assert response.status_code == 403


def test_forwarded_for_from_a_trusted_proxy_is_the_client(tracker: Tracker) -> None:
    with _client(tracker, "127.0.0.1") as client:
        allowed = _post(client, "acme", "m1", headers={"x-forwarded-for": "192.0.2.10, 127.0.0.1"})
        refused = _post(client, "acme", "m2", headers={"x-forwarded-for": "203.0.113.5"})
    assert (allowed.status_code, refused.status_code) == (200, 403)


def test_config_reads_and_checks_allowed_sources() -> None:
    config = parse_config({"vendors": {"acme": {"allowed_sources": ALLOWED}}})
    assert config.vendor("acme").allowed_sources == tuple(ALLOWED)
    assert config.vendor("other").allowed_sources is None
    with pytest.raises(ConfigError) as bad:
        parse_config({"vendors": {"acme": {"allowed_sources": ["192.0.2.0/24", "192.0.2.300"]}}})
    assert bad.value.key.endswith("allowed_sources") and "192.0.2.300" in bad.value.reason
    with pytest.raises(ConfigError) as empty:
        parse_config({"vendors": {"acme": {"allowed_sources": []}}})
    assert "leave the key out" in empty.value.reason
    with pytest.raises(ConfigError):
        parse_config({"vendors": {"acme": {"allowed_sources": "192.0.2.0/24"}}})


def test_allowlist_never_allows_an_unknown_address() -> None:
    allowlist = SourceAllowlist(["0.0.0.0/0"])
    assert allowlist.allows("203.0.113.5")
    assert not allowlist.allows(None)
    assert not allowlist.allows("")
    assert not allowlist.allows("not-an-address")

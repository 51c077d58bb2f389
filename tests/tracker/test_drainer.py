"""The drain loop of ``smsstatus serve``: every drained batch is committed
before the next request, one drainer per vendor account holds the lease, and a
server killed in the middle of a drain loses nothing it acknowledged.

A batch is *acknowledged* when the drainer asks for the next one: it commits a
batch before it makes another request (``docs/drain.md``). So after a SIGKILL
every batch but the one in flight must be in the store, and a restarted server
drains the rest."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import smsstatus
from smsstatus.server.drainer import Drainer, VendorDrain, lease_name
from smsstatus.tracker import Tracker, open_store

from ..drain_standins import INFOBIP_KEY, INNOPAAS_ACCOUNT, DrainStandIn, infobip_record, innopaas_record
from .conftest import DatabaseFactory
from .procs import Server, clean_env

INSTALLED = smsstatus.load()
pytestmark = pytest.mark.skipif(
    not {"infobip", "innopaas"} <= set(INSTALLED.vendors),
    reason="the drain tests use the infobip and innopaas plugins",
)


def stored_ids(url: str, vendor: str) -> set[str]:
    with open_store(url) as store, store.read() as tx:
        return {r[0] for r in tx.all("SELECT message_id FROM messages WHERE vendor = ?", (vendor,))}


def _drain(vendor: str, base_url: str, creds: dict[str, str]) -> VendorDrain:
    credentials = INSTALLED.credentials(vendor, creds)
    public = [c.name for c in INSTALLED.info(vendor).credentials if not c.secret]
    return VendorDrain(
        vendor=vendor,
        credentials=credentials,
        base_url=base_url,
        interval=0.0,
        lease=lease_name(vendor, base_url, credentials, public),
    )


def test_every_batch_is_committed_and_unreadable_records_are_dead_lettered(db_url: str) -> None:
    account, password = INNOPAAS_ACCOUNT
    records = [innopaas_record(n) for n in range(150)]
    broken = {**innopaas_record(999), "status": " "}  # a blank status: only identity and status reject
    records.insert(42, broken)
    standin = DrainStandIn("innopaas", records)
    with standin.running(), open_store(db_url) as store:
        tracker = Tracker(store)
        drainer = Drainer(
            INSTALLED,
            tracker,
            [_drain("innopaas", standin.base_url, {"account": account, "password": password})],
            owner="test-a",
        )
        stats = drainer.run_once()
        letters = tracker.dead_letters()
    handed_out = {r["msgid"] for r in standin.handed_out}
    assert len(handed_out) == 151 and standin.queue == []
    assert (stats.batches, stats.reports, stats.unreadable) == (2, 150, 1)
    assert stored_ids(db_url, "innopaas") == handed_out - {broken["msgid"]}
    (letter,) = letters
    assert letter.vendor == "innopaas" and letter.items is not None and letter.authentication == "passed"
    assert [item["raw"] for item in letter.items] == [broken]


def test_one_drainer_per_vendor_account(db_url: str) -> None:
    standin = DrainStandIn("infobip", [infobip_record(n) for n in range(10)])
    with standin.running(), open_store(db_url) as store:
        tracker = Tracker(store)
        drain = _drain("infobip", standin.base_url, {"api_key": INFOBIP_KEY})
        first = Drainer(INSTALLED, tracker, [drain], owner="process-1", lease_seconds=60)
        second = Drainer(INSTALLED, tracker, [drain], owner="process-2", lease_seconds=60)
        assert first.lease_held(drain.lease)
        assert second.run_once().skipped == 1  # held by process-1: it asked nothing
        assert standin.requests == 0
        assert first.run_once().reports == 10
        first.release(drain.lease)
        assert second.lease_held(drain.lease)  # released: the other process may take over
    assert stored_ids(db_url, "infobip") == {f"ib-{n:05d}" for n in range(10)}


def _config(tmp_path: Path, base_url: str) -> Path:
    config = tmp_path / "drain.toml"
    config.write_text(
        "[poller]\ntick_seconds = 0.1\nlease_seconds = 2\n\n"
        f'[vendors.infobip]\ndrain = true\ndrain_interval_seconds = 0.1\npoll = false\nbase_url = "{base_url}"\n',
        "utf-8",
    )
    return config


def test_sigkill_mid_drain_loses_nothing_acknowledged(new_db: DatabaseFactory, tmp_path: Path) -> None:
    url = new_db()
    # 3000 reports in batches of 100, 20 ms per answer: the drain takes long enough to be killed in.
    standin = DrainStandIn("infobip", [infobip_record(n) for n in range(3000)], delay=0.02)
    env = clean_env(SMSSTATUS_INFOBIP_API_KEY=INFOBIP_KEY)
    with standin.running():
        config = _config(tmp_path, standin.base_url)
        server = Server(tmp_path, db=url, args=["--config", str(config)], env=env)
        try:
            deadline = time.monotonic() + 30
            while len(standin.batches) < 6 and time.monotonic() < deadline:
                time.sleep(0.005)
            server.kill()  # mid-drain: a batch may be in flight
        finally:
            server.stop()
        killed_after = len(standin.batches)
        assert 6 <= killed_after < 30, server.output()
        after_kill = stored_ids(url, "infobip")
        acknowledged = {r["messageId"] for batch in standin.batches[: killed_after - 1] for r in batch}
        assert acknowledged <= after_kill, f"{len(acknowledged - after_kill)} acknowledged reports lost"

        with Server(tmp_path, db=url, args=["--config", str(config)], env=env) as again:
            deadline = time.monotonic() + 60
            while standin.queue and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not standin.queue, again.output()
            time.sleep(0.5)  # the last batch's commit
    final = stored_ids(url, "infobip")
    in_flight = {r["messageId"] for r in standin.batches[killed_after - 1]}
    everything = {r["messageId"] for r in standin.handed_out}
    # Lost at most the one batch in flight at the kill (Infobip's logs recover it: docs/drain.md).
    assert everything - final <= in_flight
    assert len(standin.handed_out) == 3000

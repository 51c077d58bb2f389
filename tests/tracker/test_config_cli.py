"""Configuration, typed errors, lazy imports and the status/replay commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import smsstatus
from click.testing import CliRunner
from smsstatus import Channel, Status, StatusReport
from smsstatus.cli import main
from smsstatus.server.build import build_server
from smsstatus.server.config import ConfigError, load_config, parse_config
from smsstatus.tracker import Tracker, open_store

from .helpers import POLICY, Vendor

SECRET = "sup3r-secret-value"


def test_config_full_example(tmp_path: Path) -> None:
    path = tmp_path / "smsstatus.toml"
    path.write_text(
        "\n".join(
            [
                'database = "sqlite:///other.sqlite3"',
                "[receiver]",
                'prefix = "/hooks"',
                'public_base_url = "https://hooks.example.com/"',
                'forwarded_allow_ips = ["10.0.0.0/8"]',
                "max_body_bytes = 4096",
                "[poller]",
                "enabled = false",
                "tick_seconds = 0.5",
                "lease_seconds = 60",
                "[vendors.acme]",
                'auto_track = "batch_id"',
                'base_url = "https://eu.acme.invalid"',
                f'credentials = {{ api_key = "from-file", pswd = "{SECRET}" }}',
            ]
        )
    )
    config = load_config(path)
    assert config.database == "sqlite:///other.sqlite3"
    assert (
        config.receiver.prefix == "/hooks" and config.receiver.public_base_url == "https://hooks.example.com"
    )
    assert config.receiver.forwarded_allow_ips == ("10.0.0.0/8",) and config.receiver.max_body_bytes == 4096
    assert not config.poller.enabled and config.poller.tick_seconds == 0.5
    acme = config.vendor("acme")
    assert acme.auto_track == "batch_id" and acme.base_url == "https://eu.acme.invalid"
    assert SECRET not in repr(config)
    info = Vendor().vendor_info()
    creds = config.credentials("acme", info, environ={"SMSSTATUS_ACME_API_KEY": "from-env"})
    assert creds.require("api_key") == "from-env" and creds.require("pswd") == SECRET
    assert config.vendor("other").enabled  # defaults for vendors not named


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("databse = 'x'", "databse"),
        ("[receiver]\nprefix = 'hooks'", "receiver.prefix"),
        ("[receiver]\nmax_body_bytes = true", "receiver.max_body_bytes"),
        ("[receiver]\non_change = 'nocolon'", "receiver.on_change"),
        ("[poller]\ntick_seconds = -1", "poller.tick_seconds"),
        ("[vendors.acme]\nauto_track = 'msgid'", "vendors.acme.auto_track"),
        ("[vendors.acme.credentials]\npswd = 12345678", "vendors.acme.credentials.pswd"),
        ("[vendors.acme]\ncolour = 'red'", "vendors.acme.colour"),
    ],
)
def test_config_errors_name_the_key(text: str, key: str) -> None:
    import tomllib

    with pytest.raises(ConfigError) as info:
        parse_config(tomllib.loads(text), "test.toml")
    assert info.value.key == key and info.value.exit_code == 2
    assert "12345678" not in str(info.value)


def test_config_file_problems(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[receiver\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_build_server_rejects_unknown_vendor_and_notes_missing_credentials(tmp_path: Path) -> None:
    registry = smsstatus.Registry(vendors={"acme": Vendor()})
    with pytest.raises(ConfigError, match="no such vendor"):
        build_server(config=parse_config({"vendors": {"nobody": {}}}), registry=registry, db="sqlite:///x")
    url = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    server = build_server(registry=registry, db=url, environ={})
    try:
        assert server.poller is None
        assert any("not polling acme" in n and "SMSSTATUS_ACME_API_KEY" in n for n in server.notes)
        assert server.receiver is not None and server.receiver.vendors == ["acme"]
    finally:
        server.close()
    server = build_server(registry=registry, db=url, environ={"SMSSTATUS_ACME_API_KEY": "k"})
    try:
        assert server.poller is not None and [v.vendor for v in server.poller.vendors] == ["acme"]
    finally:
        server.close()


def test_pushed_messages_are_polled_by_the_plugins_fetch_key_unless_turned_off(tmp_path: Path) -> None:
    registry = smsstatus.Registry(vendors={"acme": Vendor()})
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    environ = {"SMSSTATUS_ACME_API_KEY": "k"}
    server = build_server(registry=registry, db=url, environ=environ)
    try:  # Vendor declares fetch_key="batch_id" (the id its fetch takes)
        assert server.tracker.auto_track["acme"].field == "batch_id"
    finally:
        server.close()
    for setting, expected in (("message_id", "message_id"), ("off", None)):
        config = parse_config({"vendors": {"acme": {"auto_track": setting}}})
        server = build_server(config=config, registry=registry, db=url, environ=environ)
        try:
            rule = server.tracker.auto_track.get("acme")
            assert (rule.field if rule else None) == expected
        finally:
            server.close()


def _imported_after(code: str) -> set[str]:
    script = (
        "import sys\n"
        f"{code}\n"
        "mods = [m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', 'psycopg', 'sqlite3')"
        " or m.startswith(('smsstatus.tracker', 'smsstatus.server'))]\n"
        "print('MODULES:' + ','.join(sorted(mods)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("MODULES:"))
    return {m for m in line.removeprefix("MODULES:").split(",") if m}


def test_importing_smsstatus_and_help_load_no_server_or_database_modules() -> None:
    assert _imported_after("import smsstatus") == set()
    help_code = "from smsstatus.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert _imported_after(help_code) == set()
    # `status --help` needs the command, not the web server or drivers.
    status_help = help_code.replace("'--help'", "'status', '--help'")
    loaded = _imported_after(status_help)
    assert not {m for m in loaded if m.split(".")[0] in ("starlette", "uvicorn", "psycopg", "sqlite3")}


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("serve", "status", "replay"):
        assert name in result.output


def test_status_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    from datetime import UTC, datetime

    at = datetime(2025, 1, 1, tzinfo=UTC)
    with open_store(url) as store:
        tracker = Tracker(store)
        tracker.apply(
            [
                StatusReport(
                    vendor="acme",
                    message_id="m1",
                    recipient="+15550001111",
                    status=s,
                    vendor_status=s.value,
                    status_at=at,
                    received_at=at,
                    channel=Channel.PUSH,
                    raw={},
                )
                for s in (Status.DELIVERED, Status.SENT)
            ]
        )
        tracker.track("acme", "B-7", POLICY, submitted_at=at)
    runner = CliRunner()
    result = runner.invoke(main, ["status", "acme", "m1", "--db", url])
    assert result.exit_code == 0, result.output
    assert "acme m1 to +15550001111: delivered (final)" in result.output
    assert "final_regression" in result.output
    data = json.loads(runner.invoke(main, ["status", "acme", "m1", "--db", url, "--format", "json"]).output)
    (message,) = data["messages"]
    assert [e["decision"] for e in message["history"]] == ["first", "final_regression"]
    assert message["history"][0]["report"]["status_at"] == "2025-01-01T00:00:00Z"
    tracked = runner.invoke(main, ["status", "acme", "B-7", "--db", url])
    assert (
        tracked.exit_code == 0 and "no report yet" in tracked.output and "poll: B-7 active" in tracked.output
    )
    missing = runner.invoke(main, ["status", "acme", "nope", "--db", url])
    assert missing.exit_code == 2 and "no message 'nope'" in missing.output


def test_bad_db_url_is_exit_2_without_password() -> None:
    result = CliRunner().invoke(main, ["status", "acme", "m1", "--db", "mysql://u:topsecretpw@h/db"])
    assert result.exit_code == 2
    assert "unknown scheme" in result.output and "topsecretpw" not in result.output


def test_replay_list_and_empty_replay(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    runner = CliRunner()
    listed = runner.invoke(main, ["replay", "--list", "--db", url, "--format", "json"])
    assert listed.exit_code == 0 and json.loads(listed.output) == {"dead_letters": [], "dropped": []}
    replayed = runner.invoke(
        main, ["replay", "--db", url, "--format", "json"], env={"SMSSTATUS_VENDORS": "none"}
    )
    assert replayed.exit_code == 0 and json.loads(replayed.output) == {"replayed": []}


def test_serve_warns_once_per_vendor_whose_pushes_are_not_authenticated(tmp_path: Path) -> None:
    """Issue 10 point 5: a vendor that supports webhook authentication (it
    declares a push credential) but has none configured gets one warning line."""
    registry = smsstatus.Registry(vendors={"acme": Vendor("acme"), "beta": Vendor("beta")})
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    server = build_server(
        registry=registry, db=url, environ={"SMSSTATUS_BETA_PSWD": "pa55-word-secret"}, poll=False
    )
    try:
        warnings = [n for n in server.notes if n.startswith("WARNING")]
        assert len(warnings) == 1 and "acme" in warnings[0] and "pswd" in warnings[0]
        assert "SMSSTATUS_ACME_PSWD" in warnings[0] and "pa55" not in " ".join(server.notes)
    finally:
        server.close()

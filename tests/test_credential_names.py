"""Issue 10 point 2: a misspelt credential name is an error everywhere.

A name the vendor does not declare would otherwise be stored and never read,
which silently turns webhook authentication off (``pswrd`` for InnoPaaS's
``pswd``). The library raises, the CLI exits 2 with one line, and ``serve``
refuses a config file naming one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import smsstatus
from smsstatus import CredentialsError, UnknownCredentialError
from smsstatus.server.build import build_server
from smsstatus.server.config import ConfigError, parse_config

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-value-typed"


def test_library_refuses_an_undeclared_name_and_names_the_accepted_ones() -> None:
    registry = smsstatus.load()
    with pytest.raises(UnknownCredentialError) as info:
        registry.credentials("d7", {"api_tokn": SECRET})
    error = info.value
    assert isinstance(error, CredentialsError) and error.exit_code == 2
    assert error.vendor == "d7" and error.credential == "api_tokn"
    assert error.accepted == ("api_token",)
    assert "'api_tokn'" in str(error) and "api_token" in str(error)
    assert SECRET not in str(error) and SECRET not in repr(error)


def test_every_entry_point_checks_names(registry: smsstatus.Registry, push: object) -> None:
    """parse_push and fetch go through the same check, with plain mappings
    and with ready-made Credentials alike."""
    request = push({"id": "m1", "status": "ok"})  # type: ignore[operator]
    with pytest.raises(UnknownCredentialError):
        registry.parse_push("acme", request, {"tokn": SECRET})
    with pytest.raises(UnknownCredentialError):
        registry.parse_push("acme", request, smsstatus.Credentials("acme", {"tokn": SECRET}))
    with pytest.raises(UnknownCredentialError):
        registry.fetch("acme", ["m1"], {"api_kee": SECRET})
    # Declared names still work.
    assert registry.credentials("acme", {"token": SECRET}).require("token") == SECRET


def test_a_vendor_without_credentials_accepts_none() -> None:
    registry = smsstatus.load()
    with pytest.raises(UnknownCredentialError) as info:
        registry.credentials("d7", {"webhook_token": SECRET})
    assert info.value.accepted == ("api_token",)


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    return subprocess.run(
        [sys.executable, "-m", "smsstatus.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize("command", ["parse", "fetch"])
def test_cli_exits_2_with_one_line(command: str) -> None:
    if command == "parse":
        vendor, rest = "innopaas", [str(ROOT / "plugins/innopaas/examples/push.json")]
        bad = "pswrd"
    else:
        vendor, rest = "d7", ["req-1", "--base-url", "http://127.0.0.1:9"]
        bad = "api_tokn"
    out = _cli(command, vendor, *rest, "--credential", f"{bad}={SECRET}")
    assert out.returncode == 2, out
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert f"'{bad}'" in lines[0] and SECRET not in lines[0]


def test_config_with_an_unknown_credential_is_refused_at_start(tmp_path: Path) -> None:
    config = parse_config(
        tomllib.loads(f'[vendors.innopaas]\ncredentials = {{ pswrd = "{SECRET}" }}'), "smsstatus.toml"
    )
    with pytest.raises(ConfigError) as info:
        build_server(config=config, db=f"sqlite:///{tmp_path / 'db.sqlite3'}", poll=False, app=False)
    error = info.value
    assert error.exit_code == 2 and error.key == "vendors.innopaas.credentials.pswrd"
    assert "pswd" in error.reason and "receiver" in error.reason
    assert SECRET not in str(error)


def test_serve_refuses_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "smsstatus.toml"
    path.write_text(f'[vendors.innopaas]\ncredentials = {{ pswrd = "{SECRET}" }}\n')
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    # Port 0: should serve wrongly start, it binds nothing that others use (and times out).
    out = _cli("serve", "--config", str(path), "--db", db, "--no-poll", "--port", "0", timeout=20)
    assert out.returncode == 2
    assert "vendors.innopaas.credentials.pswrd" in out.stderr and SECRET not in out.stderr


def test_environment_variables_read_only_declared_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSSTATUS_D7_API_TOKN", SECRET)
    monkeypatch.setenv("SMSSTATUS_D7_API_TOKEN", "right-one")
    config = parse_config({}, "<none>")
    registry = smsstatus.load()
    creds = config.credentials("d7", registry.info("d7"))
    assert dict((k, v.reveal()) for k, v in creds.items()) == {"api_token": "right-one"}

"""The command line as a new user meets it (issue 15): every error one line with the documented exit
code, click's usage errors included; reading commands never create a store; a missing extra names
its install command; the environment in --help; completion of vendor ids."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from smsstatus.cli import ENVIRONMENT, main

USAGE = 2


def one_error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("smsstatus: error: "), output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["parse", "d7", "/nonexistent.json"], "No such file or directory"),
        (["schema", "nope"], "unknown schema 'nope'"),
        (["parse"], "Missing argument 'VENDOR'"),
        (["fetch", "d7", "x", "--timeout", "soon"], "'soon' is not a valid float"),
        (["nosuchcommand"], "No such command 'nosuchcommand'"),
        (["plugins", "--colour"], "No such option '--colour'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(args: list[str], says: str) -> None:
    result = CliRunner().invoke(main, args, prog_name="smsstatus")
    assert result.exit_code == USAGE
    line = one_error_line(result.output)
    assert says in line and "--help" in line


def test_status_never_creates_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SMSSTATUS_DB", raising=False)
    monkeypatch.delenv("SMSSTATUS_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["status", "d7", "x"], prog_name="smsstatus")
    assert result.exit_code == USAGE
    assert "no store at sqlite:///smsstatus.sqlite3" in one_error_line(result.output)
    assert list(tmp_path.iterdir()) == []


def test_status_names_an_unknown_vendor_like_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    parse = CliRunner().invoke(main, ["parse", "nosuch", "-"], input="{}", prog_name="smsstatus")
    status = CliRunner().invoke(main, ["status", "nosuch", "x"], prog_name="smsstatus")
    assert parse.exit_code == status.exit_code == USAGE
    assert one_error_line(status.output) == one_error_line(parse.output)
    assert "unknown vendor 'nosuch' (installed: " in status.output


def test_a_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn -> ModuleNotFoundError
    result = CliRunner().invoke(main, ["serve", "--no-poll"], prog_name="smsstatus")
    assert result.exit_code == USAGE
    assert "pip install 'smsstatus[server]'" in one_error_line(result.output)


def test_help_shows_the_environment() -> None:
    result = CliRunner().invoke(main, ["--help"], prog_name="smsstatus")
    assert result.exit_code == 0
    environment = result.output.split("Environment:", 1)[1]
    for name, _ in ENVIRONMENT:
        assert name in environment
    for name in ("SMSSTATUS_DB", "SMSSTATUS_CONFIG", "SMSSTATUS_VENDORS", "SMSSTATUS_<VENDOR>_<NAME>"):
        assert name in environment


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("smsstatus parse ", "2", {"d7", "innopaas", "uspeedo", "huawei", "contacta"}),
        ("smsstatus status in", "2", {"innopaas"}),
        ("smsstatus fetch u", "2", {"uspeedo"}),
        ("smsstatus conformance d", "2", {"d7"}),
    ],
)
def test_completion_offers_vendor_ids(words: str, cword: str, expected: set[str]) -> None:
    env = {"_SMSSTATUS_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": cword}
    result = CliRunner().invoke(main, [], env=env, prog_name="smsstatus")
    offered = {line.split(",", 1)[1] for line in result.output.splitlines() if line.startswith("plain,")}
    assert expected <= offered
    assert all(
        name.startswith(words.rsplit(maxsplit=1)[-1] if not words.endswith(" ") else "") for name in offered
    )


def test_new_plugin_prints_the_install_command_its_readme_gives(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new-plugin", "acme", "--dir", str(tmp_path)], prog_name="smsstatus")
    assert result.exit_code == 0, result.output
    printed = [line.strip() for line in result.output.splitlines() if line.strip().startswith("pip install")]
    readme = (tmp_path / "smsstatus-acme" / "README.md").read_text()
    assert printed and all(f"$ {command}" in readme for command in printed)

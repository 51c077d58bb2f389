"""Issue 10 point 11: control characters are escaped in every human-readable
output and log line; JSON output stays exact.

A vendor status of ``DELIVRD\\r\\nd7 m-1 delivered (final)\\x1b]0;pwned\\x07``
printed raw forges a line of output and retitles the operator's terminal.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import smsstatus
from smsstatus import logs
from smsstatus.display import printable
from smsstatus.tracker import Tracker, open_store

EVIL = "DELIVRD\r\nd7 m-1 delivered (final)\x1b]0;pwned\x07"
ESCAPED = r"DELIVRD\r\nd7 m-1 delivered (final)\x1b]0;pwned\x07"
#: Anything a terminal acts on, bar the newline ending each line.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def push_body(status: str = EVIL) -> bytes:
    return json.dumps(
        {"request_id": "r-1", "msg_id": "m-1", "recipient": "+97150000000", "status": status}
    ).encode()


def cli(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    return subprocess.run(
        [sys.executable, "-m", "smsstatus.cli", *args],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        env={**environ, **(env or {})},
        timeout=60,
        check=False,
    )


def assert_one_line_each(output: str, expected_lines: int) -> None:
    assert CONTROL.search(output) is None, repr(output)
    lines = output.splitlines()
    assert len(lines) == expected_lines, lines
    assert not any(line.startswith("d7 m-1 delivered") for line in lines)


def test_printable() -> None:
    assert printable(EVIL) == ESCAPED
    assert printable("plain text, accents é, 中文") == "plain text, accents é, 中文"
    assert printable("a\tb\x00c\x7fd\x85e\u2028f\u202eg") == r"a\tb\x00c\x7fd\x85e\u2028f\u202eg"


def test_parse_table_escapes_and_json_stays_exact() -> None:
    table = cli("parse", "d7", "-", "--format", "table", stdin=push_body())
    assert table.returncode == 0, table.stderr
    assert_one_line_each(table.stdout, 2)  # the header and the report
    assert ESCAPED in table.stdout
    exact = cli("parse", "d7", "-", "--format", "json", stdin=push_body())
    assert json.loads(exact.stdout)["reports"][0]["vendor_status"] == EVIL
    lines = cli("parse", "d7", "-", stdin=push_body())
    assert json.loads(lines.stdout)["vendor_status"] == EVIL


@pytest.fixture
def tracked(tmp_path: Path) -> Iterator[str]:
    db = f"sqlite:///{tmp_path / 'track.sqlite3'}"
    store = open_store(db)
    result = smsstatus.load().parse_push(
        "d7", smsstatus.PushRequest.build(body=push_body(), content_type="application/json")
    )
    Tracker(store).apply(result.reports)
    store.close()
    yield db


def test_status_escapes_and_json_stays_exact(tracked: str) -> None:
    text = cli("status", "d7", "m-1", "--db", tracked)
    assert text.returncode == 0, text.stderr
    assert_one_line_each(text.stdout, 4)  # the message line, its batch, the history header, one event
    assert ESCAPED in text.stdout
    exact = cli("status", "d7", "m-1", "--db", tracked, "--format", "json")
    assert json.loads(exact.stdout)["messages"][0]["history"][0]["vendor_status"] == EVIL


def test_error_lines_are_escaped(loopback_api: Any) -> None:
    forged = "no such request\r\nsmsstatus: error: forged line\x1b[2J"

    def route(path: str, authorization: str | None) -> tuple[int, Any]:
        if path.endswith("/whole"):
            return 401, {"detail": {"code": "UNAUTHORIZED", "message": forged}}
        return 404, {"detail": {"code": "NOT_FOUND", "message": forged}}

    base = loopback_api(route)
    env = {"SMSSTATUS_D7_API_TOKEN": "t0ken-value"}
    item = cli("fetch", "d7", "r-404", "--base-url", base, env=env)
    assert item.returncode == 4
    assert_one_line_each(item.stderr, 1)
    whole = cli("fetch", "d7", "whole", "--base-url", base, env=env)
    assert whole.returncode == 4
    assert_one_line_each(whole.stderr, 1)
    assert r"no such request\r\nsmsstatus: error: forged line\x1b[2J" in whole.stderr


def test_log_lines_are_escaped_and_tracebacks_cannot_forge_entries() -> None:
    stream = io.StringIO()
    handler = logs.configure("debug", stream=stream)
    try:
        log = logging.getLogger("smsstatus.test")
        log.warning("vendor said %s", EVIL)
        try:
            raise ValueError("bad value\nsmsstatus: ERROR forged: entry\x1b[31m")
        except ValueError:
            log.exception("push failed: %s", EVIL)
    finally:
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert CONTROL.search(output) is None, repr(output)
    lines = output.splitlines()
    assert lines[0] == f"smsstatus: WARNING smsstatus.test: vendor said {ESCAPED}"
    assert lines[1] == f"smsstatus: ERROR smsstatus.test: push failed: {ESCAPED}"
    # Every line of the traceback is indented: only a real entry starts at column 0.
    assert len(lines) > 3 and all(line.startswith(" ") for line in lines[2:]), lines
    assert any("forged: entry" in line for line in lines[2:])

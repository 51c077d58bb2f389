"""The pytest door: same checks, same ids, same outcomes as the CLI; inert without its option."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from harness import Site, smsstatus

#: How pytest shows each engine outcome (a strict XPASS and an error are failures in pytest).
PYTEST_OUTCOME = {
    "passed": "passed",
    "failed": "failed",
    "error": "failed",
    "xfailed": "xfailed",
    "xpassed": "failed",
    "skipped": "skipped",
}

RECORDER = """
import json, os

OUTCOMES = {}


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        outcome = report.outcome
        if hasattr(report, "wasxfail") and report.skipped:
            outcome = "xfailed"
        OUTCOMES.setdefault(report.nodeid, outcome)


def pytest_sessionfinish(session):
    with open(os.environ["CFK_RECORD"], "w") as f:
        json.dump(OUTCOMES, f)
"""

MANIFEST = """manifest_format = 1
[[known_failures]]
check = "status-map"
reason = "DELIVERED maps to sent (issue 7)"
[[known_failures]]
check = "secrets"
reason = "stale: this one passes"
"""


def _pytest(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_the_pytest_door_runs_the_cli_checks_under_the_same_ids_with_the_same_outcomes(
    site: Site, tmp_path: Path
) -> None:
    site.add("cfkbadmap", flaws=("bad_map",), manifest=MANIFEST)
    (site.root / "cfk_recorder.py").write_text(RECORDER)
    record = tmp_path / "outcomes.json"
    env = site.env(CFK_RECORD=str(record))
    options = ["--max-examples", "25"]
    cli = smsstatus("conformance", "cfkbadmap", "--format", "json", *options, env=env)
    assert cli.returncode == 1
    engine_outcomes = {c["id"]: c["outcome"] for v in json.loads(cli.stdout)["vendors"] for c in v["checks"]}
    assert engine_outcomes["cfkbadmap::status-map"] == "xfailed"
    assert engine_outcomes["cfkbadmap::secrets"] == "xpassed"

    empty = tmp_path / "empty"
    empty.mkdir()
    junit = tmp_path / "pytest.xml"
    door = _pytest(
        "-p",
        "cfk_recorder",
        "--smsstatus-conformance=cfkbadmap",
        "--smsstatus-conformance-max-examples=25",
        f"--junit-xml={junit}",
        env=env,
        cwd=empty,
    )
    assert door.returncode == 1, door.stdout[-2000:] + door.stderr[-2000:]
    pytest_outcomes = json.loads(record.read_text())
    assert pytest_outcomes == {k: PYTEST_OUTCOME[v] for k, v in engine_outcomes.items()}
    assert "smsstatus conformance: suite 1.1" in door.stdout
    assert "XPASS(strict)" in door.stdout  # pytest's own strict xfail
    properties = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert properties["suite_version"] == "1.1"
    assert properties["cfkbadmap.distribution"] == "smsstatus-cfkbadmap"


def test_the_pytest_door_refuses_a_path_taken_as_its_vendor_list(site: Site, tmp_path: Path) -> None:
    site.add("cfkgood")
    door = _pytest("--smsstatus-conformance", "tests/", env=site.env(), cwd=tmp_path)
    assert door.returncode == 4  # pytest's usage error
    assert "--smsstatus-conformance=VENDOR" in door.stderr


def test_without_its_option_the_pytest_plugin_is_inert_and_cheap(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(
        "import sys\n\n"
        "def test_probe():\n"
        "    assert 'smsstatus.conformance.pytest_plugin' in sys.modules  # registered by pytest11\n"
        "    loaded = [m for m in sys.modules if m.startswith('smsstatus.conformance.') and m != "
        "'smsstatus.conformance.pytest_plugin']\n"
        "    assert loaded == []\n"
    )
    result = _pytest("-q", "test_probe.py", env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, smsstatus.conformance.pytest_plugin; print(json.dumps(list(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    modules = set(json.loads(probe.stdout))
    assert not {m for m in modules if m.split(".")[0] in ("hypothesis", "jsonschema", "pytest", "_pytest")}


def test_importing_smsstatus_and_its_help_do_not_import_the_kit() -> None:
    code = (
        "import sys, smsstatus\n"
        "from smsstatus.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('smsstatus.conformance', 'pytest', '_pytest', 'hypothesis')\n"
        "print([m for m in sys.modules if m.startswith(heavy)])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "conformance" in result.stdout and "new-plugin" in result.stdout  # listed in --help
    assert result.stdout.strip().splitlines()[-1] == "[]"

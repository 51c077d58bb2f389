"""What ``import smsstatus; smsstatus.load()`` imports.

Every command and every embedding application pays for it, so what a parse
does not need is imported on first use. This checks the set of modules in a
fresh interpreter (a behaviour, not a timing: ``python3 tasks.py bench``
measures the time), and that the entry points found there without
importlib.metadata are the ones importlib.metadata finds.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: Imported on first use, never by import + load.
LAZY = (
    # smsstatus.discovery reads the entry points without them.
    "importlib.metadata",
    "email",
    # The HTTP client: the first fetch, or a push that makes HTTP requests.
    "smsstatus.http",
    "httpx",
    # Converting, validating, the CLI, the tracker and its receiver, the kit.
    "cattrs",
    "smsstatus.serialize",
    "jsonschema",
    "smsstatus.schemas",
    "click",
    "smsstatus.cli",
    "smsstatus.tracker",
    "smsstatus.server",
    "smsstatus.conformance",
    "starlette",
    "uvicorn",
    "sqlite3",
    "logging",
    "cryptography",
    # Logging a broken plugin; turning reports into JSON.
    "smsstatus.logs",
    "smsstatus.jsondata",
    # Constant-time comparison: the first secret compared.
    "hmac",
    "_hashlib",
    # The parsers' helpers: the first push.
    "smsstatus.fields",
    "smsstatus.times",
    "smsstatus.smpp",
    "smsstatus.phone",
    "smsstatus.hotpath",
    "smsstatus.multipart",
    "smsstatus.networks",
)

#: A bundled plugin's modules imported as it loads: the entry module and its
#: mapping table (push, pull, signature... modules load with the first call).
PLUGIN_MODULES_AT_LOAD = {"mapping", "codes"}

CODE = """
import json, sys
import smsstatus
registry = smsstatus.load()
loaded = sorted(sys.modules)
found = sorted((name, v.distribution, v.version) for name, v in registry.vendors.items())
from importlib import metadata
expected = sorted(
    (ep.name, ep.dist.metadata["Name"], ep.dist.version)
    for ep in metadata.entry_points(group="smsstatus.vendors")
)
print(json.dumps({"modules": loaded, "found": found, "expected": expected,
                  "failures": [f.name for f in registry.failures]}))
"""


def run() -> dict[str, list[object]]:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    result: dict[str, list[object]] = json.loads(out.stdout)
    return result


def test_import_and_load_leave_the_lazy_modules_unloaded() -> None:
    result = run()
    modules = {str(m) for m in result["modules"]}
    assert result["failures"] == []
    assert [m for m in LAZY if m in modules or any(n.startswith(m + ".") for n in modules)] == []
    plugin_modules = {m.split(".", 1)[1] for m in modules if m.startswith("smsstatus_") and "." in m}
    assert plugin_modules <= PLUGIN_MODULES_AT_LOAD
    # Loading did load the bundled plugins and their tables.
    assert {"smsstatus_d7", "smsstatus_jasmin.mapping", "smsstatus_huawei.codes"} <= modules


def test_load_finds_the_plugins_importlib_metadata_finds() -> None:
    result = run()
    assert result["found"] == result["expected"]
    assert len(result["found"]) >= 17

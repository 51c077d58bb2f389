"""Test harness of the conformance kit: the CFK test vendors (``cfk_plugins``),
in process as plugin objects, or "installed" for subprocess runs as
distributions on PYTHONPATH (a ``*.dist-info`` with an entry point), so the
shared virtualenv never sees them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
SMSSTATUS = BIN / "smsstatus"
CFK = HERE / "cfk_plugins"


def copy_vendor_data(root: Path, vendor: str) -> Path:
    """The CFK schemas and fixtures under ``root``, fixtures renamed to ``vendor``."""
    shutil.copytree(CFK / "schemas", root / "schemas")
    (root / "fixtures").mkdir(parents=True)
    for file in sorted((CFK / "fixtures").glob("*.json")):
        text = json.dumps(json.loads(file.read_text()), indent=2)  # reports name the vendor too
        (root / "fixtures" / file.name).write_text(
            text.replace('"vendor": "cfkgood"', f'"vendor": "{vendor}"')
        )
    return root


def fixture_file(vendor: str, cases: list[dict[str, Any]], description: str = "Extra cases") -> str:
    return json.dumps({"fixture_format": 1, "vendor": vendor, "description": description, "cases": cases})


class Site:
    """Test plugins installed as distributions in a directory put on PYTHONPATH."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.lines = ["from cfk_plugins import MisspelledHook, Vendor"]

    def _dist(self, vendor: str, value: str) -> None:
        info = self.root / f"smsstatus_{vendor}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: smsstatus-{vendor}\nVersion: 0.1.0\n")
        (info / "entry_points.txt").write_text(f"[smsstatus.vendors]\n{vendor} = {value}\n")

    def add(
        self,
        vendor: str,
        *,
        flaws: tuple[str, ...] = (),
        manifest: str | None = None,
        fixtures: Mapping[str, str] | None = None,
    ) -> Path:
        """A CFK vendor with ``flaws``; extra fixture files and a manifest as given."""
        data = copy_vendor_data(self.root / "data" / vendor, vendor)
        if manifest is not None:
            (data / "fixtures" / "conformance.toml").write_text(manifest)
        for name, text in (fixtures or {}).items():
            (data / "fixtures" / name).write_text(text)
        kwargs = "".join(f", {flaw}=True" for flaw in flaws)
        self.lines.append(f"{vendor} = Vendor({vendor!r}, {str(data)!r}{kwargs})")
        self._dist(vendor, f"cfk_site:{vendor}")
        return data

    def add_raw(self, vendor: str, expression: str) -> None:
        """A plugin object built from an expression over ``cfk_plugins``."""
        self.lines.append(f"{vendor} = {expression}")
        self._dist(vendor, f"cfk_site:{vendor}")

    def add_import_error(self, vendor: str) -> None:
        (self.root / f"cfk_broken_{vendor}.py").write_text('raise RuntimeError("broken at import")\n')
        self._dist(vendor, f"cfk_broken_{vendor}")

    def env(self, **extra: str) -> dict[str, str]:
        (self.root / "cfk_site.py").write_text("\n".join(self.lines) + "\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SMSSTATUS_", "PYTEST_"))}
        env["PYTHONPATH"] = os.pathsep.join([str(self.root), str(HERE)])
        env.update(extra)
        return env


def smsstatus(
    *args: str | Path, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real ``smsstatus`` command of this virtualenv, in a subprocess."""
    return subprocess.run(
        [str(SMSSTATUS), *map(str, args)],
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def dev_venv(path: Path) -> Path:
    """A fresh virtualenv that sees this checkout's development environment
    (the editable core and every dependency) through a ``.pth`` file, as if
    ``pip install "smsstatus[conformance]"`` had run in it, without the
    network. Its ``bin`` holds shims: ``pip`` (this environment's pip acting
    on the new interpreter; builds use the installed hatchling), ``smsstatus``
    and ``pytest``. Returns the ``bin`` directory."""
    import sysconfig
    import venv

    venv.EnvBuilder(with_pip=False, clear=True).create(path)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dev = sysconfig.get_paths()["purelib"]
    Path(purelib, "_smsstatus_dev.pth").write_text(f"import site; site.addsitedir({dev!r})\n")
    shims = {
        "pip": (
            'case "$1" in install|wheel) cmd=$1; shift; set -- "$cmd" --no-build-isolation "$@";; esac\n'
            f'exec {sys.executable} -m pip --python {python} "$@"'
        ),
        "smsstatus": f'exec {python} -m smsstatus.cli "$@"',
        "pytest": f'exec {python} -m pytest "$@"',
    }
    for name, body in shims.items():
        shim = path / "bin" / name
        shim.write_text(f"#!/bin/sh\n{body}\n")
        shim.chmod(0o755)
    return path / "bin"


def clean_env(bin_dir: Path, home: Path, **extra: str) -> dict[str, str]:
    """An environment with only ``bin_dir`` and the system on PATH, no pip index."""
    env = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "VIRTUAL_ENV": str(bin_dir.parent),
    }
    env.update(extra)
    return env

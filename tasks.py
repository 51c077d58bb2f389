#!/usr/bin/env python3
"""Developer tasks for the smsstatus workspace. Needs only Python 3.11+ and pip.

    python tasks.py demo    # set up .venv, list plugins, normalise example pushes
    python tasks.py test    # lint, type-check, test, conformance --strict; each plugin from its wheel
    python tasks.py setup   # only set up .venv (core and every plugin, editable)
    python tasks.py wheels  # build the core and plugin wheels into dist/, twine check them
    python tasks.py docs    # the documentation site and API reference into site/ (mkdocs, strict)
    python tasks.py bench   # the benchmark table (docs/performance.md)
    python tasks.py defects # the conformance kit's catch rate over its defect corpus

The workspace members come from the root pyproject.toml ([tool.smsstatus.workspace]).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
WHEEL_VENVS = ROOT / ".venvs"
DIST = ROOT / "dist"
BIN = "Scripts" if os.name == "nt" else "bin"
PIP_QUIET = ("--quiet", "--disable-pip-version-check")


def workspace() -> tuple[Path, list[Path], list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["smsstatus"]["workspace"]
    core = ROOT / config["core"]
    plugins = sorted(p.parent for p in (ROOT / config["plugins"]).glob("*/pyproject.toml"))
    return core, plugins, list(config["dev-dependencies"])


def core_extras() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["smsstatus"]["workspace"]
    extras = config.get("core-extras", [])
    return f"[{','.join(extras)}]" if extras else ""


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    print("$", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run([str(a) for a in args], env=env, cwd=cwd or ROOT, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def tool(name: str, venv_dir: Path = VENV) -> Path:
    return venv_dir / BIN / name


def make_venv(path: Path) -> None:
    if not tool("python", path).exists():
        print(f"creating {path.relative_to(ROOT)}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(path)


def setup() -> None:
    core, plugins, dev = workspace()
    make_venv(VENV)
    stamp = VENV / ".smsstatus-setup"
    inputs = [ROOT / "pyproject.toml", core / "pyproject.toml", *(p / "pyproject.toml" for p in plugins)]
    signature = "\n".join(f"{p}:{p.stat().st_mtime_ns}" for p in inputs)
    if stamp.exists() and stamp.read_text() == signature:
        return
    pip = [tool("python"), "-m", "pip", "install", *PIP_QUIET]
    run(*pip, "--upgrade", "pip")
    editable = ["-e", f"{core}{core_extras()}", *(arg for path in plugins for arg in ("-e", str(path)))]
    run(*pip, *editable, *dev)
    stamp.write_text(signature)


def demo() -> None:
    setup()
    smsstatus = tool("smsstatus")
    run(smsstatus, "plugins")
    # Each plugin's examples/push.json (a JSON body) or push.form (form-encoded), verbatim from its vendor's docs.
    for example in sorted(ROOT.glob("plugins/*/examples/push.*")):
        vendor = example.parent.parent.name
        content_type = (
            "application/json" if example.suffix == ".json" else "application/x-www-form-urlencoded"
        )
        print(f"\n# {vendor}: {example.relative_to(ROOT)}", flush=True)
        run(smsstatus, "parse", vendor, example, "--content-type", content_type, "--format", "table")


def wheels() -> list[Path]:
    core, plugins, _ = workspace()
    setup()
    shutil.rmtree(DIST, ignore_errors=True)
    DIST.mkdir()
    for member in [core, *plugins]:
        run(
            tool("python"),
            "-m",
            "pip",
            "wheel",
            *PIP_QUIET,
            "--no-deps",
            "--no-build-isolation",
            "-w",
            DIST,
            member,
        )
    built = sorted(DIST.glob("*.whl"))
    # The package page: metadata complete and the README renders (Markdown).
    run(tool("twine"), "check", "--strict", *built)
    return built


def wheel_of(distribution: str) -> Path:
    name = distribution.replace("-", "_")
    found = sorted(DIST.glob(f"{name}-*.whl"))
    if len(found) != 1:
        sys.exit(f"expected one wheel for {distribution}, found {found}")
    return found[0]


def _third_party_requirements(wheel: Path) -> list[str]:
    """The wheel's own run-time requirements, without smsstatus itself (the
    base environment holds the core wheel) and without extras' requirements."""
    import zipfile
    from email.parser import Parser

    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode("utf-8"))
    requirements = []
    for requirement in metadata.get_all("Requires-Dist") or []:
        spec, _, marker = requirement.partition(";")
        project = spec.strip().split("[")[0]
        for separator in "<>=!~ (":
            project = project.split(separator)[0]
        if project.lower().replace("_", "-") == "smsstatus" or "extra ==" in marker:
            continue
        requirements.append(requirement)
    return requirements


def test_plugin_wheels() -> None:
    """Each plugin's tests from its built wheel, with only the core wheel, that
    plugin's wheel (and its own requirements) and the test runner importable:
    a workspace would hide undeclared dependencies and files missing from the
    wheel.

    One base virtualenv holds the core wheel with its conformance extra (the
    test runner; fetch cases replay under a frozen clock with time-machine);
    each plugin is installed with its requirements into a directory of its
    own that only its test run puts on the path. Entry points are found there
    like in a virtualenv, and no plugin sees another. Building one virtualenv
    per plugin measured about 30 s each, this about 5 s."""
    _, plugins, _ = workspace()
    wheels()
    base = WHEEL_VENVS / "_base"
    shutil.rmtree(WHEEL_VENVS, ignore_errors=True)
    make_venv(base)
    python = tool("python", base)
    pip = [python, "-m", "pip", "install", *PIP_QUIET]
    run(*pip, f"{wheel_of('smsstatus')}[conformance]")
    for plugin in plugins:
        name = tomllib.loads((plugin / "pyproject.toml").read_text())["project"]["name"]
        wheel = wheel_of(name)
        target = WHEEL_VENVS / plugin.name
        run(*pip, "--no-deps", "--target", target, wheel)
        requirements = _third_party_requirements(wheel)
        if requirements:
            # Into the plugin's own directory, even where the base already has a
            # version: the plugin must declare everything it imports.
            run(*pip, "--target", target, "--upgrade", *requirements)
        env = {**os.environ, "PYTHONPATH": str(target), "PYTHONNOUSERSITE": "1"}
        # Run from the plugin's tests directory with the repository's pytest
        # settings ignored, so nothing but the installed wheels is importable.
        isolated = ["-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", plugin / "tests"]
        run(python, "-m", "pytest", "-q", *isolated, plugin / "tests", env=env, cwd=plugin / "tests")


def test() -> None:
    setup()
    _, plugins, _ = workspace()
    run(tool("ruff"), "check", ".")
    run(tool("ruff"), "format", "--check", ".")
    run(tool("mypy"), "--strict", "-p", "smsstatus")
    # One run over every plugin: each is its own top-level package, and mypy
    # analyses the core they share once instead of once per plugin.
    run(tool("mypy"), "--strict", *(plugin / "src" for plugin in plugins))
    docs()
    run(tool("python"), "-m", "pytest", "tests", *(p / "tests" for p in plugins))
    # What we ask of plugin authors' CI, over every plugin installed here: the
    # same command with the same defaults (about 20 s for the 17 plugins).
    run(tool("smsstatus"), "conformance", "--strict")
    test_plugin_wheels()


def docs() -> None:
    """The documentation site: docs/*.md plus the API reference generated from
    the docstrings (mkdocs.yml). Strict: a broken link or anchor, or an API
    entry that does not resolve, fails the build. Offline.
    Not --quiet: it drops the warnings before strict mode counts them."""
    setup()
    run(tool("mkdocs"), "build", "--strict", "--site-dir", ROOT / "site")
    print(f"docs: {ROOT / 'site' / 'index.html'}", flush=True)


def bench() -> None:
    """The benchmark table of docs/performance.md (push parsing, memory, start-up, conformance)."""
    setup()
    run(tool("python"), ROOT / "benchmarks" / "run.py")


def defects() -> None:
    """Seed each defect of the corpus into a scratch copy, run the kit, print the catch rate per class."""
    setup()
    run(tool("python"), ROOT / "tests" / "conformance" / "defects" / "runner.py", *sys.argv[2:])


TASKS = {
    "setup": setup,
    "demo": demo,
    "test": test,
    "wheels": wheels,
    "docs": docs,
    "bench": bench,
    "defects": defects,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS or (len(sys.argv) > 2 and sys.argv[1] != "defects"):
        sys.exit(f"usage: python tasks.py {{{'|'.join(TASKS)}}}")
    TASKS[sys.argv[1]]()


if __name__ == "__main__":
    main()

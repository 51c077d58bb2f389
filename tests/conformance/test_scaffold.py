"""``smsstatus new-plugin``: the generated distribution installs and passes conformance as generated."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest
from harness import BIN, clean_env, dev_venv, smsstatus


def _run(args: list[str | Path], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("elsewhere")
    result = smsstatus("new-plugin", "acme-sms", "--dir", where, "--display-name", "Acme SMS", cwd=where)
    assert result.returncode == 0, result.stderr
    return where / "smsstatus-acme-sms"


def test_the_scaffold_writes_a_complete_distribution(generated: Path) -> None:
    files = sorted(str(p.relative_to(generated)) for p in generated.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/ci.yml",
        ".gitignore",
        "README.md",
        "pyproject.toml",
        "src/smsstatus_acme_sms/__init__.py",
        "src/smsstatus_acme_sms/fixtures/fetch.json",
        "src/smsstatus_acme_sms/fixtures/map.json",
        "src/smsstatus_acme_sms/fixtures/push.json",
        "src/smsstatus_acme_sms/mapping.py",
        "src/smsstatus_acme_sms/py.typed",
        "src/smsstatus_acme_sms/schemas/report.schema.json",
        "tests/test_acme_sms.py",
    ]
    project = tomllib.loads((generated / "pyproject.toml").read_text())
    assert project["project"]["name"] == "smsstatus-acme-sms"
    assert project["project"]["entry-points"]["smsstatus.vendors"] == {"acme-sms": "smsstatus_acme_sms"}
    workflow = (generated / ".github/workflows/ci.yml").read_text()
    assert "smsstatus conformance acme-sms --strict" in workflow
    assert "{{" not in (generated / "src/smsstatus_acme_sms/__init__.py").read_text()


def test_the_scaffold_refuses_to_overwrite(generated: Path) -> None:
    again = smsstatus("new-plugin", "acme-sms", "--dir", generated.parent)
    assert again.returncode == 2
    assert "already exists and is not empty" in again.stderr


def test_the_generated_plugin_installs_from_its_wheel_and_passes_conformance(
    generated: Path, tmp_path: Path
) -> None:
    bin_dir = dev_venv(tmp_path / "venv")
    env = clean_env(bin_dir, tmp_path)
    install = _run(["pip", "install", "--no-deps", generated], env, tmp_path)
    assert install.returncode == 0, install.stdout + install.stderr
    where = _run(
        ["python", "-c", "import smsstatus_acme_sms; print(smsstatus_acme_sms.__file__)"], env, tmp_path
    )
    assert str(tmp_path / "venv") in where.stdout  # the installed wheel, not the source tree
    conformance = _run(["smsstatus", "conformance", "acme-sms", "--strict"], env, tmp_path)
    assert conformance.returncode == 0, conformance.stdout + conformance.stderr
    assert "OK: 1 vendor(s)" in conformance.stdout
    # (its own tests run in test_tutorial.py, which follows the tutorial through an editable install)


def test_the_generated_code_is_lint_and_type_clean(generated: Path, tmp_path: Path) -> None:
    for args in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        result = _run([BIN / args[0], *args[1:]], {"PATH": "/usr/bin:/bin"}, generated)
        assert result.returncode == 0, result.stdout + result.stderr
    mypy = _run(
        [BIN / "mypy", "--strict", "--cache-dir", tmp_path / "mypy", "src", "tests"],
        {"PATH": "/usr/bin:/bin"},
        generated,
    )
    assert mypy.returncode == 0, mypy.stdout

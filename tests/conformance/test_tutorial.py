"""docs/writing-a-plugin.md, executed: every ``console`` step runs and every file block is written.

Rules of the document: a ``console`` block's commands are its ``$ `` lines (a trailing ``\\`` continues
a command); the other lines are sample output and are not compared. A block with ``file=PATH`` in
its info string is written to PATH (relative to the directory the steps are in at that point). An
HTML comment right before a block, ``<!-- doctest: skip (...) -->`` or ``<!-- doctest: exit=N -->``,
skips it or expects exit status N from each of its commands (default 0).
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import attrs
from harness import ROOT, clean_env, dev_venv

DOC = ROOT / "docs" / "writing-a-plugin.md"
_FENCE = re.compile(
    r"(?:<!--\s*doctest:\s*(?P<note>[^>]*?)\s*-->\s*\n)?^```(?P<info>[^\n]*)\n(?P<body>.*?)^```\s*$",
    re.MULTILINE | re.DOTALL,
)


@attrs.frozen
class Step:
    kind: str  # "command" or "file"
    text: str
    path: str | None = None
    exit: int = 0


def steps(markdown: str) -> list[Step]:
    found: list[Step] = []
    for match in _FENCE.finditer(markdown):
        note = match.group("note") or ""
        if note.startswith("skip"):
            continue
        expect = int(note.removeprefix("exit=").split()[0]) if note.startswith("exit=") else 0
        info = match.group("info").split()
        body = match.group("body")
        files = [part.removeprefix("file=") for part in info[1:] if part.startswith("file=")]
        if files:
            found.append(Step("file", body, files[0]))
        elif info[:1] == ["console"]:
            command = ""
            for line in body.splitlines():
                if command:
                    command += "\n" + line
                elif line.startswith("$ "):
                    command = line[2:]
                else:
                    continue
                if not command.endswith("\\"):
                    found.append(Step("command", command, exit=expect))
                    command = ""
    return found


def script(items: list[Step]) -> str:
    lines = ["set -u"]
    for number, step in enumerate(items, 1):
        if step.kind == "file":
            assert step.path is not None
            marker = "SMSSTATUS_TUTORIAL_EOF"
            lines += [f"mkdir -p {shlex.quote(str(Path(step.path).parent))}"]
            lines += [f"cat > {shlex.quote(step.path)} <<'{marker}'", step.text.rstrip("\n"), marker]
            continue
        lines += [
            f"echo {shlex.quote(f'### step {number}: $ {step.text}')}",
            step.text,
            "rc=$?",
            f'if [ "$rc" -ne {step.exit} ]; then echo "### step {number} exited $rc, expected {step.exit}"; exit 97; fi',
        ]
    lines.append("echo '### all steps passed'")
    return "\n".join(lines) + "\n"


def test_the_document_has_the_steps_that_matter() -> None:
    commands = [s.text for s in steps(DOC.read_text()) if s.kind == "command"]
    assert 'smsstatus new-plugin acme --dir . --display-name "Acme SMS"' in commands
    assert "smsstatus conformance acme --strict" in commands
    assert any(c.startswith("pytest") and "--smsstatus-conformance=acme" in c for c in commands)
    assert any(c.startswith("pip wheel") for c in commands)
    assert [s.exit for s in steps(DOC.read_text()) if s.exit] == [1]
    assert len([s for s in steps(DOC.read_text()) if s.kind == "file"]) == 2


def test_the_tutorial_runs_from_an_empty_directory(tmp_path: Path) -> None:
    bin_dir = dev_venv(tmp_path / "venv")
    work = tmp_path / "work"
    work.mkdir()
    env = clean_env(bin_dir, tmp_path, SMSSTATUS_CONFORMANCE_MAX_EXAMPLES="30")
    result = subprocess.run(
        ["bash", "-c", script(steps(DOC.read_text()))],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "### all steps passed" in result.stdout
    # the failure the tutorial promises is the one it shows
    assert "FAILED acme::case::opt-out::blocked" in result.stdout
    assert (work / "smsstatus-acme" / "dist" / "smsstatus_acme-0.1.0-py3-none-any.whl").is_file()

"""The defect corpus is well-formed, applies to its targets, and the runner measures it.

The whole measurement (every defect, a few minutes) is ``python tasks.py
defects``; here the corpus is checked statically and a small sample is run end
to end, so CI proves the runner works.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from defects import runner
from smsstatus.conformance.scaffold import write_plugin

CORPUS = runner.load_corpus()
#: A small sample run end to end: a static check, a request check, an encoded secret.
SAMPLE = ("scaffold-auth-plain-compare", "scaffold-fetch-batch-limit", "scaffold-secrets-logged-basic")


def test_the_corpus_is_large_enough_and_covers_every_class() -> None:
    assert len(CORPUS) >= 60
    assert {d.cls for d in CORPUS} == set(runner.CLASSES)
    targets = {d.target for d in CORPUS}
    assert runner.SCAFFOLD in targets
    assert targets - {runner.SCAFFOLD} <= {p.name for p in runner.PLUGINS.iterdir() if p.is_dir()}
    assert all(d.description and "\n" not in d.description for d in CORPUS)


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = write_plugin(runner.SCAFFOLD_VENDOR, tmp_path_factory.mktemp("scaffold"))
    return out / "src" / runner.package_of(runner.SCAFFOLD)


@pytest.mark.parametrize("defect", [d for d in CORPUS if d.target == runner.SCAFFOLD], ids=lambda d: d.id)
def test_every_scaffold_defect_applies_exactly_once(defect: runner.Defect, scaffold: Path) -> None:
    for edit in defect.edits:
        assert (scaffold / edit.file).read_text().count(edit.search) == 1, edit.file


def test_the_runner_counts_what_the_kit_catches() -> None:
    baselines, outcomes = runner.run(runner.select(CORPUS, SAMPLE), jobs=2)
    assert [(b.target, b.status) for b in baselines] == [(runner.SCAFFOLD, "baseline-ok")]
    assert {o.defect.id: o.status for o in outcomes if o.defect} == dict.fromkeys(SAMPLE, "caught")
    caught_by = {o.defect.id: o.checks for o in outcomes if o.defect}
    assert caught_by["scaffold-auth-plain-compare"] == ["constant-time"]
    assert caught_by["scaffold-fetch-batch-limit"] == ["batch-limit"]
    assert caught_by["scaffold-secrets-logged-basic"] == ["secrets", "redaction"]  # logged in every fetch
    rows = dict((cls, (caught, total)) for cls, caught, total in runner.table(outcomes))
    assert rows["overall"] == (3, 3) and rows["auth"] == (1, 1) and rows["mapping"] == (0, 0)
    assert runner.good_enough(baselines, outcomes, whole=False)


def test_a_defect_whose_text_is_gone_is_stale_not_missed(tmp_path: Path) -> None:
    gone = runner.Defect(
        "gone",
        runner.SCAFFOLD,
        "fields",
        "text that is not there",
        (runner.Edit("__init__.py", "no such text", "x"),),
    )
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("print('hello')\n")
    assert runner.apply(gone, package) == "__init__.py: the search text occurs 0 times (expected once)"

"""Tests that README stays true: its layer table and the test command CI runs."""

from pathlib import Path

import layers

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_layer_table_matches_the_registry() -> None:
    section = README.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    table = {row.split("|")[1].strip().strip("`"): row.split("|")[2].strip() for row in rows}
    assert table == {layer_id: spec.title for layer_id, spec in layers.LAYERS.items()}


def test_ci_runs_the_readme_test_command() -> None:
    assert "bash .ci/test.sh" in README
    assert "bash .ci/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")

"""`csgo-env synthesize --source arena` end to end in subprocesses: arena demonstrations,
inspected as valid and synthetic."""

from __future__ import annotations

import json
from pathlib import Path

from tests.commands.test_inspect_synthesize import cli


def test_synthesize_arena_then_inspect(tmp_path: Path) -> None:
    out = tmp_path / "demos"
    made = cli("synthesize", str(out), "--source", "arena", "--files", "2", "--frames", "40")
    assert made.returncode == 0, made.stderr
    assert "arena demonstrations" in made.stdout and "synthetic" in made.stdout
    marker = json.loads((out / "SYNTHETIC").read_text())
    assert marker["source"] == "arena" and marker["family"] == "aim-expert"
    assert (out / "currvarsv2_aim_july2021_expert_1_to_2.npy").is_file()
    shown = cli("inspect", str(out), "--expected-frames", "40", "--json")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["summary"] == {"files": 2, "valid": 2, "invalid": 0, "synthetic": 2}

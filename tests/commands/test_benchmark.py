"""``csgo-env benchmark --quick --tiny``: every stage of the quick benchmark on a seconds-long
budget, as a user runs it, then resumed (every stage kept). The quick benchmark itself
(minutes) is timed by ``scripts/bench_quick.py``, not run here. SYNTHETIC throughout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from csgo_env.evaluation.live_store import LiveStore

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
STAGES = ("demos", "convert", "train", "offline", "live", "publish", "summary")


def _benchmark(out: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "csgo_env.cli", "benchmark", "--quick",
                           "--tiny", "--out", str(out)], capture_output=True, text=True,
                          env=dict(os.environ), timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_tiny_quick_benchmark_end_to_end_and_resumed(xvfb_display: str, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    text = _benchmark(out)
    assert "SYNTHETIC" in text and f"summary: {out / 'summary.md'}" in text
    for name in STAGES:
        assert (out / "stages" / f"{name}.json").is_file(), name
    assert (out / "SYNTHETIC").is_file()
    records = LiveStore(out / "live" / "runs.jsonl").records()
    agents = {r["agent"] for r in records}
    assert agents == {"random", "scripted-expert", "bc", "cql", "iql"} and len(records) == 10
    assert all(r["synthetic"] and r["time_basis"] == "game" and r["paced"] is False
               for r in records)
    assert all(r["env"]["settings"]["replay_args"] == ["--opponents", "6"] for r in records)
    bc = next(r for r in records if r["agent"] == "bc")
    assert bc["policy"]["sha256"] and bc["policy"]["file"].endswith("bc-s0/policy.pt2")
    for table in ("live", "offline"):
        md = (out / "tables" / table / "table.md").read_text()
        assert "SYNTHETIC DATA" in md and "bc" in md
        assert json.loads((out / "tables" / table / "results.json").read_text())["synthetic"]
    offline = json.loads((out / "offline" / "records.json").read_text())
    assert {r["algorithm"] for r in offline} == {"bc", "cql", "iql"}
    assert all(r["setting"] == "csgo/aim-expert-test-v0 (offline)" for r in offline)
    summary = (out / "summary.md").read_text()
    assert summary.startswith("# Benchmark tiny") and "SYNTHETIC" in summary
    assert "| scripted-expert | 2 |" in summary and "## Where everything is" in summary
    assert (out / "figures" / "coverage.png").is_file()
    assert (out / "figures" / "outcomes.png").is_file()

    again = _benchmark(out)  # resumed: nothing is redone
    assert again.count("done before") == len(STAGES)
    assert LiveStore(out / "live" / "runs.jsonl").records() == records

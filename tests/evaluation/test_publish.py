"""``csgo-env publish``: every format from two algorithms x three seeds, and the refusals."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from csgo_env.cli import main
from csgo_env.evaluation.results_schema import SCHEMA, load_results
from csgo_env.evaluation.tables import format_cell

REPS = "300"


def record(algorithm: str, seed: int, **overrides: Any) -> dict[str, Any]:
    rng = np.random.default_rng([{"bc": 1, "iql": 2}[algorithm], seed])
    base = 1.0 if algorithm == "bc" else 1.5
    out = {"schema": SCHEMA, "protocol_version": "1", "algorithm": algorithm,
           "config": f"baselines/{algorithm}/dust2-expert.yaml", "env_id": "CSGO-Deathmatch-v0",
           "dataset_id": "csgo/dust2-expert-train-v0", "dataset_version": "v0+0.1.0+abc",
           "seed": seed, "checkpoint": "best", "commit": "0123abcd",
           "hardware": "2 CPU cores", "synthetic": False,
           "metrics": {"kills_per_minute": float(base + rng.normal(0, 0.1)),
                       "kd": float(base / 2 + rng.normal(0, 0.05)),
                       "f1/w": None if seed == 2 else 0.5}}
    out.update(overrides)
    return out


def write_runs(folder: Path, runs: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, run in enumerate(runs):
        (folder / f"run_{i}.json").write_text(json.dumps(run), encoding="utf-8")
    return folder


def six_runs(**overrides: Any) -> list[dict[str, Any]]:
    return [record(a, s, **overrides) for a in ("bc", "iql") for s in range(3)]


def markdown_table(text: str) -> list[dict[str, str]]:
    lines = [ln for ln in text.splitlines() if ln.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    return [dict(zip(header, [c.strip() for c in ln.strip("|").split("|")], strict=True))
            for ln in lines[2:]]


def test_two_algorithms_three_seeds_all_formats(tmp_path: Path) -> None:
    src = write_runs(tmp_path / "runs", six_runs())
    out = tmp_path / "evaluation" / "results" / "demo"
    assert main(["publish", str(src), "--out", str(out), "--reps", REPS, "--seed", "5"]) == 0
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"results.json", "runs.json", "table.md", "table.tex", "table.csv"} <= files
    for metric in ("kd", "kills_per_minute"):
        for kind in ("intervals", "profiles", "improvement"):
            assert f"figures/{metric}_{kind}.png" in files
    assert not list(tmp_path.rglob(".*partial"))
    doc = json.loads((out / "results.json").read_text())
    assert doc["aggregation_seed"] == 5 and doc["synthetic"] is False
    assert doc["headline_metrics"] == ["kd", "kills_per_minute"]
    # the Markdown table says what the JSON says, row by row
    md_rows = markdown_table((out / "table.md").read_text())
    assert len(md_rows) == len(doc["rows"]) == 2
    for md, row in zip(md_rows, doc["rows"], strict=True):
        assert md["algorithm"] == row["algorithm"] and md["config"] == row["config"]
        assert md["dataset_id"] == row["dataset_id"]
        assert md["dataset_version"] == row["dataset_version"]
        assert md["seeds"] == "3 (0, 1, 2)" and row["seeds"] == [0, 1, 2]
        assert md["checkpoint"] == "best" and md["commit"] == row["commit"]
        assert md["hardware"] == row["hardware"] and md["synthetic"] == "no"
        for metric in doc["headline_metrics"]:
            stat = row["metrics"][metric]
            assert md[metric] == format_cell(stat)
            assert float(md[metric].split(" ± ")[0]) == pytest.approx(stat["mean"], rel=1e-3)
            per_seed = [r["metrics"][metric] for r in six_runs()
                        if r["algorithm"] == row["algorithm"]]
            assert stat["per_seed"] == per_seed  # the raw values, seed by seed
            assert stat["mean"] == pytest.approx(np.mean(per_seed))
    # null values are left out and counted
    assert doc["rows"][0]["metrics"]["f1/w"]["n"] == 2
    # raw per-seed JSON: the records as read
    raw = json.loads((out / "runs.json").read_text())["runs"]
    assert len(raw) == 6 and {r["seed"] for r in raw} == {0, 1, 2}
    with open(out / "table.csv", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert [r["algorithm"] for r in csv_rows] == ["bc", "iql"]
    assert float(csv_rows[1]["kd_mean"]) == doc["rows"][1]["metrics"]["kd"]["mean"]
    tex = (out / "table.tex").read_text()
    assert r"\toprule" in tex and "dust2-expert-train-v0" in tex.replace(r"\_", "_")
    est = doc["aggregates"]["kills_per_minute"]["intervals"]
    assert est["seed"] == 5 and est["reps"] == int(REPS)
    assert est["estimates"]["iql"]["mean"]["point"] > est["estimates"]["bc"]["mean"]["point"]


def test_publish_is_reproducible_and_labels_synthetic_everywhere(tmp_path: Path) -> None:
    src = write_runs(tmp_path / "runs", six_runs(synthetic=True))
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert main(["publish", str(src), "--out", str(out), "--reps", REPS,
                     "--title", "t"]) == 0
        outs.append(out)
    for rel in ("results.json", "table.md", "table.tex", "table.csv",
                "figures/kd_intervals.png"):
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel
    out = outs[0]
    assert "SYNTHETIC" in (out / "table.md").read_text()
    assert "SYNTHETIC" in (out / "table.tex").read_text()
    csv_text = (out / "table.csv").read_text().splitlines()
    assert all(r["synthetic"] == "True" for r in csv.DictReader(csv_text))
    assert json.loads((out / "results.json").read_text())["synthetic"] is True
    assert all(r["synthetic"] for r in json.loads((out / "runs.json").read_text())["runs"])


def refused(tmp_path: Path, runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
            ) -> str:
    src = write_runs(tmp_path / "runs", runs)
    out = tmp_path / "out"
    assert main(["publish", str(src), "--out", str(out), "--reps", REPS]) == 2
    assert not out.exists() and not list(tmp_path.glob(".out*"))
    return capsys.readouterr().err


def test_mixed_dataset_versions_are_refused(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    runs = six_runs()
    runs[4]["dataset_version"] = "v0+0.2.0+def"
    err = refused(tmp_path, runs, capsys)
    assert "appears in 2 versions" in err and "run_4.json" in err


def test_missing_seeds_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(tmp_path, six_runs()[:5], capsys)  # iql has no seed 2
    assert "lacks seeds [2]" in err and "iql" in err


def test_other_protocol_versions_are_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    runs = six_runs()
    runs[0]["protocol_version"] = "0"
    err = refused(tmp_path, runs, capsys)
    assert "another protocol version" in err and "run_0.json" in err


def test_bad_records_and_existing_output(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    runs = six_runs()
    runs[1]["metrics"]["kd"] = "high"
    err = refused(tmp_path, runs, capsys)
    assert "metric kd must be a finite number" in err
    runs = six_runs()
    del runs[2]["commit"]
    assert "no commit" in refused(tmp_path / "x", runs, capsys)
    src = write_runs(tmp_path / "ok", six_runs())
    out = tmp_path / "exists"
    out.mkdir()
    assert main(["publish", str(src), "--out", str(out), "--reps", REPS]) == 2
    assert "--force" in capsys.readouterr().err
    assert load_results([src])[0].task == "csgo/dust2-expert-train-v0"


def test_console_command_runs_as_a_process(tmp_path: Path) -> None:
    src = write_runs(tmp_path / "runs", six_runs())
    code = "import sys; from csgo_env.cli import main; sys.exit(main())"
    proc = subprocess.run([sys.executable, "-c", code, "publish", str(src), "--out",
                           str(tmp_path / "o"), "--reps", REPS, "--metrics", "kd"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "published 6 runs in 2 rows" in proc.stdout

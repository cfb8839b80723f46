"""The runs file: atomic appends, resume keys, the in-progress marker, and publish reading
the files of several machines together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from csgo_env.errors import EvaluationError, ResultsRefused
from csgo_env.evaluation.live_store import LIVE_SCHEMA, LiveStore
from csgo_env.evaluation.publish import publish
from csgo_env.evaluation.results_schema import RunRecord, load_results


def _line(agent: str, seed: int, kpm: float, setting: str = "arena") -> dict:
    result = RunRecord(algorithm=agent, config="", env_id="CSGO-Deathmatch-v0",
                       dataset_id="-", dataset_version="-", seed=seed, checkpoint="last",
                       commit="abc", hardware="test", synthetic=True,
                       metrics={"kills_per_minute": kpm, "kd": kpm / 10}, setting=setting)
    return {"schema": LIVE_SCHEMA, "agent": agent, "seed": seed, "events": [],
            "metrics": result.metrics, "result": result.to_json()}


def test_append_keeps_every_line_and_refuses_a_run_twice(tmp_path: Path) -> None:
    store = LiveStore(tmp_path / "runs.jsonl")
    assert store.records() == [] and store.finished() == set()
    store.append(_line("random", 0, 0.0))
    store.append(_line("expert", 0, 30.0))
    assert store.finished() == {("random", 0), ("expert", 0)}
    with pytest.raises(EvaluationError, match="already in"):
        store.append(_line("random", 0, 1.0))
    assert len(store.path.read_text().splitlines()) == 2
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed


def test_a_writer_killed_mid_append_leaves_the_old_file(tmp_path: Path) -> None:
    """SIGKILL inside the write of a large line: the file still holds whole lines."""
    store = LiveStore(tmp_path / "runs.jsonl")
    store.append(_line("random", 0, 0.0))
    code = (
        "import sys, os, signal\n"
        "from csgo_env._atomic import atomic_target\n"
        f"path = {str(store.path)!r}\n"
        "with atomic_target(path) as tmp:\n"
        "    with open(tmp, 'wb') as fh:\n"
        "        fh.write(open(path, 'rb').read() + b'{\"half\": ')\n"
        "        fh.flush()\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), check=False)
    assert proc.returncode == -9
    assert store.finished() == {("random", 0)}


def test_marker_names_the_interrupted_run(tmp_path: Path) -> None:
    store = LiveStore(tmp_path / "runs.jsonl")
    assert store.interrupted() is None
    store.mark_running(("bc", 3))
    assert LiveStore(store.path).interrupted() == ("bc", 3)
    store.append(_line("bc", 3, 2.0))
    assert store.interrupted() is None  # it finished after all
    store.done()
    assert not store.marker.exists()


def test_foreign_lines_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(json.dumps({"schema": "something/else"}) + "\n")
    with pytest.raises(EvaluationError, match="not a live run record"):
        LiveStore(path).records()


def test_publish_merges_the_runs_files_of_two_machines(tmp_path: Path) -> None:
    a, b = LiveStore(tmp_path / "a" / "runs.jsonl"), LiveStore(tmp_path / "b" / "runs.jsonl")
    for seed in (0, 1, 2):
        a.append(_line("random", seed, 0.5 * seed))
        a.append(_line("expert", seed, 30.0 + seed))
    for seed in (3, 4):
        b.append(_line("random", seed, 0.5 * seed))
        b.append(_line("expert", seed, 30.0 + seed))
    records = load_results([a.path, b.path])
    assert len(records) == 10 and records[0].source.endswith("runs.jsonl:1")
    summary = publish([tmp_path / "a", tmp_path / "b"], tmp_path / "pub", reps=200)
    assert summary["runs"] == 10 and summary["synthetic"]
    rows = json.loads((tmp_path / "pub" / "results.json").read_text())["rows"]
    assert {r["algorithm"]: r["seeds"] for r in rows} == {"expert": [0, 1, 2, 3, 4],
                                                          "random": [0, 1, 2, 3, 4]}
    # the same run on both machines is refused, naming both lines
    b.append(_line("random", 0, 9.0))
    with pytest.raises(ResultsRefused, match="the same run twice"):
        publish([a.path, b.path], tmp_path / "pub2", reps=200)


def test_kept_runs_get_coverage_from_their_tracks_once_the_reference_has_positions(
        tmp_path: Path) -> None:
    import numpy as np

    from csgo_env.evaluation.coverage import occupancy_grid
    from csgo_env.evaluation.live_reference import LiveReference
    from csgo_env.evaluation.live_runner import rescore_coverage
    from csgo_env.evaluation.maps import frame_from_extent
    from csgo_env.evaluation.outcomes import LifeStats

    rng = np.random.default_rng(0)
    ref_x, ref_y = rng.uniform(0, 1000, 500), rng.uniform(0, 1000, 500)
    frame = frame_from_extent("test", ref_x, ref_y)
    empty = np.zeros(0)
    without = LiveReference("d", "v", False, 1.0, LifeStats(empty, empty, empty, "t"), None)
    reference = LiveReference("d", "v", False, 1.0, LifeStats(empty, empty, empty, "t"),
                              occupancy_grid(ref_x, ref_y, frame))
    store = LiveStore(tmp_path / "runs.jsonl")
    near, far = _line("near", 0, 0.0), _line("far", 0, 0.0)
    for record, centre in ((near, 500.0), (far, 950.0)):
        record["metrics"]["coverage_emd"] = None
        record["result"]["metrics"]["coverage_emd"] = None
        record["track"] = {"x": list(rng.normal(centre, 20, 64)),
                           "y": list(rng.normal(centre, 20, 64)), "alive": "1" * 64}
        store.append(record)
    nothing = _line("no-pose", 0, 0.0)
    nothing["track"] = {"x": None, "y": None, "alive": "1" * 8}
    store.append(nothing)
    assert rescore_coverage(store, without) == 0
    assert rescore_coverage(store, reference) == 2
    by = {r["agent"]: r for r in store.records()}
    assert 0 < by["near"]["metrics"]["coverage_emd"] < by["far"]["metrics"]["coverage_emd"]
    assert by["near"]["result"]["metrics"]["coverage_emd"] == \
        by["near"]["metrics"]["coverage_emd"]
    assert by["no-pose"]["metrics"].get("coverage_emd") is None
    assert rescore_coverage(store, reference) == 0  # scored once

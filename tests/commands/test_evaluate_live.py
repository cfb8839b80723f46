"""``csgo-env evaluate --live`` in the arena, as a user runs it: records, policy hashes,
publish, and a run killed with SIGKILL mid-way then finished by a second start.

SYNTHETIC game (the stand-in's arena), unpaced: every run's rates are per game minute.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csgo_env.evaluation.live_agents import file_sha256
from csgo_env.evaluation.live_store import LiveStore
from csgo_env.evaluation.results_schema import load_results
from tests.support import standin as rs

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]


def _evaluate(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "csgo_env.cli", "evaluate", "--live",
                             "--game", "arena", "--unpaced", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ))


def _finish(proc: subprocess.Popen[str], timeout: float) -> str:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    assert proc.returncode == 0, err[-2000:]
    return out


def _exported_policy(path: Path) -> Path:
    torch = pytest.importorskip("torch")

    class Walker(torch.nn.Module):
        """Always w + fire, mouse still: logits (1, 64)."""

        def forward(self, obs: torch.Tensor) -> torch.Tensor:
            logits = torch.zeros(1, 64)
            for i, p in enumerate([1] + [0] * 10 + [1, 0]):
                logits[0, 2 * i + p] = 1.0
            logits[0, 26 + 11] = logits[0, 26 + 23 + 7] = 1.0
            return logits + obs.float().mean() * 0.0

    program = torch.export.export(Walker(), (torch.zeros(1, 150, 280, 3, dtype=torch.uint8),))
    torch.export.save(program, str(path))
    return path


def test_records_name_policy_env_and_time_basis_and_publish(xvfb_display: str,
                                                            tmp_path: Path) -> None:
    policy = _exported_policy(tmp_path / "walker.pt2")
    out = tmp_path / "live"
    text = _finish(_evaluate("--agent", "expert", "--agent", f"walker={policy}", "--runs", "2",
                             "--steps", "48", "--out", str(out)), 240)
    assert "6 finished runs" in text
    records = LiveStore(out / "runs.jsonl").records()
    assert [(r["agent"], r["seed"]) for r in records] == [
        ("random", 0), ("random", 1), ("expert", 0), ("expert", 1), ("walker", 0),
        ("walker", 1)]
    for r in records:
        assert r["steps"] == 48 and r["paced"] is False and r["time_basis"] == "game"
        assert r["env"]["id"] == "CSGO-Deathmatch-v0" and r["env"]["game"] == "arena"
        assert r["env"]["settings"]["paced"] is False and "gsi_token" not in r["env"]["settings"]
        assert r["synthetic"] is True and "unpaced (per game minute)" in r["setting"]
        assert len(r["track"]["x"]) == 48 and len(r["track"]["fire"]) == 48  # memory pose
        assert r["metrics"]["kills_per_minute"] == pytest.approx(
            r["metrics"]["counts/kills"] / (48 / 16 / 60))
        kills = [e for e in r["events"] if e["kind"] == "kill"]
        assert len(kills) == r["metrics"]["counts/kills"]
        assert all(e["position"] is not None for e in r["events"])
    walker = records[-1]["policy"]
    assert walker["sha256"] == file_sha256(policy) and walker["file"] == str(policy.resolve())
    assert records[0]["policy"] == {"spec": "random", "file": None, "sha256": None,
                                    "kind": "RandomPolicy", "meta": {}}
    assert records[-1]["track"]["fire"] == "1" * 48
    # the same worlds for every agent: the first frame's pose is the seed's
    assert records[0]["track"]["x"][0] != records[1]["track"]["x"][0]
    assert load_results([out / "runs.jsonl"])[0].seed == 0
    pub = tmp_path / "pub"
    subprocess.run([sys.executable, "-m", "csgo_env.cli", "publish", str(out / "runs.jsonl"),
                    "--out", str(pub), "--reps", "200"], check=True, capture_output=True)
    rows = json.loads((pub / "results.json").read_text())["rows"]
    assert sorted(r["algorithm"] for r in rows) == ["expert", "random", "walker"]


def test_sigkill_mid_run_keeps_finished_runs_and_redoes_the_broken_one(
        xvfb_display: str, tmp_path: Path) -> None:
    out = tmp_path / "live"
    store = LiveStore(out / "runs.jsonl")
    first_log = tmp_path / "input-1.jsonl"
    args = ("--agent", "expert", "--runs", "3", "--steps", "96", "--out", str(out))
    proc = _evaluate(*args, "--replay-input-log", str(first_log))
    try:
        deadline = time.monotonic() + 240
        while not (store.interrupted() == ("random", 2) and len(store.records()) == 2
                   and first_log.is_file() and len(rs.logged_events(first_log)) > 40):
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the third run never started"
            time.sleep(0.05)
        time.sleep(0.5)  # inside the third run, keys held
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    kept = store.path.read_text().splitlines()
    assert [json.loads(line)["seed"] for line in kept] == [0, 1]
    # the release guardian let go of everything the killed runner held
    deadline = time.monotonic() + 15
    while rs.held_at_end(rs.logged_events(first_log)) and time.monotonic() < deadline:
        time.sleep(0.1)
    events = rs.logged_events(first_log)
    assert any(e[0] in ("key_down", "button_down") for e in events)
    assert rs.held_at_end(events) == set(), events[-10:]

    second_log = tmp_path / "input-2.jsonl"
    text = _finish(_evaluate(*args, "--replay-input-log", str(second_log)), 300)
    assert "run random seed 2 did not finish last time: redoing it" in text
    assert "2 finished runs kept, 4 to play" in text
    lines = store.path.read_text().splitlines()
    assert lines[:2] == kept  # byte for byte
    assert [(json.loads(x)["agent"], json.loads(x)["seed"]) for x in lines[2:]] == [
        ("random", 2), ("expert", 0), ("expert", 1), ("expert", 2)]
    assert not store.marker.exists()
    assert rs.held_at_end(rs.logged_events(second_log)) == set()

"""``csgo-env record`` on the stand-in game, end to end, and killed with SIGKILL.

One real recording run (a child process: the CLI, its stand-in game with a real window
under Xvfb, XTest input from ``--policy random``, real GSI POSTs, memory reads of the
stand-in, the writer process) is SIGKILLed while its second file is being written. Then:

- every finished file is valid and has its metadata; no partial file has a final name; the
  stand-in and the writer end by themselves; the next run cleans the leftovers;
- the finished file goes through ``infer-actions`` -> ``quality`` -> ``convert`` (with
  metadata) -> ``SequenceDataset(metadata=True)``, and frames, flags, positions, counters,
  keys held and mouse agree with what the stand-in showed, posted and held in memory.

Stand-in facts used (see :mod:`csgo_env.standin.game`): showing frame f plays its recorded
``[kill, death]`` flags (health 0 on a death frame), the pose walks a circle of radius 300
around (-500, 1000) once every 400 frames, and the yaw turns by the recorded mouse of the
frame left plus the mouse received.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from csgo_env.actions import KEY_NAMES, MOUSE_X_BINS, MOUSE_Y_BINS, N_BINARY, Action
from csgo_env.datasets.pearce.metadata import load_metadata
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.pearce.validate import validate_recording
from csgo_env.datasets.synthetic.recordings import is_synthetic, write_synthetic_recordings
from csgo_env.policy import RandomPolicy
from csgo_env.standin.window import read_log
from tests.support.standin import logged_events

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
SEED = 7
FRAMES = 1000
NAME = "hdf5_dm_july2021_expert_{}.hdf5"
META = "currvarsv2_dm_july2021_expert_{0}_to_{0}.npy"


def _cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "csgo_env.cli", *map(str, args)]


@pytest.fixture(scope="module")
def killed_run(tmp_path_factory: pytest.TempPathFactory, xvfb_display: str) -> dict:
    """Record until file 2 is half written, then SIGKILL the recorder."""
    base = tmp_path_factory.mktemp("record")
    source = write_synthetic_recordings(base / "source", files=1, seed=0,
                                        with_metadata=False)[0]
    out, log = base / "rec", base / "input.jsonl"
    proc = subprocess.Popen(
        _cli("record", "--game", "replay", "--recording", source, "--out", out, "--files", 3,
             "--fps", 64, "--policy", "random", "--seed", SEED, "--keys", "x11",
             "--replay-input-log", log, "--quiet"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "DISPLAY": xvfb_display})
    deadline = time.monotonic() + 600
    partial: list[Path] = []
    children: list[psutil.Process] = []
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            partial = list(out.glob(f".{NAME.format(2)}.*.tmp")) if out.is_dir() else []
            if (out / NAME.format(1)).exists() and partial and partial[0].stat().st_size > 4e6:
                children = psutil.Process(proc.pid).children(recursive=True)
                break
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()
        assert partial, "file 2 never started"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return {"out": out, "source": source, "log": log, "children": children, "base": base,
            "pid": proc.pid}


def test_sigkill_leaves_finished_files_valid_and_no_partial_file(killed_run: dict) -> None:
    out = killed_run["out"]
    _, alive = psutil.wait_procs(killed_run["children"], timeout=30)
    assert not alive, f"left running after SIGKILL: {alive}"
    report = validate_recording(out / NAME.format(1), deep=True)
    assert report.ok, report.problems
    meta = load_metadata(out / META.format(1))
    assert len(meta) == FRAMES and "file_num1_frame_999" in meta
    assert not (out / NAME.format(2)).exists() and not (out / META.format(2)).exists()
    assert not list(out.glob(f".{NAME.format(2)}.*.tmp")), "the writer left its partial file"
    assert is_synthetic(out / NAME.format(1))  # the stand-in shows no real play
    assert not list(out.glob(".*.tmp")), "temporary files under the output folder"
    from csgo_env.recording.writer import SHM_DIR, ring_name, sweep_stale_rings

    ring = ring_name(killed_run["pid"])  # the killed recorder's frame ring (shared memory)
    assert (SHM_DIR / ring).exists()
    assert ring in sweep_stale_rings() and not (SHM_DIR / ring).exists()  # the next run


def _standin_pose(frame: int) -> tuple[float, float]:
    phase = 2.0 * math.pi * frame / 400.0
    return -500.0 + 300.0 * math.cos(phase), 1000.0 + 300.0 * math.sin(phase)


def test_record_infer_quality_convert_load(killed_run: dict, tmp_path: Path) -> None:
    from csgo_env.cli import main
    from csgo_env.datasets.loader import SequenceDataset

    out, source = killed_run["out"], killed_run["source"]
    work = tmp_path / "files"
    work.mkdir()
    for name in (NAME.format(1), META.format(1), "SYNTHETIC", "SYNTHETIC_README.txt"):
        (work / name).write_bytes((out / name).read_bytes())
    curr_vars = [entry[0] for _, entry in sorted(
        load_metadata(work / META.format(1)).items(),
        key=lambda kv: int(kv[0].rsplit("_", 1)[1]))]
    shown = np.array([cv["standin_frame"] for cv in curr_vars])
    np.testing.assert_array_equal(shown, np.arange(1, FRAMES + 1) % FRAMES)

    with Recording(source) as src:
        src_frames, src_flags = src.frames(), src.helper()
        src_mouse = src.actions()[:, N_BINARY:]
    with Recording(work / NAME.format(1)) as rec:
        frames = rec.frames()
    # frames: image t is what the stand-in showed before tick t (frame 0, then shown[t-1])
    before = np.concatenate([[0], shown[:-1]])
    np.testing.assert_array_equal(frames, src_frames[before])

    # posted: the GSI counters follow the flags of every frame shown since the start
    kills = np.array([cv["gsi_kills"] for cv in curr_vars])
    deaths = np.array([cv["gsi_deaths"] for cv in curr_vars])
    np.testing.assert_array_equal(kills, np.cumsum(src_flags[shown, 0]))
    np.testing.assert_array_equal(deaths, np.cumsum(src_flags[shown, 1]))
    health = np.array([cv["gsi_health"] for cv in curr_vars])
    np.testing.assert_array_equal(health == 0, src_flags[shown, 1] == 1)
    # held in memory: the pose of the frame on screen when curr_vars was read
    for t in range(FRAMES):
        x, y = _standin_pose(int(shown[t]))
        assert curr_vars[t]["localpos1"] == pytest.approx(x, abs=1e-3)
        assert curr_vars[t]["localpos2"] == pytest.approx(y, abs=1e-3)
        assert curr_vars[t]["obs_health"] == curr_vars[t]["gsi_health"]
        assert curr_vars[t]["height"] == pytest.approx(64.06, abs=1e-4)
    # keys held (read from the X server) are the policy's actions, sent by the recorder
    policy = RandomPolicy(SEED)
    sent = [Action.from_multidiscrete(policy.act(frames[t])) for t in range(FRAMES)]
    for t in range(FRAMES):
        assert curr_vars[t]["tp_wasd"] == [k for k in KEY_NAMES if k in sent[t].keys], t
        assert curr_vars[t]["tp_lclick"] == int(sent[t].fire)
    assert sum(1 for e in logged_events(killed_run["log"]) if e[0] == "key_down") > 500
    assert any(r.get("type") == "quit" for r in read_log(killed_run["log"]))

    # infer -> quality
    assert main(["infer-actions", str(work), "--in-place"]) == 0
    with Recording(work / NAME.format(1)) as rec:
        y, helper = rec.actions(), rec.helper()
    judged = (health > 0) & np.concatenate([[False], health[:-1] > 0])
    np.testing.assert_array_equal(helper[1:], src_flags[shown[1:]] * (
        src_flags[shown[1:]].sum(axis=1, keepdims=True) == 1))
    logged = [KEY_NAMES.index(k) for k in ("w", "a", "s", "d", "space", "r", "shift", "ctrl")]
    sent_md = np.stack([a.to_multidiscrete() for a in sent])
    np.testing.assert_array_equal(y[judged][:, logged], sent_md[judged][:, logged])
    np.testing.assert_array_equal(y[judged][:, N_BINARY - 2], sent_md[judged][:, N_BINARY - 2])
    assert not y[~judged][:, :N_BINARY].any()
    # mouse: the stand-in turned by the recorded move of the frame it left plus the sent one
    meta = load_metadata(work / META.format(1))
    inferred = np.array([meta[f"file_num1_frame_{t}"][1][1:3] for t in range(FRAMES)])
    expected = np.stack([MOUSE_X_BINS[src_mouse[before, 0]] + [a.mouse_dx for a in sent],
                         MOUSE_Y_BINS[src_mouse[before, 1]] + [a.mouse_dy for a in sent]], 1)
    pitch = np.array([cv["viewangle_vert"] for cv in curr_vars])
    free = judged & (np.abs(pitch) < 88) & np.concatenate([[False], np.abs(pitch[:-1]) < 88])
    np.testing.assert_allclose(inferred[free], expected[free], atol=0.05)

    proc = subprocess.run(_cli("quality", work, "--json"), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = next(r for r in json.loads(proc.stdout)["files"] if r["name"] == NAME.format(1))
    assert row["ok"] and row["synthetic"], row
    assert row["not_first_person"] == 0 and row["hp_disagree"] == 0

    # convert with metadata -> load
    minari = tmp_path / "minari"
    assert main(["convert", str(work), "--out-dir", str(minari), "--workers", "1",
                 "--quiet"]) == 0
    dataset = SequenceDataset("csgo/dust2-expert-train-v0", root=minari, seq_len=50,
                              metadata=True)
    for start in (0, 470, 949):
        item = dataset.sequence_at(0, start)
        steps = np.arange(start, start + 50)
        np.testing.assert_array_equal(item["observations"].numpy(), frames[steps])
        np.testing.assert_array_equal(item["actions"].numpy(), y[steps])
        np.testing.assert_array_equal(item["kill"].numpy(), helper[steps + 1, 0] == 1)
        pos = item["meta"]["position"].numpy()
        np.testing.assert_allclose(pos[:, 0], [curr_vars[t]["localpos1"] for t in steps])
        np.testing.assert_allclose(pos[:, 1], [curr_vars[t]["localpos2"] for t in steps])
        np.testing.assert_array_equal(item["meta"]["kills"].numpy(), kills[steps])
        np.testing.assert_array_equal(item["meta"]["health"].numpy(), health[steps])
        assert item["meta_known"]["position"].all() and item["meta_known"]["armor"].all()
        yaw = item["meta"]["yaw_deg"].numpy()
        np.testing.assert_allclose(yaw, [curr_vars[t]["viewangle_xy"] for t in steps])
        clip = item["meta"]["clip_ammo"].numpy()
        known = item["meta_known"]["clip_ammo"].numpy()
        assert np.isnan(clip[~known]).all() and (health[steps][~known] == 0).all()
    dataset.close()

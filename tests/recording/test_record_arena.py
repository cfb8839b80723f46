"""``record`` on the stand-in game's arena (``game="arena"``, synthetic), end to end: what
it records is what the arena showed, posted and held in memory, checked against the
arena's in-process twin, and the chain infer -> quality -> convert -> load keeps it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from csgo_env.actions import KEY_NAMES, N_BINARY, Action
from csgo_env.datasets.pearce.metadata import load_metadata
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.synthetic.recordings import is_synthetic
from csgo_env.game.session_config import validate_session_config
from csgo_env.policy import RandomPolicy
from csgo_env.recording.recorder import Recorder, RecordOptions
from csgo_env.standin.arena_local import LocalArena
from csgo_env.standin.arena_world import ArenaConfig

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
SEED, WORLD = 5, 21
FRAMES = 1000


def test_arena_recording_matches_the_twin_through_the_whole_chain(xvfb_display: str,
                                                                   tmp_path: Path) -> None:
    from csgo_env.cli import main
    from csgo_env.datasets.loader import SequenceDataset

    out = tmp_path / "rec"
    config = validate_session_config(game="arena", paced=False,
                                     replay_input_log=str(tmp_path / "input.jsonl"))
    options = RecordOptions(out_dir=out, files=1, world_seed=WORLD, keys="x11")
    summary = Recorder(config, options, policy=RandomPolicy(SEED)).run()
    assert len(summary.written) == 1 and not summary.errors
    target = summary.written[0]
    assert is_synthetic(target.recording)
    meta = load_metadata(target.metadata)
    curr_vars = [meta[f"file_num1_frame_{t}"][0] for t in range(FRAMES)]
    with Recording(target.recording) as rec:
        frames = rec.frames()

    twin = LocalArena(ArenaConfig(seed=WORLD))
    policy = RandomPolicy(SEED)
    np.testing.assert_array_equal(frames[0], twin.observe())
    kills = deaths = 0
    sent = []
    for t in range(FRAMES):
        action = Action.from_multidiscrete(policy.act(frames[t]))
        sent.append(action)
        result = twin.step(action)
        kills, deaths = kills + result.kill, deaths + result.death
        snap, cv = twin.snapshot(), curr_vars[t]
        if t + 1 < FRAMES:
            np.testing.assert_array_equal(frames[t + 1], twin.observe(), err_msg=f"tick {t}")
        assert (cv["localpos1"], cv["localpos2"]) == pytest.approx(snap.position[:2], abs=1e-3)
        assert cv["viewangle_xy"] == pytest.approx(snap.yaw_deg, abs=1e-3)
        assert cv["gsi_health"] == snap.health == cv["obs_health"]
        assert (cv["gsi_kills"], cv["gsi_deaths"]) == (kills, deaths)
        assert cv["tp_wasd"] == [k for k in KEY_NAMES if k in action.keys]

    assert main(["infer-actions", str(out), "--in-place"]) == 0
    assert main(["quality", str(out)]) == 0  # no file flagged
    with Recording(target.recording) as rec:
        y, helper = rec.actions(), rec.helper()
    judged = np.array([cv["gsi_health"] > 0 for cv in curr_vars])
    judged[1:] &= judged[:-1]
    judged[0] = False
    fire = [a.fire for a in sent]
    np.testing.assert_array_equal(y[judged][:, N_BINARY - 2], np.array(fire)[judged])
    dk = np.diff([cv["gsi_kills"] for cv in curr_vars])
    np.testing.assert_array_equal(helper[1:, 0], (dk == 1) & (np.diff(
        [cv["gsi_deaths"] for cv in curr_vars]) == 0))

    minari = tmp_path / "minari"
    assert main(["convert", str(out), "--out-dir", str(minari), "--workers", "1",
                 "--quiet"]) == 0
    data = SequenceDataset("csgo/dust2-expert-train-v0", root=minari, seq_len=100,
                           metadata=True)
    item = data.sequence_at(0, 400)
    np.testing.assert_array_equal(item["observations"].numpy(), frames[400:500])
    np.testing.assert_allclose(item["meta"]["position"].numpy()[:, 0],
                               [cv["localpos1"] for cv in curr_vars[400:500]])
    np.testing.assert_array_equal(item["meta"]["health"].numpy(),
                                  [cv["gsi_health"] for cv in curr_vars[400:500]])
    data.close()

"""``record`` on OpenArena (``game="openarena"``): the same recorder on a real game that
reports through its own event feed (server log, client memory) instead of GSI.

Skipped only when OpenArena is not installed (``bash scripts/setup_openarena.sh``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from csgo_env.actions import KEY_NAMES, Action
from csgo_env.datasets.pearce.metadata import load_metadata
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.synthetic.recordings import is_synthetic
from csgo_env.game.openarena.install import installed
from csgo_env.game.session_config import validate_session_config
from csgo_env.policy import RandomPolicy
from csgo_env.recording.recorder import Recorder, RecordOptions

pytestmark = [pytest.mark.xvfb, pytest.mark.slow,
              pytest.mark.skipif(not installed(), reason="OpenArena is not installed: run "
                                 "bash scripts/setup_openarena.sh")]


def test_openarena_recording_holds_the_feed_and_the_client_pose(xvfb_display: str,
                                                                 tmp_path: Path) -> None:
    config = validate_session_config(game="openarena", openarena_bots=1,
                                     startup_timeout_s=120.0)
    options = RecordOptions(out_dir=tmp_path, frames_per_file=64, files=1, keys="x11",
                            ready_timeout_s=60.0)
    summary = Recorder(config, options, policy=RandomPolicy(3)).run()
    assert len(summary.written) == 1 and not summary.errors, summary
    target = summary.written[0]
    assert not is_synthetic(target.recording)  # real play, of another game
    meta = load_metadata(target.metadata)
    curr_vars = [meta[f"file_num1_frame_{t}"][0] for t in range(64)]
    with Recording(target.recording) as rec:
        frames = rec.frames()
    assert frames.std() > 5  # the client's view, not a blank window
    policy = RandomPolicy(3)
    for t, cv in enumerate(curr_vars):
        action = Action.from_multidiscrete(policy.act(frames[t]))
        assert cv["tp_wasd"] == [k for k in KEY_NAMES if k in action.keys]
        assert "gsi_steamid" in cv and cv["gsi_team"] == "FREE"  # from the game's own feed
        assert isinstance(cv["gsi_kills"], int) and isinstance(cv["gsi_deaths"], int)
        alive = cv["gsi_health"] > 0
        assert cv["found_active"] == alive
        assert math.isfinite(cv["localpos1"]) and math.isfinite(cv["viewangle_xy"])
        if alive:
            assert cv["obs_health"] == cv["gsi_health"]
    positions = np.array([[cv["localpos1"], cv["localpos2"]] for cv in curr_vars])
    assert np.ptp(positions, axis=0).max() > 1.0  # random keys move the player

"""The synthetic sample's metadata follows the authors' conventions and matches its labels.

``curr_vars[i]`` is the state after action i, so the authors' inference (action i from the
change ``curr_vars[i-1] -> curr_vars[i]``) gives the sample's own labels back at shift 0:
exactly for the own-play families (keys and clicks logged), and for the spectated family
the exact mouse bins and most keys, far better than at a shift of one frame.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from csgo_env.actions import KEY_NAMES, N_BINARY
from csgo_env.datasets.pearce.families import get_family
from csgo_env.datasets.pearce.infer_actions import infer_actions
from csgo_env.datasets.pearce.metadata_columns import clockwise_velocity_angle
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.synthetic.recordings import generate_episode, write_synthetic_recordings
from csgo_env.datasets.synthetic.simulation import KNIFE, LOGGED_KEYS

K = {name: i for i, name in enumerate(KEY_NAMES)}
MOUSE = [N_BINARY, N_BINARY + 1]
WASD = [K[k] for k in "wasd"]


def _agreement(got: np.ndarray, want: np.ndarray, ok: np.ndarray, shift: int) -> np.ndarray:
    """Per column: share of judged frames where ``got[i] == want[i - shift]``."""
    return (got[ok] == np.roll(want, shift, axis=0)[ok]).mean(axis=0)


@pytest.mark.parametrize("family", ["dust2-expert", "aim-expert"])
@pytest.mark.parametrize("seed", [0, 5])
def test_own_play_labels_come_back_exactly_and_aligned(family: str, seed: int) -> None:
    episode = generate_episode(seed, family=family, num_frames=1000)
    inferred = infer_actions(episode.curr_vars())
    np.testing.assert_array_equal(inferred.factored(), episode.actions)
    np.testing.assert_array_equal(inferred.helper(), episode.helper)
    assert episode.helper[:, 1].sum() >= 1 and episode.helper[:, 0].sum() >= 3
    ok = ~inferred.skipped
    for shift in (-1, 1):  # one frame off: the mouse no longer matches
        assert _agreement(inferred.factored(), episode.actions, ok, shift)[MOUSE].max() < 0.5


@pytest.mark.parametrize("seed", [0, 5])
def test_spectated_family_mouse_exact_and_keys_best_aligned(seed: int) -> None:
    episode = generate_episode(seed, family="dust2-scraped", num_frames=1000)
    curr_vars = episode.curr_vars()
    assert not any("tp_wasd" in cv or "tp_lclick" in cv for cv in curr_vars)
    inferred = infer_actions(curr_vars)
    got, ok = inferred.factored(), ~inferred.skipped
    np.testing.assert_array_equal(inferred.helper(), episode.helper)
    aligned = _agreement(got, episode.actions, ok, 0)
    assert aligned[MOUSE].min() == 1.0
    assert aligned[[*WASD, K["1"], K["2"], K["3"], N_BINARY - 2]].min() >= 0.93
    for shift in (-1, 1):
        off = _agreement(got, episode.actions, ok, shift)
        assert off[MOUSE].max() < 0.5
        # key runs are long, so a shift costs keys less than the mouse, but it costs
        assert 1 - off[WASD].mean() > 1.2 * (1 - aligned[WASD].mean())
    # skipped frames (dead now or one frame before) carry the default action
    np.testing.assert_array_equal(got[inferred.skipped], episode.actions[inferred.skipped])


def test_conventions_of_the_recorder() -> None:
    episode = generate_episode(3, family="dust2-expert", num_frames=1000)
    curr_vars = episode.curr_vars()
    for i, cv in enumerate(curr_vars):
        vx, vy = cv["vel_1"], cv["vel_2"]
        assert 0.0 <= cv["vel_theta_abs"] < 2 * np.pi
        assert cv["vel_theta_abs"] == clockwise_velocity_angle(vx, vy)
        assert 0.0 < cv["xy_rad"] <= 2 * np.pi
        assert cv["localpos1"] == episode.pos[i + 1, 0]  # the state after action i
        if cv["found_active"] and cv["gsi_weap_active"]["type"] == "Knife":
            assert cv["ammo_active"] == -1 and cv["gsi_ammo"] == -1
        assert cv["tp_wasd"] == [k for k in LOGGED_KEYS if episode.actions[i, K[k]]]
        assert cv["tp_lclick"] == episode.actions[i, N_BINARY - 2]
    knife = episode.state_weapon[1:] == KNIFE
    assert knife.any(), "the sample switches to the knife"
    assert get_family("dust2-expert").own_play and not get_family("dust2-scraped").own_play


def test_infer_actions_command_reproduces_the_written_labels(tmp_path: Path) -> None:
    from csgo_env.cli import main

    src = tmp_path / "src"
    written = write_synthetic_recordings(src, family="dust2-expert", files=1, seed=4,
                                         num_frames=400)[0]
    assert main(["infer-actions", str(src), "--out", str(tmp_path / "out")]) == 0
    with Recording(written) as a, Recording(tmp_path / "out" / written.name) as b:
        np.testing.assert_array_equal(b.action_vectors(), a.action_vectors())
        np.testing.assert_array_equal(b.helper(), a.helper())
        np.testing.assert_array_equal(b.xaux(), a.xaux())

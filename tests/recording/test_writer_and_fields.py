"""The recording writer process (byte-identical files, metadata first, unfinished files
dropped) and the curr_vars built from GSI and memory."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from csgo_env.actions import NOOP
from csgo_env.datasets.pearce.families import get_family
from csgo_env.datasets.pearce.metadata import load_metadata
from csgo_env.datasets.pearce.metadata_columns import columns_from_curr_vars
from csgo_env.datasets.pearce.write import make_xaux, write_recording
from csgo_env.errors import ArgumentError
from csgo_env.game.memory.pose import Pose
from csgo_env.recording.curr_vars import MEMORY_KEYS, gsi_fields, logged_input, memory_fields
from csgo_env.recording.naming import file_targets
from csgo_env.recording.writer import RecordingWriter
from tests.support.gsi_payloads import OWN, payload

POSE = Pose(position=(1.0, 2.0, 3.0), velocity=(0.0, -100.0, 0.0), pitch_deg=10.0,
            yaw_deg=-90.0, health=77, fov=90.0, clip_ammo=12, view_height=46.04, item_def=7,
            scoped=False, observer_mode=0)


def _curr_vars(i: int) -> dict:
    cv = gsi_fields(payload(kills=2 + (i >= 3), deaths=1 + (i >= 5), health=0 if i == 5
                            else 100, team="CT"), OWN, None)
    cv.update(memory_fields(POSE, own_play=True))
    cv.update(logged_input(frozenset({"w", "fire"} if i % 2 else {"ctrl"})))
    return cv


def test_writer_files_match_the_public_writer_and_drop_unfinished(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    targets = file_targets(out, get_family("dust2-expert"))
    first, second = next(targets), next(targets)
    rng = np.random.default_rng(0)
    n = 70  # more than two of the writer's flush intervals
    frames = rng.integers(0, 256, (n, 150, 280, 3), dtype=np.uint8)
    writer = RecordingWriter(out, ring_frames=4).start()  # a ring smaller than a file
    try:
        for i in range(n):
            writer.add(first, i, frames[i], _curr_vars(i))
        writer.commit(first)
        for i in range(3):
            writer.add(second, i, frames[i], _curr_vars(i))
    finally:
        report = writer.close()
    assert report.written == [first] and not report.errors
    assert not (out / second.recording.name).exists() and not second.metadata.exists()
    assert sorted(p.name for p in out.iterdir()) == sorted([first.recording.name,
                                                            first.metadata.name])
    curr = [_curr_vars(i) for i in range(n)]
    c = columns_from_curr_vars(curr)
    vectors = np.tile(NOOP.to_vector(), (n, 1))
    helper = np.zeros((n, 2))
    helper[3, 0], helper[5, 1] = 1, 1
    xaux = make_xaux(vectors, health=np.nan_to_num(c.gsi_health), ammo=c.ammo_active,
                     team=c.team_ct)
    reference = write_recording(tmp_path / "ref.hdf5", frames, vectors, xaux, helper)
    assert first.recording.read_bytes() == reference.read_bytes()
    meta = load_metadata(first.metadata)
    assert sorted(meta) == sorted(f"file_num1_frame_{j}" for j in range(n))
    cv, infer_a, flags = meta["file_num1_frame_3"]
    assert cv["tp_wasd"] == ["w"] and cv["tp_lclick"] == 1 and cv["gsi_kills"] == 3
    assert infer_a == NOOP.to_infer_a()
    np.testing.assert_array_equal(flags, [1, 0])


def test_file_numbers_continue_and_never_overwrite(tmp_path: Path) -> None:
    family = get_family("dust2-scraped")
    (tmp_path / "hdf5_dm_july2021_7.hdf5").write_bytes(b"x")
    (tmp_path / "currvarsv2_dm_july2021_8_to_9.npy").write_bytes(b"x")
    (tmp_path / "hdf5_dm_july2021_expert_40.hdf5").write_bytes(b"x")  # another family
    targets = file_targets(tmp_path, family)
    assert [next(targets).recording.name for _ in range(2)] == [
        "hdf5_dm_july2021_10.hdf5", "hdf5_dm_july2021_11.hdf5"]
    assert next(file_targets(tmp_path, family)).metadata.name == \
        "currvarsv2_dm_july2021_10_to_10.npy"
    with pytest.raises(ArgumentError, match="exists"):
        next(file_targets(tmp_path, family, first=7))


def test_memory_fields_follow_the_recorder_conventions() -> None:
    cv = memory_fields(POSE, own_play=True)
    assert cv["obs_mode"] == 4  # own play: the own first-person view
    assert memory_fields(POSE, own_play=False)["obs_mode"] == 0
    assert cv["obs_fov"] == 0 and cv["obs_scope"] == 0 and cv["itemdef"] == 7
    assert cv["xy_rad"] == pytest.approx(math.pi / 2)  # facing -y: a quarter turn clockwise
    assert cv["vel_theta_abs"] == pytest.approx(math.pi / 2)
    assert cv["zvert_rads"] == pytest.approx(math.radians(80.0))
    assert (cv["vel_mag"], cv["height"], cv["ammo_active"]) == (100.0, pytest.approx(46.04), 12)
    missing = memory_fields(None, own_play=True, error="OffsetsOutdated: stale")
    assert all(math.isnan(missing[k]) for k in MEMORY_KEYS)
    assert missing["memory_error"] == "OffsetsOutdated: stale"
    partial = memory_fields(Pose((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 0.0, 0.0, 100, None, None),
                            own_play=True)
    assert all(math.isnan(partial[k]) for k in ("obs_fov", "obs_scope", "height", "itemdef",
                                                "ammo_active"))
    assert partial["obs_mode"] == 4  # own play, alive: the own first-person view
    dead = Pose((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 0.0, 0.0, 0, None, None)
    assert math.isnan(memory_fields(dead, own_play=True)["obs_mode"])
    assert math.isnan(memory_fields(dead, own_play=False)["obs_mode"])


def test_gsi_fields_of_the_shown_player() -> None:
    body = payload(kills=5, deaths=2)
    body["player"]["weapons"]["weapon_2"]["state"] = "holstered"
    body["player"]["weapons"]["weapon_0"]["state"] = "active"  # the knife
    cv = gsi_fields(body, OWN, None)
    assert cv["found_active"] and cv["gsi_ammo"] == -1
    assert cv["gsi_weap_active"]["name"] == "weapon_knife_t"
    assert (cv["gsi_kills"], cv["gsi_deaths"], cv["gsi_team"], cv["gsi_armor"]) == (5, 2, "T",
                                                                                   100)
    reloading = payload()
    reloading["player"]["weapons"]["weapon_2"]["state"] = "reloading"
    assert gsi_fields(reloading, OWN, None)["gsi_ammo"] == 27
    assert logged_input(frozenset({"scope", "shift", "a"})) == {
        "tp_wasd": ["a", "shift"], "tp_lclick": 0, "tp_rclick": 1}

"""The authors' per-file quality statistics, counted on metadata with known defects."""

from __future__ import annotations

import numpy as np

from csgo_env.datasets.pearce.metadata_columns import columns_from_curr_vars
from csgo_env.datasets.pearce.quality import LIMITS, file_quality, quality_table
from csgo_env.datasets.synthetic.kinematics import simulate_curr_vars
from tests.support.kinematics import blank, hold


def moving_play(n: int = 1000, **kwargs: object) -> list[dict]:
    """Running and turning all the time: no static frames."""
    play = hold(blank(n, **kwargs), "w", 1, n)
    play.mouse[1:, 0] = 40
    return simulate_curr_vars(play)


def quality(curr_vars: list[dict]) -> object:
    return file_quality(columns_from_curr_vars(curr_vars), name="f")


def test_clean_metadata_has_no_flags() -> None:
    q = quality(moving_play())
    assert q.ok and (q.dead_frames, q.hp_disagree, q.ammo_disagree, q.not_first_person) \
        == (0, 0, 0, 0)
    assert q.static_mouse == 0 and q.static_movement == 0


def test_dead_frames_are_counted_and_flagged_over_200() -> None:
    q = quality(moving_play(deaths=(100, 400), dead_frames=110, respawns=[(0, 0), (9, 9)]))
    assert q.dead_frames == 220 and q.skipped_other == 2  # two respawn frames
    assert q.flags == ["dead_frames"]
    q = quality(moving_play(deaths=(100,), dead_frames=150))
    assert q.dead_frames == 150 and q.ok


def test_memory_gsi_disagreements_allow_one_frame_of_lag() -> None:
    play = hold(hold(blank(1000), "w", 1, 1000), "fire", 300, 315)
    play.mouse[1:, 0] = 40
    cv = simulate_curr_vars(play)
    for f in range(100, 130):  # memory health 7 below GSI for 30 frames
        cv[f]["obs_health"] = cv[f]["gsi_health"] - 7
    for f in range(301, 316):  # GSI's clip one frame behind memory while firing
        cv[f]["gsi_ammo"] = cv[f - 1]["ammo_active"]
    for f in range(500, 530):  # GSI's clip 3 above memory for 30 frames
        cv[f]["gsi_ammo"] = cv[f]["ammo_active"] + 3
    assert cv[310]["gsi_ammo"] != cv[310]["ammo_active"]
    q = quality(cv)
    assert q.hp_disagree == 29  # frame 100 matches frame 99's memory value
    assert q.ammo_disagree == 30  # the lagging frames are not counted
    assert q.flags == ["hp_disagree", "ammo_disagree"]


def test_any_frame_not_in_first_person_is_flagged() -> None:
    cv = moving_play()
    cv[600]["obs_mode"] = 5
    q = quality(cv)
    assert q.not_first_person == 1 and q.flags == ["not_first_person"]


def test_static_mouse_and_movement() -> None:
    q = quality(simulate_curr_vars(blank(1000)))  # standing still, not looking around
    assert q.static_mouse == 999 and q.static_movement == 999
    assert q.flags == ["static_mouse", "static_movement"]
    play = hold(blank(1000), "w", 1, 1000)
    play.mouse[1:400, 0] = 40
    q = quality(simulate_curr_vars(play))
    assert q.static_mouse == 600 and q.static_movement == 0 and q.ok


def test_table_marks_flagged_values() -> None:
    ok = quality(moving_play())
    cv = moving_play()
    cv[10]["obs_mode"] = 0
    bad = file_quality(columns_from_curr_vars(cv), name="bad.hdf5")
    lines = quality_table([ok, bad]).splitlines()
    assert lines[2].endswith("ok") and "1*" in lines[3] and lines[3].endswith("not_first_person")
    assert set(LIMITS) == {"dead_frames", "hp_disagree", "ammo_disagree", "not_first_person",
                           "static_mouse", "static_movement"}
    assert np.isfinite(bad.frames)

"""Each inference rule on a hand-built play whose right answer is known frame by frame.

The plays run through the kinematic simulator (:mod:`csgo_env.datasets.synthetic.kinematics`),
so the metadata is what the rule sees in a recording; each test fails if its rule places
the wrong key, on the wrong frame, or not at all.
"""

from __future__ import annotations

import numpy as np
import pytest

from csgo_env.actions import MOUSE_X_BINS, MOUSE_Y_BINS, N_BINARY
from csgo_env.datasets.pearce.infer_rules import (
    BRAKING,
    COASTING,
    STEADY,
    fill_key_gaps,
)
from tests.support.kinematics import blank, frames_with, hold, keys_at, run, truth


def test_counter_strafe_gives_the_keys_opposite_to_the_motion() -> None:
    play = hold(hold(blank(), "w", 1, 40), "s", 40)  # run forward, one frame of s
    hold(hold(play, "w", 80, 120), "d", 80, 120)  # run forward-right, then a + s
    hold(hold(play, "s", 120), "a", 120)
    inferred, _ = run(play)
    assert inferred.case[40] == BRAKING and keys_at(inferred, 40) == {"s"}
    assert inferred.case[120] == BRAKING and keys_at(inferred, 120) == {"s", "a"}
    assert keys_at(inferred, 39) == {"w"} and keys_at(inferred, 119) == {"w", "d"}
    assert not any(keys_at(inferred, f) for f in range(41, 79))  # stopped, then still


def test_releasing_the_keys_coasts_without_keys() -> None:
    inferred, _ = run(hold(blank(), "w", 1, 40))
    assert inferred.case[40] == COASTING and keys_at(inferred, 40) == set()
    assert frames_with(inferred, "w") == list(range(1, 40))


def test_gap_fill_adds_a_key_held_one_frame_before_and_two_after() -> None:
    wasd = np.zeros((10, 4), dtype=bool)
    wasd[[1, 3, 4], 0] = True  # gap at 2: filled (held at 1 and 4)
    wasd[[6, 8], 1] = True  # gap at 7, but not held at 9: left
    out = fill_key_gaps(wasd, np.ones(10, dtype=bool))
    assert np.flatnonzero(out[:, 0]).tolist() == [1, 2, 3, 4]
    assert np.flatnonzero(out[:, 1]).tolist() == [6, 8]
    two = np.zeros((10, 4), dtype=bool)
    two[[1, 4, 5], 2] = True  # a two-frame gap closes frame by frame (the rule runs forward)
    assert np.flatnonzero(fill_key_gaps(two, np.ones(10, dtype=bool))[:, 2]).tolist() \
        == [1, 2, 3, 4, 5]
    blocked = np.ones(10, dtype=bool)
    blocked[2] = False
    assert not fill_key_gaps(wasd, blocked)[2, 0]


def test_gap_fill_closes_a_bump_in_a_run() -> None:
    def bump(curr_vars: list[dict]) -> None:  # a wall slows the player for one frame
        curr_vars[30]["vel_mag"] -= 30.0

    inferred, _ = run(hold(blank(), "w", 1, 60), edit=bump)
    assert frames_with(inferred, "w") == list(range(1, 60))
    assert inferred.case[30] == COASTING  # the velocity rule alone leaves the gap


@pytest.mark.parametrize(("last_shot", "press", "placed"), [
    (59, 70, 70),  # quiet before the press: the press frame itself
    (69, 70, 74),  # firing until just before: the end of the first 5 quiet frames
])
def test_reload_is_placed_at_the_first_quiet_run_before_the_refill(
        last_shot: int, press: int, placed: int) -> None:
    play = hold(hold(blank(), "fire", last_shot - 9, last_shot + 1), "r", press)
    inferred, cv = run(play)
    refill = press + 28
    assert cv[refill]["ammo_active"] > cv[refill - 1]["ammo_active"]
    assert frames_with(inferred, "r") == [placed]
    assert frames_with(inferred, "fire") == list(range(last_shot - 9, last_shot + 1))


def test_no_reload_is_placed_for_a_refill_in_the_first_32_frames() -> None:
    inferred, cv = run(hold(hold(blank(), "fire", 1, 3), "r", 3))
    assert cv[31]["ammo_active"] > cv[30]["ammo_active"]
    assert frames_with(inferred, "r") == []


def test_weapon_switches_are_labelled_one_frame_back_without_fire_or_reload() -> None:
    play = hold(hold(hold(blank(), "2", 50), "3", 90), "1", 130)
    inferred, cv = run(play)
    assert cv[51]["gsi_weap_active"]["type"] == "Pistol"
    assert (frames_with(inferred, "2"), frames_with(inferred, "3"), frames_with(inferred, "1")) \
        == ([50], [90], [130])
    # ammo jumps 30 -> 20 -> -1 -> 30 at the switches: neither a shot nor a reload
    assert frames_with(inferred, "fire") == [] and frames_with(inferred, "r") == []


def test_switch_to_an_awp_is_key_1() -> None:
    inferred, _ = run(hold(hold(blank(primary="weapon_awp"), "3", 20), "1", 60))
    assert frames_with(inferred, "3") == [20] and frames_with(inferred, "1") == [60]


def test_scope_clicks_are_labelled_one_frame_back_and_not_on_a_switch() -> None:
    play = blank(primary="weapon_awp")
    for f in (40, 60, 80, 100):
        hold(play, "scope", f)
    hold(play, "2", 110)  # zoomed at 101: the switch unzooms at 111, no click
    play.mouse[42:58, 0] = 10  # aim while zoomed (fov 40, then 10)
    play.mouse[62:78, 1] = -4

    def unzoomed_as_90(curr_vars: list[dict]) -> None:  # memory reads 0 or 90 unzoomed
        for f in range(10, 30):
            curr_vars[f]["obs_fov"] = 90

    inferred, cv = run(play, edit=unzoomed_as_90)
    assert [cv[f]["obs_fov"] for f in (20, 41, 61, 81, 101, 111)] == [90, 40, 10, 0, 40, 0]
    assert frames_with(inferred, "scope") == [40, 60, 80, 100]
    np.testing.assert_array_equal(inferred.factored()[:, N_BINARY:], truth(play)[:, N_BINARY:])


def test_dead_frames_get_the_default_action() -> None:
    play = hold(hold(blank(deaths=(100,), dead_frames=24, respawns=[(500.0, 0.0)]),
                     "w", 1, 200), "ctrl", 122, 124)
    play.actions[100:125] = 0
    hold(play, "ctrl", 122, 124)  # held while dead: shows in the view height after respawn
    play.mouse[95:130, 0] = 20

    def spectator_camera(curr_vars: list[dict]) -> None:
        for f in range(100, 124):  # the death camera turns and drifts; respawn at 124
            curr_vars[f]["xy_rad"] = (curr_vars[f]["xy_rad"] + 0.05 * (f - 99)) % (2 * np.pi)
            curr_vars[f]["vel_mag"] = 200.0 + f
        curr_vars[150]["found_active"] = False  # a frame without an active weapon

    inferred, cv = run(play, edit=spectator_camera)
    assert cv[124]["gsi_health"] == 100 and cv[123]["gsi_health"] == 0
    skipped = np.flatnonzero(inferred.skipped).tolist()
    assert skipped == [0, *range(100, 125), 150, 151]
    assert np.flatnonzero(inferred.dead).tolist() == list(range(100, 124))
    default = inferred.factored()[skipped]
    assert not default[:, :N_BINARY].any()
    assert (MOUSE_X_BINS[default[:, N_BINARY]] == 0).all()
    assert (MOUSE_Y_BINS[default[:, N_BINARY + 1]] == 0).all()
    assert frames_with(inferred, "ctrl") == []  # placed on frames 122-123, dropped
    assert inferred.mouse[125, 0] == 20 and keys_at(inferred, 126) == {"w"}


def test_jump_is_labelled_on_take_off_only() -> None:
    inferred, cv = run(hold(hold(hold(blank(), "w", 1, 100), "space", 30), "space", 60))
    landing = next(f for f in range(31, 60) if cv[f]["localpos3"] == 0.0)
    assert cv[landing]["vel_3"] > cv[landing - 1]["vel_3"] + 150  # landing also jumps
    assert frames_with(inferred, "space") == [30, 60]


def test_crouch_is_labelled_two_frames_before_the_view_drops() -> None:
    inferred, cv = run(hold(hold(blank(), "ctrl", 50, 60), "w", 10, 90))
    assert cv[52]["height"] < 50 and cv[51]["height"] > 50
    assert frames_with(inferred, "ctrl") == list(range(50, 60))


def test_fire_comes_from_clip_drops() -> None:
    play = hold(hold(blank(), "fire", 20, 25), "fire", 40, 43)
    inferred, _ = run(play)
    assert frames_with(inferred, "fire") == [*range(20, 25), *range(40, 43)]


def test_shift_while_walking_but_not_crouched_or_slowed_by_a_scope() -> None:
    play = hold(hold(blank(300, primary="weapon_awp"), "w", 1, 280), "shift", 1, 60)
    hold(play, "ctrl", 80, 120)  # crouched walking (73 u/s): no shift
    hold(hold(play, "scope", 150), "shift", 200, 260)  # scoped: 100 u/s, walking 52 u/s
    inferred, cv = run(play)
    assert cv[40]["vel_mag"] < 140 and cv[110]["vel_mag"] < 140 and cv[180]["vel_mag"] < 140
    shift = set(frames_with(inferred, "shift"))
    assert set(range(10, 60)) <= shift  # walking, steady
    assert not shift & set(range(84, 120))  # crouched
    assert not shift & set(range(160, 200))  # scoped AWP at 100 u/s
    assert set(range(210, 260)) <= shift  # scoped AWP walking at 52 u/s
    assert inferred.case[40] == STEADY


def test_mouse_bins_are_exact_across_yaw_wrap_ties_and_zoom() -> None:
    play = blank(120, start_yaw=170.0)
    play.mouse[1:11, 0] = -600  # turning left across +-180
    play.mouse[11:30] = [[3, 3], [-3, -3], [7, 7], [-7, -7], [150, 15], [-150, -15],
                         [1500, 300], [-1500, -300], [45, 35], [-45, -35], [1, 1], [-1, -1],
                         [80, 75], [-80, -75], [400, 150], [-400, -150], [25, 2], [-25, -2],
                         [750, 0]]
    inferred, cv = run(play)
    assert any(cv[f]["viewangle_xy"] < 0 < cv[f - 1]["viewangle_xy"] for f in range(1, 11))
    got = inferred.factored()[:, N_BINARY:]
    np.testing.assert_array_equal(got, truth(play)[:, N_BINARY:])
    assert MOUSE_X_BINS[got[11, 0]] == 2 and MOUSE_X_BINS[got[12, 0]] == -4  # ties go low
    np.testing.assert_allclose(inferred.mouse[1:30], play.mouse[1:30], atol=1e-6)


def test_own_play_uses_the_logged_keys_and_clicks() -> None:
    play = hold(hold(hold(blank(), "w", 1, 60), "r", 80), "space", 30)
    hold(hold(play, "3", 100), "fire", 110, 115)  # knife fire: no ammo change to see

    def stuck(curr_vars: list[dict]) -> None:  # against a wall: no motion despite w
        for f in range(20, 40):
            curr_vars[f]["vel_mag"] = 0.0

    inferred, _ = run(play, own_play=True, edit=stuck)
    assert frames_with(inferred, "w") == list(range(1, 60))
    assert frames_with(inferred, "r") == [80] and frames_with(inferred, "space") == [30]
    assert frames_with(inferred, "fire") == list(range(110, 115))
    assert frames_with(inferred, "3") == [100]  # switches are still inferred
    assert inferred.logged[1:].all()

"""CSGO-Deathmatch-v0 on the stand-in game's arena: the loop is closed through the real
window, XTest input, GSI POSTs and memory reads (Xvfb), and matches the in-process twin."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import csgo_env  # noqa: F401 - registers the env id
from csgo_env.actions import DEG_PER_COUNT, MOUSE_X_BINS, MOUSE_Y_BINS, Action, action_space
from csgo_env.standin.arena_expert import ArenaExpert
from csgo_env.standin.arena_local import LocalArena
from csgo_env.standin.arena_world import ArenaConfig
from tests.support import arena as sa
from tests.support import standin as rs

pytestmark = pytest.mark.xvfb


@pytest.fixture(scope="module")
def env(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    log = tmp_path_factory.mktemp("arena") / "input.jsonl"
    made = gym.make("CSGO-Deathmatch-v0", replay_input_log=str(log), **sa.ARENA_UNPACED)
    made.unwrapped.test_log = log
    try:
        yield made
    finally:
        made.close()


def _play(env: Any, seed: int, actions: list[Action]) -> tuple[list[np.ndarray], list[Any]]:
    """Reset with ``seed``, play ``actions``; observations (reset one first) and steps."""
    obs, info = env.reset(seed=seed)
    frames, steps = [obs], []
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action.to_multidiscrete())
        frames.append(obs)
        steps.append((reward, terminated, truncated, info))
    return frames, steps


def test_the_env_plays_the_twin_pixel_for_pixel_and_the_same_seed_replays(env: Any) -> None:
    space = action_space(5)
    actions = [Action.from_multidiscrete(space.sample()) for _ in range(96)]
    frames, steps = _play(env, 21, actions)
    twin = LocalArena(ArenaConfig(seed=21))
    np.testing.assert_array_equal(frames[0], twin.observe())
    for k, action in enumerate(actions):
        result = twin.step(action)
        reward, _, _, info = steps[k]
        np.testing.assert_array_equal(frames[k + 1], twin.observe(), err_msg=f"step {k}")
        snap = twin.snapshot()
        assert info["pose"].position == pytest.approx(snap.position, abs=1e-3)
        assert info["pose"].yaw_deg == pytest.approx(snap.yaw_deg, abs=1e-3)
        assert (info["step_kills"], info["step_deaths"]) == (result.kill, result.death)
        assert reward == pytest.approx(result.kill - 0.5 * result.death - 0.02 * action.fire)
        assert info["health"] == snap.health and info["paced"] is False
        assert not env.unwrapped.session.game.input_late()
    again, steps_again = _play(env, 21, actions)
    np.testing.assert_array_equal(np.stack(again), np.stack(frames))
    assert [s[0] for s in steps_again] == [s[0] for s in steps]


def test_turning_the_mouse_turns_the_view_in_memory(env: Any) -> None:
    _, info = env.reset(seed=3)
    yaw, pitch = info["pose"].yaw_deg, info["pose"].pitch_deg
    for x_bin, y_bin in ((18, 12), (0, 7), (11, 2)):  # +100/+50, -1000/0, 0/-50 counts
        _, _, _, _, info = env.step(Action(mouse_x_bin=x_bin, mouse_y_bin=y_bin)
                                    .to_multidiscrete())
        want_yaw = (yaw - MOUSE_X_BINS[x_bin] * DEG_PER_COUNT + 180.0) % 360.0 - 180.0
        want_pitch = pitch + MOUSE_Y_BINS[y_bin] * DEG_PER_COUNT
        assert info["pose"].yaw_deg == pytest.approx(want_yaw, abs=1e-3)
        assert info["pose"].pitch_deg == pytest.approx(want_pitch, abs=1e-3)
        yaw, pitch = want_yaw, want_pitch


def _seed_with_room_ahead(room: float = 700.0) -> int:
    for seed in range(100):
        world = LocalArena(ArenaConfig(seed=seed)).world
        p = world.player
        ahead = world.plan.ray_distances(p.x, p.y, np.array([math.radians(world.yaw_deg)]))
        right = world.plan.ray_distances(p.x, p.y, np.array([math.radians(world.yaw_deg - 90)]))
        if ahead[0][0] > room and right[0][0] > 300:
            return seed
    raise AssertionError("no seed with room ahead")


def test_movement_keys_move_the_position_relative_to_the_yaw(env: Any) -> None:
    seed = _seed_with_room_ahead()
    _, info = env.reset(seed=seed)
    start = np.array(info["pose"].position[:2])
    yaw = math.radians(info["pose"].yaw_deg)
    forward, right = np.array([math.cos(yaw), math.sin(yaw)]), np.array([math.sin(yaw),
                                                                         -math.cos(yaw)])
    for _ in range(10):
        _, _, _, _, info = env.step(Action(frozenset({"w"})).to_multidiscrete())
    moved = np.array(info["pose"].position[:2]) - start
    assert moved @ forward > 100.0 and abs(moved @ right) < 1e-2
    assert np.hypot(*info["pose"].velocity[:2]) > 200.0  # running, ~250 u/s
    start = np.array(info["pose"].position[:2])
    for _ in range(6):
        _, _, _, _, info = env.step(Action(frozenset({"d"})).to_multidiscrete())
    moved = np.array(info["pose"].position[:2]) - start
    assert moved @ right > 40.0


def test_firing_on_an_opponent_kills_it_through_gsi(env: Any) -> None:
    expert: dict[str, ArenaExpert] = {}

    def choose(arena: LocalArena) -> Action:
        policy = expert.setdefault("p", ArenaExpert(arena.snapshot, seed=0))
        return policy.decide(arena.snapshot())

    plan = sa.plan(8, choose, lambda r: r.kill == 1)
    assert plan.hit >= 0, "the expert never killed in the twin"
    k = plan.hit
    _, steps = _play(env, plan.seed, plan.actions)
    reward, _, _, info = steps[k]
    assert plan.actions[k].fire
    assert info["step_kills"] == 1 and info["kills"] == 1  # GSI match_stats.kills went up
    assert reward == pytest.approx(1.0 - 0.02)
    assert all(s[3]["step_kills"] == 0 for s in steps[:k])
    # The same game with the trigger not pulled at that step: no kill.
    held = list(plan.actions)
    held[k] = Action(held[k].keys, fire=False, mouse_x_bin=held[k].mouse_x_bin,
                     mouse_y_bin=held[k].mouse_y_bin)
    _, steps = _play(env, plan.seed, held)
    assert steps[k][3]["step_kills"] == 0 and steps[k][0] == pytest.approx(0.0)


def test_standing_still_in_view_gets_the_player_killed_then_respawned(env: Any) -> None:
    cfg = ArenaConfig()
    plan = sa.plan(2, lambda arena: Action(), lambda r: r.death == 1)
    assert plan.hit >= 0, "nobody found the player in the twin"
    k = plan.hit
    seen = [any(o.sees_player for o in s.opponents)
            for s in plan.snapshots[k - cfg.reaction_ticks:k + 1]]
    assert all(seen[1:])  # in someone's view for the reaction time before the death
    actions = plan.actions + [Action()] * (cfg.player_respawn_ticks + 1)
    _, steps = _play(env, plan.seed, actions)
    reward, _, _, info = steps[k]
    assert info["step_deaths"] == 1 and info["deaths"] == 1 and info["health"] == 0
    assert reward == pytest.approx(-0.5)
    assert steps[k - 1][3]["health"] < 100  # hit before the death
    assert steps[-1][3]["health"] == 100  # respawned


def test_reset_releases_every_key_before_the_new_world(env: Any) -> None:
    env.reset(seed=1)
    env.step(Action(frozenset({"w", "shift"}), fire=True).to_multidiscrete())
    assert rs.held_at_end(rs.logged_events(env.unwrapped.test_log)) == {"w", "left shift", 1}
    env.reset(seed=1)  # releases, and the arena takes the releases before it answers
    assert rs.held_at_end(rs.logged_events(env.unwrapped.test_log)) == set()


def test_gymnasium_env_checker_passes_on_the_arena(env: Any) -> None:
    from gymnasium.utils.env_checker import check_env

    check_env(env.unwrapped)  # includes: the same seed gives the same first observation

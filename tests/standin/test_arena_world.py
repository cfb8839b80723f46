"""The arena's rules, floor plan and renderer on their own (no window, no process)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from csgo_env.actions import DEG_PER_COUNT, Action, action_space
from csgo_env.errors import ArgumentError
from csgo_env.standin.arena_local import LocalArena, split_move
from csgo_env.standin.arena_map import CELL, FloorPlan
from csgo_env.standin.arena_render import BODY, FOCAL_X, HEIGHT, WIDTH, ArenaRenderer
from csgo_env.standin.arena_world import ArenaConfig, ArenaWorld, wrap_degrees


def _open_row_world(opponents: int = 1) -> ArenaWorld:
    """A world with the player at the west end of row 1 (a clear corridor to the east)."""
    world = ArenaWorld(ArenaConfig(seed=0, opponents=opponents))
    p = world.player
    p.x, p.y, p.spawn_yaw, p.counts_x, p.counts_y = 192.0, 1344.0, 0.0, 0, 0
    for k, o in enumerate(world.opponents):
        o.x, o.y = 1400.0 + 100 * k, 1344.0  # in sight: 1208 units east
    return world


def test_plan_is_closed_and_sight_lines_stop_at_walls() -> None:
    plan = FloorPlan(("#####", "#...#", "#.#.#", "#...#", "#####"))
    assert plan.size == (5 * CELL, 5 * CELL)
    assert plan.clear_line(plan.centre(1, 1), plan.centre(1, 3))
    assert not plan.clear_line(plan.centre(1, 2), plan.centre(3, 2))  # the centre pillar
    dist, _, facing = plan.ray_distances(*plan.centre(1, 1), np.array([0.0, math.pi / 2]))
    np.testing.assert_allclose(dist, [2.5 * CELL, 0.5 * CELL])  # east wall, north wall
    assert facing.tolist() == [1, 0]
    assert plan.shortest_path((1, 2), (3, 2))[-1] == (3, 2)
    assert len(plan.shortest_path((1, 2), (3, 2))) == 4  # round the pillar
    with pytest.raises(ArgumentError, match="closed"):
        FloorPlan(("###", "#..", "###"))


def test_mouse_counts_turn_the_view_at_the_projects_constant() -> None:
    world = _open_row_world()
    world.turn(100, 0)  # +x turns right: the counter-clockwise yaw decreases
    assert world.yaw_deg == pytest.approx(-100 * 0.022 * 2.5)
    world.turn(-300, 40)
    assert world.yaw_deg == pytest.approx(200 * DEG_PER_COUNT)
    assert world.pitch_deg == pytest.approx(40 * DEG_PER_COUNT)  # +y looks down
    world.turn(0, 100000)
    assert world.pitch_deg == pytest.approx(89.0, abs=DEG_PER_COUNT)


def test_keys_move_relative_to_the_yaw_and_walls_stop_the_player() -> None:
    world = _open_row_world(opponents=0)
    for _ in range(16):
        world.tick(frozenset({"w"}), False)
    p = world.player
    assert 150.0 < p.x - 192.0 < 250.0 and p.y == pytest.approx(1344.0)  # east, ~1 s run
    world.turn(round(90 / DEG_PER_COUNT), 0)  # face south
    x0 = p.x
    for _ in range(16):
        world.tick(frozenset({"a"}), False)  # strafe left = east when facing south
    assert p.x - x0 > 150.0
    for _ in range(40):
        world.tick(frozenset({"s"}), False)  # back = north, into the border wall
    assert p.y <= 1536.0 - CELL - 16.0 + 1e-9  # the square of half-size 16 stops at it


def test_firing_on_the_hit_box_kills_and_off_it_does_not() -> None:
    world = _open_row_world()
    world.tick(frozenset(), True)
    assert world.last.kill == 1 and world.last.hit == 0 and world.kills == 1
    assert not world.opponents[0].alive and world.player.clip == 29
    world = _open_row_world()
    world.turn(round(3.0 / DEG_PER_COUNT), 0)  # 3 degrees off at 1208 units: 63 units wide
    world.tick(frozenset(), True)
    assert world.last.shot and world.last.kill == 0
    world = _open_row_world()
    world.turn(0, round(-10.0 / DEG_PER_COUNT))  # aimed over its head
    world.tick(frozenset(), True)
    assert world.last.kill == 0


def test_an_opponent_that_keeps_the_player_in_view_kills_and_both_respawn() -> None:
    world = _open_row_world()
    cfg = world.config
    deaths_at = []
    for i in range(60):
        if world.tick(frozenset(), False).death:
            deaths_at.append(i)
    first = cfg.reaction_ticks + math.ceil(100 / cfg.damage_per_tick) - 1
    assert deaths_at[0] == first and world.deaths >= 1
    world = _open_row_world()
    world.tick(frozenset(), True)  # kill it
    for _ in range(cfg.opponent_respawn_ticks):
        world.tick(frozenset(), False)
    assert world.opponents[0].alive


def test_same_seed_and_actions_give_the_same_game() -> None:
    space = action_space(7)
    actions = [Action.from_multidiscrete(space.sample()) for _ in range(300)]
    runs = []
    for _ in range(2):
        arena = LocalArena(ArenaConfig(seed=11))
        frames = []
        for action in actions:
            arena.step(action)
            frames.append(arena.observe())
        runs.append((arena.snapshot(), np.stack(frames)))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    other = LocalArena(ArenaConfig(seed=12)).snapshot()
    assert other.position != LocalArena(ArenaConfig(seed=11)).snapshot().position


def test_split_moves_add_up_like_the_controllers() -> None:
    for counts in (-1000, -3, -1, 0, 1, 3, 1000):
        first, second = split_move(counts)
        assert first + second == counts and abs(first) <= abs(second)


def test_renderer_draws_the_opponent_under_the_crosshair_and_turns_with_the_view() -> None:
    world = _open_row_world()
    renderer = ArenaRenderer(world.plan)
    frame = renderer.render(world.snapshot())
    assert frame.shape == (HEIGHT, WIDTH, 3) and frame.dtype == np.uint8
    centre_column = frame[:, WIDTH // 2 - 1]
    assert (centre_column == BODY).all(axis=1).any()  # the opponent straight ahead
    turn = 10.0  # degrees right: the opponent moves left by FOCAL_X * tan(10 deg) columns
    world.turn(round(turn / DEG_PER_COUNT), 0)
    turned = renderer.render(world.snapshot())
    body_cols = np.flatnonzero((turned == BODY).all(axis=2).any(axis=0))
    want = WIDTH / 2 - FOCAL_X * math.tan(math.radians(turn))
    assert abs(body_cols.mean() + 0.5 - want) < 1.5
    assert not np.array_equal(frame, turned)
    world.player.health = 0
    dead = renderer.render(world.snapshot())
    assert dead.mean() < frame.mean()  # darkened


def test_wrap_degrees() -> None:
    assert wrap_degrees(190.0) == pytest.approx(-170.0)
    assert wrap_degrees(-180.0) == pytest.approx(-180.0)

"""The arena's rules: a seeded, closed-loop, small deathmatch advanced one tick at a time.

SYNTHETIC: a toy game written for this project, not Counter-Strike; every number it
produces (kills, deaths, positions) is synthetic.

Frames of reference and units follow :mod:`csgo_env.standin.arena_map` (world units, yaw
counter-clockwise from ``+x`` in degrees, pitch positive looking down). The view follows
raw mouse counts exactly as the real game does at the project's settings: one count turns
``m_yaw * sensitivity = 0.022 * 2.5 = 0.055`` degrees, ``+x`` turns right (the yaw
decreases), ``+y`` looks down. The view is kept as integer counts since the spawn, so the
same counts give the same angles whatever their split into events.

One :meth:`ArenaWorld.tick` (1/16 s of game time) does, in this order:

1. a dead player counts down to the respawn; nothing else of the player happens;
2. reload (``r`` starts a reload of ``reload_ticks``; an empty clip reloads by itself);
3. movement: ``w a s d`` relative to the yaw, run 250 u/s (``shift`` walk 130,
   ``ctrl`` crouch 85), velocity easing 35 % of the way to the wished one per tick, walls
   stop the motion axis by axis (the player is a square of half-size 16);
4. fire: with fire held, a round in the clip and no reload, one shot per tick along the
   crosshair ray (yaw, pitch) from the eye (64 units up); the first opponent hit box
   (an upright cylinder, radius 16, height 72) it meets before a wall dies;
5. opponents: a dead one counts down to its respawn; a live one that sees the player
   (clear line, within ``sight_range``) stands and counts ticks of sight, else walks its
   shortest path towards a goal cell drawn from the world's generator; every opponent that
   has seen the player for more than ``reaction_ticks`` in a row takes ``damage_per_tick``
   health; at 0 health the player dies.

The only randomness is the world's own generator (seeded from ``seed``; goals and spawn
points), drawn in a fixed order, so the same seed and the same inputs tick by tick give the
same game, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from csgo_env.standin.arena_map import FloorPlan
from csgo_env.standin.arena_snapshot import ArenaSnapshot, OpponentView
from csgo_env.standin.arena_state import (
    BODY_HEIGHT,
    BODY_RADIUS,
    EYE_HEIGHT,
    PITCH_LIMIT_DEG,
    ArenaConfig,
    OpponentState,
    PlayerState,
    TickResult,
    wrap_degrees,
)

__all__ = ["BODY_HEIGHT", "BODY_RADIUS", "EYE_HEIGHT", "ArenaConfig", "ArenaWorld",
           "OpponentState", "PlayerState", "TickResult", "wrap_degrees"]

class ArenaWorld:
    """The whole game state and its rules (see the module docstring)."""

    def __init__(self, config: ArenaConfig | None = None) -> None:
        self.config = config or ArenaConfig()
        self.plan = FloorPlan(self.config.plan)
        self.rng = np.random.default_rng(np.random.SeedSequence([int(self.config.seed), 14]))
        self.tick_index = 0
        self.kills = 0
        self.deaths = 0
        self.last = TickResult(0, 0, False, -1)
        self.opponents: list[OpponentState] = []
        x, y = self._spawn_point(avoid=[])
        self.player = PlayerState(x, y, spawn_yaw=self._draw_yaw(), clip=self.config.clip_size)
        for _ in range(self.config.opponents):
            ox, oy = self._spawn_point(avoid=[(self.player.x, self.player.y)])
            self.opponents.append(OpponentState(ox, oy))

    # --- view ------------------------------------------------------------------------
    @property
    def yaw_deg(self) -> float:
        p = self.player
        return wrap_degrees(p.spawn_yaw - p.counts_x * self.config.deg_per_count)

    @property
    def pitch_deg(self) -> float:
        return self.player.counts_y * self.config.deg_per_count

    def turn(self, dx: int, dy: int) -> None:
        """Apply raw mouse counts now (+x right, +y down); ignored while dead."""
        p = self.player
        if not p.alive:
            return
        limit = int(PITCH_LIMIT_DEG / self.config.deg_per_count)
        p.counts_x += int(dx)
        p.counts_y = max(-limit, min(limit, p.counts_y + int(dy)))

    # --- the tick --------------------------------------------------------------------
    def tick(self, keys: frozenset[str], fire: bool, reload: bool = False) -> TickResult:
        """Advance 1/``tick_hz`` s with ``keys`` held, fire held or not, ``reload`` pressed."""
        p = self.player
        kill = death = 0
        shot, hit = False, -1
        if not p.alive:
            p.respawn_in -= 1
            if p.respawn_in <= 0:
                self.respawn_player()
        else:
            self._reload(reload)
            self._move(keys)
            if fire and p.clip > 0 and p.reload_in == 0:
                p.clip -= 1
                shot = True
                hit = self._shoot()
                if hit >= 0:
                    kill = 1
                    victim = self.opponents[hit]
                    victim.alive, victim.sight_ticks = False, 0
                    victim.respawn_in = self.config.opponent_respawn_ticks
                if p.clip == 0:
                    p.reload_in = self.config.reload_ticks
        death = self._opponents_act()
        self.kills += kill
        self.deaths += death
        self.tick_index += 1
        self.last = TickResult(kill, death, shot, hit)
        return self.last

    def _reload(self, pressed: bool) -> None:
        p = self.player
        if p.reload_in > 0:
            p.reload_in -= 1
            if p.reload_in == 0:
                p.clip = self.config.clip_size
        elif pressed and p.clip < self.config.clip_size:
            p.reload_in = self.config.reload_ticks

    def _move(self, keys: frozenset[str]) -> None:
        p = self.player
        forward = ("w" in keys) - ("s" in keys)
        right = ("d" in keys) - ("a" in keys)
        speed = 85.0 if "ctrl" in keys else 130.0 if "shift" in keys else 250.0
        yaw = math.radians(self.yaw_deg)
        wx = forward * math.cos(yaw) + right * math.sin(yaw)
        wy = forward * math.sin(yaw) - right * math.cos(yaw)
        norm = math.hypot(wx, wy)
        tx, ty = (wx / norm * speed, wy / norm * speed) if norm > 0 else (0.0, 0.0)
        p.vx += 0.35 * (tx - p.vx)
        p.vy += 0.35 * (ty - p.vy)
        dt = 1.0 / self.config.tick_hz
        nx = p.x + p.vx * dt
        if self.plan.blocked(nx, p.y, BODY_RADIUS):
            p.vx = 0.0
        else:
            p.x = nx
        ny = p.y + p.vy * dt
        if self.plan.blocked(p.x, ny, BODY_RADIUS):
            p.vy = 0.0
        else:
            p.y = ny

    def _shoot(self) -> int:
        """Index of the opponent the crosshair ray kills, -1 for none."""
        p = self.player
        yaw = math.radians(self.yaw_deg)
        dx, dy = math.cos(yaw), math.sin(yaw)
        wall = float(self.plan.ray_distances(p.x, p.y, np.array([yaw]))[0][0])
        slope = math.tan(math.radians(self.pitch_deg))  # height lost per unit, +down
        best, best_t = -1, wall
        for i, o in enumerate(self.opponents):
            if not o.alive:
                continue
            rx, ry = o.x - p.x, o.y - p.y
            t = rx * dx + ry * dy  # along the ray to the closest approach
            miss = abs(rx * dy - ry * dx)
            if t <= 0.0 or miss > BODY_RADIUS:
                continue
            t_in = t - math.sqrt(BODY_RADIUS ** 2 - miss ** 2)  # where the ray enters
            for tt in (max(t_in, 0.0), t):
                z = EYE_HEIGHT - tt * slope
                if 0.0 <= z <= BODY_HEIGHT and tt < best_t:
                    best, best_t = i, tt
                    break
        return best

    def sees_player(self, o: OpponentState) -> bool:
        """Whether opponent ``o`` has the live player in a clear line within sight range."""
        p = self.player
        if not (o.alive and p.alive):
            return False
        if math.hypot(o.x - p.x, o.y - p.y) > self.config.sight_range:
            return False
        return self.plan.clear_line((o.x, o.y), (p.x, p.y))

    def _opponents_act(self) -> int:
        cfg, p = self.config, self.player
        step = cfg.opponent_speed / cfg.tick_hz
        for o in self.opponents:
            if not o.alive:
                o.respawn_in -= 1
                if o.respawn_in <= 0:
                    o.x, o.y = self._spawn_point(avoid=[(p.x, p.y)])
                    o.alive, o.path = True, []
                continue
            if self.sees_player(o):
                o.sight_ticks += 1
                continue
            o.sight_ticks = 0
            self._walk(o, step)
        if not p.alive:
            return 0
        hits = sum(1 for o in self.opponents if o.sight_ticks > cfg.reaction_ticks)
        p.health = max(0, p.health - hits * cfg.damage_per_tick)
        if p.health > 0:
            return 0
        p.respawn_in, p.vx, p.vy, p.reload_in = cfg.player_respawn_ticks, 0.0, 0.0, 0
        for o in self.opponents:
            o.sight_ticks = 0
        return 1

    def _walk(self, o: OpponentState, step: float) -> None:
        if not o.path:
            cells = self.plan.floor_cells
            goal = cells[int(self.rng.integers(len(cells)))]
            o.path = self.plan.shortest_path(self.plan.cell_of(o.x, o.y),
                                             (int(goal[0]), int(goal[1])))
            if not o.path:
                return
        gx, gy = self.plan.centre(*o.path[0])
        dist = math.hypot(gx - o.x, gy - o.y)
        if dist <= step:
            o.x, o.y = gx, gy
            o.path.pop(0)
        else:
            o.x += (gx - o.x) / dist * step
            o.y += (gy - o.y) / dist * step

    # --- spawns ----------------------------------------------------------------------
    def _draw_yaw(self) -> float:
        return float(self.rng.integers(0, 72)) * 5.0 - 180.0

    def _spawn_point(self, avoid: list[tuple[float, float]], tries: int = 12
                     ) -> tuple[float, float]:
        """A floor cell centre out of sight of every point of ``avoid`` (drawn; the last
        candidate drawn when none of ``tries`` is)."""
        cells = self.plan.floor_cells
        picks = self.rng.integers(len(cells), size=tries)
        x = y = 0.0
        for k in picks:
            x, y = self.plan.centre(int(cells[k][0]), int(cells[k][1]))
            if all(math.hypot(x - ax, y - ay) > 2 * BODY_RADIUS
                   and not self.plan.clear_line((x, y), (ax, ay)) for ax, ay in avoid):
                break
        return x, y

    def respawn_player(self) -> None:
        """Bring the player back now at a drawn spawn point out of the opponents' sight."""
        live = [(o.x, o.y) for o in self.opponents if o.alive]
        x, y = self._spawn_point(avoid=live)
        self.player = PlayerState(x, y, spawn_yaw=self._draw_yaw(), clip=self.config.clip_size)

    # --- reporting -------------------------------------------------------------------
    def snapshot(self) -> ArenaSnapshot:
        """The state after the last tick (see :class:`ArenaSnapshot`)."""
        p = self.player
        return ArenaSnapshot(
            tick=self.tick_index, seed=int(self.config.seed), position=(p.x, p.y, 0.0),
            velocity=(p.vx, p.vy, 0.0), yaw_deg=self.yaw_deg, pitch_deg=self.pitch_deg,
            health=p.health, clip=p.clip, reloading=p.reload_in > 0, kills=self.kills,
            deaths=self.deaths,
            opponents=tuple(OpponentView(o.x, o.y, o.alive, o.sight_ticks > 0)
                            for o in self.opponents))

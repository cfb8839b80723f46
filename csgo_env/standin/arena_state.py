"""The arena's settings and state: plain data, units as in :mod:`csgo_env.standin.arena_map`.

SYNTHETIC. :class:`ArenaConfig` holds every rule's number (per tick at ``tick_hz``; distances
in world units); :class:`PlayerState` / :class:`OpponentState` the mutable state that
:class:`~csgo_env.standin.arena_world.ArenaWorld` advances; :class:`TickResult` what a tick did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from csgo_env.actions import M_YAW_DEG, SENSITIVITY
from csgo_env.standin.arena_map import DEFAULT_PLAN

EYE_HEIGHT = 64.0
"""Eye height of a standing player above the floor (world units)."""
BODY_RADIUS = 16.0
"""Half-width of a player: the hit box radius and the collision half-size (units)."""
BODY_HEIGHT = 72.0
"""Height of a player's hit box (units)."""
PITCH_LIMIT_DEG = 89.0


def wrap_degrees(angle: float) -> float:
    """Wrap to [-180, 180)."""
    return (angle + 180.0) % 360.0 - 180.0


@dataclass(frozen=True)
class ArenaConfig:
    """The arena's settings (all per tick at ``tick_hz``; distances in world units)."""

    seed: int = 0
    opponents: int = 3
    plan: tuple[str, ...] = DEFAULT_PLAN
    sensitivity: float = SENSITIVITY
    tick_hz: float = 16.0
    opponent_speed: float = 150.0
    sight_range: float = 1400.0
    reaction_ticks: int = 8
    damage_per_tick: int = 20
    player_respawn_ticks: int = 16
    opponent_respawn_ticks: int = 32
    reload_ticks: int = 20
    clip_size: int = 30

    @property
    def deg_per_count(self) -> float:
        return M_YAW_DEG * self.sensitivity


@dataclass
class PlayerState:
    """The own player. ``counts_x``/``counts_y``: mouse counts since the spawn."""

    x: float
    y: float
    spawn_yaw: float
    vx: float = 0.0
    vy: float = 0.0
    counts_x: int = 0
    counts_y: int = 0
    health: int = 100
    respawn_in: int = 0
    clip: int = 30
    reload_in: int = 0

    @property
    def alive(self) -> bool:
        return self.health > 0


@dataclass
class OpponentState:
    """One opponent: position, life, its walk and how long it has seen the player."""

    x: float
    y: float
    alive: bool = True
    respawn_in: int = 0
    sight_ticks: int = 0
    path: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class TickResult:
    """What one tick did: ``kill``/``death`` 0/1, ``shot`` a round left the gun,
    ``hit`` the index of the opponent killed (-1 for none)."""

    kill: int
    death: int
    shot: bool
    hit: int
